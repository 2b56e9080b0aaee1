"""VC-JOSE-COSE: a credential secured as a compact JWS (``vc+jwt``) signed with EdDSA.

References: Securing Verifiable Credentials using JOSE and COSE
(https://www.w3.org/TR/vc-jose-cose/#securing-with-jose), RFC 7515 (JWS compact
serialization), RFC 8037 (``EdDSA`` with Ed25519). The payload is the credential itself
(VC 2.0: no ``vc`` wrapper claim); the signature covers the exact bytes, with no canonicalization.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from wrenchmark.vc.errors import EncodingError, JWTError
from wrenchmark.vc.keys import Ed25519Key, verify_ed25519
from wrenchmark.vc.multibase import base64url_decode, base64url_encode

JWT_ALG = "EdDSA"
JWT_TYP = "vc+jwt"
JWT_CTY = "vc"
MAX_TOKEN_LENGTH = 1_000_000


def _compact_json(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def jwt_encode(credential: Mapping[str, Any], key: Ed25519Key, kid: str) -> str:
    """Return the credential as a compact JWS ``header.payload.signature`` (base64url, no padding).

    The protected header is ``{"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": kid}``;
    ``kid`` is the verification method (DID URL) of ``key``. Any embedded ``proof`` is dropped.
    """
    header = {"alg": JWT_ALG, "typ": JWT_TYP, "cty": JWT_CTY, "kid": kid}
    payload = {name: value for name, value in credential.items() if name != "proof"}
    signing_input = base64url_encode(_compact_json(header)) + "." + base64url_encode(_compact_json(payload))
    signature = key.sign(signing_input.encode("ascii"))
    return signing_input + "." + base64url_encode(signature)


def _strict_object(data: bytes, what: str) -> dict[str, Any]:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, value in pairs:
            if name in result:
                raise JWTError(f"Duplicate member {name!r} in the JWT {what}.")
            result[name] = value
        return result

    def no_constants(name: str) -> Any:
        raise JWTError(f"Non-JSON number {name} in the JWT {what}.")

    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=no_constants)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise JWTError(f"The JWT {what} is not JSON.") from exc
    if not isinstance(value, dict):
        raise JWTError(f"The JWT {what} is not a JSON object.")
    return value


def jwt_header(token: str) -> dict[str, Any]:
    """Return the (unverified) protected header of a compact JWS, e.g. to read ``kid``."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise JWTError("Not a compact JWS (three base64url parts).")
    try:
        return _strict_object(base64url_decode(token.split(".")[0]), "header")
    except EncodingError as exc:
        raise JWTError("The JWT header is not base64url.") from exc


def jwt_decode(token: str, resolve_key: Callable[[str], bytes]) -> dict[str, Any]:
    """Verify a ``vc+jwt`` and return its payload (the credential).

    Parameters
    ----------
    token : str
        The compact JWS.
    resolve_key : callable
        Called with the header's ``kid``; returns the 32-byte Ed25519 public key, or raises.

    Raises
    ------
    JWTError
        Malformed token, ``alg`` other than EdDSA, ``typ`` other than ``vc+jwt``, a ``crit``
        header, an unresolvable ``kid``, or a bad signature.
    """
    header = jwt_header(token)
    if header.get("alg") != JWT_ALG:
        raise JWTError(f"Unexpected JWT alg {header.get('alg')!r}; only EdDSA is accepted.")
    if header.get("typ") != JWT_TYP:
        raise JWTError(f"Unexpected JWT typ {header.get('typ')!r}; expected {JWT_TYP}.")
    if "cty" in header and header["cty"] != JWT_CTY:
        raise JWTError(f"Unexpected JWT cty {header.get('cty')!r}.")
    if "crit" in header:
        raise JWTError("JWT critical header parameters are not supported.")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise JWTError("The JWT header has no kid.")
    encoded_header, encoded_payload, encoded_signature = token.split(".")
    try:
        payload_bytes = base64url_decode(encoded_payload)
        signature = base64url_decode(encoded_signature)
    except EncodingError as exc:
        raise JWTError("The JWT is not base64url.") from exc
    try:
        public_key = resolve_key(kid)
    except Exception as exc:
        raise JWTError(f"Cannot resolve the JWT key {kid!r}: {exc}") from exc
    signing_input = f"{encoded_header}.{encoded_payload}".encode("ascii")
    if not verify_ed25519(public_key, signature, signing_input):
        raise JWTError("The JWT signature does not verify.")
    return _strict_object(payload_bytes, "payload")
