"""Shops: the staff credential matrix and Blue Seal standing for employer administrators, invitations
that technicians answer with their consent, and the public recognition page."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wrenchmark.accounts.models import User
from wrenchmark.core import clock
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.credentials.models import DesignationHolding
from wrenchmark.employers import services
from wrenchmark.employers.models import Employer
from wrenchmark.employers.selectors import (
    employer_by_program_id,
    employers_administered_by,
    invitation_by_token,
    invitations_open,
    invitations_waiting_for,
    offerable_tests,
    technician_memberships_of,
)
from wrenchmark.shops import selectors
from wrenchmark.shops.access import (
    access_employer_for_admin,
    access_employer_for_technician,
    access_invitation_for_admin,
    access_technician_for_admin,
)
from wrenchmark.shops.forms import InviteForm, ShopSettingsForm


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _admin_employer(request: HttpRequest, employer_id: int) -> Employer:
    try:
        return access_employer_for_admin(_user(request), employer_id)
    except NotFound:
        raise Http404 from None


def _add_error(form: Any, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The employers the user administers; straight to the one when there is only one."""
    employers = list(employers_administered_by(_user(request)).order_by("name"))
    if len(employers) == 1:
        return redirect("shops:employer", employer_id=employers[0].pk)
    return render(request, "shops/index.html", {"employers": employers})


def _settings_form(employer: Employer, data: Any = None) -> ShopSettingsForm:
    return ShopSettingsForm(
        data,
        initial={"areas": employer.offered_areas, "public_page": employer.public_page},
        tests=list(offerable_tests().select_related("series")),
    )


def _employer_page(
    request: HttpRequest,
    employer: Employer,
    *,
    settings_form: ShopSettingsForm | None = None,
    invite_form: InviteForm | None = None,
) -> HttpResponse:
    now = clock.now()
    invitations = [(invitation, invitation.expires_at <= now) for invitation in invitations_open(employer)]
    settings_form = settings_form or _settings_form(employer)
    invite_form = invite_form or InviteForm()
    return render(
        request,
        "shops/employer.html",
        {
            "employer": employer,
            "matrix": selectors.staff_matrix(employer),
            "expiring_days": selectors.EXPIRING_WINDOW_DAYS,
            "settings_form": settings_form,
            "invite_form": invite_form,
            "invitations": invitations,
            "public_url": request.build_absolute_uri(reverse("shops:public", args=[employer.program_id])),
        },
        status=400 if settings_form.errors or invite_form.errors else 200,
    )


@login_required
@require_GET
def employer_detail(request: HttpRequest, employer_id: int) -> HttpResponse:
    return _employer_page(request, _admin_employer(request, employer_id))


@login_required
@require_POST
def employer_settings(request: HttpRequest, employer_id: int) -> HttpResponse:
    employer = _admin_employer(request, employer_id)
    form = _settings_form(employer, request.POST)
    if form.is_valid():
        try:
            services.employer_areas_set(
                employer=employer, codes=form.cleaned_data["areas"], acting_user=_user(request)
            )
            services.employer_public_page_set(
                employer=employer, public=form.cleaned_data["public_page"], acting_user=_user(request)
            )
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Service areas and public page saved."))
            return redirect(reverse("shops:employer", args=[employer.pk]) + "#blue-seal")
    return _employer_page(request, employer, settings_form=form)


@login_required
@require_POST
def invite(request: HttpRequest, employer_id: int) -> HttpResponse:
    employer = _admin_employer(request, employer_id)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                employer=employer, email=form.cleaned_data["email"], acting_user=_user(request)
            )
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. They appear here once they accept.")
                % {"email": invitation.email},
            )
            return redirect(reverse("shops:employer", args=[employer.pk]) + "#staff")
    return _employer_page(request, employer, invite_form=form)


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, employer_id: int, invitation_id: int) -> HttpResponse:
    try:
        invitation = access_invitation_for_admin(_user(request), employer_id, invitation_id)
        services.invitation_withdraw(invitation=invitation, acting_user=_user(request))
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    return redirect(reverse("shops:employer", args=[employer_id]) + "#staff")


@login_required
@require_POST
def technician_remove(request: HttpRequest, employer_id: int, user_id: int) -> HttpResponse:
    try:
        employer, technician = access_technician_for_admin(_user(request), employer_id, user_id)
        services.technician_remove(employer=employer, user=technician, acting_user=_user(request))
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s is no longer on your staff; you no longer see their credentials.")
            % {"name": technician.get_full_name()},
        )
    return redirect(reverse("shops:employer", args=[employer_id]) + "#staff")


@login_required
@require_GET
def matrix_csv(request: HttpRequest, employer_id: int) -> HttpResponse:
    """The matrix as CSV: one row per technician and credential."""
    employer = _admin_employer(request, employer_id)
    matrix = selectors.staff_matrix(employer)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{employer.program_id}-staff-credentials-{matrix.on.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerows(selectors.matrix_csv_rows(matrix))
    return response


# --- Technicians -----------------------------------------------------------------------------------


def _designations(user: User) -> list[DesignationHolding]:
    return list(DesignationHolding.objects.filter(holder=user).order_by("code"))


@login_required
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee sees who invites them and exactly what would be shared, then accepts or declines."""
    invitation = invitation_by_token(token)
    if invitation is None:
        raise Http404
    user = _user(request)
    refusal = services.invitation_refusal(invitation, user)
    error = ""
    if request.method == "POST" and refusal is None:
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                services.invitation_accept(token=token, user=user)
                messages.success(
                    request,
                    _(
                        "You have joined %(employer)s. It now sees your certifications; you can leave at any time."
                    )
                    % {"employer": invitation.employer.name},
                )
                return redirect("shops:mine")
            if answer == "decline":
                services.invitation_decline(token=token, user=user)
                messages.success(
                    request,
                    _("You declined. %(employer)s sees nothing of your record.")
                    % {"employer": invitation.employer.name},
                )
                return redirect("shops:mine")
            error = _("Choose whether to accept or decline.")
        except NotFound:
            raise Http404 from None
        except ApplicationError as exc:
            refusal = exc
    wrong_account = refusal is not None and refusal.code == "wrong_account"
    status = 200  # an invitation no longer open is simply shown as such
    if refusal is not None and (wrong_account or request.method == "POST"):
        status = refusal.status
    elif error:
        status = 400
    return render(
        request,
        "shops/join.html",
        {
            "invitation": invitation,
            "refusal": refusal,
            "wrong_account": wrong_account,
            "error": error,
            "shared": selectors.credentials_shared_by(user) if refusal is None else [],
            "designations": _designations(user) if refusal is None else [],
        },
        status=status,
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The employers the user shares their credentials with (and may leave), and invitations waiting."""
    user = _user(request)
    return render(
        request,
        "shops/mine.html",
        {
            "memberships": list(technician_memberships_of(user)),
            "invitations": list(invitations_waiting_for(user)),
            "shared": selectors.credentials_shared_by(user),
            "designations": _designations(user),
        },
    )


@login_required
@require_POST
def leave(request: HttpRequest, employer_id: int) -> HttpResponse:
    user = _user(request)
    try:
        employer = access_employer_for_technician(user, employer_id)
        services.technician_leave(employer=employer, acting_user=user)
    except NotFound:
        raise Http404 from None
    messages.success(
        request,
        _("You have left %(employer)s. It no longer sees your certifications.") % {"employer": employer.name},
    )
    return redirect("shops:mine")


# --- The public ------------------------------------------------------------------------------------


@require_GET
def public(request: HttpRequest, program_id: str) -> HttpResponse:
    """The shop's public page: its recognition while it holds and the shop has turned the page on."""
    employer = employer_by_program_id(program_id)
    if employer is None:
        raise Http404
    seal = selectors.blue_seal_for(employer)
    return render(
        request,
        "shops/public.html",
        {"employer": employer, "seal": seal, "recognised": employer.public_page and seal.holds},
    )
