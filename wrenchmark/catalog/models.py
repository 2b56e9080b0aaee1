"""The catalog: programs, editions with effective dates, series, tests, blueprints, designations.

Rows are written only by ``services.catalog_load`` from a catalog file (docs/catalog-format.md); every
figure keeps its source and confidence in ``figures`` so any page can say where a number came from.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class Confidence(models.TextChoices):
    A = "A", _("Stated by the program")
    B = "B", _("Trade press or publisher")
    C = "C", _("Third party (unverified)")
    POLICY = "policy", _("Product policy (unverified)")


class BlueprintStatus(models.TextChoices):
    COMPLETE = "complete", _("Complete")
    PARTIAL = "partial", _("Partial")
    PROVISIONAL = "provisional", _("Provisional")


class DesignationKind(models.TextChoices):
    MASTER = "master", _("Master")
    TECHNICIAN = "technician", _("Technician")
    SPECIALIST = "specialist", _("Specialist")


class Program(models.Model):
    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=30)

    def __str__(self) -> str:
        return self.short_name


class ExperienceArea(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="experience_areas")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["program", "position"]
        constraints = [models.UniqueConstraint(fields=["program", "code"], name="experiencearea_unique_code")]

    def __str__(self) -> str:
        return self.name


class Edition(models.Model):
    """One version of a program's catalog, in force from ``effective_from`` to ``effective_to`` (exclusive)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="editions")
    code = models.SlugField(max_length=40)
    title = models.CharField(max_length=200)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    source_file = models.CharField(max_length=300)
    source_sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()
    sources = models.JSONField(default=dict)
    policies = models.JSONField(default=dict)
    fees = models.JSONField(default=dict)

    class Meta:
        ordering = ["program", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["program", "code"], name="edition_unique_code")]

    def __str__(self) -> str:
        return self.title

    def is_in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def policy(self, key: str) -> int:
        return int(self.policies[key]["value"])


class ExperienceRequirement(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="experience_requirements")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=200)
    months = models.PositiveIntegerField()
    training_max_months = models.PositiveIntegerField()
    areas = models.ManyToManyField(ExperienceArea, related_name="requirements")
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["edition", "code"]
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="experiencereq_unique_code")]

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="series")
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["edition", "position"]
        verbose_name_plural = "series"
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="series_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Test(models.Model):
    """A test as specified by one edition; a recertification test points at the test it renews."""

    __test__ = False  # not a pytest test class

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="tests")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="tests")
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    scored_count = models.PositiveIntegerField()
    unscored_count = models.PositiveIntegerField()
    minutes = models.PositiveIntegerField()
    languages = models.JSONField(default=list)
    advanced = models.BooleanField(default=False)
    remote_allowed = models.BooleanField(default=False)
    recertifies = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="recertification"
    )
    experience_requirement = models.ForeignKey(
        ExperienceRequirement, null=True, blank=True, on_delete=models.PROTECT, related_name="tests"
    )
    blueprint_status = models.CharField(max_length=12, choices=BlueprintStatus.choices)
    prerequisites = models.JSONField(default=list, help_text="[{kind, any_of: [codes]}]")
    note = models.TextField(blank=True)
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["edition", "position"]
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="test_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def total_questions(self) -> int:
        return self.scored_count + self.unscored_count

    @property
    def is_recertification(self) -> bool:
        return self.recertifies_id is not None


class ContentArea(models.Model):
    test = models.ForeignKey(Test, on_delete=models.CASCADE, related_name="content_areas")
    letter = models.CharField(max_length=3)
    name = models.CharField(max_length=300)
    question_count = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["test", "position"]
        constraints = [models.UniqueConstraint(fields=["test", "letter"], name="contentarea_unique_letter")]

    def __str__(self) -> str:
        return f"{self.test.code} {self.letter}. {self.name}"

    @property
    def percentage(self) -> float | None:
        if self.question_count is None or not self.test.scored_count:
            return None
        return round(100 * self.question_count / self.test.scored_count, 1)


class Designation(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="designations")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=DesignationKind.choices)
    all_of = models.ManyToManyField(Test, related_name="designations_all_of", blank=True)
    any_of = models.ManyToManyField(Test, related_name="designations_any_of", blank=True)
    min_any = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["edition", "position"]
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="designation_unique_code")]

    def __str__(self) -> str:
        return self.name
