"""Check Ed25519 keys, did:key and did:web identifiers, DID documents and key resolution."""

from __future__ import annotations

import pytest

from wrenchmark.vc import (
    DIDError,
    Ed25519Key,
    did_document,
    did_key,
    did_web,
    resolve_did_key,
    verification_method,
)
from wrenchmark.vc.keys import public_key_multibase, verify_ed25519
from wrenchmark.vc.multibase import base58btc_decode, base58btc_encode, from_multibase_base58btc
from wrenchmark.vc.tests.factories import ISSUER_DID, ISSUER_KEY, OTHER_KEY

# RFC 8032 section 7.1, TEST 1.
RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_SIGNATURE = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)
# The issuer key of the Digital Credentials Consortium's verifier fixtures.
DCC_DID = "did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"


def test_a_key_from_the_rfc_8032_seed_has_the_published_public_key_and_signature() -> None:
    key = Ed25519Key.from_seed(RFC8032_SEED)

    assert key.public_bytes == RFC8032_PUBLIC
    assert key.sign(b"") == RFC8032_SIGNATURE
    assert verify_ed25519(RFC8032_PUBLIC, RFC8032_SIGNATURE, b"")
    assert not verify_ed25519(RFC8032_PUBLIC, RFC8032_SIGNATURE, b"x")


def test_the_seed_stays_out_of_repr_and_must_be_32_bytes() -> None:
    assert RFC8032_SEED.hex() not in repr(Ed25519Key.from_seed(RFC8032_SEED))
    with pytest.raises(ValueError, match="32 bytes"):
        Ed25519Key(b"short")


def test_generated_keys_differ() -> None:
    assert Ed25519Key.generate().public_bytes != Ed25519Key.generate().public_bytes


def test_did_key_is_multicodec_ed25519_in_base58btc() -> None:
    did = did_key(RFC8032_PUBLIC)

    assert did.startswith("did:key:z6Mk")
    raw = from_multibase_base58btc(did.removeprefix("did:key:"))
    assert raw == b"\xed\x01" + RFC8032_PUBLIC


def test_a_published_did_key_round_trips() -> None:
    public = resolve_did_key(DCC_DID)

    assert len(public) == 32
    assert did_key(public) == DCC_DID


def test_base58_keeps_leading_zero_bytes() -> None:
    for data in (b"", b"\0", b"\0\0\x01", bytes(range(40))):
        assert base58btc_decode(base58btc_encode(data)) == data
    assert base58btc_encode(b"\0\0\x01") == "112"


def test_the_did_key_verification_method_is_the_did_with_its_fingerprint() -> None:
    method = verification_method(ISSUER_DID)

    assert method == f"{ISSUER_DID}#{ISSUER_DID.removeprefix('did:key:')}"
    assert resolve_did_key(method) == ISSUER_KEY.public_bytes


def test_a_did_key_fragment_for_another_key_is_refused() -> None:
    other = did_key(OTHER_KEY.public_bytes).removeprefix("did:key:")

    with pytest.raises(DIDError):
        resolve_did_key(f"{ISSUER_DID}#{other}")


@pytest.mark.parametrize(
    "bad", ["", "did:key:", "did:key:zzz", "did:key:abc", "https://example.com/key", "did:example:1"]
)
def test_unparseable_dids_are_refused(bad: str) -> None:
    with pytest.raises(DIDError):
        resolve_did_key(bad)


def test_did_web_encodes_the_port_and_path() -> None:
    assert did_web("certs.wrenchmark.example") == "did:web:certs.wrenchmark.example"
    assert did_web("localhost:8443", ["issuers", "ase"]) == "did:web:localhost%3A8443:issuers:ase"
    with pytest.raises(DIDError):
        did_web("bad host")
    with pytest.raises(DIDError):
        did_web("example.com", ["a/b"])


def test_the_did_web_document_lists_a_multikey_for_assertion_and_authentication() -> None:
    did = did_web("certs.wrenchmark.example")
    document = did_document(did, ISSUER_KEY)
    method = verification_method(did, ISSUER_KEY.public_bytes)

    assert document["id"] == did
    assert document["verificationMethod"] == [
        {
            "id": method,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_key_multibase(ISSUER_KEY.public_bytes),
        }
    ]
    assert document["assertionMethod"] == [method]
    assert document["authentication"] == [method]
    assert resolve_did_key(method, {did: document}) == ISSUER_KEY.public_bytes
    assert resolve_did_key(method, lambda requested: {did: document}[requested]) == ISSUER_KEY.public_bytes


def test_the_did_document_can_name_its_key_with_a_chosen_fragment() -> None:
    did = did_web("certs.wrenchmark.example")
    document = did_document(did, ISSUER_KEY, verification_method=f"{did}#key-1")

    assert document["assertionMethod"] == [f"{did}#key-1"]
    assert resolve_did_key(f"{did}#key-1", {did: document}) == ISSUER_KEY.public_bytes
    with pytest.raises(DIDError):
        did_document(did, ISSUER_KEY, verification_method="did:web:elsewhere.example#key-1")
    with pytest.raises(DIDError):
        did_document(did, ISSUER_KEY, verification_method=did)


def test_did_web_resolves_only_through_the_callers_documents() -> None:
    did = did_web("certs.wrenchmark.example")
    method = verification_method(did, ISSUER_KEY.public_bytes)
    document = did_document(did, ISSUER_KEY)

    with pytest.raises(DIDError):
        resolve_did_key(method)
    with pytest.raises(DIDError):
        resolve_did_key(method, {})
    with pytest.raises(DIDError):
        resolve_did_key(method, {did: {**document, "id": "did:web:elsewhere.example"}})
    with pytest.raises(DIDError):
        resolve_did_key(method, {did: {**document, "assertionMethod": []}})
    with pytest.raises(DIDError):
        resolve_did_key(did, {did: document})
