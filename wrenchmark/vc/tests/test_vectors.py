"""Check our verifier against published test vectors.

* The Digital Credentials Consortium verifier fixtures (did:key issuer, eddsa-rdfc-2022 and
  Ed25519Signature2020 proofs, VC 1.1 and 2.0), in ``shared/validators/vc/vectors/dcc-verifier-core``.
* 1EdTech's Open Badges 3.0 validator vectors, for the schema check only (their keys are
  ``https://`` URLs that cannot be resolved offline).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from wrenchmark.vc import did_document, did_web, resolve_did_key, schema_errors, verify_credential
from wrenchmark.vc.tests.factories import DCC_VECTORS, OB_VECTORS, flip, leaves, load_json, with_leaf

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
DCC_DID = "did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"

VALID = [
    "eddsa/v2/v2EddsaWithValidStatus.json",
    "eddsaAndEd25519/v2/v2DoubleSigWithValidStatus.json",
    "eddsaAndEd25519/v2/v2DoubleSigWithBadStatusUrl.json",
    "v2/v2WithValidStatus.json",
    "v2/v2NoStatus.json",
    "v2/v2SimpleIssuerId.json",
    "v2/v2OBv3SpecExample.json",
    "v1/v1WithValidStatus.json",
    "v1/v1SimpleIssuerId.json",
]
EXPIRED = [
    "v2/v2Expired.json",
    "v2/v2ExpiredWithValidStatus.json",
    "v2/v2RevokedAndExpired.json",
    "v1/v1Expired.json",
    "v1/v1ExpiredWithValidStatus.json",
    "v1/v1RevokedAndExpired.json",
]
DID_WEB = [
    "v2/didWeb/v2didWebWithValidStatus.json",
    "v2/didWeb/v2didWebMultikeyWithValidStatus.json",
]


def vector(name: str) -> dict[str, Any]:
    return load_json(DCC_VECTORS / name)


@pytest.mark.parametrize("name", VALID)
def test_valid_did_key_vectors_are_accepted(name: str) -> None:
    report = verify_credential(vector(name), now=NOW)

    assert report.verified, report.checks
    assert report.status == "valid"
    assert report.check("signature").ok is True  # type: ignore[union-attr]
    status = report.check("status")
    assert status is not None
    if "credentialStatus" in vector(name):
        # Their status lists are remote: not checked, which is not a failure.
        assert status.ok is None
        assert "no status fetcher" in status.message


@pytest.mark.parametrize("name", EXPIRED)
def test_expired_vectors_are_flagged_expired(name: str) -> None:
    report = verify_credential(vector(name), now=NOW)

    assert not report.verified
    assert report.status == "expired"
    assert report.check("signature").ok is True  # type: ignore[union-attr]
    assert report.check("expiry").ok is False  # type: ignore[union-attr]


def test_the_expired_vector_was_valid_before_its_expiry() -> None:
    report = verify_credential(vector("v2/v2Expired.json"), now=datetime(2010, 6, 1, tzinfo=UTC))

    assert report.verified
    assert report.status == "valid"


def test_the_safe_mode_breaker_is_rejected_for_its_undefined_terms() -> None:
    report = verify_credential(vector("eddsa/v2/safeModeBreaker.json"), now=NOW)

    assert not report.verified
    assert report.status == "invalid_signature"
    message = report.check("signature").message  # type: ignore[union-attr]
    assert "UndefinedTermError" in message
    assert "endorsementJwt" in message


@pytest.mark.parametrize("name", VALID + EXPIRED)
def test_a_one_character_change_breaks_every_vector(name: str) -> None:
    original = vector(name)
    candidates = [
        (path, value)
        for path, value in leaves(original)
        if path[0] in ("credentialSubject", "name", "validFrom", "issuanceDate", "proof")
        and isinstance(value, str)
    ]
    assert len(candidates) >= 5
    for path, value in candidates:
        report = verify_credential(with_leaf(original, path, flip(value)), now=NOW)
        assert report.check("signature").ok is False, path  # type: ignore[union-attr]
        assert report.status == "invalid_signature"


@pytest.mark.parametrize("name", DID_WEB)
def test_did_web_vectors_verify_through_a_supplied_did_document(name: str) -> None:
    credential = vector(name)
    did = credential["issuer"]["id"] if isinstance(credential["issuer"], dict) else credential["issuer"]
    domain, *path = did.removeprefix("did:web:").split(":")
    assert did_web(domain, path) == did
    documents = {did: did_document(did, resolve_did_key(DCC_DID))}

    assert verify_credential(credential, now=NOW).status == "invalid_signature"
    report = verify_credential(credential, now=NOW, resolve_did=documents)
    assert report.verified, report.checks


@pytest.mark.parametrize(
    "name",
    [
        "simple.json",
        "complete.json",
        "simple-context-alias.json",
        "simple-context-version.json",
        "simple-did-key-method.json",
    ],
)
def test_1edtech_valid_badges_pass_the_schema_check(name: str) -> None:
    assert schema_errors(load_json(OB_VECTORS / name)) == []


@pytest.mark.parametrize(
    "name",
    [
        "simple-err-type.json",
        "simple-err-context.json",
        "simple-err-issuer.json",
        "simple-err-issuer-type.json",
        "simple-err-issued.json",
        "simple-err-credential-subject-type.json",
        "simple-err-credential-subject-identifier-type.json",
    ],
)
def test_1edtech_broken_badges_fail_the_schema_check(name: str) -> None:
    errors = schema_errors(load_json(OB_VECTORS / name))

    assert errors, name
    assert any(error.startswith("OB 3.0 schema") for error in errors)
