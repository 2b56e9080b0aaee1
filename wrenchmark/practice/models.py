"""Practice tests: sessions drawn from the practice pool, with feedback after each answer or at the end.

Practice items (``Item.pool == practice``) are kept apart from the secure operational items and from the
renewal pool: a practice session never serves any other pool. A session may cover a whole test or one
content area, be short (10 questions) or full length, and be untimed or timed at the real test's pace
with a deadline held by the server.
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
