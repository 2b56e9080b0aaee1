"""The holder's own pages: credentials with their documents, digital badges and QR code."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from wrenchmark.accounts.models import User
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_events_for
from wrenchmark.credentials import badging, documents
from wrenchmark.credentials.models import Credential
from wrenchmark.credentials.qr import qr_svg
from wrenchmark.credentials.verification import credential_verify_url


def _holder(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """Every credential of the holder with its status and expiry, and what can be downloaded."""
    holder = _holder(request)
    credentials = list(Credential.objects.filter(holder=holder).select_related("test"))
    verify_url = credential_verify_url(holder)
    history = {c.pk: list(audit_events_for(c).order_by("occurred_at", "id")) for c in credentials}
    return render(
        request,
        "credentials/mine.html",
        {
            "rows": [(c, history[c.pk]) for c in credentials],
            "credentials": credentials,
            "verify_url": verify_url,
            "qr": qr_svg(verify_url),
            "badgeable": {c.pk for c in credentials if badging.badge_available(c)},
            "today": clock.today(),
        },
    )


@login_required
def certificate_pdf(request: HttpRequest) -> HttpResponse:
    holder = _holder(request)
    sheet = documents.holder_sheet(holder, verify_url=credential_verify_url(holder), on=clock.today())
    content = documents.certificate_pdf(sheet, language=request.LANGUAGE_CODE)
    return _pdf(content, f"certificate-{holder.program_id}.pdf")


@login_required
def wallet_card_pdf(request: HttpRequest) -> HttpResponse:
    holder = _holder(request)
    sheet = documents.holder_sheet(holder, verify_url=credential_verify_url(holder), on=clock.today())
    return _pdf(
        documents.wallet_card_pdf(sheet, language=request.LANGUAGE_CODE),
        f"wallet-card-{holder.program_id}.pdf",
    )


@login_required
def transcript_pdf(request: HttpRequest) -> HttpResponse:
    holder = _holder(request)
    content = documents.transcript_pdf(holder, language=request.LANGUAGE_CODE, on=clock.today())
    return _pdf(content, f"transcript-{holder.program_id}.pdf")


def _badge(request: HttpRequest, test_code: str) -> badging.Badge:
    credential = Credential.objects.filter(holder=_holder(request), test_code=test_code.upper()).first()
    if credential is None or not badging.badge_available(credential):
        raise Http404("No badge for this credential: only a certified credential has one.")
    return badging.badge_for(credential)


@login_required
def badge_json(request: HttpRequest, test_code: str) -> HttpResponse:
    badge = _badge(request, test_code)
    response = JsonResponse(badge.document, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Type"] = "application/vc+ld+json"
    response["Content-Disposition"] = f'attachment; filename="{badge.credential.test_code}-badge.json"'
    return response


@login_required
def badge_jwt(request: HttpRequest, test_code: str) -> HttpResponse:
    badge = _badge(request, test_code)
    response = HttpResponse(badge.jwt, content_type="application/vc+jwt")
    response["Content-Disposition"] = f'attachment; filename="{badge.credential.test_code}-badge.jwt"'
    return response
