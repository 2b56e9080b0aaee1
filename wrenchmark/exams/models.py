"""Forms (frozen selections of item versions) and attempts (one candidate's sitting of a form).

The server holds the only clock: an attempt's ``deadline`` is fixed when it starts, and every save is
checked against it. Responses carry the client's sequence number so a retried or reordered save never
overwrites a newer answer.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wrenchmark.core.models import TimeStampedModel


class FormStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CutMethod(models.TextChoices):
    RAW = "raw", _("Raw cut set by the psychometrician")
    ANGOFF = "angoff", _("Modified-Angoff panel ratings")


class ExamForm(TimeStampedModel):
    """One fixed form of a test: the scored items the blueprint asks for plus unscored pretest items."""

    test = models.ForeignKey("catalog.Test", on_delete=models.PROTECT, related_name="forms")
    code = models.CharField(max_length=30, unique=True)
    status = models.CharField(max_length=10, choices=FormStatus.choices, default=FormStatus.DRAFT)
    assembly_method = models.CharField(max_length=40, default="stratified-random")
    assembly_seed = models.BigIntegerField()
    cut_raw = models.PositiveIntegerField(null=True, blank=True)
    cut_method = models.CharField(max_length=10, choices=CutMethod.choices, default=CutMethod.RAW)
    cut_note = models.TextField(blank=True)
    scale_table = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            "Scaled score of each raw score 0..n, from the IRT scale; empty: the linear reporting scale"
        ),
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["test", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def scored_count(self) -> int:
        return self.form_items.filter(scored=True).count()


class FormItem(models.Model):
    """An item version pinned on a form, in the form's base order."""

    form = models.ForeignKey(ExamForm, on_delete=models.CASCADE, related_name="form_items")
    item = models.ForeignKey("itembank.Item", on_delete=models.PROTECT, related_name="form_uses")
    version = models.ForeignKey("itembank.ItemVersion", on_delete=models.PROTECT, related_name="form_uses")
    position = models.PositiveIntegerField()
    scored = models.BooleanField(default=True)
    area_letter = models.CharField(max_length=3)

    class Meta:
        ordering = ["form", "position"]
        constraints = [
            models.UniqueConstraint(fields=["form", "position"], name="formitem_unique_position"),
            models.UniqueConstraint(fields=["form", "item"], name="formitem_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.form.code} #{self.position} {self.item.external_id}"


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    TIMED_OUT = "timed_out", _("Time ran out")


class Attempt(TimeStampedModel):
    """A candidate's sitting of one form, timed by the server."""

    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attempts")
    form = models.ForeignKey(ExamForm, on_delete=models.PROTECT, related_name="attempts")
    status = models.CharField(max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    time_multiplier = models.DecimalField(max_digits=4, decimal_places=2, default=1)
    item_order = models.JSONField(
        default=list, help_text="FormItem ids in the order this candidate sees them"
    )
    option_orders = models.JSONField(default=dict, help_text="FormItem id -> option positions as shown")
    current_position = models.PositiveIntegerField(default=0)
    session_key = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=5, default="en")
    paused_at = models.DateTimeField(
        null=True, blank=True, help_text="Paused by a proctor: the clock stops until the attempt resumes"
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "deadline"], name="attempt_overdue_idx")]

    def __str__(self) -> str:
        return f"{self.candidate} {self.form.code} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def remaining(self, now: dt.datetime) -> dt.timedelta:
        """Time left: while paused, what was left when the pause began."""
        return max(dt.timedelta(0), self.deadline - (self.paused_at or now))


class Response(models.Model):
    """The latest acknowledged answer to one item of one attempt."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    form_item = models.ForeignKey(FormItem, on_delete=models.PROTECT, related_name="+")
    choice = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Option position (0-3) chosen")
    flagged = models.BooleanField(default=False)
    client_seq = models.PositiveIntegerField()
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "form_item"], name="response_unique_item")]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.form_item_id}: {self.choice}"


class ScoreReport(models.Model):
    """The scored outcome of a finalised attempt: what the candidate's score report shows."""

    attempt = models.OneToOneField(Attempt, on_delete=models.PROTECT, related_name="score_report")
    raw = models.PositiveIntegerField()
    scored_total = models.PositiveIntegerField()
    cut_raw = models.PositiveIntegerField()
    scaled = models.PositiveIntegerField()
    passed = models.BooleanField()
    subscores = models.JSONField(default=list, help_text="[{letter, name, correct, total}]")
    computed_at = models.DateTimeField()
    result = models.OneToOneField("scoring.TestResult", on_delete=models.PROTECT, related_name="score_report")

    def __str__(self) -> str:
        return f"{self.attempt}: {self.raw}/{self.scored_total} ({'pass' if self.passed else 'fail'})"


class AccommodationKind(models.TextChoices):
    EXTRA_TIME = "extra_time", _("Extra time")
    SEPARATE_ROOM = "separate_room", _("Separate room")
    READER = "reader", _("Reader")


class AccommodationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")


class Accommodation(TimeStampedModel):
    """A testing accommodation for one candidate; approved ones apply to every sitting until they expire."""

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="accommodations"
    )
    kind = models.CharField(max_length=20, choices=AccommodationKind.choices)
    time_multiplier = models.DecimalField(
        max_digits=4, decimal_places=2, default=1, help_text="Extra time: 1.5 gives time and a half"
    )
    status = models.CharField(
        max_length=10, choices=AccommodationStatus.choices, default=AccommodationStatus.REQUESTED
    )
    valid_until = models.DateField(null=True, blank=True, help_text="Last day it applies; empty for no end")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was approved or denied (the program's words)")
    request_note = models.TextField(blank=True, help_text="What the candidate asked for and why")
    document = models.FileField(
        upload_to="accommodations/%Y/%m/", blank=True, help_text="Supporting document (PDF, PNG or JPEG)"
    )
    document_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["candidate", "-created_at"]

    def __str__(self) -> str:
        return f"{self.candidate} {self.kind} {self.status}"

    def applies_on(self, day: dt.date) -> bool:
        return self.status == AccommodationStatus.APPROVED and (
            self.valid_until is None or day <= self.valid_until
        )


class AdmissionSource(models.TextChoices):
    SITE = "site", _("Checked in at a test site")
    REMOTE = "remote", _("Checked in remotely")
    DEMO = "demo", _("Demo sitting")
    SIMULATION = "simulation", _("Simulated candidate")


class Admission(TimeStampedModel):
    """A proctor's admission of a candidate to sit one test now: the only thing that lets an attempt start.

    Granted at check-in (identity checked, eligibility confirmed); used by the attempt it starts; it lapses
    unused after ``valid_until``."""

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="admissions"
    )
    test = models.ForeignKey("catalog.Test", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=AdmissionSource.choices)
    admitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    admitted_at = models.DateTimeField()
    valid_until = models.DateTimeField()
    attempt = models.OneToOneField(
        Attempt, null=True, blank=True, on_delete=models.PROTECT, related_name="admission"
    )

    class Meta:
        ordering = ["-admitted_at"]

    def __str__(self) -> str:
        return f"{self.candidate} {self.test.code} admitted {self.admitted_at:%Y-%m-%d %H:%M}"
