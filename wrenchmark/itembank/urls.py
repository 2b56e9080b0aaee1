from __future__ import annotations

from django.urls import path

from wrenchmark.itembank import views

app_name = "itembank"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.item_new, name="new"),
    path("preview/", views.item_preview, name="preview"),
    path("review/", views.review_queue, name="review_queue"),
    path("<int:item_id>/", views.item_detail, name="detail"),
    path("<int:item_id>/edit/", views.item_edit, name="edit"),
    path("<int:item_id>/submit/", views.item_submit, name="submit"),
    path("<int:item_id>/review/", views.item_review, name="review"),
    path("<int:item_id>/comment/", views.item_comment, name="comment"),
    path("<int:item_id>/transition/", views.item_transition, name="transition"),
    path("<int:item_id>/diff/", views.item_diff, name="diff"),
    path("<int:item_id>/translate/<str:language>/", views.item_translate, name="translate"),
]
