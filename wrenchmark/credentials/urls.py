"""A holder's own credential pages: ``/credentials/``."""

from __future__ import annotations

from django.urls import path

from wrenchmark.credentials import admin_views, badge_views, holder_views, views

app_name = "credentials"
urlpatterns = [
    # The holder's credentials, documents and badges
    path("", holder_views.mine, name="mine"),
    path("certificate.pdf", holder_views.certificate_pdf, name="certificate_pdf"),
    path("wallet-card.pdf", holder_views.wallet_card_pdf, name="wallet_card_pdf"),
    path("transcript.pdf", holder_views.transcript_pdf, name="transcript_pdf"),
    path("<str:test_code>/badge.json", holder_views.badge_json, name="badge_json"),
    path("<str:test_code>/badge.jwt", holder_views.badge_jwt, name="badge_jwt"),
    # Public: the badges' status lists
    path("status/<int:number>/<str:purpose>", badge_views.status_list, name="status_list"),
    # Program administrators
    path("admin/", admin_views.credential_admin, name="admin"),
    path("admin/<int:credential_id>/", admin_views.credential_admin_action, name="admin_action"),
    # Verification and sharing
    path("sharing/", views.sharing, name="sharing"),
    path("sharing/links/", views.share_link_create, name="share_link_create"),
    path("sharing/links/<int:link_id>/revoke/", views.share_link_revoke, name="share_link_revoke"),
]
