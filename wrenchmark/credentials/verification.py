"""Public verification of a holder's credentials: by program ID and last name, by share link, by API.

What anyone can learn is what the holder made public, no more: a lookup answers *match* (the holder's
name, their certifications as of today and the designations they hold) only while the holder's lookup
visibility is public; an unknown ID, a last name that does not match and a hidden holder all give the
same *no match*, by the same code path. A share link shows what it covers, whatever the visibility,
until the holder revokes it. Every answer that showed something is logged for the holder
(``VerificationEvent``); lookups are rate-limited per client with the shared cache.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import ipaddress
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wrenchmark.accounts.models import User
from wrenchmark.accounts.program_ids import normalise_program_id
from wrenchmark.catalog.selectors import edition_in_force
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_record
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.credentials.models import (
    WITHDRAWN_STATUSES,
    Credential,
    CredentialStatus,
    DesignationHolding,
    DesignationStatus,
    ShareLink,
    SharingPreference,
    VerificationChannel,
    VerificationEvent,
    Visibility,
)
from wrenchmark.employers.selectors import employers_administered_by

#: Statuses a verifier may see: the credential is current, or it was (and then expired or was withdrawn).
#: Awaiting experience is not a certification and is never shown.
SHOWN_STATUSES = frozenset(
    {
        CredentialStatus.CERTIFIED,
        CredentialStatus.EXPIRING,
        CredentialStatus.EXPIRED,
        CredentialStatus.SUSPENDED,
        CredentialStatus.REVOKED,
    }
)
HELD_DESIGNATION_STATUSES = (DesignationStatus.HELD, DesignationStatus.AT_RISK)

DEFAULT_RATE_LIMIT = 30
DEFAULT_RATE_WINDOW = 600  # seconds
USER_AGENT_MAX = 200
LOG_LENGTH = 100

# Tokens are drawn by secrets.token_urlsafe; anything else is not a token and never reaches the database.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,40}", re.ASCII)
_TOKEN_BYTES = 24  # 32 characters


# --- What a verifier sees ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialView:
    test_code: str
    name: str
    status: str
    status_label: str
    certified_on: dt.date | None
    expires_on: dt.date

    @property
    def withdrawn(self) -> bool:
        return self.status in WITHDRAWN_STATUSES


@dataclass(frozen=True)
class DesignationView:
    code: str
    name: str
    held_since: dt.date | None


@dataclass(frozen=True)
class Verification:
    """One answer that shows something: whose, what, as of which day, and how it was reached."""

    holder: User
    name: str
    program_id: str
    credentials: tuple[CredentialView, ...]
    designations: tuple[DesignationView, ...]
    checked_on: dt.date
    credential: Credential | None = None
    share_link: ShareLink | None = None

    def as_dict(self) -> dict[str, Any]:
        """The public API shape (``VerificationOut``)."""
        return {
            "result": "match",
            "holder": {"name": self.name, "program_id": self.program_id},
            "credentials": [
                {
                    "test_code": c.test_code,
                    "name": c.name,
                    "status": c.status,
                    "status_label": c.status_label,
                    "certified_on": c.certified_on,
                    "expires_on": c.expires_on,
                }
                for c in self.credentials
            ],
            "designations": [
                {"code": d.code, "name": d.name, "held_since": d.held_since} for d in self.designations
            ],
            "checked_on": self.checked_on,
        }


def normalise_last_name(value: str) -> str:
    """Fold ``value`` for comparison: accents dropped, case folded, whitespace trimmed and collapsed."""
    decomposed = unicodedata.normalize("NFKD", value.replace("\u2019", "'"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def lookup_visibility(holder: User) -> str:
    """Return what ``holder`` lets a lookup show; public when they never chose."""
    preference = SharingPreference.objects.filter(holder=holder).first()
    return preference.lookup_visibility if preference is not None else Visibility.PUBLIC


def shareable_credentials(holder: User) -> QuerySet[Credential]:
    """Return the credentials of ``holder`` a verifier may see: current, or certified once."""
    return (
        Credential.objects.filter(holder=holder, status__in=SHOWN_STATUSES, certified_on__isnull=False)
        .select_related("test__edition")
        .order_by("test__position", "test_code")
    )


def _expiring_notice_days(credential: Credential, on: dt.date, cache_: dict[int, int | None]) -> int | None:
    program_id = credential.test.edition.program_id
    if program_id not in cache_:
        try:
            edition = edition_in_force(program=credential.test.edition.program, on=on)
            cache_[program_id] = edition.policy("expiring_notice_days")
        except (NotFound, KeyError):
            cache_[program_id] = None
    return cache_[program_id]


def credential_status_on(credential: Credential, on: dt.date, notice_days: int | None) -> str:
    """The status of ``credential`` as of ``on``: a withdrawal stands; otherwise the dates decide, so a
    check made before the daily refresh has run still never shows a lapsed credential as certified."""
    if credential.status in WITHDRAWN_STATUSES:
        return credential.status
    if credential.expires_on < on:
        return CredentialStatus.EXPIRED
    if credential.status == CredentialStatus.EXPIRED:
        return credential.status
    if notice_days is not None and credential.expires_on < on + dt.timedelta(days=notice_days):
        return CredentialStatus.EXPIRING
    return credential.status


def verification_for(
    holder: User, *, credential: Credential | None = None, on: dt.date | None = None
) -> Verification:
    """Build what a verifier sees of ``holder``: every shareable credential, or only ``credential``
    (then without designations), as of ``on`` (today). Reads only; records nothing."""
    on = on or clock.today()
    credentials = shareable_credentials(holder)
    if credential is not None:
        credentials = credentials.filter(pk=credential.pk)
    notices: dict[int, int | None] = {}
    views = []
    for c in credentials:
        status = credential_status_on(c, on, _expiring_notice_days(c, on, notices))
        views.append(
            CredentialView(
                test_code=c.test_code,
                name=c.test.name,
                status=status,
                status_label=str(CredentialStatus(status).label),
                certified_on=c.certified_on,
                expires_on=c.expires_on,
            )
        )
    designations: list[DesignationView] = []
    if credential is None:
        designations = [
            DesignationView(code=d.code, name=d.name, held_since=d.held_since)
            for d in DesignationHolding.objects.filter(holder=holder, status__in=HELD_DESIGNATION_STATUSES)
        ]
    return Verification(
        holder=holder,
        name=holder.get_full_name() or holder.last_name,
        program_id=holder.program_id,
        credentials=tuple(views),
        designations=tuple(designations),
        checked_on=on,
        credential=credential,
    )


def verification_lookup(*, program_id: str, last_name: str, on: dt.date | None = None) -> Verification | None:
    """Answer a lookup by program ID and last name: the verification on a match, ``None`` otherwise.

    An unknown ID, a last name that does not match and a holder whose lookup visibility is hidden all
    take the same path (one query, one constant-time comparison) and give the same ``None``. The caller
    checks that both fields were given before calling.
    """
    canonical = normalise_program_id(program_id) or ""  # program IDs are never empty: "" finds no one
    holder = User.objects.filter(program_id=canonical).select_related("sharing_preference").first()
    expected = normalise_last_name(holder.last_name) if holder is not None else ""
    given = normalise_last_name(last_name)
    name_matches = hmac.compare_digest(expected.encode(), given.encode()) and bool(expected)
    preference = getattr(holder, "sharing_preference", None) if holder is not None else None
    visible = preference is None or preference.lookup_visibility == Visibility.PUBLIC
    if holder is None or not name_matches or not visible:
        return None
    return verification_for(holder, on=on)


def share_link_active(token: str) -> ShareLink | None:
    """Return the active share link with ``token``, or ``None`` (unknown, malformed or revoked)."""
    if not _TOKEN.fullmatch(token):
        return None
    return (
        ShareLink.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("holder", "credential")
        .first()
    )


def verification_by_link(*, token: str, on: dt.date | None = None) -> Verification | None:
    """Answer a share link: what it covers while it is active, whatever the lookup visibility."""
    link = share_link_active(token)
    if link is None:
        return None
    verification = verification_for(link.holder, credential=link.credential, on=on)
    return dataclasses.replace(verification, share_link=link)


def link_channel(link: ShareLink) -> str:
    """Certificate links are what the QR code on a certificate or wallet card opens."""
    return VerificationChannel.QR if link.kind == ShareLink.Kind.CERTIFICATE else VerificationChannel.LINK


# --- Who asked ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requester:
    """The client behind a verification request, as far as we know it."""

    ip: str
    user_agent: str
    user: User | None

    @classmethod
    def from_request(cls, request: HttpRequest) -> Requester:
        user = getattr(request, "user", None)
        return cls(
            ip=request.META.get("REMOTE_ADDR") or "",
            user_agent=request.META.get("HTTP_USER_AGENT") or "",
            user=user if user is not None and user.is_authenticated else None,
        )


def client_network(ip: str) -> str:
    """Return the network of ``ip``, truncated to /24 (IPv4) or /48 (IPv6); "" when it is not an address."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _verifier_label(user: User | None) -> str:
    if user is None:
        return ""
    return ", ".join(employer.name for employer in employers_administered_by(user))[:200]


@transaction.atomic
def verification_event_record(
    *, verification: Verification, channel: str, requester: Requester
) -> VerificationEvent | None:
    """Log that ``verification`` was shown to ``requester`` through ``channel``, for the holder to see
    (see :func:`verification_log`)."""
    return verification_log(
        holder=verification.holder,
        credential=verification.credential,
        channel=channel,
        requester=requester,
        share_link=verification.share_link,
    )


def verification_log(
    *,
    holder: User,
    credential: Credential | None,
    channel: str,
    requester: Requester,
    share_link: ShareLink | None = None,
) -> VerificationEvent | None:
    """Log that ``requester`` checked ``holder``'s ``credential`` (or all of them) through ``channel``.

    Keeps only the client's network (/24 or /48) and the first 200 characters of its user agent. A
    holder looking at their own credentials is not a verification and is not logged (``None``).
    """
    if requester.user is not None and requester.user.pk == holder.pk:
        return None
    return VerificationEvent.objects.create(
        holder=holder,
        credential=credential,
        channel=channel,
        share_link=share_link,
        verifier=requester.user,
        verifier_label=_verifier_label(requester.user),
        network=client_network(requester.ip),
        user_agent=requester.user_agent[:USER_AGENT_MAX],
        occurred_at=clock.now(),
    )


# --- Rate limit ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateLimit:
    allowed: bool
    retry_after: int  # seconds until the window resets


def _rate_key(ip: str) -> str:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        # One IPv6 client usually holds a whole /64: count it as one.
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def verification_rate_limit_hit(*, ip: str) -> RateLimit:
    """Count one lookup from ``ip`` and say whether it is within the limit.

    A fixed window in the shared cache, so every app server counts together: ``VERIFY_RATE_LIMIT``
    lookups (default 30) per ``VERIFY_RATE_WINDOW`` seconds (default 600) per client, page and API
    together. Every lookup counts, a no match included, so IDs cannot be enumerated.
    """
    limit = int(getattr(settings, "VERIFY_RATE_LIMIT", DEFAULT_RATE_LIMIT))
    window = max(1, int(getattr(settings, "VERIFY_RATE_WINDOW", DEFAULT_RATE_WINDOW)))
    now = int(clock.now().timestamp())
    slot = now // window
    key = f"verify-rate:{_rate_key(ip)}:{slot}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return RateLimit(allowed=count <= limit, retry_after=window - now % window)


# --- The holder's controls ----------------------------------------------------------------------------


@transaction.atomic
def sharing_visibility_set(*, holder: User, visibility: str, acting_user: User) -> SharingPreference:
    """Set what a lookup of ``holder`` shows; audited as ``sharing.visibility_changed`` when it changes."""
    if visibility not in Visibility.values:
        raise ApplicationError(
            _("Choose what a lookup shows."), code="invalid_visibility", field="visibility"
        )
    # No row reads as public (the model's default), so a new row starts as public too.
    preference, _created = SharingPreference.objects.select_for_update().get_or_create(holder=holder)
    previous = preference.lookup_visibility
    if previous == visibility:
        return preference
    preference.lookup_visibility = visibility
    preference.save(update_fields=["lookup_visibility", "updated_at"])
    audit_record(
        action="sharing.visibility_changed",
        target=preference,
        actor=acting_user,
        summary=f"{holder.program_id}: lookup shows {visibility} (was {previous})",
        data={"holder": holder.program_id, "from": previous, "to": visibility},
    )
    return preference


def _new_token() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


@transaction.atomic
def share_link_create(
    *,
    holder: User,
    acting_user: User | None,
    credential: Credential | None = None,
    label: str = "",
    kind: str = ShareLink.Kind.LINK,
) -> ShareLink:
    """Create a link that shows ``credential`` (or all of ``holder``'s credentials) to whoever has it;
    audited as ``share_link.created``. Raises ApplicationError if the credential is not the holder's to
    share."""
    if credential is not None and not shareable_credentials(holder).filter(pk=credential.pk).exists():
        raise ApplicationError(
            _("Choose one of your certifications."), code="credential_not_shareable", field="credential"
        )
    link = ShareLink.objects.create(
        holder=holder,
        token=_new_token(),
        kind=kind,
        label=label.strip()[:120],
        credential=credential,
        created_at=clock.now(),
    )
    audit_record(
        action="share_link.created",
        target=link,
        actor=acting_user,
        summary=f"{holder.program_id}: {kind} for {credential.test_code if credential else 'all'}",
        data={
            "holder": holder.program_id,
            "kind": kind,
            "credential": credential.test_code if credential else None,
            "label": link.label,
        },
    )
    return link


@transaction.atomic
def share_link_revoke(*, link: ShareLink, acting_user: User) -> ShareLink:
    """Stop ``link`` from showing anything; audited as ``share_link.revoked``. Revoking twice is a no-op."""
    locked = ShareLink.objects.select_for_update().get(pk=link.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = clock.now()
    locked.save(update_fields=["revoked_at"])
    audit_record(
        action="share_link.revoked",
        target=locked,
        actor=acting_user,
        summary=f"{locked.holder.program_id}: {locked.kind} {locked.label or locked.token[:6]} revoked",
        data={"holder": locked.holder.program_id, "kind": locked.kind},
    )
    return locked


@transaction.atomic
def certificate_link_get_or_create(*, holder: User) -> ShareLink:
    """Return the holder's active certificate link (the QR code's target), creating it on first use.

    One active per holder: the holder's row is locked while looking, so two certificates rendered at
    once share one link.
    """
    User.objects.select_for_update().filter(pk=holder.pk).first()
    link = ShareLink.objects.filter(
        holder=holder, kind=ShareLink.Kind.CERTIFICATE, revoked_at__isnull=True
    ).first()
    if link is not None:
        return link
    return share_link_create(holder=holder, acting_user=None, kind=ShareLink.Kind.CERTIFICATE)


def credential_verify_url(holder: User, request: HttpRequest | None = None) -> str:
    """Return the absolute URL the certificate's QR code opens (``SITE_URL``), creating the link on
    first use. Without a ``SITE_URL``, the URL is built from ``request``."""
    link = certificate_link_get_or_create(holder=holder)
    path = reverse("verify:link", kwargs={"token": link.token})
    base = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if not base and request is not None:
        return request.build_absolute_uri(path)
    return base + path


def share_url(link: ShareLink) -> str:
    return (getattr(settings, "SITE_URL", "") or "").rstrip("/") + reverse(
        "verify:link", kwargs={"token": link.token}
    )


def access_share_link_for_holder(user: User, link_id: int) -> ShareLink:
    """Return the share link ``link_id`` if ``user`` holds it; anyone else's, or none, is NotFound."""
    link = None
    if user.is_authenticated:
        link = ShareLink.objects.filter(pk=link_id, holder=user).select_related("holder").first()
    if link is None:
        raise NotFound(_("No such link."), code="share_link_not_found")
    return link


def share_link_list_for(holder: User) -> QuerySet[ShareLink]:
    """Return the holder's active links, certificate link first, newest first."""
    return (
        ShareLink.objects.filter(holder=holder, revoked_at__isnull=True)
        .select_related("credential")
        .order_by("kind", "-created_at")
    )


@dataclass(frozen=True)
class LogRow:
    who: str
    verifier_label: str
    what: str
    how: str
    channel: str
    when: dt.datetime


def holder_zone(holder: User) -> ZoneInfo:
    """The holder's time zone: their own when the profile has one, else the program's."""
    name = getattr(holder, "time_zone", "") or settings.TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return ZoneInfo(settings.TIME_ZONE)


def verification_log_for(holder: User, *, limit: int = LOG_LENGTH) -> list[LogRow]:
    """Return the latest verifications of ``holder``'s credentials: who, what, how and when (in the
    holder's time zone), newest first."""
    zone = holder_zone(holder)
    events = (
        VerificationEvent.objects.filter(holder=holder)
        .select_related("verifier", "credential")
        .order_by("-occurred_at", "-pk")[:limit]
    )
    return [
        LogRow(
            who=(e.verifier.get_full_name() if e.verifier is not None else "") or _("Someone"),
            verifier_label=e.verifier_label,
            what=e.credential.test_code if e.credential is not None else _("All credentials"),
            how=str(VerificationChannel(e.channel).label),
            channel=e.channel,
            when=e.occurred_at.astimezone(zone),
        )
        for e in events
    ]
