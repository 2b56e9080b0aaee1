"""Verifiable credentials, framework-free: keys, Data Integrity and JOSE proofs, status lists, checks.

What the product issues and checks:

* **Open Badges 3.0** ``OpenBadgeCredential`` documents on the **W3C VC Data Model 2.0**
  (:func:`achievement_credential`), signed with a **Data Integrity** ``DataIntegrityProof`` using
  the ``eddsa-rdfc-2022`` cryptosuite (:func:`sign_credential`), or secured as a
  **VC-JOSE-COSE** ``vc+jwt`` (:func:`jwt_encode`).
* Issuers are identified by **did:key** or **did:web** with an Ed25519 key (:class:`Ed25519Key`,
  :func:`did_key`, :func:`did_web`, :func:`did_document`).
* Revocation and suspension use the **W3C Bitstring Status List v1.0**
  (:func:`status_entry`, :func:`encode_bitstring`, :func:`status_list_credential`).
* :func:`verify_credential` checks signature, JSON Schemas, trusted issuer, validity period and
  status, and returns a :class:`VerificationReport`.

JSON-LD processing is offline and closed: only the contexts bundled in ``data/contexts/`` load,
and any property or type those contexts do not define makes signing and verification fail
("safe mode"). Keys, DID documents, the clock and status-list fetching are passed in by the caller.
"""

from __future__ import annotations

from wrenchmark.vc.badges import achievement_credential, identity_hash, identity_object
from wrenchmark.vc.errors import (
    ContextNotAllowedError,
    DIDError,
    EncodingError,
    JsonLdError,
    JWTError,
    ProofError,
    StatusListError,
    UndefinedTermError,
    VCError,
)
from wrenchmark.vc.jose import jwt_decode, jwt_encode, jwt_header
from wrenchmark.vc.jsonld import (
    CONTEXT_FILES,
    OB_V3_CONTEXT,
    VC_V1_CONTEXT,
    VC_V2_CONTEXT,
    canonicalize,
    document_loader,
    expand,
    require_defined_terms,
    undefined_terms,
)
from wrenchmark.vc.keys import (
    DIDResolver,
    Ed25519Key,
    did_document,
    did_key,
    did_web,
    resolve_did_key,
    verification_method,
)
from wrenchmark.vc.proofs import sign_credential, verify_proofs
from wrenchmark.vc.schemas import schema_errors
from wrenchmark.vc.statuslist import (
    MIN_BITSTRING_SIZE,
    bit_is_set,
    decode_bitstring,
    encode_bitstring,
    set_bits,
    status_entry,
    status_list_credential,
)
from wrenchmark.vc.verify import Check, StatusFetcher, VerificationReport, verify_credential

__all__ = [
    "CONTEXT_FILES",
    "MIN_BITSTRING_SIZE",
    "OB_V3_CONTEXT",
    "VC_V1_CONTEXT",
    "VC_V2_CONTEXT",
    "Check",
    "ContextNotAllowedError",
    "DIDError",
    "DIDResolver",
    "Ed25519Key",
    "EncodingError",
    "JWTError",
    "JsonLdError",
    "ProofError",
    "StatusFetcher",
    "StatusListError",
    "UndefinedTermError",
    "VCError",
    "VerificationReport",
    "achievement_credential",
    "bit_is_set",
    "canonicalize",
    "decode_bitstring",
    "did_document",
    "did_key",
    "did_web",
    "document_loader",
    "encode_bitstring",
    "expand",
    "identity_hash",
    "identity_object",
    "jwt_decode",
    "jwt_encode",
    "jwt_header",
    "require_defined_terms",
    "resolve_did_key",
    "schema_errors",
    "set_bits",
    "sign_credential",
    "status_entry",
    "status_list_credential",
    "undefined_terms",
    "verification_method",
    "verify_credential",
    "verify_proofs",
]
