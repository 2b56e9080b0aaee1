"""Check eddsa-rdfc-2022 signing and verification, tamper evidence and safe mode."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wrenchmark.vc import (
    ContextNotAllowedError,
    ProofError,
    UndefinedTermError,
    VCError,
    sign_credential,
    verification_method,
    verify_credential,
    verify_proofs,
)
from wrenchmark.vc.tests.factories import (
    ISSUED_AT,
    ISSUER_DID,
    ISSUER_KEY,
    ISSUER_VM,
    OTHER_DID,
    OTHER_KEY,
    badge,
    flip,
    leaves,
    signed_badge,
    with_leaf,
)


def test_a_signed_badge_carries_one_eddsa_rdfc_2022_proof_that_verifies() -> None:
    signed = signed_badge()

    [proof] = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == ISSUER_VM
    assert proof["created"] == "2026-11-28T09:30:00Z"
    assert proof["proofValue"].startswith("z")
    assert verify_proofs(signed) == (ISSUER_VM,)


def test_signing_is_deterministic_and_leaves_the_input_alone() -> None:
    unsigned = badge()
    before = json.dumps(unsigned, sort_keys=True)

    assert sign_credential(unsigned, ISSUER_KEY, ISSUER_VM, created=ISSUED_AT) == signed_badge()
    assert json.dumps(unsigned, sort_keys=True) == before


def test_changing_any_single_leaf_breaks_verification() -> None:
    signed = signed_badge()
    checked = 0
    for path, value in leaves(signed):
        tampered = with_leaf(signed, path, flip(value))
        with pytest.raises(VCError):
            verify_proofs(tampered)
        report = verify_credential(tampered, now=ISSUED_AT)
        assert report.check("signature").ok is False, path  # type: ignore[union-attr]
        assert not report.verified
        checked += 1
    assert checked > 30


@pytest.mark.parametrize(
    ("where", "extra"),
    [
        ((), {"mechanicNote": "rush job"}),
        (("credentialSubject",), {"shopRating": 5}),
        (("credentialSubject", "achievement"), {"passingScore": "71%"}),
        (("issuer",), {"taxId": "12-3456789"}),
    ],
)
def test_an_added_undefined_property_fails_in_safe_mode(
    where: tuple[str, ...], extra: dict[str, Any]
) -> None:
    signed = signed_badge()
    node = signed
    for step in where:
        node = node[step]
    node.update(extra)

    with pytest.raises(UndefinedTermError):
        verify_proofs(signed)


def test_signing_refuses_undefined_terms() -> None:
    with pytest.raises(UndefinedTermError):
        sign_credential({**badge(), "mechanicNote": "x"}, ISSUER_KEY, ISSUER_VM, created=ISSUED_AT)


def test_signing_refuses_a_key_that_is_not_the_issuers() -> None:
    with pytest.raises(ProofError):
        sign_credential(badge(), OTHER_KEY, verification_method(OTHER_DID), created=ISSUED_AT)
    with pytest.raises(ProofError):
        sign_credential(badge(), OTHER_KEY, ISSUER_VM, created=ISSUED_AT)


def test_signing_requires_the_vc_2_0_base_context_first() -> None:
    unsigned = badge()
    unsigned["@context"] = list(reversed(unsigned["@context"]))

    with pytest.raises(ContextNotAllowedError):
        sign_credential(unsigned, ISSUER_KEY, ISSUER_VM, created=ISSUED_AT)


def test_a_context_inside_the_document_is_refused() -> None:
    signed = signed_badge()
    signed["credentialSubject"]["@context"] = "https://www.w3.org/ns/credentials/v2"

    with pytest.raises(ContextNotAllowedError, match="top level"):
        verify_proofs(signed)


def test_a_valid_proof_by_another_key_does_not_make_it_the_issuers_credential() -> None:
    # Re-issue under the other DID, then claim the original issuer: the key no longer belongs to it.
    forged = sign_credential(
        badge(issuer_did=OTHER_DID), OTHER_KEY, verification_method(OTHER_DID), created=ISSUED_AT
    )
    forged["issuer"]["id"] = ISSUER_DID

    with pytest.raises(ProofError, match="not controlled by the issuer"):
        verify_proofs(forged)


def test_a_second_proof_is_added_as_a_proof_set_and_both_verify() -> None:
    twice = sign_credential(signed_badge(), ISSUER_KEY, ISSUER_VM, created=ISSUED_AT.replace(hour=10))

    assert len(twice["proof"]) == 2
    assert verify_proofs(twice) == (ISSUER_VM, ISSUER_VM)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("type", "Ed25519Signature2018"),
        ("cryptosuite", "ecdsa-rdfc-2019"),
        ("proofPurpose", "authentication"),
        ("verificationMethod", ISSUER_DID),
        ("proofValue", "not-multibase"),
        ("proofValue", "z2"),
    ],
)
def test_malformed_or_unsupported_proofs_are_refused(name: str, value: str) -> None:
    signed = signed_badge()
    signed["proof"][0][name] = value

    with pytest.raises(ProofError):
        verify_proofs(signed)


def test_a_credential_without_proof_is_refused() -> None:
    with pytest.raises(ProofError, match="no proof"):
        verify_proofs(badge())
