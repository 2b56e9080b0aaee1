"""Check Bitstring Status List encoding, decoding, entries and list credentials."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wrenchmark.vc import (
    MIN_BITSTRING_SIZE,
    StatusListError,
    bit_is_set,
    decode_bitstring,
    encode_bitstring,
    set_bits,
    status_entry,
    status_list_credential,
)
from wrenchmark.vc.multibase import multibase_base64url
from wrenchmark.vc.tests.factories import ISSUED_AT, ISSUER_DID, OB_VECTORS, VALIDATORS, load_json

FAST = settings(database=None, deadline=None, max_examples=60)


@FAST
@given(
    indexes=st.sets(st.integers(min_value=0, max_value=MIN_BITSTRING_SIZE - 1), max_size=40),
    extra_bytes=st.integers(min_value=0, max_value=64),
)
def test_decoding_an_encoded_list_gives_back_exactly_the_set_bits(
    indexes: set[int], extra_bytes: int
) -> None:
    size = MIN_BITSTRING_SIZE + 8 * extra_bytes
    encoded = encode_bitstring(indexes, size)
    bits = decode_bitstring(encoded)

    assert encoded.startswith("u")
    assert "=" not in encoded
    assert len(bits) * 8 == size
    assert set_bits(bits) == indexes
    for index in list(indexes)[:5]:
        assert bit_is_set(bits, index)


def test_index_zero_is_the_left_most_bit_of_the_first_byte() -> None:
    bits = decode_bitstring(encode_bitstring({0, 9}))

    assert bits[:2] == bytes([0b1000_0000, 0b0100_0000])


def test_the_spec_example_list_decodes_to_131072_clear_bits() -> None:
    example = load_json(
        VALIDATORS / "vc" / "bitstring-status-list" / "example-bitstring-status-list-credential.json"
    )
    bits = decode_bitstring(example["credentialSubject"]["encodedList"])

    assert len(bits) * 8 == 131_072
    assert set_bits(bits) == set()


def test_the_1edtech_test_list_has_exactly_bit_23_set() -> None:
    test_list = load_json(OB_VECTORS / "bit-string-list" / "testlist")

    assert set_bits(decode_bitstring(test_list["credentialSubject"]["encodedList"])) == {23}


def test_lists_shorter_than_the_minimum_are_refused() -> None:
    with pytest.raises(StatusListError):
        encode_bitstring(set(), MIN_BITSTRING_SIZE - 8)
    with pytest.raises(StatusListError):
        decode_bitstring(multibase_base64url(gzip.compress(bytes(MIN_BITSTRING_SIZE // 8 - 1))))


@pytest.mark.parametrize("index", [-1, MIN_BITSTRING_SIZE, True, "5"])
def test_indexes_outside_the_list_are_refused(index: object) -> None:
    with pytest.raises(StatusListError):
        encode_bitstring({index})  # type: ignore[arg-type]


@pytest.mark.parametrize("encoded", ["", "u", "zAAAA", "u!!!!", multibase_base64url(b"not gzip")])
def test_malformed_encoded_lists_are_refused(encoded: str) -> None:
    with pytest.raises(StatusListError):
        decode_bitstring(encoded)


def test_a_gzip_bomb_is_refused_without_inflating_it() -> None:
    bomb = multibase_base64url(gzip.compress(bytes(20 * 1024 * 1024)))

    with pytest.raises(StatusListError, match="too large"):
        decode_bitstring(bomb)


def test_the_entry_points_at_one_bit_of_one_list() -> None:
    assert status_entry("https://certs.example/status/3", 94567, "revocation") == {
        "id": "https://certs.example/status/3#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://certs.example/status/3",
    }
    with pytest.raises(StatusListError):
        status_entry("https://certs.example/status/3", 1, "refresh")


def test_the_list_credential_has_the_shape_of_the_spec_example() -> None:
    example = load_json(
        VALIDATORS / "vc" / "bitstring-status-list" / "example-bitstring-status-list-credential.json"
    )
    encoded = example["credentialSubject"]["encodedList"]

    ours = status_list_credential(
        "https://example.com/credentials/status/3", "revocation", encoded, "did:example:12345", ISSUED_AT
    )

    assert ours["@context"] == example["@context"]
    assert ours["type"] == example["type"]
    assert ours["credentialSubject"]["type"] == example["credentialSubject"]["type"]
    assert set(ours) == set(example)
    assert ours["credentialSubject"]["id"] == "https://example.com/credentials/status/3#list"
    assert ours["validFrom"] == "2026-11-28T09:30:00Z"
    assert "validUntil" in status_list_credential(
        "https://x.example/s", "suspension", encoded, ISSUER_DID, ISSUED_AT, ISSUED_AT.replace(year=2027)
    )
