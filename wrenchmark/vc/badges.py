"""Open Badges 3.0 ``OpenBadgeCredential`` documents over the VC 2.0 data model.

Reference: Open Badges Specification 3.0 (https://www.imsglobal.org/spec/ob/v3p0/), section
"AchievementCredential" and the ``IdentityObject``/``IdentityHash`` data types; VC Data Model 2.0
(https://www.w3.org/TR/vc-data-model-2.0/).

The recipient is identified by a salted SHA-256 ``IdentityHash`` (``sha256$<hex>`` of the
identifier followed by the salt), so the credential does not disclose the holder's e-mail
address or ID; the holder proves it by revealing the identifier and the salt to a verifier.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from wrenchmark.vc.dates import xml_datetime
from wrenchmark.vc.jsonld import OB_V3_CONTEXT, VC_V2_CONTEXT

OB_CREDENTIAL_TYPE = "OpenBadgeCredential"
#: The ``identityType`` values this builder accepts (a subset of OB 3.0 IdentifierTypeEnum).
IDENTITY_TYPES = ("emailAddress", "identifier", "sourcedId", "systemId", "accountId")


def identity_hash(identity: str, salt: str) -> str:
    """Return the OB 3.0 IdentityHash ``"sha256$" + hex(sha256(identity + salt))`` (UTF-8)."""
    return "sha256$" + hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()


def identity_object(identity: str, salt: str, identity_type: str = "emailAddress") -> dict[str, Any]:
    """Return a hashed ``IdentityObject`` for a recipient identifier.

    E-mail addresses are trimmed and lower-cased before hashing (a verifier hashing what the
    holder types gets the same value); other identifiers are only trimmed.
    """
    if identity_type not in IDENTITY_TYPES:
        raise ValueError(f"Unsupported identityType {identity_type!r}.")
    if not salt:
        raise ValueError("A non-empty salt is required for a hashed identity.")
    value = identity.strip().lower() if identity_type == "emailAddress" else identity.strip()
    if not value:
        raise ValueError("The recipient identifier is empty.")
    return {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": identity_hash(value, salt),
        "identityType": identity_type,
        "salt": salt,
    }


def achievement_credential(
    *,
    credential_id: str,
    issuer_did: str,
    issuer_name: str,
    issuer_url: str,
    valid_from: datetime,
    valid_until: datetime | None,
    name: str,
    achievement_id: str,
    achievement_name: str,
    achievement_description: str,
    criteria_narrative: str,
    recipient_identity: str,
    recipient_salt: str,
    recipient_identity_type: str = "emailAddress",
    recipient_name: str | None = None,
    description: str | None = None,
    status_entries: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Return an unsigned Open Badges 3.0 ``OpenBadgeCredential`` for a certification.

    Parameters
    ----------
    credential_id : str
        The credential's id, a ``urn:uuid:…``.
    issuer_did : str
        The issuer Profile's id; sign with a key of this DID.
    issuer_name, issuer_url : str
        The issuer Profile's ``name`` and ``url``.
    valid_from, valid_until : datetime
        Timezone-aware validity period (``validUntil`` omitted when ``None``).
    name : str
        The credential's display name.
    achievement_id : str
        A URL identifying the achievement (the certification test).
    achievement_name, achievement_description, criteria_narrative : str
        The achievement's texts; the achievement type is ``Certification``.
    recipient_identity, recipient_salt, recipient_identity_type : str
        The holder's identifier (e-mail address by default) hashed with the salt into an
        ``IdentityObject`` (see :func:`identity_object`).
    recipient_name : str, optional
        The holder's display name, only if the holder agreed to disclose it.
    description : str, optional
        The credential's description.
    status_entries : sequence of mapping
        ``credentialStatus`` entries from :func:`wrenchmark.vc.statuslist.status_entry`. One
        entry is written as an object, several as an array.

    Notes
    -----
    OB 3.0 gives ``AchievementCredential.credentialStatus`` the multiplicity [0..1], and
    1EdTech's JSON Schema requires a single object, although VC 2.0 allows an array
    (lifting the limit is proposed for OB 3.1, 1EdTech/openbadges-specification#623). A
    credential with a revocation *and* a suspension entry is therefore valid VC 2.0 and
    verifies in VC tools, but fails the OB 3.0 schema; one revocation entry is the
    conformant choice.
    """
    if not credential_id.startswith("urn:uuid:"):
        raise ValueError("The credential id must be a urn:uuid.")
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [identity_object(recipient_identity, recipient_salt, recipient_identity_type)],
        "achievement": {
            "id": achievement_id,
            "type": ["Achievement"],
            "achievementType": "Certification",
            "name": achievement_name,
            "description": achievement_description,
            "criteria": {"narrative": criteria_narrative},
        },
    }
    if recipient_name:
        subject["name"] = recipient_name
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, OB_V3_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", OB_CREDENTIAL_TYPE],
        "issuer": {"id": issuer_did, "type": ["Profile"], "name": issuer_name, "url": issuer_url},
        "validFrom": xml_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = xml_datetime(valid_until)
    credential["name"] = name
    if description:
        credential["description"] = description
    credential["credentialSubject"] = subject
    if len(status_entries) == 1:
        credential["credentialStatus"] = dict(status_entries[0])
    elif status_entries:
        credential["credentialStatus"] = [dict(entry) for entry in status_entries]
    return credential
