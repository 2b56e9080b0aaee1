"""Check the VC-JOSE-COSE ``vc+jwt`` form: round trip, header rules and tampering."""

from __future__ import annotations

import json

import pytest

from wrenchmark.vc import JWTError, jwt_decode, jwt_encode, jwt_header, resolve_did_key, verification_method
from wrenchmark.vc.multibase import base64url_decode, base64url_encode
from wrenchmark.vc.tests.factories import ISSUER_KEY, ISSUER_VM, OTHER_DID, OTHER_KEY, badge, signed_badge


def resolve(kid: str) -> bytes:
    return resolve_did_key(kid)


def _part(token: str, index: int) -> dict[str, object]:
    return json.loads(base64url_decode(token.split(".")[index]))


def _replace_part(token: str, index: int, value: dict[str, object]) -> str:
    parts = token.split(".")
    parts[index] = base64url_encode(json.dumps(value).encode())
    return ".".join(parts)


def test_a_jwt_round_trips_to_the_credential_without_its_proof() -> None:
    token = jwt_encode(signed_badge(), ISSUER_KEY, ISSUER_VM)

    assert "=" not in token
    assert jwt_header(token) == {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": ISSUER_VM}
    assert jwt_decode(token, resolve) == badge()
    assert "vc" not in _part(token, 1)


def test_a_tampered_payload_is_rejected() -> None:
    token = jwt_encode(badge(), ISSUER_KEY, ISSUER_VM)
    payload = _part(token, 1)
    payload["name"] = "A8 Engine Performance certification"

    with pytest.raises(JWTError, match="signature"):
        jwt_decode(_replace_part(token, 1, payload), resolve)


def test_a_flipped_signature_character_is_rejected() -> None:
    token = jwt_encode(badge(), ISSUER_KEY, ISSUER_VM)
    head, body, signature = token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]

    with pytest.raises(JWTError):
        jwt_decode(f"{head}.{body}.{flipped}", resolve)


@pytest.mark.parametrize(
    ("name", "value"),
    [("alg", "none"), ("alg", "HS256"), ("typ", "JWT"), ("cty", "json"), ("crit", ["exp"]), ("kid", "")],
)
def test_unexpected_headers_are_rejected(name: str, value: object) -> None:
    token = jwt_encode(badge(), ISSUER_KEY, ISSUER_VM)
    header = {**_part(token, 0), name: value}

    with pytest.raises(JWTError):
        jwt_decode(_replace_part(token, 0, header), resolve)


def test_a_token_signed_by_another_key_does_not_verify_under_the_issuers_kid() -> None:
    token = jwt_encode(badge(), OTHER_KEY, ISSUER_VM)

    with pytest.raises(JWTError, match="signature"):
        jwt_decode(token, resolve)
    assert jwt_decode(jwt_encode(badge(), OTHER_KEY, verification_method(OTHER_DID)), resolve) == badge()


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c.d", "!!!.e30.AA", "e30.e30.AA", "W10.e30.AA"])
def test_malformed_tokens_are_rejected(token: str) -> None:
    with pytest.raises(JWTError):
        jwt_decode(token, resolve)


def test_an_unresolvable_kid_is_a_jwt_error() -> None:
    token = jwt_encode(badge(), ISSUER_KEY, "did:web:certs.wrenchmark.example#key-1")

    with pytest.raises(JWTError, match="resolve"):
        jwt_decode(token, resolve)
