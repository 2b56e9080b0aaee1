from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NO_SHOW = "no_show", _("No Show")


class ResultSource(models.TextChoices):
    ATTEMPT = "attempt", _("Computer-based test")
    IMPORT = "import", _("Imported record")
    DEMO = "demo", _("Demo data")


class TestResult(models.Model):
    """The official outcome of one sitting of one test: what every credential is derived from."""

    __test__ = False  # not a pytest test class

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="test_results"
    )
    test = models.ForeignKey("catalog.Test", on_delete=models.PROTECT, related_name="results")
    taken_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    source = models.CharField(max_length=10, choices=ResultSource.choices)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-taken_on", "-id"]
        indexes = [models.Index(fields=["candidate", "taken_on"], name="result_candidate_date_idx")]

    def __str__(self) -> str:
        return f"{self.candidate} {self.test.code} {self.taken_on} {self.outcome}"
