from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from wrenchmark.accounts.views import home
from wrenchmark.api.api import api
from wrenchmark.credentials.badge_views import did_json

urlpatterns = [
    path("", home, name="home"),
    path("catalog/", include("wrenchmark.catalog.urls")),
    path("accounts/", include("wrenchmark.accounts.urls")),
    path("dashboard/", include("wrenchmark.dashboard.urls")),
    path("experience/", include("wrenchmark.experience.urls")),
    path("items/", include("wrenchmark.itembank.urls")),
    path("exams/", include("wrenchmark.exams.urls")),
    path("tests/", include("wrenchmark.registrations.urls")),
    path("appointments/", include("wrenchmark.appointments.urls")),
    path("renewal/", include("wrenchmark.renewals.urls")),
    path("practice/", include("wrenchmark.practice.urls")),
    path("analysis/", include("wrenchmark.analysis.urls")),
    path("shops/", include("wrenchmark.shops.urls")),
    path("verify/", include("wrenchmark.credentials.urls_public")),
    path("credentials/", include("wrenchmark.credentials.urls")),
    path(".well-known/did.json", did_json, name="did_json"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
