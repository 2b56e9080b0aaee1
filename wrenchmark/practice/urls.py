from __future__ import annotations

from django.urls import path

from wrenchmark.practice import views

app_name = "practice"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:session_id>/", views.session_detail, name="session"),
    path("<int:session_id>/q/<int:position>/", views.question, name="question"),
    path("<int:session_id>/finish/", views.finish, name="finish"),
    path("<int:session_id>/results/", views.results, name="results"),
    path("plan/<str:code>/", views.plan, name="plan"),
    path("classes/", views.classes, name="classes"),
    path("classes/<int:class_id>/", views.class_detail, name="class"),
    path("classes/<int:class_id>/leave/", views.class_leave, name="class_leave"),
    path("classes/<int:class_id>/learners/<int:learner_id>/", views.class_learner, name="class_learner"),
    path("assignments/<int:assignment_id>/start/", views.assignment_start, name="assignment_start"),
]
