"""W3C Bitstring Status List v1.0: encode and read status lists, build entries and list credentials.

Reference: https://www.w3.org/TR/vc-bitstring-status-list/. A list is a bitstring of at least
131,072 bits (16 KiB) in which index 0 is the left-most (most significant) bit of the first byte;
``encodedList`` is the multibase base64url (no padding, prefix ``u``) of its GZIP compression.
A set bit means the status applies: revoked for a ``revocation`` list, suspended for a
``suspension`` list.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from wrenchmark.vc.dates import xml_datetime
from wrenchmark.vc.errors import EncodingError, StatusListError
from wrenchmark.vc.jsonld import VC_V2_CONTEXT
from wrenchmark.vc.multibase import from_multibase_base64url, multibase_base64url

#: The minimum list length the specification requires, in bits (16 KiB), for herd privacy.
MIN_BITSTRING_SIZE = 131_072
#: A decoding ceiling (128 MiB of bits = 16 MiB of bytes) against GZIP bombs.
MAX_BITSTRING_SIZE = 8 * 16 * 1024 * 1024
STATUS_PURPOSES = ("revocation", "suspension")
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"


def encode_bitstring(set_indexes: Iterable[int], size: int = MIN_BITSTRING_SIZE) -> str:
    """Return ``encodedList`` for a list of ``size`` bits in which ``set_indexes`` are set.

    ``size`` must be a multiple of 8 and at least :data:`MIN_BITSTRING_SIZE`. The GZIP header
    carries no timestamp, so the same bits always give the same string.
    """
    if size < MIN_BITSTRING_SIZE or size % 8 or size > MAX_BITSTRING_SIZE:
        raise StatusListError(
            f"A status list has a multiple of 8 bits, from {MIN_BITSTRING_SIZE} to {MAX_BITSTRING_SIZE}."
        )
    bits = bytearray(size // 8)
    for index in set_indexes:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < size:
            raise StatusListError(f"Status list index out of range: {index!r}.")
        bits[index // 8] |= 0x80 >> (index % 8)
    return multibase_base64url(gzip.compress(bytes(bits), mtime=0))


def decode_bitstring(encoded: str) -> bytes:
    """Return the uncompressed bitstring of an ``encodedList`` (multibase ``u`` + GZIP).

    Raises :class:`StatusListError` for a malformed value, a list shorter than
    :data:`MIN_BITSTRING_SIZE` bits, or one that inflates beyond :data:`MAX_BITSTRING_SIZE`.
    """
    try:
        compressed = from_multibase_base64url(encoded)
    except EncodingError as exc:
        raise StatusListError("encodedList is not multibase base64url ('u…').") from exc
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        bits = inflater.decompress(compressed, MAX_BITSTRING_SIZE // 8 + 1)
    except zlib.error as exc:
        raise StatusListError("encodedList is not GZIP data.") from exc
    if len(bits) > MAX_BITSTRING_SIZE // 8:
        raise StatusListError("The status list is too large.")
    if not inflater.eof or inflater.unused_data:
        raise StatusListError("encodedList is not a single complete GZIP stream.")
    if len(bits) * 8 < MIN_BITSTRING_SIZE:
        raise StatusListError(f"The status list is shorter than {MIN_BITSTRING_SIZE} bits.")
    return bits


def bit_is_set(bits: bytes, index: int) -> bool:
    """Return the status bit at ``index`` (index 0 = left-most bit of the first byte)."""
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(bits) * 8:
        raise StatusListError(f"Status list index out of range: {index!r}.")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def set_bits(bits: bytes) -> set[int]:
    """Return every index whose bit is set."""
    return {
        byte_index * 8 + offset
        for byte_index, byte in enumerate(bits)
        if byte
        for offset in range(8)
        if byte & (0x80 >> offset)
    }


def status_entry(list_url: str, index: int, purpose: str) -> dict[str, str]:
    """Return a ``BitstringStatusListEntry`` pointing at bit ``index`` of the list at ``list_url``."""
    if purpose not in STATUS_PURPOSES:
        raise StatusListError(f"Unsupported status purpose {purpose!r}.")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise StatusListError(f"Status list index out of range: {index!r}.")
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    list_url: str,
    purpose: str,
    encoded: str,
    issuer: str | Mapping[str, Any],
    valid_from: datetime,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """Return the unsigned ``BitstringStatusListCredential`` published at ``list_url``.

    Sign it with :func:`wrenchmark.vc.proofs.sign_credential` using the same issuer as the
    credentials that point at it (verifiers require the issuers to match).
    """
    if purpose not in STATUS_PURPOSES:
        raise StatusListError(f"Unsupported status purpose {purpose!r}.")
    decode_bitstring(encoded)
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer if isinstance(issuer, str) else dict(issuer),
        "validFrom": xml_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = xml_datetime(valid_until)
    credential["credentialSubject"] = {
        "id": f"{list_url}#list",
        "type": LIST_TYPE,
        "statusPurpose": purpose,
        "encodedList": encoded,
    }
    return credential
