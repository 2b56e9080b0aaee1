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
]
