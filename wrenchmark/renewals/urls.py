from __future__ import annotations

from django.urls import path

from wrenchmark.renewals import views

app_name = "renewals"
urlpatterns = [
    path("", views.home, name="home"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("<int:subscription_id>/cancel/", views.cancel, name="cancel"),
    path("questions/<int:question_id>/", views.question, name="question"),
]
