from __future__ import annotations

from django.urls import path

from wrenchmark.shops import views

app_name = "shops"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:employer_id>/leave/", views.leave, name="leave"),
    path("join/<str:token>/", views.join, name="join"),
    path("public/<str:program_id>/", views.public, name="public"),
    path("<int:employer_id>/", views.employer_detail, name="employer"),
    path("<int:employer_id>/matrix.csv", views.matrix_csv, name="matrix_csv"),
    path("<int:employer_id>/settings/", views.employer_settings, name="settings"),
    path("<int:employer_id>/invite/", views.invite, name="invite"),
    path(
        "<int:employer_id>/invitations/<int:invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("<int:employer_id>/technicians/<int:user_id>/remove/", views.technician_remove, name="remove"),
]
