"""Book, move and cancel appointments; check candidates in, admit them, log incidents; mark no-shows.

Every change is audited in its own transaction. Seats are counted under a lock on the site's row, so two
bookings of a site's last seat cannot both succeed."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from wrenchmark.accounts.models import Role, User
from wrenchmark.accounts.services import require_role
from wrenchmark.appointments.ical import CalendarEvent, calendar_text
from wrenchmark.appointments.models import (
    HOLDS_SEAT,
    Appointment,
    AppointmentStatus,
    CheckIn,
    IdDocumentType,
    Incident,
    TestSite,
)
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_record
from wrenchmark.core.events import CandidateRecordChanged
from wrenchmark.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from wrenchmark.exams.models import AdmissionSource, Attempt
from wrenchmark.exams.services import admission_grant, attempt_pause, attempt_resume, extra_time_in_force
from wrenchmark.registrations.models import Registration, RegistrationStatus
from wrenchmark.registrations.selectors import registration_check
from wrenchmark.scoring.models import Outcome, ResultSource
from wrenchmark.scoring.services import result_record

# Time at the start of an appointment for the proctor's identity check, before the test's own minutes.
CHECK_IN_MARGIN = dt.timedelta(minutes=30)
# A candidate can be admitted from this long before the appointment until it ends.
ADMIT_EARLY = dt.timedelta(minutes=60)
# After this long past the start with nobody admitted, the appointment is a No Show.
NO_SHOW_GRACE = dt.timedelta(minutes=30)


# --- Booking ---------------------------------------------------------------------------------------


def appointment_duration(*, registration: Registration, on: dt.date) -> dt.timedelta:
    """The check-in margin plus the test's minutes, stretched by the candidate's approved extra time."""
    accommodation = extra_time_in_force(candidate=registration.candidate, on=on)
    multiplier = accommodation.time_multiplier if accommodation else Decimal(1)
    return CHECK_IN_MARGIN + dt.timedelta(minutes=math.ceil(registration.test.minutes * multiplier))


def _program_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _format_local(moment: dt.datetime, site: TestSite | None) -> str:
    local = moment.astimezone(site.zone if site is not None else _program_zone())
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def _require_booker(registration: Registration, acting_user: User) -> None:
    if acting_user.pk != registration.candidate_id and not acting_user.has_role(Role.PROGRAM_ADMIN):
        raise PermissionDenied(_("Only the candidate can book this test."), code="not_your_registration")


def _check_slot(
    *,
    registration: Registration,
    site: TestSite | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    moving: Appointment | None = None,
) -> None:
    """Refuse a time that is past, after the take-by date, outside the site's hours or without a free seat.

    Locks the site's row first, so the seat count stays true until the caller's transaction commits."""
    if starts_at.tzinfo is None:
        raise ApplicationError("The start time needs a time zone.", code="naive_datetime", field="starts_at")
    now = clock.now()
    if starts_at <= now:
        raise ApplicationError(_("Choose a time in the future."), code="in_past", field="starts_at")
    test = registration.test
    if site is None:
        if not test.remote_allowed:
            raise ApplicationError(
                _("%(code)s cannot be taken remotely; choose a test site.") % {"code": test.code},
                code="remote_not_allowed",
                field="site",
            )
        local_day = starts_at.astimezone(_program_zone()).date()
    else:
        site = TestSite.objects.select_for_update().get(pk=site.pk)
        if not site.active:
            raise ApplicationError(
                _("This test site is not taking bookings."), code="site_inactive", field="site"
            )
        local_day = starts_at.astimezone(site.zone).date()
    if local_day > registration.take_by:
        raise ApplicationError(
            _("%(code)s must be taken by %(date)s; choose a day on or before it.")
            % {"code": test.code, "date": formats.date_format(registration.take_by, "DATE_FORMAT")},
            code="after_take_by",
            field="starts_at",
        )
    if site is None:
        return
    if not site.is_open_for(starts_at, ends_at):
        hours = site.hours_on(local_day)
        when = (
            _("on %(day)s it is open from %(opens)s to %(closes)s")
            % {
                "day": formats.date_format(local_day, "l"),
                "opens": hours[0].strftime("%H:%M"),
                "closes": hours[1].strftime("%H:%M"),
            }
            if hours
            else _("it is closed on %(day)s") % {"day": formats.date_format(local_day, "l")}
        )
        raise ApplicationError(
            _("%(site)s cannot seat a %(minutes)s-minute appointment then (local time, %(zone)s): %(when)s.")
            % {
                "site": site.name,
                "minutes": int((ends_at - starts_at).total_seconds() // 60),
                "zone": site.time_zone,
                "when": when,
            },
            code="outside_hours",
            field="starts_at",
        )
    overlapping = Appointment.objects.filter(
        site=site, status__in=HOLDS_SEAT, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if moving is not None:
        overlapping = overlapping.exclude(pk=moving.pk)
    if overlapping.count() >= site.seats:
        raise Conflict(
            _("Every seat at %(site)s is taken at that time; choose another time or site.")
            % {"site": site.name},
            code="no_seat",
            field="starts_at",
        )


def _candidate_overlap(
    registration: Registration, starts_at: dt.datetime, ends_at: dt.datetime, moving: Appointment | None
) -> None:
    clash = Appointment.objects.filter(
        registration__candidate_id=registration.candidate_id,
        status__in=HOLDS_SEAT,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if moving is not None:
        clash = clash.exclude(pk=moving.pk)
    if clash.exists():
        raise Conflict(
            _("You already have an appointment at that time."), code="candidate_busy", field="starts_at"
        )


@transaction.atomic
def appointment_book(
    *,
    registration: Registration,
    site: TestSite | None,
    starts_at: dt.datetime,
    acting_user: User,
    notify: bool = True,
) -> Appointment:
    """Book ``registration``'s test at ``site`` (``None``: remotely) from ``starts_at``.

    Only the candidate or a program administrator; the registration must be open; the time must be in
    the future, on or before the take-by date, and (at a site) within its hours with a seat free for the
    whole appointment. The registration becomes scheduled. Audited as ``appointment.booked``; the
    confirmation with a calendar invitation is e-mailed once the booking commits."""
    _require_booker(registration, acting_user)
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("test__edition", "candidate")
        .get(pk=registration.pk)
    )
    if registration.status != RegistrationStatus.OPEN:
        raise Conflict(
            _("This test is %(status)s, so it cannot be booked.")
            % {"status": registration.get_status_display().lower()},
            code="registration_not_open",
        )
    ends_at = starts_at + appointment_duration(registration=registration, on=starts_at.date())
    _check_slot(registration=registration, site=site, starts_at=starts_at, ends_at=ends_at)
    _candidate_overlap(registration, starts_at, ends_at, None)
    now = clock.now()
    appointment = Appointment.objects.create(
        registration=registration,
        site=site,
        starts_at=starts_at,
        ends_at=ends_at,
        booked_at=now,
        booked_by=acting_user,
    )
    _registration_set(registration, RegistrationStatus.SCHEDULED, acting_user, appointment)
    audit_record(
        action="appointment.booked",
        target=appointment,
        actor=acting_user,
        summary=f"{registration.test.code} for {registration.candidate.program_id} at "
        f"{site.name if site else 'remote'} {starts_at.isoformat()}",
        data={
            "registration": registration.pk,
            "site": site.pk if site else None,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        },
    )
    if notify:
        transaction.on_commit(lambda: appointment_email_send(appointment_id=appointment.pk, kind="booked"))
    return appointment


def _registration_set(
    registration: Registration, status: str, acting_user: User | None, appointment: Appointment
) -> None:
    before = registration.status
    registration.status = status
    registration.save(update_fields=["status", "updated_at"])
    audit_record(
        action="registration.status_changed",
        target=registration,
        actor=acting_user,
        summary=f"{before} → {status} (appointment {appointment.pk})",
        data={"from": before, "to": status, "appointment": appointment.pk},
    )


def change_deadline(appointment: Appointment) -> dt.datetime:
    """The last moment the appointment may be moved or cancelled: the edition's cutoff before it starts."""
    days = appointment.registration.test.edition.policy("reschedule_cutoff_days")
    return appointment.starts_at - dt.timedelta(days=days)


def change_refusal(appointment: Appointment) -> str | None:
    """Why the candidate can no longer move or cancel ``appointment``, or ``None`` while they can."""
    if appointment.status != AppointmentStatus.BOOKED:
        return _("This appointment is %(status)s.") % {"status": appointment.get_status_display().lower()}
    deadline = change_deadline(appointment)
    if clock.now() > deadline:
        days = appointment.registration.test.edition.policy("reschedule_cutoff_days")
        return _(
            "Appointments can be changed up to %(days)s days before they start; this one could be changed "
            "until %(deadline)s. If you do not attend it is recorded as a No Show and the fee is forfeited."
        ) % {"days": days, "deadline": _format_local(deadline, appointment.site)}
    return None


def _lock_for_change(appointment: Appointment, acting_user: User) -> Appointment:
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("registration__test__edition", "registration__candidate", "site")
        .get(pk=appointment.pk)
    )
    _require_booker(appointment.registration, acting_user)
    refusal = change_refusal(appointment)
    if refusal is not None:
        raise Conflict(refusal, code="change_closed")
    return appointment


@transaction.atomic
def appointment_reschedule(
    *, appointment: Appointment, site: TestSite | None, starts_at: dt.datetime, acting_user: User
) -> Appointment:
    """Move a booked appointment to another time or place, up to the edition's cutoff before it.

    The new slot is checked as a new booking would be (its own seat excluded). Audited as
    ``appointment.rescheduled``; the updated invitation is e-mailed once it commits."""
    appointment = _lock_for_change(appointment, acting_user)
    registration = appointment.registration
    ends_at = starts_at + appointment_duration(registration=registration, on=starts_at.date())
    _check_slot(
        registration=registration, site=site, starts_at=starts_at, ends_at=ends_at, moving=appointment
    )
    _candidate_overlap(registration, starts_at, ends_at, appointment)
    before = {"site": appointment.site_id, "starts_at": appointment.starts_at.isoformat()}
    appointment.site, appointment.starts_at, appointment.ends_at = site, starts_at, ends_at
    appointment.sequence += 1
    appointment.save(update_fields=["site", "starts_at", "ends_at", "sequence", "updated_at"])
    audit_record(
        action="appointment.rescheduled",
        target=appointment,
        actor=acting_user,
        summary=f"{registration.test.code} moved to {site.name if site else 'remote'} {starts_at.isoformat()}",
        data={"from": before, "to": {"site": site.pk if site else None, "starts_at": starts_at.isoformat()}},
    )
    transaction.on_commit(lambda: appointment_email_send(appointment_id=appointment.pk, kind="rescheduled"))
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, acting_user: User) -> Appointment:
    """Cancel a booked appointment up to the edition's cutoff before it: the seat is freed and the
    registration is open again until its take-by date (the fee stays paid). Audited as
    ``appointment.cancelled``; the calendar cancellation is e-mailed once it commits."""
    appointment = _lock_for_change(appointment, acting_user)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.sequence += 1
    appointment.save(update_fields=["status", "sequence", "updated_at"])
    registration = Registration.objects.select_for_update().get(pk=appointment.registration_id)
    if registration.status == RegistrationStatus.SCHEDULED:
        _registration_set(registration, RegistrationStatus.OPEN, acting_user, appointment)
    audit_record(
        action="appointment.cancelled",
        target=appointment,
        actor=acting_user,
        summary=f"{appointment.registration.test.code} on {appointment.starts_at.isoformat()}",
    )
    transaction.on_commit(lambda: appointment_email_send(appointment_id=appointment.pk, kind="cancelled"))
    return appointment


def appointment_calendar(appointment: Appointment) -> str:
    """The appointment as an iCalendar invitation (a cancellation once it is cancelled)."""
    test = appointment.registration.test
    location = (
        f"{appointment.site.name}, {appointment.site.address}"
        if appointment.site
        else _("Remote (online proctor)")
    )
    event = CalendarEvent(
        uid=f"appointment-{appointment.pk}@{settings.SITE_URL.split('//')[-1].split('/')[0].split(':')[0]}",
        sequence=appointment.sequence,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        summary=_("%(code)s %(name)s test") % {"code": test.code, "name": test.name},
        location=location,
        description=_("Bring a government photo ID. Check-in starts at the appointment time."),
        cancelled=appointment.status == AppointmentStatus.CANCELLED,
    )
    return calendar_text(event, stamp=clock.now())


def appointment_email_send(*, appointment_id: int, kind: str) -> None:
    """E-mail the candidate the booking, change or cancellation with the calendar invitation, in their
    language (runs after the change is committed)."""
    appointment = Appointment.objects.select_related(
        "registration__test", "registration__candidate", "site"
    ).get(pk=appointment_id)
    candidate = appointment.registration.candidate
    with translation.override(candidate.preferred_language):
        context = {
            "appointment": appointment,
            "candidate": candidate,
            "test": appointment.registration.test,
            "kind": kind,
            "when": _format_local(appointment.starts_at, appointment.site),
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        subject = render_to_string("appointments/email/subject.txt", context).strip()
        body = render_to_string("appointments/email/body.txt", context)
        calendar = appointment_calendar(appointment)
    message = EmailMessage(subject, body, None, [candidate.email])
    method = "CANCEL" if appointment.status == AppointmentStatus.CANCELLED else "REQUEST"
    message.attach("appointment.ics", calendar, f"text/calendar; charset=utf-8; method={method}")
    message.send()


# --- No-shows ----------------------------------------------------------------------------------------


def appointments_mark_no_shows() -> int:
    """Mark every booked appointment still without an admission ``NO_SHOW_GRACE`` after its start: the
    appointment and its registration become No Show (fee forfeited) and a No Show result is recorded.
    Each in its own transaction; safe to run any number of times. Returns how many were marked."""
    due = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED, starts_at__lt=clock.now() - NO_SHOW_GRACE
    ).values_list("pk", flat=True)
    return sum(_no_show_mark(appointment_id=pk) for pk in list(due))


@transaction.atomic
def _no_show_mark(*, appointment_id: int) -> bool:
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("registration__test", "registration__candidate", "site")
        .get(pk=appointment_id)
    )
    if appointment.status != AppointmentStatus.BOOKED or appointment.starts_at >= clock.now() - NO_SHOW_GRACE:
        return False
    appointment.status = AppointmentStatus.NO_SHOW
    appointment.save(update_fields=["status", "updated_at"])
    registration = Registration.objects.select_for_update().get(pk=appointment.registration_id)
    if registration.status == RegistrationStatus.SCHEDULED:
        _registration_set(registration, RegistrationStatus.NO_SHOW, None, appointment)
    taken_on = min(appointment.local_start.date(), clock.today())
    result_record(
        candidate=registration.candidate,
        test=registration.test,
        taken_on=taken_on,
        outcome=Outcome.NO_SHOW,
        source=ResultSource.ATTEMPT,
        acting_user=None,
    )
    audit_record(
        action="appointment.no_show",
        target=appointment,
        summary=f"{registration.test.code} for {registration.candidate.program_id} on {taken_on}",
    )
    return True


# --- Check-in ----------------------------------------------------------------------------------------


def proctor_can_work(proctor: User, site: TestSite | None) -> bool:
    """Program administrators work every roster; a proctor the remote roster and their own sites."""
    if proctor.has_role(Role.PROGRAM_ADMIN):
        return True
    if not proctor.has_role(Role.PROCTOR):
        return False
    return site is None or site.proctors.filter(pk=proctor.pk).exists()


def _lock_for_proctor(appointment: Appointment, proctor: User) -> Appointment:
    require_role(proctor, Role.PROCTOR, Role.PROGRAM_ADMIN)
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("registration__test", "registration__candidate", "site")
        .get(pk=appointment.pk)
    )
    if not proctor_can_work(proctor, appointment.site):
        raise NotFound("No such appointment on your rosters.", code="not_your_site")
    return appointment


@transaction.atomic
def checkin_record(
    *,
    appointment: Appointment,
    proctor: User,
    id_document_type: str,
    id_last4: str,
    id_matches: bool,
    notes: str = "",
) -> CheckIn:
    """Record the proctor's identity check (the document seen, its last four characters and whether it
    matches the candidate's record). Audited as ``appointment.identity_checked``."""
    appointment = _lock_for_proctor(appointment, proctor)
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(
            _("This appointment is %(status)s.") % {"status": appointment.get_status_display().lower()},
            code="not_booked",
        )
    if id_document_type not in IdDocumentType.values:
        raise ApplicationError(
            _("Choose the kind of ID shown."), code="invalid_id_type", field="id_document_type"
        )
    last4 = id_last4.strip().upper()
    if len(last4) != 4 or not last4.isalnum():
        raise ApplicationError(
            _("Enter the last 4 letters or digits of the ID number."),
            code="invalid_id_last4",
            field="id_last4",
        )
    check_in = CheckIn.objects.create(
        appointment=appointment,
        proctor=proctor,
        id_document_type=id_document_type,
        id_last4=last4,
        id_matches=id_matches,
        notes=notes.strip(),
        at=clock.now(),
    )
    audit_record(
        action="appointment.identity_checked",
        target=appointment,
        actor=proctor,
        summary=f"{appointment.registration.candidate.program_id}: {id_document_type} …{last4}, "
        f"{'matches' if id_matches else 'does not match'}",
        data={"check_in": check_in.pk, "id_matches": id_matches},
    )
    return check_in


@transaction.atomic
def candidate_admit(*, appointment: Appointment, proctor: User) -> CheckIn:
    """Admit the appointment's candidate so their attempt can start: only within the appointment's time,
    after an identity check that matched, and while the rules still let them sit the test (the refusal
    says why). Grants the exams admission (site or remote); the appointment is checked in. Audited as
    ``appointment.checked_in``."""
    appointment = _lock_for_proctor(appointment, proctor)
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(
            _("This appointment is %(status)s.") % {"status": appointment.get_status_display().lower()},
            code="not_booked",
        )
    now = clock.now()
    if not appointment.starts_at - ADMIT_EARLY <= now <= appointment.ends_at:
        raise Conflict(
            _("Candidates can be admitted from %(early)s minutes before the appointment until it ends.")
            % {"early": int(ADMIT_EARLY.total_seconds() // 60)},
            code="outside_appointment",
        )
    check_in = appointment.check_ins.select_for_update().order_by("-at", "-id").first()
    if check_in is None or not check_in.id_matches:
        raise Conflict(
            _("The candidate's ID has not been checked against their record, or it did not match."),
            code="identity_not_confirmed",
        )
    registration = appointment.registration
    eligibility = registration_check(registration.candidate, registration.test)
    if not eligibility.allowed:
        raise Conflict(
            _("%(name)s cannot sit %(code)s today: %(reasons)s")
            % {
                "name": registration.candidate.get_full_name(),
                "code": registration.test.code,
                "reasons": " ".join(r.message for r in eligibility.refusals),
            },
            code="not_eligible",
            extra={"refusals": [r.code for r in eligibility.refusals]},
        )
    admission = admission_grant(
        candidate=registration.candidate,
        test=registration.test,
        acting_user=proctor,
        source=AdmissionSource.REMOTE if appointment.is_remote else AdmissionSource.SITE,
    )
    check_in.admitted, check_in.admission = True, admission
    check_in.save(update_fields=["admitted", "admission"])
    appointment.status = AppointmentStatus.CHECKED_IN
    appointment.save(update_fields=["status", "updated_at"])
    audit_record(
        action="appointment.checked_in",
        target=appointment,
        actor=proctor,
        summary=f"{registration.candidate.program_id} admitted to {registration.test.code}",
        data={"admission": admission.pk, "check_in": check_in.pk},
    )
    return check_in


def appointment_attempt(appointment: Appointment) -> Attempt | None:
    """The attempt the appointment's admission started, if it has started."""
    check_in = appointment.check_ins.filter(admitted=True).select_related("admission__attempt").first()
    if check_in is None or check_in.admission is None:
        return None
    return Attempt.objects.filter(admission=check_in.admission).first()


@transaction.atomic
def incident_log(*, appointment: Appointment, proctor: User, description: str) -> Incident:
    """Record what the proctor saw during an appointment, with the attempt when one has started.
    Audited as ``appointment.incident``."""
    appointment = _lock_for_proctor(appointment, proctor)
    description = description.strip()
    if not description:
        raise ApplicationError(_("Describe what happened."), code="description_required", field="description")
    incident = Incident.objects.create(
        appointment=appointment,
        proctor=proctor,
        attempt=appointment_attempt(appointment),
        description=description,
        at=clock.now(),
    )
    audit_record(
        action="appointment.incident",
        target=appointment,
        actor=proctor,
        summary=description[:300],
        data={"incident": incident.pk, "attempt": incident.attempt_id},
    )
    return incident


def _attempt_for_proctor(appointment: Appointment, proctor: User) -> Attempt:
    appointment = _lock_for_proctor(appointment, proctor)
    attempt = appointment_attempt(appointment)
    if attempt is None:
        raise Conflict(_("The candidate has not started the test yet."), code="no_attempt")
    return attempt


@transaction.atomic
def appointment_attempt_pause(*, appointment: Appointment, proctor: User, reason: str) -> Attempt:
    """Pause the attempt sat in this appointment (the proctor must work its roster); see ``attempt_pause``."""
    attempt = _attempt_for_proctor(appointment, proctor)
    return attempt_pause(attempt_id=attempt.pk, acting_user=proctor, reason=reason)


@transaction.atomic
def appointment_attempt_resume(*, appointment: Appointment, proctor: User) -> Attempt:
    """Resume the attempt sat in this appointment; see ``attempt_resume``."""
    attempt = _attempt_for_proctor(appointment, proctor)
    return attempt_resume(attempt_id=attempt.pk, acting_user=proctor)


def on_record_changed(event: CandidateRecordChanged) -> None:
    """A result was recorded: the checked-in appointment whose attempt has ended is completed and its
    registration is taken (in the same transaction as the result)."""
    appointments_complete(candidate_id=event.candidate_id)


def appointments_complete(*, candidate_id: int) -> int:
    """Complete the candidate's checked-in appointments whose admitted attempt has ended; idempotent."""
    done = 0
    checked_in = (
        Appointment.objects.select_for_update(of=("self",))
        .filter(registration__candidate_id=candidate_id, status=AppointmentStatus.CHECKED_IN)
        .select_related("registration")
    )
    for appointment in checked_in:
        check_in = appointment.check_ins.filter(admitted=True).select_related("admission__attempt").last()
        attempt = check_in.admission.attempt if check_in and check_in.admission else None
        if attempt is None or attempt.is_open:
            continue
        appointment.status = AppointmentStatus.COMPLETED
        appointment.save(update_fields=["status", "updated_at"])
        registration = appointment.registration
        registration.status = RegistrationStatus.TAKEN
        registration.save(update_fields=["status", "updated_at"])
        audit_record(
            action="appointment.completed",
            target=appointment,
            summary=f"{registration.test.code} taken ({attempt.status})",
            data={"attempt": attempt.pk, "registration": registration.pk},
        )
        done += 1
    return done
