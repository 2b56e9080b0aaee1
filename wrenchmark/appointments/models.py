"""Test sites, the appointments candidates book at them (or remotely), and what the proctor records at
check-in: identity, admission and incidents."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wrenchmark.core.models import TimeStampedModel

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("%(zone)s is not a known time zone."), params={"zone": value}) from None


def validate_opening_hours(value: object) -> None:
    """``{"mon": ["08:00", "17:00"], ...}``: weekdays absent are closed days."""
    if not isinstance(value, dict):
        raise ValidationError(_("Opening hours must map weekdays to an opening and a closing time."))
    for day, hours in value.items():
        if day not in WEEKDAYS:
            raise ValidationError(_("%(day)s is not a weekday (mon … sun)."), params={"day": day})
        try:
            opens, closes = (dt.time.fromisoformat(h) for h in hours)
        except (TypeError, ValueError):
            raise ValidationError(
                _("Hours for %(day)s must be two times, HH:MM."), params={"day": day}
            ) from None
        if opens >= closes:
            raise ValidationError(_("On %(day)s the site must open before it closes."), params={"day": day})


class TestSite(TimeStampedModel):
    """A place with seats where candidates sit tests under a proctor; hours are in the site's own zone."""

    __test__ = False  # not a pytest test class

    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    time_zone = models.CharField(
        _("time zone"), max_length=60, validators=[validate_time_zone], help_text="IANA name"
    )
    seats = models.PositiveIntegerField(_("seats"))
    opening_hours = models.JSONField(
        _("opening hours"),
        default=dict,
        validators=[validate_opening_hours],
        help_text='Local time per weekday: {"mon": ["08:00", "17:00"], …}; absent days are closed.',
    )
    active = models.BooleanField(_("active"), default=True)
    proctors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="proctored_sites", verbose_name=_("proctors")
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def hours_on(self, day: dt.date) -> tuple[dt.time, dt.time] | None:
        hours = self.opening_hours.get(WEEKDAYS[day.weekday()])
        if not hours:
            return None
        return dt.time.fromisoformat(hours[0]), dt.time.fromisoformat(hours[1])

    def is_open_for(self, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
        """Whether the site is open for the whole of [starts_at, ends_at), read in its local time."""
        start, end = starts_at.astimezone(self.zone), ends_at.astimezone(self.zone)
        hours = self.hours_on(start.date())
        if hours is None or end.date() != start.date():
            return False
        opens, closes = hours
        return opens <= start.time() and end.time() <= closes


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    CHECKED_IN = "checked_in", _("Checked in")
    NO_SHOW = "no_show", _("No Show")
    COMPLETED = "completed", _("Completed")


# Appointments that hold a seat and keep their registration scheduled.
HOLDS_SEAT = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


class Appointment(TimeStampedModel):
    """A time to sit a registration's test, at a site or remotely (``site`` empty).

    ``starts_at`` is when the candidate checks in; ``ends_at`` leaves the check-in margin plus the test's
    time (with any approved extra time), and is what seat counting uses. ``sequence`` counts the changes
    sent to the candidate's calendar."""

    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.PROTECT, related_name="appointments"
    )
    site = models.ForeignKey(
        TestSite, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    booked_at = models.DateTimeField()
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["site", "status", "starts_at"], name="appointment_site_slot_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="appointment_one_active_per_registration",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration.test.code} {self.starts_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def is_remote(self) -> bool:
        return self.site_id is None

    @property
    def zone(self) -> ZoneInfo:
        return self.site.zone if self.site is not None else ZoneInfo(settings.TIME_ZONE)

    @property
    def local_start(self) -> dt.datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> dt.datetime:
        return self.ends_at.astimezone(self.zone)


class IdDocumentType(models.TextChoices):
    DRIVERS_LICENSE = "drivers_license", _("Driver's license")
    STATE_ID = "state_id", _("State ID card")
    PASSPORT = "passport", _("Passport")
    MILITARY_ID = "military_id", _("Military ID")
    OTHER = "other", _("Other government photo ID")


class CheckIn(models.Model):
    """The proctor's identity check for an appointment; a candidate is admitted only after one that matched."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="check_ins")
    proctor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    id_document_type = models.CharField(_("ID document"), max_length=20, choices=IdDocumentType.choices)
    id_last4 = models.CharField(_("last 4 characters of the ID number"), max_length=4)
    id_matches = models.BooleanField(_("ID matches the candidate's record"))
    notes = models.TextField(_("notes"), blank=True)
    admitted = models.BooleanField(default=False)
    admission = models.ForeignKey(
        "exams.Admission", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.appointment_id} checked by {self.proctor_id} at {self.at:%H:%M}"


class Incident(models.Model):
    """Something the proctor saw during an appointment, kept with the attempt it concerns when there is one."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="incidents")
    proctor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attempt = models.ForeignKey(
        "exams.Attempt", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("description"))
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Incident {self.pk} on appointment {self.appointment_id}"
