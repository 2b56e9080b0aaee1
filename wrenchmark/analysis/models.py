"""Item and form analysis: what the psychometric analysis of a test's real responses found, kept with
the model, its inputs and the time, so a figure can always be traced to what it was computed from.

An ``AnalysisRun`` covers one test: every finalised attempt on any of its forms (persons) by every item
that appeared on them (items). Its ``ItemStatistic`` rows hold each item's classical statistics, its IRT
parameters with their standard errors and fit, its distractor figures and the reasons it is flagged.
Runs on data that include simulated candidates are marked ``simulated`` and say so wherever they show.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wrenchmark.core.models import TimeStampedModel


class IrtModel(models.TextChoices):
    RASCH = "rasch", _("Rasch")
    TWO_PL = "2pl", _("Two-parameter logistic (2PL)")
    THREE_PL = "3pl", _("Three-parameter logistic (3PL) with a prior on guessing")


class RunTrigger(models.TextChoices):
    COMMAND = "command", _("Command")
    ADMINISTRATION = "administration", _("After an administration")
    SIMULATION = "simulation", _("After a simulation")
    PAGE = "page", _("From the analysis pages")


class AnalysisRun(TimeStampedModel):
    """One analysis of one test's responses."""

    test = models.ForeignKey("catalog.Test", on_delete=models.PROTECT, related_name="analysis_runs")
    model = models.CharField(max_length=5, choices=IrtModel.choices, default=IrtModel.TWO_PL)
    persons = models.PositiveIntegerField(help_text=_("Finalised attempts analysed"))
    items = models.PositiveIntegerField(help_text=_("Items that appeared on those attempts' forms"))
    simulated_persons = models.PositiveIntegerField(default=0)
    inputs_hash = models.CharField(max_length=64, help_text=_("SHA-256 of the response matrix and settings"))
    model_settings = models.JSONField(default=dict, help_text=_("Quadrature, prior, tolerance"))
    converged = models.BooleanField(default=False)
    iterations = models.PositiveIntegerField(default=0)
    log_likelihood = models.FloatField(null=True, blank=True)
    forms = models.JSONField(default=list, help_text=_("Per form: reliability, SEM, CSEM at the cut, ..."))
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger = models.CharField(max_length=15, choices=RunTrigger.choices, default=RunTrigger.COMMAND)

    class Meta:
        ordering = ["test", "-computed_at", "-pk"]
        indexes = [models.Index(fields=["test", "computed_at"], name="analysis_run_test_idx")]

    def __str__(self) -> str:
        return f"{self.test.code} {self.model} {self.computed_at:%Y-%m-%d %H:%M}"

    @property
    def simulated(self) -> bool:
        return self.simulated_persons > 0


class ItemStatistic(models.Model):
    """One item's figures in one run."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="item_stats")
    item = models.ForeignKey("itembank.Item", on_delete=models.PROTECT, related_name="statistics")
    version = models.ForeignKey("itembank.ItemVersion", on_delete=models.PROTECT, related_name="+")
    scored = models.BooleanField(help_text=_("Scored (operational) on the forms, or a pretest item"))
    area_letter = models.CharField(max_length=3)
    answered = models.PositiveIntegerField()
    p_value = models.FloatField(null=True, blank=True)
    point_biserial = models.FloatField(null=True, blank=True, help_text=_("Corrected item-total correlation"))
    a = models.FloatField(null=True, blank=True)
    b = models.FloatField(null=True, blank=True)
    c = models.FloatField(null=True, blank=True)
    se_a = models.FloatField(null=True, blank=True)
    se_b = models.FloatField(null=True, blank=True)
    se_c = models.FloatField(null=True, blank=True)
    fit_statistic = models.FloatField(null=True, blank=True, help_text=_("Orlando-Thissen S-X2"))
    fit_df = models.PositiveIntegerField(null=True, blank=True)
    fit_p = models.FloatField(null=True, blank=True)
    distractors = models.JSONField(
        default=list, help_text=_("Per option: overall share, share by score group, point-biserial")
    )
    flags = models.JSONField(default=list, help_text=_("Reason codes: too_hard, low_discrimination, ..."))

    class Meta:
        ordering = ["run", "area_letter", "item__external_id"]
        constraints = [models.UniqueConstraint(fields=["run", "item"], name="analysis_item_once_per_run")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.item_id}"
