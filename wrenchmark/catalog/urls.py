from __future__ import annotations

from django.urls import path

from wrenchmark.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.series_list, name="series_list"),
    path("designations/", views.designation_list, name="designation_list"),
    path("tests/<str:code>/", views.test_detail, name="test_detail"),
]
