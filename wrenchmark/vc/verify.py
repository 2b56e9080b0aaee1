"""Verify a credential end to end and explain the result check by check.

Checks, each reported as a :class:`Check`:

``signature``
    Data Integrity (``eddsa-rdfc-2022`` or ``Ed25519Signature2020``, safe mode, allowed contexts,
    key controlled by the issuer) or VC-JOSE (``vc+jwt``, EdDSA, ``kid`` of the issuer).
``schema``
    VC 2.0 JSON Schema, plus the OB 3.0 AchievementCredential schema for Open Badges.
``issuer``
    The issuer id is in the caller's list of trusted issuers.
``expiry``
    ``validFrom <= now < validUntil`` (VC 2.0) or ``issuanceDate``/``expirationDate`` (VC 1.1).
``status``
    W3C Bitstring Status List entries (revocation, suspension): the list credential is fetched by
    the caller's ``status_fetcher``, its own proof and issuer are checked, then the bit is read.

``ok`` is ``True`` (passed), ``False`` (failed) or ``None`` (could not be checked, e.g. no
status fetcher, a status list that cannot be fetched, or a VC 1.1 document for the schemas).
Nothing here touches the network.

References: VC Data Model 2.0 (https://www.w3.org/TR/vc-data-model-2.0/), VC Data Integrity,
vc-di-eddsa, VC-JOSE-COSE, Bitstring Status List v1.0, Open Badges 3.0.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wrenchmark.vc.dates import parse_xml_datetime, require_aware
from wrenchmark.vc.errors import DIDError, VCError
from wrenchmark.vc.jose import jwt_decode, jwt_header
from wrenchmark.vc.jsonld import VC_V1_CONTEXT
from wrenchmark.vc.keys import DIDResolver, resolve_did_key, split_did_url
from wrenchmark.vc.proofs import issuer_id, verify_proofs
from wrenchmark.vc.schemas import schema_errors
from wrenchmark.vc.statuslist import (
    ENTRY_TYPE,
    LIST_CREDENTIAL_TYPE,
    LIST_TYPE,
    STATUS_PURPOSES,
    bit_is_set,
    decode_bitstring,
)

#: Returns the status list credential published at a URL, or raises. The URL comes from the
#: credential, so the fetcher decides what may be fetched (e.g. only the program's own status
#: URLs, over HTTPS, with a timeout and a size limit).
StatusFetcher = Callable[[str], Mapping[str, Any]]

CHECK_NAMES = ("signature", "schema", "issuer", "expiry", "status")
_MAX_STATUS_ENTRIES = 8


@dataclass(frozen=True)
class Check:
    """One verification step: ``ok`` is True, False, or None when it could not be checked."""

    name: str
    ok: bool | None
    message: str


@dataclass(frozen=True)
class VerificationReport:
    """The outcome of :func:`verify_credential`.

    Attributes
    ----------
    checks : tuple of Check
        One entry per check name in :data:`CHECK_NAMES`.
    status : str
        One word for the outcome: ``valid``, ``revoked``, ``suspended``, ``expired``,
        ``not_yet_valid``, ``invalid_signature``, ``unknown_issuer``, ``schema_invalid`` or
        ``malformed``. When several apply, the first in this order wins: ``malformed`` or
        ``invalid_signature`` (nothing else is then checked), ``revoked``, ``suspended``,
        ``schema_invalid``, ``unknown_issuer``, ``expired`` or ``not_yet_valid``.
    credential : mapping or None
        The credential (the JWT payload for a JWT), when it could be read.
    """

    checks: tuple[Check, ...]
    status: str
    credential: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def verified(self) -> bool:
        """True when the signature and validity period pass and no check failed."""
        signature, expiry = self.check("signature"), self.check("expiry")
        return (
            signature is not None
            and signature.ok is True
            and expiry is not None
            and expiry.ok is True
            and all(check.ok is not False for check in self.checks)
        )

    def check(self, name: str) -> Check | None:
        """Return the check called ``name``, if present."""
        return next((check for check in self.checks if check.name == name), None)


def verify_credential(
    document_or_jwt: Mapping[str, Any] | str,
    *,
    now: datetime,
    trusted_issuers: Collection[str] | None = None,
    resolve_did: DIDResolver | None = None,
    status_fetcher: StatusFetcher | None = None,
) -> VerificationReport:
    """Verify a credential (a Data Integrity JSON document or a ``vc+jwt``) at time ``now``.

    Parameters
    ----------
    document_or_jwt : mapping or str
        The credential as parsed JSON with an embedded ``proof``, or a compact JWS.
    now : datetime
        Timezone-aware time at which validity is judged.
    trusted_issuers : collection of str, optional
        Issuer ids (DIDs) to accept; ``None`` leaves the issuer check unchecked.
    resolve_did : mapping or callable, optional
        DID documents for did:web issuers (did:key needs none).
    status_fetcher : callable, optional
        Returns the status list credential for a URL; ``None`` leaves status unchecked.

    Returns
    -------
    VerificationReport
    """
    now = require_aware(now)
    credential, signature = _signature_check(document_or_jwt, resolve_did, now)
    if credential is None or signature.ok is not True:
        skipped = "Not checked: the signature did not verify."
        checks = (signature, *(Check(name, None, skipped) for name in CHECK_NAMES[1:]))
        status = (
            "malformed"
            if credential is None and signature.message.startswith("Malformed")
            else "invalid_signature"
        )
        return VerificationReport(checks=checks, status=status, credential=credential)
    expiry, expiry_word = _expiry_check(credential, now)
    status_check, status_word = _status_check(credential, now, resolve_did, status_fetcher)
    checks = (
        signature,
        _schema_check(credential),
        _issuer_check(credential, trusted_issuers),
        expiry,
        status_check,
    )
    return VerificationReport(
        checks=checks, status=_status_word(checks, expiry_word, status_word), credential=credential
    )


def _status_word(checks: tuple[Check, ...], expiry_word: str, status_word: str) -> str:
    # The signature holds here. The issuer's own statements (revoked, suspended) come first.
    by_name = {check.name: check for check in checks}
    if by_name["status"].ok is False:
        return status_word
    if by_name["schema"].ok is False:
        return "schema_invalid"
    if by_name["issuer"].ok is False:
        return "unknown_issuer"
    if by_name["expiry"].ok is False:
        return expiry_word
    return "valid"


def _signature_check(
    document_or_jwt: Any, resolver: DIDResolver | None, now: datetime
) -> tuple[Mapping[str, Any] | None, Check]:
    if isinstance(document_or_jwt, str):
        return _jwt_signature_check(document_or_jwt, resolver)
    if not isinstance(document_or_jwt, Mapping):
        return None, Check("signature", False, "Malformed: a credential is a JSON object or a JWT.")
    try:
        methods = verify_proofs(document_or_jwt, resolver=resolver, now=now)
    except VCError as exc:
        return document_or_jwt, Check("signature", False, f"{type(exc).__name__}: {exc}")
    except RecursionError:
        return None, Check("signature", False, "Malformed: the document is nested too deeply.")
    return document_or_jwt, Check(
        "signature", True, "Data Integrity proof verified with " + ", ".join(methods)
    )


def _jwt_signature_check(token: str, resolver: DIDResolver | None) -> tuple[Mapping[str, Any] | None, Check]:
    try:
        kid = jwt_header(token).get("kid")
        credential = jwt_decode(token, lambda kid: resolve_did_key(kid, resolver))
        did, fragment = split_did_url(kid) if isinstance(kid, str) else ("", None)
        if fragment is None or did != issuer_id(credential):
            return credential, Check("signature", False, "The JWT kid is not a key of the issuer.")
    except (VCError, DIDError) as exc:
        return None, Check("signature", False, f"{type(exc).__name__}: {exc}")
    return credential, Check("signature", True, f"JWT signature verified with {kid}")


def _schema_check(credential: Mapping[str, Any]) -> Check:
    errors = schema_errors(credential)
    if errors is None:
        return Check("schema", None, "Not checked: the bundled schemas describe VC 2.0 documents only.")
    if errors:
        return Check("schema", False, "; ".join(errors))
    return Check("schema", True, "Valid against the bundled JSON Schemas.")


def _issuer_check(credential: Mapping[str, Any], trusted: Collection[str] | None) -> Check:
    issuer = issuer_id(credential)
    if trusted is None:
        return Check("issuer", None, f"Not checked: no list of trusted issuers was given ({issuer}).")
    if issuer in trusted:
        return Check("issuer", True, f"Trusted issuer {issuer}.")
    return Check("issuer", False, f"Unknown issuer {issuer}.")


def _expiry_check(credential: Mapping[str, Any], now: datetime) -> tuple[Check, str]:
    contexts = credential.get("@context")
    legacy = isinstance(contexts, list) and contexts[:1] == [VC_V1_CONTEXT]
    start_name, end_name = ("issuanceDate", "expirationDate") if legacy else ("validFrom", "validUntil")
    try:
        start = parse_xml_datetime(credential[start_name]) if start_name in credential else None
        end = parse_xml_datetime(credential[end_name]) if end_name in credential else None
    except ValueError as exc:
        return Check("expiry", False, str(exc)), "malformed"
    if legacy and start is None:
        return Check("expiry", False, "issuanceDate is missing."), "malformed"
    if start is not None and end is not None and end < start:
        return Check("expiry", False, f"{end_name} is before {start_name}."), "malformed"
    if start is not None and now < start:
        return Check("expiry", False, f"Not valid before {credential[start_name]}."), "not_yet_valid"
    if end is not None and now >= end:
        return Check("expiry", False, f"Expired at {credential[end_name]}."), "expired"
    until = f" until {credential[end_name]}" if end is not None else ""
    return Check("expiry", True, f"Within the validity period{until}."), "valid"


def _status_check(
    credential: Mapping[str, Any],
    now: datetime,
    resolver: DIDResolver | None,
    fetcher: StatusFetcher | None,
) -> tuple[Check, str]:
    entries = credential.get("credentialStatus")
    if entries is None:
        return Check("status", True, "The credential has no status entry."), "valid"
    entries = entries if isinstance(entries, list) else [entries]
    if not entries or len(entries) > _MAX_STATUS_ENTRIES:
        return Check("status", None, "Unsupported number of status entries."), "valid"
    results = [_one_status(credential, entry, now, resolver, fetcher) for entry in entries]
    for word in ("revoked", "suspended"):
        hits = [message for result, message in results if result == word]
        if hits:
            return Check("status", False, "; ".join(hits)), word
    unknown = [message for result, message in results if result is None]
    if unknown:
        return Check("status", None, "; ".join(unknown)), "valid"
    return Check("status", True, "; ".join(message for _, message in results)), "valid"


def _one_status(
    credential: Mapping[str, Any],
    entry: Any,
    now: datetime,
    resolver: DIDResolver | None,
    fetcher: StatusFetcher | None,
) -> tuple[str | None, str]:
    if not isinstance(entry, Mapping) or entry.get("type") != ENTRY_TYPE:
        kind = entry.get("type") if isinstance(entry, Mapping) else type(entry).__name__
        return None, f"Unsupported status entry type {kind!r}."
    purpose, url, raw_index = (
        entry.get("statusPurpose"),
        entry.get("statusListCredential"),
        entry.get("statusListIndex"),
    )
    if purpose not in STATUS_PURPOSES or not isinstance(url, str):
        return None, f"Unsupported status entry (purpose {purpose!r})."
    if isinstance(raw_index, str) and raw_index.isdigit():
        index = int(raw_index)
    elif isinstance(raw_index, int) and not isinstance(raw_index, bool) and raw_index >= 0:
        index = raw_index
    else:
        return None, f"Invalid statusListIndex {raw_index!r}."
    where = f"{purpose} list {url} index {index}"
    if fetcher is None:
        return None, f"Not checked: no status fetcher ({where})."
    try:
        status_list = fetcher(url)
    except Exception as exc:
        return None, f"Could not fetch the {where}: {exc}"
    problem = _status_list_problem(status_list, credential, url, purpose, now, resolver)
    if problem:
        return None, f"{problem} ({where})."
    try:
        bits = decode_bitstring(status_list["credentialSubject"]["encodedList"])
        is_set = bit_is_set(bits, index)
    except VCError as exc:
        return None, f"{exc} ({where})."
    if is_set:
        return (
            "revoked" if purpose == "revocation" else "suspended"
        ), f"{purpose.capitalize()} bit set ({where})."
    return "clear", f"{purpose.capitalize()} bit clear ({where})."


def _status_list_problem(
    status_list: Any,
    credential: Mapping[str, Any],
    url: str,
    purpose: str,
    now: datetime,
    resolver: DIDResolver | None,
) -> str | None:
    if not isinstance(status_list, Mapping):
        return "The status list is not a JSON object"
    try:
        verify_proofs(status_list, resolver=resolver, now=now)
    except VCError as exc:
        return f"The status list credential does not verify: {exc}"
    if issuer_id(status_list) != issuer_id(credential):
        return "The status list has a different issuer than the credential"
    types = status_list.get("type")
    if not isinstance(types, list) or LIST_CREDENTIAL_TYPE not in types:
        return "Not a BitstringStatusListCredential"
    if status_list.get("id", url) != url:
        return "The status list id differs from its URL"
    expiry, _ = _expiry_check(status_list, now)
    if expiry.ok is not True:
        return f"The status list is not current: {expiry.message}"
    subject = status_list.get("credentialSubject")
    if not isinstance(subject, Mapping):
        return "The status list has no credentialSubject"
    subject_types = subject.get("type")
    if LIST_TYPE not in (subject_types if isinstance(subject_types, list) else [subject_types]):
        return "The status list subject is not a BitstringStatusList"
    if subject.get("statusPurpose") != purpose:
        return "The status list has a different statusPurpose"
    if subject.get("statusSize", 1) not in (1, "1"):
        return "Multi-bit statuses are not supported"
    return None
