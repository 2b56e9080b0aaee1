"""Work experience and training a candidate records, and their review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wrenchmark.core.models import TimeStampedModel


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class TrainingKind(models.TextChoices):
    VOCATIONAL = "vocational", _("Vocational or trade school")
    COLLEGE = "college", _("College automotive program")
    MANUFACTURER = "manufacturer", _("Manufacturer or dealer training program")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
    MILITARY = "military", _("Military training")
    STUDENT_CERT = "student_cert", _("Student certification")
    OTHER = "other", _("Other")


class Reviewable(TimeStampedModel):
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    areas = models.ManyToManyField("catalog.ExperienceArea", related_name="+")

    class Meta:
        abstract = True


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")


class ExperienceEntry(Reviewable):
    """A period of hands-on work at one employer."""

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="experience_entries"
    )
    employer = models.ForeignKey(
        "employers.Employer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="experience_entries",
    )
    employer_name = models.CharField(_("employer"), max_length=200)
    role = models.CharField(_("job title"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Leave empty if you still work there.")
    )
    employment_type = models.CharField(max_length=10, choices=EmploymentType.choices)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name_plural = "experience entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="experience_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} at {self.employer_name}"

    @property
    def full_time(self) -> bool:
        return self.employment_type == EmploymentType.FULL_TIME


class TrainingEntry(Reviewable):
    """Formal training that may stand for part of the experience requirement."""

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_entries"
    )
    kind = models.CharField(max_length=20, choices=TrainingKind.choices)
    institution = models.CharField(_("institution"), max_length=200)
    program_name = models.CharField(_("program or course"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("completion date"))
    months_claimed = models.PositiveIntegerField(
        _("months it may stand for"),
        help_text=_("How many months of experience this training should count as."),
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name_plural = "training entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="training_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.institution}"
