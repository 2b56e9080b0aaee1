from __future__ import annotations

from django.urls import path

from wrenchmark.exams import views

app_name = "exams"
urlpatterns = [
    path("", views.exam_home, name="home"),
    path("forms/<int:form_id>/start/", views.exam_start, name="start"),
    path("attempts/<int:attempt_id>/", views.exam_sit, name="sit"),
    path("attempts/<int:attempt_id>/takeover/", views.exam_takeover, name="takeover"),
    path("attempts/<int:attempt_id>/report/", views.exam_report, name="report"),
]
