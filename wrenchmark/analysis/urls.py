from __future__ import annotations

from django.urls import path

from wrenchmark.analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/items/<int:item_id>/", views.item_detail, name="item"),
    path("tests/<str:code>/assemble/", views.assemble, name="assemble"),
]
