"""Ed25519 keys and the two DID methods the product uses: did:key and did:web.

References: did:key (https://w3c-ccg.github.io/did-key-spec/), did:web
(https://w3c-ccg.github.io/did-method-web/), Controlled Identifiers / Multikey
(https://www.w3.org/TR/cid-1.0/#Multikey) and the multicodec table (``ed25519-pub`` = 0xed).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from wrenchmark.vc.errors import DIDError, EncodingError
from wrenchmark.vc.multibase import from_multibase_base58btc, multibase_base58btc

#: Multicodec prefix of an Ed25519 public key (varint of 0xed).
ED25519_PUB_MULTICODEC = b"\xed\x01"

DID_V1_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1_CONTEXT = "https://w3id.org/security/multikey/v1"

#: A caller-supplied way to get a DID document: a mapping DID -> document, or a function.
DIDResolver = Mapping[str, Mapping[str, Any]] | Callable[[str], Mapping[str, Any]]

_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$")
_PATH_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")


@dataclass(frozen=True)
class Ed25519Key:
    """An Ed25519 signing key built from its 32-byte seed (RFC 8032).

    The seed is the secret; it is left out of ``repr`` so it does not end up in logs.
    """

    seed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.seed, bytes) or len(self.seed) != 32:
            raise ValueError("An Ed25519 seed is exactly 32 bytes.")

    @classmethod
    def generate(cls) -> Ed25519Key:
        """Return a new key from 32 bytes of the operating system's CSPRNG."""
        return cls(secrets.token_bytes(32))

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519Key:
        """Return the key for a stored 32-byte seed."""
        return cls(bytes(seed))

    @property
    def public_bytes(self) -> bytes:
        """The 32-byte raw public key."""
        return (
            Ed25519PrivateKey.from_private_bytes(self.seed)
            .public_key()
            .public_bytes(Encoding.Raw, PublicFormat.Raw)
        )

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of ``message``."""
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)


def verify_ed25519(public_bytes: bytes, signature: bytes, message: bytes) -> bool:
    """Return whether ``signature`` is a valid Ed25519 signature of ``message``."""
    if len(public_bytes) != 32 or len(signature) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_bytes).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def public_key_multibase(public_bytes: bytes) -> str:
    """Return the Multikey ``publicKeyMultibase`` value (``z6Mk…``) of an Ed25519 public key."""
    if len(public_bytes) != 32:
        raise ValueError("An Ed25519 public key is exactly 32 bytes.")
    return multibase_base58btc(ED25519_PUB_MULTICODEC + public_bytes)


def public_key_from_multibase(value: str) -> bytes:
    """Decode a ``publicKeyMultibase`` (``z6Mk…``) back to the 32-byte Ed25519 public key."""
    try:
        raw = from_multibase_base58btc(value)
    except EncodingError as exc:
        raise DIDError(f"Not a multibase Ed25519 public key: {value!r}.") from exc
    if not raw.startswith(ED25519_PUB_MULTICODEC) or len(raw) != 34:
        raise DIDError(f"Not a multibase Ed25519 public key: {value!r}.")
    return raw[2:]


def did_key(public_bytes: bytes) -> str:
    """Return the did:key DID of an Ed25519 public key, ``did:key:z6Mk…``."""
    return "did:key:" + public_key_multibase(public_bytes)


def did_web(domain: str, path: Sequence[str] = ()) -> str:
    """Return the did:web DID for ``domain`` (optionally with a port) and path segments.

    ``did_web("certs.example.org")`` is resolved from
    ``https://certs.example.org/.well-known/did.json``; with path segments
    ``["issuers", "ase"]`` it is resolved from ``https://certs.example.org/issuers/ase/did.json``.
    """
    host = domain.strip().lower()
    if not _HOST.match(host):
        raise DIDError(f"Not a host name for did:web: {domain!r}.")
    parts = [quote(host, safe="")]
    for segment in path:
        if not _PATH_SEGMENT.match(segment):
            raise DIDError(f"Not a did:web path segment: {segment!r}.")
        parts.append(segment)
    return "did:web:" + ":".join(parts)


def _default_method(did: str, public_bytes: bytes | None) -> str:
    return verification_method(did, public_bytes)


def verification_method(did: str, public_bytes: bytes | None = None) -> str:
    """Return the verification method id (a DID URL) of the issuer's key.

    For did:key it is ``did + "#" + fingerprint`` and the key is implied. For did:web the
    fragment is the key's ``publicKeyMultibase`` as well, so ``public_bytes`` is required
    (it must match :func:`did_document`).
    """
    if did.startswith("did:key:"):
        return f"{did}#{did.removeprefix('did:key:')}"
    if did.startswith("did:web:"):
        if public_bytes is None:
            raise DIDError("A did:web verification method needs the public key.")
        return f"{did}#{public_key_multibase(public_bytes)}"
    raise DIDError(f"Unsupported DID method: {did!r}.")


def did_document(
    did: str, key: Ed25519Key | bytes, *, verification_method: str | None = None
) -> dict[str, Any]:
    """Return the DID document to publish for ``did`` (e.g. at ``/.well-known/did.json``).

    It has one ``Multikey`` verification method, referenced from ``assertionMethod`` (used by
    credential proofs) and ``authentication``. Its id is ``verification_method`` when given
    (a DID URL of ``did``, such as ``did + "#key-1"``), else the default of
    :func:`verification_method`.
    """
    public_bytes = key.public_bytes if isinstance(key, Ed25519Key) else key
    method_id = verification_method or _default_method(did, public_bytes)
    owner, fragment = split_did_url(method_id)
    if owner != did or not fragment:
        raise DIDError(f"{method_id!r} is not a key fragment of {did!r}.")
    return {
        "@context": [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
        "id": did,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": public_key_multibase(public_bytes),
            }
        ],
        "assertionMethod": [method_id],
        "authentication": [method_id],
    }


def split_did_url(did_url: str) -> tuple[str, str | None]:
    """Split a DID URL into ``(did, fragment)``; the fragment is ``None`` when absent."""
    if not isinstance(did_url, str) or not did_url.startswith("did:"):
        raise DIDError(f"Not a DID: {did_url!r}.")
    did, sep, fragment = did_url.partition("#")
    if "?" in did or "/" in did:
        raise DIDError(f"DID URLs with a path or query are not supported: {did_url!r}.")
    return did, (fragment if sep else None)


def resolve_did_key(
    did_or_vm: str,
    resolver: DIDResolver | None = None,
    *,
    purpose: str = "assertionMethod",
) -> bytes:
    """Return the Ed25519 public key named by a DID or verification method.

    did:key is decoded directly (a fragment, if given, must be the key's fingerprint).
    did:web is looked up only through ``resolver`` (a mapping or function from DID to DID
    document); the method must be listed under ``purpose`` in that document. Nothing is
    fetched over the network.
    """
    did, fragment = split_did_url(did_or_vm)
    if did.startswith("did:key:"):
        fingerprint = did.removeprefix("did:key:")
        if fragment is not None and fragment != fingerprint:
            raise DIDError(f"did:key fragment does not match the key: {did_or_vm!r}.")
        return public_key_from_multibase(fingerprint)
    if did.startswith("did:web:"):
        if resolver is None:
            raise DIDError(f"No DID document available for {did!r}.")
        if fragment is None:
            raise DIDError(f"A did:web verification method needs a fragment: {did_or_vm!r}.")
        document = _lookup(resolver, did)
        return _key_from_document(document, did, f"{did}#{fragment}", purpose)
    raise DIDError(f"Unsupported DID method: {did!r}.")


def _lookup(resolver: DIDResolver, did: str) -> Mapping[str, Any]:
    try:
        document = resolver[did] if isinstance(resolver, Mapping) else resolver(did)
    except KeyError:
        raise DIDError(f"No DID document available for {did!r}.") from None
    if not isinstance(document, Mapping) or document.get("id") != did:
        raise DIDError(f"The DID document does not describe {did!r}.")
    return document


def _absolute(reference: Any, did: str) -> Any:
    if isinstance(reference, str) and reference.startswith("#"):
        return did + reference
    return reference


def _key_from_document(document: Mapping[str, Any], did: str, method_id: str, purpose: str) -> bytes:
    allowed = document.get(purpose) or []
    allowed_ids = {
        _absolute(entry.get("id") if isinstance(entry, Mapping) else entry, did) for entry in allowed
    }
    if method_id not in allowed_ids:
        raise DIDError(f"{method_id!r} is not listed under {purpose} in the DID document.")
    candidates = [entry for entry in allowed if isinstance(entry, Mapping)]
    candidates += list(document.get("verificationMethod") or [])
    for method in candidates:
        if isinstance(method, Mapping) and _absolute(method.get("id"), did) == method_id:
            if method.get("controller") != did:
                raise DIDError(f"{method_id!r} is not controlled by {did!r}.")
            if method.get("type") not in ("Multikey", "Ed25519VerificationKey2020"):
                raise DIDError(f"Unsupported verification method type {method.get('type')!r}.")
            return public_key_from_multibase(method.get("publicKeyMultibase", ""))
    raise DIDError(f"{method_id!r} is not in the DID document.")
