"""Public verification pages, open to everyone: ``/verify/``."""

from __future__ import annotations

from django.urls import path

from wrenchmark.credentials import views

app_name = "verify"
urlpatterns = [
    path("", views.verify_lookup, name="lookup"),
    path("s/<str:token>/", views.verify_link, name="link"),
]
