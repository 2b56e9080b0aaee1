"""Candidates book, move and cancel appointments; proctors work the day's roster at their sites."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wrenchmark.accounts.models import Role, User
from wrenchmark.appointments import selectors, services
from wrenchmark.appointments.access import (
    access_appointment_for_candidate,
    access_appointment_for_proctor,
    access_site_for_proctor,
)
from wrenchmark.appointments.forms import REMOTE, BookingForm, CheckInForm, IncidentForm, PauseForm, SlotForm
from wrenchmark.appointments.models import Appointment, AppointmentStatus, TestSite
from wrenchmark.core import clock
from wrenchmark.core.exceptions import ApplicationError, NotFound


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _form_error(form: Any, exc: ApplicationError) -> None:
    field = {"starts_at": "time", "site": "place"}.get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


@login_required
def candidate_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    registrations = selectors.registrations_to_book(user)
    form = BookingForm(
        request.POST or None, registrations=registrations, sites=list(selectors.sites_for_booking())
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_book(
                registration=form.cleaned_data["registration"],
                site=form.site(),
                starts_at=form.starts_at(),
                acting_user=user,
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("Booked. The confirmation and a calendar invitation are on their way.")
            )
            return redirect("appointments:home")
    appointments = [
        (appointment, services.change_refusal(appointment))
        for appointment in selectors.appointments_for_candidate(user)
    ]
    return render(
        request,
        "appointments/home.html",
        {"form": form, "registrations": registrations, "appointments": appointments},
        status=400 if form.errors else 200,
    )


@login_required
def appointment_reschedule(request: HttpRequest, appointment_id: int) -> HttpResponse:
    user = _user(request)
    try:
        appointment = access_appointment_for_candidate(user, appointment_id)
    except NotFound:
        raise Http404 from None
    refusal = services.change_refusal(appointment)
    local = appointment.local_start
    form = SlotForm(
        request.POST or None,
        initial={"place": appointment.site_id or REMOTE, "day": local.date(), "time": local.time()},
        sites=list(selectors.sites_for_booking()),
        remote=appointment.registration.test.remote_allowed,
    )
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            services.appointment_reschedule(
                appointment=appointment, site=form.site(), starts_at=form.starts_at(), acting_user=user
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Your appointment has moved. The updated invitation is on its way."))
            return redirect("appointments:home")
    return render(
        request,
        "appointments/reschedule.html",
        {"form": form, "appointment": appointment, "refusal": refusal},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def appointment_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    user = _user(request)
    try:
        appointment = access_appointment_for_candidate(user, appointment_id)
        services.appointment_cancel(appointment=appointment, acting_user=user)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Cancelled. The test is yours to book again until its take-by date."))
    return redirect("appointments:home")


# --- Proctors ----------------------------------------------------------------------------------------


def _require_proctor(user: User) -> None:
    if not (user.has_role(Role.PROCTOR) or user.has_role(Role.PROGRAM_ADMIN)):
        raise Http404


def _roster_place(request: HttpRequest, user: User) -> tuple[str, TestSite | None]:
    sites = list(selectors.sites_for_proctor(user))
    place = request.GET.get("site") or (str(sites[0].pk) if sites else REMOTE)
    if place == REMOTE:
        return REMOTE, None
    try:
        return place, access_site_for_proctor(user, int(place))
    except (NotFound, ValueError):
        raise Http404 from None


@login_required
def roster(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_proctor(user)
    place, site = _roster_place(request, user)
    zone = site.zone if site is not None else ZoneInfo(settings.TIME_ZONE)
    try:
        day = dt.date.fromisoformat(request.GET["day"]) if request.GET.get("day") else None
    except ValueError:
        day = None
    day = day or clock.now().astimezone(zone).date()
    rows = []
    for appointment in selectors.roster_for(site, day):
        prefix = f"a{appointment.pk}"
        check_ins = list(appointment.check_ins.all())
        latest = check_ins[0] if check_ins else None
        admitted = next((c for c in check_ins if c.admitted), None)
        attempt = admitted.admission.attempt if admitted and admitted.admission else None
        rows.append(
            {
                "appointment": appointment,
                "check_in": latest,
                "attempt": attempt,
                "check_in_form": CheckInForm(prefix=prefix),
                "incident_form": IncidentForm(prefix=prefix),
                "pause_form": PauseForm(prefix=prefix),
                "incidents": list(appointment.incidents.all()),
            }
        )
    return render(
        request,
        "appointments/roster.html",
        {
            "sites": selectors.sites_for_proctor(user),
            "place": place,
            "site": site,
            "day": day,
            "zone": zone,
            "rows": rows,
        },
    )


def _back_to_roster(appointment: Appointment) -> HttpResponse:
    query = urlencode(
        {"site": appointment.site_id or REMOTE, "day": appointment.local_start.date().isoformat()}
    )
    return redirect(f"{reverse('appointments:roster')}?{query}#appointment-{appointment.pk}")


def _proctor_action(request: HttpRequest, appointment_id: int, action: str) -> HttpResponse:
    user = _user(request)
    _require_proctor(user)
    try:
        appointment = access_appointment_for_proctor(user, appointment_id)
    except NotFound:
        raise Http404 from None
    prefix = f"a{appointment.pk}"
    name = appointment.registration.candidate.get_full_name()
    try:
        if action == "check_in":
            form: Any = CheckInForm(request.POST, prefix=prefix)
            if not form.is_valid():
                raise ApplicationError(" ".join(e for errs in form.errors.values() for e in errs))
            check_in = services.checkin_record(appointment=appointment, proctor=user, **form.cleaned_data)
            if check_in.id_matches:
                messages.success(request, _("Identity confirmed for %(name)s.") % {"name": name})
            else:
                messages.warning(
                    request,
                    _("Recorded: the ID did not match. %(name)s cannot be admitted.") % {"name": name},
                )
        elif action == "admit":
            services.candidate_admit(appointment=appointment, proctor=user)
            messages.success(request, _("%(name)s is admitted and can start the test now.") % {"name": name})
        elif action == "incident":
            form = IncidentForm(request.POST, prefix=prefix)
            if not form.is_valid():
                raise ApplicationError(_("Describe what happened."))
            services.incident_log(appointment=appointment, proctor=user, **form.cleaned_data)
            messages.success(request, _("Incident recorded."))
        elif action == "pause":
            form = PauseForm(request.POST, prefix=prefix)
            if not form.is_valid():
                raise ApplicationError(_("Say why the attempt is paused."))
            services.appointment_attempt_pause(appointment=appointment, proctor=user, **form.cleaned_data)
            messages.success(request, _("The attempt is paused; the clock has stopped."))
        elif action == "resume":
            services.appointment_attempt_resume(appointment=appointment, proctor=user)
            messages.success(request, _("The attempt has resumed."))
        else:
            raise Http404
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back_to_roster(appointment)


@login_required
@require_POST
def roster_action(request: HttpRequest, appointment_id: int, action: str) -> HttpResponse:
    return _proctor_action(request, appointment_id, action.replace("-", "_"))


@login_required
def admin_overview(request: HttpRequest) -> HttpResponse:
    """Program administrators: appointments by date, site and status (No Shows included)."""
    user = _user(request)
    if not user.has_role(Role.PROGRAM_ADMIN):
        raise Http404
    today = clock.today()
    try:
        start = dt.date.fromisoformat(request.GET.get("from") or (today - dt.timedelta(days=7)).isoformat())
        end = dt.date.fromisoformat(request.GET.get("to") or (today + dt.timedelta(days=30)).isoformat())
    except ValueError:
        messages.error(request, _("Dates are written YYYY-MM-DD."))
        start, end = today - dt.timedelta(days=7), today + dt.timedelta(days=30)
    status = request.GET.get("status", "")
    if status not in AppointmentStatus.values:
        status = ""
    site_id = request.GET.get("site", "")
    site = TestSite.objects.filter(pk=site_id).first() if site_id.isdigit() else None
    appointments = selectors.appointments_overview(start=start, end=end, site=site, status=status)
    counts = dict.fromkeys(AppointmentStatus.values, 0)
    for appointment in appointments:
        counts[appointment.status] += 1
    return render(
        request,
        "appointments/admin.html",
        {
            "appointments": appointments,
            "counts": [(label, counts[value]) for value, label in AppointmentStatus.choices],
            "sites": TestSite.objects.order_by("name"),
            "statuses": AppointmentStatus.choices,
            "filters": {"from": start, "to": end, "status": status, "site": site},
        },
    )
