"""Pages of the credentials app."""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from wrenchmark.accounts.models import User
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.credentials import verification as verify
from wrenchmark.credentials.forms import ShareLinkForm, VerifyLookupForm, VisibilityForm
from wrenchmark.credentials.models import ShareLink, VerificationChannel, Visibility


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- Verification and sharing ---------------------------------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    # Verification pages name a person: keep them out of search engines and shared caches.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _verify_page(
    request: HttpRequest,
    form: VerifyLookupForm,
    *,
    outcome: str = "",
    verification: verify.Verification | None = None,
    retry_minutes: int = 0,
    status: int = 200,
) -> HttpResponse:
    return _private(
        render(
            request,
            "credentials/verify.html",
            {"form": form, "outcome": outcome, "verification": verification, "retry_minutes": retry_minutes},
            status=status,
        )
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify_lookup(request: HttpRequest) -> HttpResponse:
    """Look a holder up by program ID and last name: match, no match, or missing information."""
    form = VerifyLookupForm(request.POST or None)
    if request.method != "POST":
        return _verify_page(request, form)
    if not form.is_valid():
        return _verify_page(request, form, outcome="missing", status=400)
    requester = verify.Requester.from_request(request)
    limit = verify.verification_rate_limit_hit(ip=requester.ip)
    if not limit.allowed:
        response = _verify_page(
            request, form, outcome="rate_limited", retry_minutes=math.ceil(limit.retry_after / 60), status=429
        )
        response["Retry-After"] = str(limit.retry_after)
        return response
    verification = verify.verification_lookup(
        program_id=form.cleaned_data["program_id"], last_name=form.cleaned_data["last_name"]
    )
    if verification is None:
        return _verify_page(request, form, outcome="no_match")
    verify.verification_event_record(
        verification=verification, channel=VerificationChannel.LOOKUP, requester=requester
    )
    return _verify_page(request, form, outcome="match", verification=verification)


@never_cache
@require_http_methods(["GET", "HEAD"])
def verify_link(request: HttpRequest, token: str) -> HttpResponse:
    """Show what a share link covers while it is active; a revoked or unknown link is a plain 404."""
    verification = verify.verification_by_link(token=token)
    if verification is None or verification.share_link is None:
        return _private(render(request, "credentials/verify_link_inactive.html", status=404))
    if request.method == "GET":
        verify.verification_event_record(
            verification=verification,
            channel=verify.link_channel(verification.share_link),
            requester=verify.Requester.from_request(request),
        )
    return _private(render(request, "credentials/verify_link.html", {"verification": verification}))


def _sharing_page(
    request: HttpRequest,
    *,
    visibility_form: VisibilityForm | None = None,
    link_form: ShareLinkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    holder = _user(request)
    visibility = verify.lookup_visibility(holder)
    credentials = list(verify.shareable_credentials(holder))
    links = [
        {
            "link": link,
            "url": verify.share_url(link),
            "is_certificate": link.kind == ShareLink.Kind.CERTIFICATE,
        }
        for link in verify.share_link_list_for(holder)
    ]
    context: dict[str, Any] = {
        "visibility_form": visibility_form or VisibilityForm(initial={"visibility": visibility}),
        "link_form": link_form or ShareLinkForm(credentials=credentials),
        "visibility": visibility,
        "is_public": visibility == Visibility.PUBLIC,
        "preview": verify.verification_for(holder),
        "links": links,
        "has_certificate_link": any(row["is_certificate"] for row in links),
        "log": verify.verification_log_for(holder),
        "zone": verify.holder_zone(holder).key,
    }
    return render(request, "credentials/sharing.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def sharing(request: HttpRequest) -> HttpResponse:
    """The holder's sharing controls: lookup visibility with a preview, share links, verification log."""
    if request.method != "POST":
        return _sharing_page(request)
    form = VisibilityForm(request.POST)
    if not form.is_valid():
        return _sharing_page(request, visibility_form=form, status=400)
    try:
        verify.sharing_visibility_set(
            holder=_user(request), visibility=form.cleaned_data["visibility"], acting_user=_user(request)
        )
    except ApplicationError as exc:
        form.add_error("visibility", exc.message)
        return _sharing_page(request, visibility_form=form, status=400)
    if form.cleaned_data["visibility"] == Visibility.PUBLIC:
        messages.success(request, _("A lookup by your program ID and last name now shows your credentials."))
    else:
        messages.success(request, _("A lookup by your program ID and last name now shows nothing."))
    return redirect("credentials:sharing")


@login_required
@require_POST
def share_link_create(request: HttpRequest) -> HttpResponse:
    holder = _user(request)
    form = ShareLinkForm(request.POST, credentials=list(verify.shareable_credentials(holder)))
    if not form.is_valid():
        return _sharing_page(request, link_form=form, status=400)
    try:
        verify.share_link_create(
            holder=holder,
            acting_user=holder,
            credential=form.chosen_credential(),
            label=form.cleaned_data["label"],
        )
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _sharing_page(request, link_form=form, status=400)
    messages.success(request, _("Link created. Copy it from the list below."))
    return redirect("credentials:sharing")


@login_required
@require_POST
def share_link_revoke(request: HttpRequest, link_id: int) -> HttpResponse:
    try:
        link = verify.access_share_link_for_holder(_user(request), link_id)
    except NotFound:
        raise Http404 from None
    verify.share_link_revoke(link=link, acting_user=_user(request))
    messages.success(request, _("Link revoked: it no longer shows anything."))
    return redirect("credentials:sharing")
