from __future__ import annotations

from django.urls import path

from wrenchmark.experience import views

app_name = "experience"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("<str:kind>/add/", views.entry_add, name="add"),
    path("<str:kind>/<int:entry_id>/edit/", views.entry_edit, name="edit"),
    path("<str:kind>/<int:entry_id>/withdraw/", views.entry_withdraw, name="withdraw"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<str:kind>/<int:entry_id>/", views.review_entry, name="review"),
]
