from __future__ import annotations

from django.urls import path

from wrenchmark.appointments import views

app_name = "appointments"
urlpatterns = [
    path("", views.candidate_home, name="home"),
    path("<int:appointment_id>/reschedule/", views.appointment_reschedule, name="reschedule"),
    path("<int:appointment_id>/cancel/", views.appointment_cancel, name="cancel"),
    path("roster/", views.roster, name="roster"),
    path("admin/", views.admin_overview, name="admin"),
    path("roster/<int:appointment_id>/<slug:action>/", views.roster_action, name="roster_action"),
]
