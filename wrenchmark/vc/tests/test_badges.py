"""Check the Open Badges 3.0 credential against the 1EdTech and W3C schemas and JSON-LD contexts."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from jsonschema import Draft201909Validator, Draft202012Validator

from wrenchmark.vc import expand, identity_hash, identity_object, schema_errors, undefined_terms
from wrenchmark.vc.tests.factories import (
    ISSUER_DID,
    badge,
    both_status_entries,
    load_json,
    signed_badge,
    validators_or_skip,
)


def shared_schema_errors(document: dict[str, Any]) -> list[str]:
    root = validators_or_skip()
    ob = Draft201909Validator(load_json(root / "openbadges" / "schema" / "achievementcredential.json"))
    vc = Draft202012Validator(load_json(root / "vc" / "schema" / "verifiable-credential-schema.json"))
    return [error.message for validator in (ob, vc) for error in validator.iter_errors(document)]


def test_the_signed_badge_passes_both_shared_schemas() -> None:
    assert shared_schema_errors(signed_badge()) == []
    assert schema_errors(signed_badge()) == []


def test_the_badge_without_optional_parts_passes_both_shared_schemas() -> None:
    document = badge(
        valid_until=None,
        status_entries=(),
        recipient_identity_type="identifier",
        recipient_identity="WM-000123",
    )

    assert "validUntil" not in document
    assert "credentialStatus" not in document
    assert shared_schema_errors(document) == []


def test_a_revocation_and_a_suspension_entry_are_vc_2_0_but_not_ob_3_0() -> None:
    # OB 3.0 allows at most one credentialStatus (1EdTech/openbadges-specification#623).
    document = signed_badge(status_entries=both_status_entries())

    assert isinstance(document["credentialStatus"], list)
    assert undefined_terms(document) == []
    errors = schema_errors(document)
    assert errors
    assert all(error.startswith("OB 3.0 schema $.credentialStatus") for error in errors)


def test_the_shared_schemas_would_catch_a_broken_badge() -> None:
    document = badge()
    del document["credentialSubject"]["achievement"]["criteria"]
    document["credentialSubject"]["identifier"][0]["identityType"] = "shoeSize"

    assert len(shared_schema_errors(document)) >= 2


def test_the_badge_has_the_ob_3_shape() -> None:
    document = badge()

    assert document["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["issuer"]["id"] == ISSUER_DID
    assert document["issuer"]["type"] == ["Profile"]
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Certification"
    assert achievement["criteria"]["narrative"]
    assert document["credentialStatus"]["statusPurpose"] == "revocation"
    assert "id" not in document["credentialSubject"]


def test_the_badge_expands_completely_with_the_bundled_contexts() -> None:
    assert undefined_terms(signed_badge()) == []
    assert len(expand(signed_badge())) == 1


def test_identity_hash_matches_the_ob_3_specification_example() -> None:
    # OB 3.0 IdentityHash: SHA-256 of 'a@example.com' salted with 'Kosher'.
    assert identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_the_recipient_is_identified_by_a_salted_hash_only() -> None:
    document = badge(recipient_identity=" Alice.Mechanic@Example.com ", recipient_salt="pepper")

    [identity] = document["credentialSubject"]["identifier"]
    expected = "sha256$" + hashlib.sha256(b"alice.mechanic@example.compepper").hexdigest()
    assert identity == {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": expected,
        "identityType": "emailAddress",
        "salt": "pepper",
    }
    assert "alice" not in str(document).lower()


@pytest.mark.parametrize(
    ("identity", "salt", "kind", "problem"),
    [
        ("a@example.com", "", "emailAddress", "salt"),
        ("  ", "s", "identifier", "empty"),
        ("x", "s", "ssn", "identityType"),
    ],
)
def test_identity_objects_need_a_salt_a_value_and_a_known_type(
    identity: str, salt: str, kind: str, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        identity_object(identity, salt, kind)


def test_the_credential_id_must_be_a_urn_uuid() -> None:
    with pytest.raises(ValueError, match="urn:uuid"):
        badge(credential_id="https://certs.wrenchmark.example/credentials/1")
