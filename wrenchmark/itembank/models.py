"""The item bank: items, their immutable versions, exhibits, translations, reviews and comments.

An ``Item`` is the identity that statistics and enemies attach to; its content lives in ``ItemVersion``
rows. A version that a form has used is frozen: changing the item then makes a new version, so forms and
attempts keep pointing at exactly what candidates saw.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wrenchmark.core.models import TimeStampedModel


class ItemState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    NEEDS_REWORK = "needs_rework", _("Needs rework")
    APPROVED = "approved", _("Approved")
    PRETEST = "pretest", _("Pretest")
    OPERATIONAL = "operational", _("Operational")
    RETIRED = "retired", _("Retired")


class ItemStyle(models.TextChoices):
    DIRECT = "direct", _("Direct question")
    MOST_LIKELY = "most_likely", _("MOST likely")
    TECH_AB = "tech_ab", _("Technician A / Technician B")
    EXCEPT = "except", _("EXCEPT")
    LEAST_LIKELY = "least_likely", _("LEAST likely")


class ItemPool(models.TextChoices):
    OPERATIONAL = "operational", _("Operational (forms)")
    PRACTICE = "practice", _("Practice only")
    RENEWAL = "renewal", _("Renewal program only")


class ExhibitKind(models.TextChoices):
    SVG = "svg", _("Diagram (SVG)")
    IMAGE = "image", _("Image")
    TABLE = "table", _("Data table")


class TranslationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REWORK = "rework", _("Send back for rework")


class Exhibit(TimeStampedModel):
    """A diagram, image or data table shown with an item. SVG is stored sanitised."""

    kind = models.CharField(max_length=10, choices=ExhibitKind.choices)
    title = models.CharField(max_length=200, blank=True)
    alt = models.TextField(help_text=_("Everything a screen-reader user needs to answer the item."))
    svg = models.TextField(blank=True)
    image = models.BinaryField(blank=True, null=True)
    image_type = models.CharField(max_length=40, blank=True)
    table = models.JSONField(default=dict, blank=True, help_text="{columns: [...], rows: [[...]]}")
    sha256 = models.CharField(max_length=64, db_index=True, help_text="Of the stored (sanitised) content.")
    source_sha256 = models.CharField(max_length=64, db_index=True, help_text="Of what was uploaded.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.pk}"


class Item(TimeStampedModel):
    """An item's identity: its test, pool, life-cycle state, enemies and statistics."""

    external_id = models.CharField(max_length=20, unique=True)
    test = models.ForeignKey("catalog.Test", on_delete=models.PROTECT, related_name="items")
    test_code = models.CharField(max_length=10, db_index=True)
    pool = models.CharField(max_length=12, choices=ItemPool.choices, default=ItemPool.OPERATIONAL)
    state = models.CharField(max_length=14, choices=ItemState.choices, default=ItemState.DRAFT, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_items"
    )
    current_version = models.OneToOneField(
        "ItemVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enemies = models.ManyToManyField("self", symmetrical=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="Start of the current review round.")
    # Statistics, filled in by calibration: classical and IRT parameters, and how often it was shown.
    p_value = models.FloatField(null=True, blank=True)
    point_biserial = models.FloatField(null=True, blank=True)
    irt_a = models.FloatField(null=True, blank=True)
    irt_b = models.FloatField(null=True, blank=True)
    irt_c = models.FloatField(null=True, blank=True)
    exposure_count = models.PositiveIntegerField(default=0)
    stats_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["test_code", "external_id"]

    def __str__(self) -> str:
        return self.external_id


class ItemVersion(models.Model):
    """One version of an item's content. ``frozen`` once a form uses it; then it never changes."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    area = models.ForeignKey("catalog.ContentArea", on_delete=models.PROTECT, related_name="item_versions")
    task = models.CharField(max_length=300, blank=True)
    style = models.CharField(max_length=14, choices=ItemStyle.choices)
    stem = models.TextField()
    exhibit = models.ForeignKey(
        Exhibit, null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )
    references = models.JSONField(default=list, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    frozen = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    change_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["item", "number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="itemversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.item.external_id} v{self.number}"


class ItemOption(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    rationale = models.TextField()
    is_key = models.BooleanField(default=False)
    locked = models.BooleanField(default=False, help_text=_("Never shuffled (Technician A/B options)."))

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="itemoption_unique_position")
        ]

    def __str__(self) -> str:
        return f"{'ABCD'[self.position]}. {self.text[:40]}"


class ItemTranslation(models.Model):
    """A version's content in another language; the key and option order are the English ones."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=5)
    status = models.CharField(
        max_length=10, choices=TranslationStatus.choices, default=TranslationStatus.DRAFT
    )
    stem = models.TextField()
    options = models.JSONField(default=list, help_text="[{text, rationale}] in the English order")
    exhibit_title = models.CharField(max_length=200, blank=True)
    exhibit_alt = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "language"], name="translation_unique_language")
        ]

    def __str__(self) -> str:
        return f"{self.version} [{self.language}]"


class ItemReview(models.Model):
    """A panel reviewer's decision on one version, with what the review changed, if anything."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="item_reviews"
    )
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField()
    changed = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["item", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.version}: {self.decision} by {self.reviewer}"


class ItemComment(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["item", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.item}: {self.body[:40]}"
