"""Data Integrity proofs: sign with ``eddsa-rdfc-2022``, verify it and ``Ed25519Signature2020``.

References: Verifiable Credential Data Integrity 1.0 (https://www.w3.org/TR/vc-data-integrity/),
Data Integrity EdDSA Cryptosuites v1.0, ``eddsa-rdfc-2022``
(https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022), and the older Ed25519Signature2020 suite
(https://w3c-ccg.github.io/di-eddsa-2020/), which hashes the same way.

Both suites canonicalize the proof options (with the document's ``@context``) and the document
without ``proof`` using RDFC-1.0, hash each with SHA-256 and sign
``sha256(proof options) || sha256(document)`` with Ed25519. Before signing or verifying, every
term must be defined by the allowed contexts (see :func:`wrenchmark.vc.jsonld.require_defined_terms`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from wrenchmark.vc.dates import parse_xml_datetime, require_aware, xml_datetime
from wrenchmark.vc.errors import ContextNotAllowedError, DIDError, EncodingError, ProofError
from wrenchmark.vc.jsonld import (
    CONTEXT_FILES,
    VC_V1_CONTEXT,
    VC_V2_CONTEXT,
    canonicalize,
    require_defined_terms,
)
from wrenchmark.vc.keys import DIDResolver, Ed25519Key, resolve_did_key, split_did_url, verify_ed25519
from wrenchmark.vc.multibase import from_multibase_base58btc, multibase_base58btc

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"
ASSERTION_METHOD = "assertionMethod"


def issuer_id(document: Mapping[str, Any]) -> str:
    """Return the issuer's id, whether ``issuer`` is a string or a Profile object."""
    issuer = document.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(value, str) or not value:
        raise ProofError("The credential has no issuer id.")
    return value


def check_contexts(
    document: Mapping[str, Any], *, base: tuple[str, ...] = (VC_V2_CONTEXT, VC_V1_CONTEXT)
) -> None:
    """Require the expected contexts: the first is a VC base context, all are bundled URLs.

    Contexts are only accepted at the top level, so every term has the one meaning those
    contexts give it (the context check of VC Data Integrity, see w3c/vc-data-integrity#272).
    """
    contexts = document.get("@context")
    if not isinstance(contexts, list) or not contexts:
        raise ContextNotAllowedError("@context must be a non-empty list of context URLs.")
    if contexts[0] not in base:
        raise ContextNotAllowedError(f"The first @context must be one of {', '.join(base)}.")
    for context in contexts:
        if not isinstance(context, str) or context not in CONTEXT_FILES:
            raise ContextNotAllowedError(f"JSON-LD context not allowed: {context!r}.")
    if len(set(contexts)) != len(contexts):
        raise ContextNotAllowedError("@context lists a context twice.")
    if _has_nested_context({name: value for name, value in document.items() if name != "@context"}):
        raise ContextNotAllowedError("@context is only accepted at the top level of the document.")


def _has_nested_context(node: Any) -> bool:
    # A nested context could give terms a second meaning inside part of the document.
    if isinstance(node, list):
        return any(_has_nested_context(item) for item in node)
    if isinstance(node, Mapping):
        return "@context" in node or any(_has_nested_context(value) for value in node.values())
    return False


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _proofs(document: Mapping[str, Any]) -> list[Any]:
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def sign_credential(
    credential: Mapping[str, Any],
    key: Ed25519Key,
    verification_method: str,
    *,
    created: datetime,
) -> dict[str, Any]:
    """Return a copy of ``credential`` with an ``eddsa-rdfc-2022`` DataIntegrityProof added.

    Parameters
    ----------
    credential : mapping
        A VC 2.0 credential (first ``@context`` ``https://www.w3.org/ns/credentials/v2``).
        Existing proofs are kept (a proof set); the new proof does not cover them.
    key : Ed25519Key
        The issuer's signing key.
    verification_method : str
        The DID URL of the key, controlled by the issuer (see :func:`~wrenchmark.vc.keys.verification_method`).
    created : datetime
        Timezone-aware signing time, written as ``created`` (XML dateTime, UTC, ``Z``).

    Raises
    ------
    ContextNotAllowedError, UndefinedTermError
        If a context is not allowed or a property/type is not defined (safe mode).
    ProofError
        If the verification method does not belong to the issuer or does not match the key.
    """
    check_contexts(credential, base=(VC_V2_CONTEXT,))
    try:
        did, fragment = split_did_url(verification_method)
    except DIDError as exc:
        raise ProofError(str(exc)) from exc
    if fragment is None or did != issuer_id(credential):
        raise ProofError("The verification method must be a key (DID URL) of the issuer.")
    if did.startswith("did:key:") and resolve_did_key(verification_method) != key.public_bytes:
        raise ProofError("The did:key verification method does not match the signing key.")
    unsigned = {name: value for name, value in credential.items() if name != "proof"}
    require_defined_terms(unsigned)
    options = {
        "@context": list(credential["@context"]),
        "type": DATA_INTEGRITY_PROOF,
        "cryptosuite": EDDSA_RDFC_2022,
        "created": xml_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": ASSERTION_METHOD,
    }
    require_defined_terms(options)
    signature = key.sign(_sha256(canonicalize(options)) + _sha256(canonicalize(unsigned)))
    proof = {name: value for name, value in options.items() if name != "@context"}
    proof["proofValue"] = multibase_base58btc(signature)
    return {**unsigned, "proof": [*_proofs(credential), proof]}


def verify_proofs(
    document: Mapping[str, Any],
    *,
    resolver: DIDResolver | None = None,
    now: datetime | None = None,
) -> tuple[str, ...]:
    """Verify every Data Integrity proof of ``document``; return their verification methods.

    Accepted proofs: ``DataIntegrityProof`` with ``eddsa-rdfc-2022``, and ``Ed25519Signature2020``,
    each with ``proofPurpose`` ``assertionMethod`` and a verification method that is a DID URL
    of the issuer (did:key, or did:web through ``resolver``). The first ``@context`` must be
    the VC 2.0 or 1.1 base context and every context must be bundled.

    Raises
    ------
    ProofError
        Missing, unsupported or invalid proof, or a key that is not the issuer's.
    ContextNotAllowedError, UndefinedTermError, JsonLdError
        Context or safe-mode failures.
    """
    if not isinstance(document, Mapping):
        raise ProofError("A credential must be a JSON object.")
    proofs = _proofs(document)
    if not proofs:
        raise ProofError("The credential has no proof.")
    check_contexts(document)
    issuer = issuer_id(document)
    unsigned = {name: value for name, value in document.items() if name != "proof"}
    require_defined_terms(unsigned)
    document_hash = _sha256(canonicalize(unsigned))
    methods = []
    for proof in proofs:
        methods.append(_verify_one(document, proof, issuer, document_hash, resolver, now))
    return tuple(methods)


def _verify_one(
    document: Mapping[str, Any],
    proof: Any,
    issuer: str,
    document_hash: bytes,
    resolver: DIDResolver | None,
    now: datetime | None,
) -> str:
    if not isinstance(proof, Mapping):
        raise ProofError("A proof must be a JSON object.")
    kind = proof.get("type")
    if kind == DATA_INTEGRITY_PROOF:
        if proof.get("cryptosuite") != EDDSA_RDFC_2022:
            raise ProofError(f"Unsupported cryptosuite {proof.get('cryptosuite')!r}.")
    elif kind != ED25519_SIGNATURE_2020:
        raise ProofError(f"Unsupported proof type {kind!r}.")
    if proof.get("proofPurpose") != ASSERTION_METHOD:
        raise ProofError("The proof purpose must be assertionMethod.")
    method = proof.get("verificationMethod")
    if not isinstance(method, str):
        raise ProofError("The proof has no verification method.")
    try:
        did, fragment = split_did_url(method)
    except DIDError as exc:
        raise ProofError(str(exc)) from exc
    if fragment is None:
        raise ProofError("The verification method must be a DID URL with a key fragment.")
    if did != issuer:
        raise ProofError("The proof's verification method is not controlled by the issuer.")
    if "@context" in proof and proof["@context"] != document["@context"]:
        raise ProofError("The proof's @context differs from the document's.")
    for name in ("created", "expires"):
        if name in proof:
            try:
                parse_xml_datetime(proof[name])
            except ValueError as exc:
                raise ProofError(f"Invalid proof {name}: {exc}") from exc
    if now is not None and "expires" in proof and parse_xml_datetime(proof["expires"]) < require_aware(now):
        raise ProofError("The proof has expired.")
    try:
        signature = from_multibase_base58btc(proof.get("proofValue", ""))
    except EncodingError as exc:
        raise ProofError("proofValue is not multibase base58btc.") from exc
    if len(signature) != 64:
        raise ProofError("proofValue is not an Ed25519 signature.")
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    options["@context"] = document["@context"]
    require_defined_terms(options)
    try:
        public_key = resolve_did_key(method, resolver)
    except DIDError as exc:
        raise ProofError(f"Cannot resolve the verification method: {exc}") from exc
    if not verify_ed25519(public_key, signature, _sha256(canonicalize(options)) + document_hash):
        raise ProofError("The signature does not verify.")
    return method
