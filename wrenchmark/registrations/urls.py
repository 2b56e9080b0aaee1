from __future__ import annotations

from django.urls import path

from wrenchmark.registrations import views

app_name = "registrations"
urlpatterns = [
    path("", views.buy, name="buy"),
    path("mine/", views.mine, name="mine"),
    path("redeem/", views.redeem, name="redeem"),
    path("orders/<str:number>/", views.receipt, name="receipt"),
    path("employer/", views.employer, name="employer"),
    path("admin/orders/", views.admin_orders, name="admin_orders"),
    path("admin/orders/<str:number>/", views.admin_order, name="admin_order"),
]
