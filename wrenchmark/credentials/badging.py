"""The program's signed digital badges: issue one per certification period, publish the status lists.

A badge is an Open Badges 3.0 ``OpenBadgeCredential`` (VC Data Model 2.0) signed with the program's
Ed25519 key (Data Integrity ``eddsa-rdfc-2022``, and the same credential as a VC-JOSE JWT). Its
``credentialStatus`` points at two W3C Bitstring Status Lists this module publishes (revocation and
suspension); their bits are computed from the credentials' statuses when a list is served, so a
revocation shows on the next request. The private key never leaves this module: pages and the API see
only the DID, its public key and signatures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse

from wrenchmark import vc
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_record
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.credentials.models import (
    CURRENT_STATUSES,
    Badge,
    Credential,
    CredentialStatus,
    StatusList,
)

PURPOSES = {"revocation": CredentialStatus.REVOKED, "suspension": CredentialStatus.SUSPENDED}
WITHDRAWN_WORDS = {CredentialStatus.REVOKED: "revoked", CredentialStatus.SUSPENDED: "suspended"}
STATUS_LIST_SIZE = 131_072


@dataclass(frozen=True)
class Issuer:
    """Who signs: the DID, the verification method that names the key, and the key itself."""

    did: str
    verification_method: str
    name: str
    url: str
    key: vc.Ed25519Key

    def __repr__(self) -> str:  # never print the key
        return f"Issuer({self.did!r})"


def _seed() -> bytes:
    configured = (settings.BADGE_SIGNING_KEY or "").strip()
    if configured:
        try:
            seed = bytes.fromhex(configured)
        except ValueError:
            seed = b""
        if len(seed) != 32:
            raise ApplicationError(
                "BADGE_SIGNING_KEY must be 64 hexadecimal characters (a 32-byte Ed25519 seed).",
                code="badge_key_invalid",
            )
        return seed
    path = Path(settings.BADGE_SIGNING_KEY_PATH)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text(encoding="utf-8").strip())


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def issuer() -> Issuer:
    """The program's issuer identity: a did:key of the signing key, or did:web when a domain is set."""
    key = vc.Ed25519Key.from_seed(_seed())
    domain = settings.BADGE_DID_WEB_DOMAIN
    if domain:
        did = vc.did_web(domain)
        method = f"{did}#key-1"
    else:
        did = vc.did_key(key.public_bytes)
        method = vc.verification_method(did)
    return Issuer(
        did=did, verification_method=method, name=settings.BADGE_ISSUER_NAME, url=site_url(), key=key
    )


def did_document() -> dict[str, Any]:
    """The DID document served at /.well-known/did.json for did:web deployments."""
    me = issuer()
    return vc.did_document(me.did, me.key, verification_method=me.verification_method)


def status_list_url(number: int, purpose: str) -> str:
    return site_url() + reverse("credentials:status_list", args=[number, purpose])


def badge_available(credential: Credential) -> bool:
    """A badge is issued for a current certification only (not awaiting, expired or withdrawn)."""
    return credential.status in CURRENT_STATUSES and credential.certified_on is not None


def _valid_until(credential: Credential) -> dt.datetime:
    return dt.datetime.combine(credential.expires_on, dt.time(23, 59, 59), tzinfo=dt.UTC)


def _allocate() -> tuple[StatusList, int]:
    """A random free index in the newest list (random, so an index says nothing about its holder)."""
    status_list = StatusList.objects.select_for_update().order_by("-number").first()
    if status_list is None or Badge.objects.filter(status_list=status_list).count() >= status_list.size // 2:
        number = status_list.number + 1 if status_list else 1
        status_list = StatusList.objects.create(number=number, size=STATUS_LIST_SIZE, created_at=clock.now())
    used = set(Badge.objects.filter(status_list=status_list).values_list("status_index", flat=True))
    while True:
        index = secrets.randbelow(status_list.size)
        if index not in used:
            return status_list, index


def entry_purposes() -> list[str]:
    """The status entries a new badge carries. Open Badges 3.0 allows one ``credentialStatus``, so the
    default is revocation only; a suspension then shows in this program's own checks (which read the
    credential's live status) but not in independent verifiers. ``BADGE_STATUS_PURPOSES=revocation,suspension``
    adds the suspension entry for wallets that follow VC 2.0 rather than the OB 3.0 schema."""
    return [purpose for purpose in settings.BADGE_STATUS_PURPOSES if purpose in PURPOSES] or ["revocation"]


def badge_issue(credential: Credential) -> Badge:
    """Sign a badge for the credential's present period; earlier ones are marked superseded. Audited."""
    if not badge_available(credential):
        raise ApplicationError(
            f"{credential.test_code} is not a current certification, so it has no badge.", code="no_badge"
        )
    me = issuer()
    now = clock.now().replace(microsecond=0)
    test = credential.test
    valid_from_day = max(d for d in (credential.certified_on, credential.renewed_on) if d is not None)
    with transaction.atomic():
        status_list, index = _allocate()
        public_id = uuid.uuid4()
        unsigned = vc.achievement_credential(
            credential_id=f"urn:uuid:{public_id}",
            issuer_did=me.did,
            issuer_name=me.name,
            issuer_url=me.url,
            valid_from=dt.datetime.combine(valid_from_day, dt.time(0), tzinfo=dt.UTC),
            valid_until=_valid_until(credential),
            name=f"{test.code} {test.name} certification",
            achievement_id=site_url() + reverse("catalog:test_detail", args=[test.code]),
            achievement_name=f"{test.code} {test.name}",
            achievement_description=(
                f"Certified in {test.code} {test.name}: passed the {test.code} test and met the work-experience "
                "requirement of the program."
            ),
            criteria_narrative=(
                f"Pass the {test.code} certification test and document the required hands-on work experience; "
                "recertify every five years."
            ),
            recipient_identity=credential.holder.email,
            recipient_salt=secrets.token_hex(16),
            recipient_name=credential.holder.get_full_name(),
            status_entries=[
                vc.status_entry(status_list_url(status_list.number, purpose), index, purpose)
                for purpose in entry_purposes()
            ],
        )
        document = vc.sign_credential(unsigned, me.key, me.verification_method, created=now)
        token = vc.jwt_encode(unsigned, me.key, kid=me.verification_method)
        Badge.objects.filter(credential=credential, superseded_at=None).update(superseded_at=now)
        try:
            with transaction.atomic():
                badge = Badge.objects.create(
                    public_id=public_id,
                    credential=credential,
                    status_list=status_list,
                    status_index=index,
                    issued_at=now,
                    valid_until=_valid_until(credential),
                    issuer_id=me.did,
                    document=document,
                    jwt=token,
                )
        except IntegrityError:  # pragma: no cover - two issuers picked the same free index at once
            return badge_issue(credential)
        audit_record(
            action="badge.issued",
            target=credential,
            actor=None,
            summary=f"{credential.test_code} badge urn:uuid:{public_id} until {credential.expires_on}",
            data={"badge": str(public_id), "status_list": status_list.number, "index": index},
        )
    return badge


def badge_for(credential: Credential) -> Badge:
    """The badge for the credential's present period, issued on first request."""
    current = (
        Badge.objects.filter(credential=credential, superseded_at=None, valid_until=_valid_until(credential))
        .select_related("credential")
        .first()
    )
    if current is not None and current.issuer_id == issuer().did:
        return current
    return badge_issue(credential)


def status_list_bits(status_list: StatusList, purpose: str) -> set[int]:
    return set(
        Badge.objects.filter(status_list=status_list, credential__status=PURPOSES[purpose]).values_list(
            "status_index", flat=True
        )
    )


def status_list_credential(number: int, purpose: str) -> dict[str, Any] | None:
    """The signed status list credential ``number`` for ``purpose``; signed again only when a bit changed."""
    if purpose not in PURPOSES:
        return None
    status_list = StatusList.objects.filter(number=number).first()
    if status_list is None:
        return None
    encoded = vc.encode_bitstring(status_list_bits(status_list, purpose), size=status_list.size)
    me = issuer()
    digest = hashlib.sha256(f"{me.did}|{encoded}".encode()).hexdigest()[:32]
    key = f"statuslist:{number}:{purpose}:{digest}"
    document = cache.get(key)
    if document is None:
        now = clock.now().replace(microsecond=0)
        url = status_list_url(number, purpose)
        unsigned = vc.status_list_credential(url, purpose, encoded, me.did, now)
        document = vc.sign_credential(unsigned, me.key, me.verification_method, created=now)
        cache.set(key, document, timeout=None)
    return document


@dataclass(frozen=True)
class BadgeCheck:
    """The answer to "is this badge good?": the library's report, plus what this program knows live."""

    report: vc.VerificationReport
    status: str
    ours: Badge | None

    def as_dict(self) -> dict[str, Any]:
        subject = (self.report.credential or {}).get("credentialSubject") or {}
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        return {
            "verified": self.status == "valid",
            "status": self.status,
            "checks": [{"name": c.name, "ok": c.ok, "message": c.message} for c in self.report.checks],
            "issuer": _issuer_id(self.report.credential),
            "achievement": name
            if isinstance(achievement, dict) and isinstance(name := achievement.get("name"), str)
            else None,
            "issued_by_this_program": self.ours is not None,
        }


def _issuer_id(credential: Any) -> str | None:
    if not isinstance(credential, dict):
        return None
    issuer_value = credential.get("issuer")
    found = issuer_value.get("id") if isinstance(issuer_value, dict) else issuer_value
    return found if isinstance(found, str) else None


def _status_fetcher(url: str) -> dict[str, Any]:
    """Serve our own status lists from the database; never fetch a URL a submitted badge names."""
    prefix = site_url() + "/credentials/status/"
    if not url.startswith(prefix):
        raise LookupError("This server checks the status lists of its own badges only.")
    number, _, purpose = url[len(prefix) :].partition("/")
    document = status_list_credential(int(number), purpose) if number.isdigit() else None
    if document is None:
        raise LookupError("No such status list.")
    return document


def badge_verify(submitted: dict[str, Any] | str) -> BadgeCheck:
    """Check a submitted badge (JSON or JWT): signature, schema, issuer, validity period and status list.

    For a badge this program issued, the live state of the credential is the last word: a suspension
    shows even when the badge carries only a revocation entry (Open Badges 3.0 allows one)."""
    me = issuer()
    resolver = {me.did: did_document()} if me.did.startswith("did:web:") else None
    report = vc.verify_credential(
        submitted,
        now=clock.now(),
        trusted_issuers={me.did},
        resolve_did=resolver,
        status_fetcher=_status_fetcher,
    )
    status, ours = report.status, None
    credential_id = (report.credential or {}).get("id") if isinstance(report.credential, dict) else None
    signature = report.check("signature")
    if (
        signature is not None
        and signature.ok
        and isinstance(credential_id, str)
        and credential_id.startswith("urn:uuid:")
        and _issuer_id(report.credential) == me.did
    ):
        try:
            ours = Badge.objects.select_related("credential").filter(public_id=credential_id[9:]).first()
        except ValueError:
            ours = None
        if ours is not None and status == "valid" and ours.credential.status in WITHDRAWN_WORDS:
            status = WITHDRAWN_WORDS[CredentialStatus(ours.credential.status)]
    return BadgeCheck(report=report, status=status, ours=ours)
