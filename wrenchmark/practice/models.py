"""Practice tests: sessions drawn from the practice pool, with feedback after each answer or at the end.

Practice items (``Item.pool == practice``) are kept apart from the secure operational items and from the
renewal pool: a practice session never serves any other pool. A session may cover a whole test or one
content area, be short (10 questions) or full length, and be untimed or timed at the real test's pace
with a deadline held by the server. It may be limited to exhibit-based items (wiring diagrams and data)
or to the missed questions due for review.

Missed questions come back spaced out (``ReviewCard``, a Leitner schedule). Instructors run classes
(``Classroom``): learners join with the class code, which shares their practice progress with the
instructor, and the instructor assigns practice sets (``Assignment``).

Once a test's practice items are calibrated onto the bank's IRT scale (``PracticeCalibration``, written
by the analysis from candidates who both practised and sat the test), sessions can be adaptive and the
readiness estimate comes from the candidate's ability against the cut's ability.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wrenchmark.core.models import TimeStampedModel


class PracticeLength(models.TextChoices):
    SHORT = "short", _("Short (10 questions)")
    FULL = "full", _("Full length")


class FeedbackMode(models.TextChoices):
    EACH = "each", _("After each answer")
    END = "end", _("At the end")


class PracticeMode(models.TextChoices):
    STANDARD = "standard", _("All question types")
    EXHIBITS = "exhibits", _("Wiring diagrams and data only")
    REVIEW = "review", _("Missed questions due for review")
    ADAPTIVE = "adaptive", _("Matched to my level (adaptive)")


class PracticeSession(TimeStampedModel):
    """One practice test of one candidate."""

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practice_sessions"
    )
    test = models.ForeignKey("catalog.Test", on_delete=models.PROTECT, related_name="practice_sessions")
    area = models.ForeignKey(
        "catalog.ContentArea",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="practice_sessions",
        help_text=_("Empty for the whole test"),
    )
    length = models.CharField(max_length=5, choices=PracticeLength.choices, default=PracticeLength.SHORT)
    timed = models.BooleanField(default=False)
    deadline = models.DateTimeField(null=True, blank=True, help_text=_("Server time; timed sessions only"))
    feedback = models.CharField(max_length=4, choices=FeedbackMode.choices, default=FeedbackMode.EACH)
    finished_at = models.DateTimeField(null=True, blank=True)
    seed = models.BigIntegerField(help_text=_("Seed of the draw, so it can be reproduced"))
    mode = models.CharField(max_length=10, choices=PracticeMode.choices, default=PracticeMode.STANDARD)
    planned = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Adaptive sessions: the most questions it may ask (it may stop earlier)"),
    )
    calibration = models.ForeignKey(
        "practice.PracticeCalibration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Adaptive sessions: the calibration its questions are chosen with"),
    )
    assignment = models.ForeignKey(
        "practice.Assignment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        help_text=_("The class assignment this session was started for, if any"),
    )

    class Meta:
        ordering = ["candidate", "-created_at"]
        indexes = [models.Index(fields=["candidate", "test", "finished_at"], name="practice_history_idx")]

    def __str__(self) -> str:
        scope = f"{self.test.code} {self.area.letter}" if self.area_id and self.area else self.test.code
        return f"{self.candidate} practice {scope} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    def is_overdue(self, now: dt.datetime) -> bool:
        """A timed session whose deadline has passed (finished or not)."""
        return self.timed and self.deadline is not None and now >= self.deadline


class PracticeQuestion(TimeStampedModel):
    """One question of a session: the item version drawn, and the one answer given."""

    session = models.ForeignKey(PracticeSession, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    item = models.ForeignKey("itembank.Item", on_delete=models.PROTECT, related_name="+")
    item_version = models.ForeignKey("itembank.ItemVersion", on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=1, blank=True, help_text=_("Letter chosen"))
    correct = models.BooleanField(null=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="practice_unique_position"),
            models.UniqueConstraint(fields=["session", "item"], name="practice_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} #{self.position} {self.item_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class ReviewCard(TimeStampedModel):
    """A practice item the candidate missed, scheduled to come back: after a miss in one day, and after
    each right answer on review at the next, longer interval (``selectors.REVIEW_INTERVALS``) until it is
    learned and the card is removed."""

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_reviews"
    )
    item = models.ForeignKey("itembank.Item", on_delete=models.CASCADE, related_name="+")
    test = models.ForeignKey("catalog.Test", on_delete=models.CASCADE, related_name="+")
    area_letter = models.CharField(max_length=3)
    box = models.PositiveSmallIntegerField(default=0, help_text=_("Right answers in a row on review"))
    due_on = models.DateField()
    last_answered_at = models.DateTimeField()

    class Meta:
        ordering = ["candidate", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "item"], name="practice_review_unique_item")
        ]
        indexes = [models.Index(fields=["candidate", "test", "due_on"], name="practice_review_due_idx")]

    def __str__(self) -> str:
        return f"{self.candidate} {self.item_id} due {self.due_on}"


class Classroom(TimeStampedModel):
    """A class run by an instructor (a school or a shop trainer). Learners join with ``join_code``."""

    name = models.CharField(_("name"), max_length=120)
    instructor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="classes")
    join_code = models.CharField(max_length=12, unique=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["instructor", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class ClassMember(TimeStampedModel):
    """A learner in a class. Joining shares the learner's practice progress with the instructor; leaving
    stops it (the row is kept, with ``left_at``)."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="members")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="class_seats"
    )
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["classroom", "learner__last_name", "learner__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["classroom", "learner"], name="practice_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.learner} in {self.classroom}"


class Assignment(TimeStampedModel):
    """A practice set an instructor assigns to a class: a test or one content area of it, a length and a
    mode, with an optional date to finish by."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    test = models.ForeignKey("catalog.Test", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(
        "catalog.ContentArea", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    length = models.CharField(max_length=5, choices=PracticeLength.choices, default=PracticeLength.SHORT)
    mode = models.CharField(max_length=10, choices=PracticeMode.choices, default=PracticeMode.STANDARD)
    due_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["classroom", "-created_at", "-pk"]

    def __str__(self) -> str:
        scope = f"{self.test.code} {self.area.letter}" if self.area_id and self.area else self.test.code
        return f"{self.classroom}: {scope}"


class PracticeCalibration(TimeStampedModel):
    """The practice items of one test calibrated onto the bank's IRT scale.

    Computed by the analysis (``wrenchmark.analysis.practice``): candidates who practised and sat the test
    answer both kinds of item, so with the operational items held at their bank parameters
    (fixed-parameter calibration) the practice items' parameters land on the same scale. The published
    form's scored items and its cut are kept too, so a learner's ability can be set against the cut.
    """

    test = models.ForeignKey("catalog.Test", on_delete=models.PROTECT, related_name="practice_calibrations")
    model = models.CharField(max_length=5, help_text=_("rasch, 2pl or 3pl, as the anchoring analysis"))
    anchor_run = models.PositiveIntegerField(help_text=_("The analysis run the bank parameters came from"))
    anchor_items = models.PositiveIntegerField(help_text=_("Operational items held at bank parameters"))
    persons = models.PositiveIntegerField(help_text=_("Candidates who practised and sat the test"))
    simulated_persons = models.PositiveIntegerField(default=0)
    form = models.ForeignKey(
        "exams.ExamForm", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cut_raw = models.PositiveIntegerField(null=True, blank=True)
    cut_theta = models.FloatField(null=True, blank=True)
    form_items = models.JSONField(
        default=list, help_text=_("[a, b, c] of each scored item of the form, for the predicted score")
    )
    inputs_hash = models.CharField(max_length=64)
    converged = models.BooleanField(default=False)
    iterations = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["test", "-computed_at", "-pk"]
        indexes = [models.Index(fields=["test", "computed_at"], name="practice_calibration_idx")]

    def __str__(self) -> str:
        return f"{self.test.code} practice {self.model} {self.computed_at:%Y-%m-%d %H:%M}"

    @property
    def simulated(self) -> bool:
        return self.simulated_persons > 0


class PracticeItemParameter(models.Model):
    """One practice item's IRT parameters in one calibration."""

    calibration = models.ForeignKey(PracticeCalibration, on_delete=models.CASCADE, related_name="parameters")
    item = models.ForeignKey("itembank.Item", on_delete=models.CASCADE, related_name="+")
    area_letter = models.CharField(max_length=3)
    answered = models.PositiveIntegerField()
    p_value = models.FloatField()
    a = models.FloatField()
    b = models.FloatField()
    c = models.FloatField(default=0.0)
    se_a = models.FloatField(null=True, blank=True)
    se_b = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["calibration", "area_letter", "item"]
        constraints = [
            models.UniqueConstraint(fields=["calibration", "item"], name="practice_parameter_once")
        ]

    def __str__(self) -> str:
        return f"{self.calibration_id} {self.item_id}"
