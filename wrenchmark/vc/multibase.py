"""Multibase encodings used by DIDs and proofs: base58btc (``z``) and base64url (``u``).

References: the Multibase draft (https://www.ietf.org/archive/id/draft-multiformats-multibase-08.html),
and the Bitcoin base58 alphabet it names for ``base58btc``.
"""

from __future__ import annotations

import base64
import binascii
import re

from wrenchmark.vc.errors import EncodingError

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def base58btc_encode(data: bytes) -> str:
    """Encode bytes in base58 with the Bitcoin alphabet (leading zero bytes become ``1``)."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(_B58_ALPHABET[rest])
    return "1" * zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    """Decode base58 (Bitcoin alphabet); raise :class:`EncodingError` on a foreign character."""
    number = 0
    for char in text:
        try:
            number = number * 58 + _B58_INDEX[char]
        except KeyError:
            raise EncodingError(f"Not a base58btc character: {char!r}.") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_base58btc(data: bytes) -> str:
    """Return the multibase base58btc form of ``data`` (prefix ``z``)."""
    return "z" + base58btc_encode(data)


def from_multibase_base58btc(text: str) -> bytes:
    """Decode a multibase base58btc value; only the ``z`` prefix is accepted."""
    if not isinstance(text, str) or not text.startswith("z") or len(text) < 2:
        raise EncodingError("Expected a multibase base58btc value starting with 'z'.")
    return base58btc_decode(text[1:])


def base64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 4648 section 5, as used by JWS and multibase ``u``)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def base64url_decode(text: str) -> bytes:
    """Decode unpadded base64url strictly: padding or characters outside the alphabet are refused."""
    if not isinstance(text, str) or not _B64URL.match(text) or len(text) % 4 == 1:
        raise EncodingError("Not unpadded base64url.")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise EncodingError("Not unpadded base64url.") from exc
    return data


def multibase_base64url(data: bytes) -> str:
    """Return the multibase base64url (no padding) form of ``data`` (prefix ``u``)."""
    return "u" + base64url_encode(data)


def from_multibase_base64url(text: str) -> bytes:
    """Decode a multibase base64url value; only the ``u`` prefix is accepted."""
    if not isinstance(text, str) or not text.startswith("u"):
        raise EncodingError("Expected a multibase base64url value starting with 'u'.")
    return base64url_decode(text[1:])
