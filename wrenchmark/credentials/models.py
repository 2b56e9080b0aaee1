"""Issued credentials and designations: the record of what a holder has been granted, and when.

Each row is kept in step with the rules (``wrenchmark.rules``) by ``credentials.services``; every change
to it is audited. A credential is one lineage per initial test: a recertification renews the same row.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wrenchmark.core.models import TimeStampedModel


class CredentialStatus(models.TextChoices):
    AWAITING_EXPERIENCE = "awaiting_experience", _("Passed, awaiting experience")
    CERTIFIED = "certified", _("Certified")
    EXPIRING = "expiring", _("Expiring")
    EXPIRED = "expired", _("Expired")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


#: Set by a program administrator, not by the dates: the daily refresh and the rules leave them alone.
WITHDRAWN_STATUSES = frozenset({CredentialStatus.SUSPENDED, CredentialStatus.REVOKED})

CURRENT_STATUSES = frozenset({CredentialStatus.CERTIFIED, CredentialStatus.EXPIRING})


class Credential(TimeStampedModel):
    """One certification lineage of one holder: earned by the initial test, renewed by recertification."""

    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credentials")
    test_code = models.CharField(max_length=10, help_text="The initial test that earns it, e.g. A5")
    test = models.ForeignKey(
        "catalog.Test", on_delete=models.PROTECT, related_name="+", help_text="As in the edition last applied"
    )
    status = models.CharField(max_length=20, choices=CredentialStatus.choices)
    passed_on = models.DateField(help_text="The pass that started this lineage")
    certified_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(help_text="Last valid day")
    renewed_on = models.DateField(null=True, blank=True, help_text="Latest recertification that renewed it")
    issued_at = models.DateTimeField(null=True, blank=True, help_text="When it was first certified")
    withdrawn_at = models.DateTimeField(null=True, blank=True, help_text="When it was suspended or revoked")
    withdrawn_reason = models.TextField(blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["holder", "test__position", "test_code"]
        constraints = [models.UniqueConstraint(fields=["holder", "test_code"], name="credential_one_lineage")]
        indexes = [models.Index(fields=["status", "expires_on"], name="credential_status_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.holder} {self.test_code} {self.status} to {self.expires_on}"

    def is_valid_on(self, day: dt.date) -> bool:
        return (
            self.status not in WITHDRAWN_STATUSES
            and self.certified_on is not None
            and self.certified_on <= day <= self.expires_on
        )

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATUSES


class CredentialExtension(models.Model):
    """One year added to a certification by the renewal program: from one expiry to the next.

    The rules give the expiry from the tests passed; the extensions chain from it, so a sync keeps them
    (an extension whose ``from_expiry`` is the computed expiry applies, then the next one, and so on) and a
    recertification by test, which moves the expiry elsewhere, leaves them behind.
    """

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="extensions")
    from_expiry = models.DateField()
    to_expiry = models.DateField()
    source = models.CharField(max_length=30, default="renewal_program")
    granted_at = models.DateTimeField()

    class Meta:
        ordering = ["credential", "from_expiry"]
        constraints = [
            models.UniqueConstraint(fields=["credential", "from_expiry"], name="extension_one_per_expiry")
        ]

    def __str__(self) -> str:
        return f"{self.credential.test_code}: {self.from_expiry} → {self.to_expiry}"


class DesignationStatus(models.TextChoices):
    HELD = "held", _("Held")
    AT_RISK = "at_risk", _("Held, at risk")
    LAPSED = "lapsed", _("Lapsed")


class DesignationHolding(TimeStampedModel):
    """A designation (Master Automobile Technician, …) a holder has earned, and where it stands."""

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="designation_holdings"
    )
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=DesignationStatus.choices)
    held_since = models.DateField(null=True, blank=True)
    achieved_at = models.DateTimeField(help_text="When it was first recorded as held")

    class Meta:
        ordering = ["holder", "code"]
        constraints = [models.UniqueConstraint(fields=["holder", "code"], name="designation_one_per_holder")]

    def __str__(self) -> str:
        return f"{self.holder} {self.code} {self.status}"


class StatusList(models.Model):
    """One W3C Bitstring Status List: a numbered block of badge indexes, published twice (revocation and
    suspension). The bits are computed from the credentials' statuses when the list is served."""

    number = models.PositiveIntegerField(unique=True)
    size = models.PositiveIntegerField(default=131_072, help_text="Entries (bits); at least 131,072")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"status list {self.number}"


class Badge(models.Model):
    """A signed Open Badges 3.0 credential issued for one certification period.

    Kept as issued (the signed JSON and its JWT form), so a download is byte-for-byte what was signed. A
    renewal issues a new badge for the new period; the old one is superseded but stays verifiable.
    """

    public_id = models.UUIDField(unique=True, help_text="The credential id, urn:uuid:…")
    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="badges")
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="badges")
    status_index = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    valid_until = models.DateTimeField()
    issuer_id = models.CharField(max_length=200)
    document = models.JSONField(help_text="The signed credential (Data Integrity, eddsa-rdfc-2022)")
    jwt = models.TextField(help_text="The same credential secured as a VC-JOSE JWT (EdDSA)")
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["credential", "-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["status_list", "status_index"], name="badge_one_status_entry")
        ]

    def __str__(self) -> str:
        return f"badge {self.public_id} for {self.credential.test_code}"


class Visibility(models.TextChoices):
    PUBLIC = "public", _("My name and my credentials")
    HIDDEN = "hidden", _("Nothing")


class SharingPreference(models.Model):
    """What a holder lets the public verification page show when someone looks them up by ID."""

    holder = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sharing_preference"
    )
    lookup_visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.holder}: {self.lookup_visibility}"


class ShareLink(models.Model):
    """A link that shows a holder's credentials (one, or all current) to whoever has it, until revoked."""

    class Kind(models.TextChoices):
        LINK = "link", _("Share link")
        CERTIFICATE = "certificate", _("Certificate and wallet card QR code")

    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.LINK)
    label = models.CharField(max_length=120, blank=True)
    credential = models.ForeignKey(
        Credential, null=True, blank=True, on_delete=models.CASCADE, related_name="share_links"
    )
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["holder", "-created_at"]

    def __str__(self) -> str:
        return f"{self.holder} {self.kind} {self.label or self.token[:6]}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class VerificationChannel(models.TextChoices):
    LOOKUP = "lookup", _("Lookup by program ID and last name")
    LINK = "link", _("Share link")
    QR = "qr", _("QR code on a certificate or wallet card")
    API = "api", _("Verification API")
    BADGE = "badge", _("Digital badge check")


class VerificationEvent(models.Model):
    """Someone checked a holder's credentials: who (as far as we know), what, how and when."""

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verification_events"
    )
    credential = models.ForeignKey(
        Credential, null=True, blank=True, on_delete=models.SET_NULL, related_name="verification_events"
    )
    channel = models.CharField(max_length=10, choices=VerificationChannel.choices)
    share_link = models.ForeignKey(
        ShareLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verifier_label = models.CharField(max_length=200, blank=True, help_text="e.g. the verifier's employer")
    network = models.CharField(max_length=50, blank=True, help_text="The requester's network (IP truncated)")
    user_agent = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["holder", "-occurred_at"]

    def __str__(self) -> str:
        return f"{self.holder} verified via {self.channel} at {self.occurred_at}"


class ReminderKind(models.TextChoices):
    DAYS_180 = "180", _("180 days before expiry")
    DAYS_90 = "90", _("90 days before expiry")
    DAYS_30 = "30", _("30 days before expiry")
    EXPIRED = "expired", _("On expiry")


class ReminderSent(models.Model):
    """A renewal reminder e-mailed for one expiry date; the unique key makes the daily job idempotent."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    expires_on = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["credential", "kind", "expires_on"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.credential.test_code} reminder {self.kind} for {self.expires_on}"
