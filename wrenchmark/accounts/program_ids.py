"""Program IDs: the identifier printed on every credential and used to verify one.

A program ID is ``PREFIX-DDDD-DDDD``: eight digits, the last a Luhn check digit over the first seven,
so a mistyped digit or two swapped neighbours are caught before any lookup (except a 0 and a 9
swapped, Luhn's one blind spot). Person IDs never start with 9; that leading digit is kept for
organisations (employer accounts), as the real program does.
"""

from __future__ import annotations

import re
import secrets

# ASCII only: \d would otherwise accept other scripts' digits and "normalise" to a non-canonical ID.
_PATTERN = re.compile(r"^([A-Z]{1,5})-?(\d{4})-?(\d{4})$", re.ASCII)


def luhn_check_digit(digits: str) -> int:
    """Return the Luhn digit that makes ``digits`` + digit pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def format_program_id(prefix: str, body: str) -> str:
    digits = body + str(luhn_check_digit(body))
    return f"{prefix}-{digits[:4]}-{digits[4:]}"


def generate_program_id(prefix: str, *, organisation: bool = False) -> str:
    """Draw a random program ID; organisations start with 9, people with 1-8."""
    first = "9" if organisation else str(1 + secrets.randbelow(8))
    body = first + "".join(str(secrets.randbelow(10)) for _ in range(6))
    return format_program_id(prefix, body)


def normalise_program_id(raw: str) -> str | None:
    """Return the canonical form of ``raw`` (spaces, case and dashes forgiven), or None if invalid."""
    match = _PATTERN.match(re.sub(r"\s+", "", raw).upper())
    if not match:
        return None
    prefix, first, second = match.groups()
    digits = first + second
    if luhn_check_digit(digits[:7]) != int(digits[7]):
        return None
    return f"{prefix}-{first}-{second}"
