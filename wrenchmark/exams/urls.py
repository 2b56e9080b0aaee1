from __future__ import annotations

from django.urls import path

from wrenchmark.exams import accommodation_views, staff_views, views

app_name = "exams"
urlpatterns = [
    path("", views.exam_home, name="home"),
    path("forms/<int:form_id>/start/", views.exam_start, name="start"),
    path("attempts/<int:attempt_id>/", views.exam_sit, name="sit"),
    path("attempts/<int:attempt_id>/takeover/", views.exam_takeover, name="takeover"),
    path("attempts/<int:attempt_id>/report/", views.exam_report, name="report"),
    path("attempts/<int:attempt_id>/report.pdf", views.exam_report_pdf, name="report_pdf"),
    path("accommodations/", accommodation_views.accommodations_mine, name="accommodations"),
    path(
        "accommodations/review/", accommodation_views.accommodations_review_list, name="accommodations_review"
    ),
    path(
        "accommodations/<int:accommodation_id>/",
        accommodation_views.accommodation_review,
        name="accommodation",
    ),
    path(
        "accommodations/<int:accommodation_id>/document/",
        accommodation_views.accommodation_document,
        name="accommodation_document",
    ),
    path("forms/", staff_views.form_list, name="form_list"),
    path("forms/assemble/", staff_views.form_assemble, name="form_assemble"),
    path("forms/<int:form_id>/", staff_views.form_detail, name="form_detail"),
    path("forms/<int:form_id>/cut/", staff_views.form_cut, name="form_cut"),
    path("forms/<int:form_id>/publish/", staff_views.form_publish, name="form_publish"),
]
