from __future__ import annotations

from django.urls import path

from wrenchmark.exams import staff_views, views

app_name = "exams"
urlpatterns = [
    path("", views.exam_home, name="home"),
    path("forms/<int:form_id>/start/", views.exam_start, name="start"),
    path("attempts/<int:attempt_id>/", views.exam_sit, name="sit"),
    path("attempts/<int:attempt_id>/takeover/", views.exam_takeover, name="takeover"),
    path("attempts/<int:attempt_id>/report/", views.exam_report, name="report"),
    path("attempts/<int:attempt_id>/report.pdf", views.exam_report_pdf, name="report_pdf"),
    path("forms/", staff_views.form_list, name="form_list"),
    path("forms/assemble/", staff_views.form_assemble, name="form_assemble"),
    path("forms/<int:form_id>/", staff_views.form_detail, name="form_detail"),
    path("forms/<int:form_id>/cut/", staff_views.form_cut, name="form_cut"),
    path("forms/<int:form_id>/publish/", staff_views.form_publish, name="form_publish"),
]
