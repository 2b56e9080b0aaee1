"""Keys, badges and status lists for the verifiable-credential tests."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from wrenchmark.vc import (
    Ed25519Key,
    achievement_credential,
    did_key,
    encode_bitstring,
    sign_credential,
    status_entry,
    status_list_credential,
    verification_method,
)

#: Shared validator data (schemas, vectors), outside the repository.
VALIDATORS = Path(__file__).parents[3].parent / "shared" / "validators"
DCC_VECTORS = VALIDATORS / "vc" / "vectors" / "dcc-verifier-core"
OB_VECTORS = VALIDATORS / "openbadges" / "vectors" / "1edtech-public-validator"

ISSUER_KEY = Ed25519Key.from_seed(bytes(range(32)))
ISSUER_DID = did_key(ISSUER_KEY.public_bytes)
ISSUER_VM = verification_method(ISSUER_DID)
OTHER_KEY = Ed25519Key.from_seed(bytes(range(32, 64)))
OTHER_DID = did_key(OTHER_KEY.public_bytes)

ISSUED_AT = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
EXPIRES_AT = ISSUED_AT + timedelta(days=5 * 365)
SITE = "https://certs.wrenchmark.example"
REVOCATION_LIST = f"{SITE}/status/revocation/1"
SUSPENSION_LIST = f"{SITE}/status/suspension/1"
STATUS_INDEX = 4242


def validators_or_skip() -> Path:
    if not VALIDATORS.is_dir():
        pytest.skip(f"Shared validator data not found at {VALIDATORS}.")
    return VALIDATORS


def load_json(path: Path) -> Any:
    if not path.exists():
        pytest.skip(f"Shared validator data not found: {path}.")
    return json.loads(path.read_text("utf-8"))


def badge(**overrides: Any) -> dict[str, Any]:
    """An unsigned A1 certification badge issued by the did:key issuer."""
    values: dict[str, Any] = {
        "credential_id": "urn:uuid:3f0c6f0e-5b1d-4c3e-9a51-2d7f1f0b8e11",
        "issuer_did": ISSUER_DID,
        "issuer_name": "Wrenchmark Certification Program",
        "issuer_url": SITE,
        "valid_from": ISSUED_AT,
        "valid_until": EXPIRES_AT,
        "name": "A1 Engine Repair certification",
        "achievement_id": f"{SITE}/tests/A1",
        "achievement_name": "Engine Repair (A1)",
        "achievement_description": "Diagnosis and repair of gasoline engines: heads, valve trains, blocks, lubrication and cooling.",
        "criteria_narrative": "Pass the A1 certification test and document two years of qualifying work experience.",
        "recipient_identity": "alice.mechanic@example.com",
        "recipient_salt": "9c1f0e5d2b7a4c33",
        "status_entries": [status_entry(REVOCATION_LIST, STATUS_INDEX, "revocation")],
    }
    values.update(overrides)
    return achievement_credential(**values)


def both_status_entries() -> list[dict[str, str]]:
    """A revocation and a suspension entry (valid VC 2.0, outside OB 3.0's [0..1])."""
    return [
        status_entry(REVOCATION_LIST, STATUS_INDEX, "revocation"),
        status_entry(SUSPENSION_LIST, STATUS_INDEX, "suspension"),
    ]


def signed_badge(**overrides: Any) -> dict[str, Any]:
    return sign_credential(badge(**overrides), ISSUER_KEY, ISSUER_VM, created=ISSUED_AT)


class StatusLists:
    """Signed status list credentials kept in memory, served by :meth:`fetch`."""

    def __init__(self) -> None:
        self.published: dict[str, dict[str, Any]] = {}
        self.fetched: list[str] = []

    def publish(
        self,
        url: str,
        purpose: str,
        set_indexes: tuple[int, ...] = (),
        *,
        key: Ed25519Key = ISSUER_KEY,
        issuer: str = ISSUER_DID,
        valid_until: datetime | None = None,
    ) -> dict[str, Any]:
        unsigned = status_list_credential(
            url, purpose, encode_bitstring(set_indexes), issuer, ISSUED_AT, valid_until
        )
        signed = sign_credential(unsigned, key, verification_method(issuer), created=ISSUED_AT)
        self.published[url] = signed
        return signed

    def fetch(self, url: str) -> Mapping[str, Any]:
        self.fetched.append(url)
        return self.published[url]


def leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every scalar in a JSON document with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from leaves(value, (*path, index))
    else:
        yield path, node


def flip(value: Any) -> Any:
    """A different value of the same kind: one character changed, a boolean negated, a number moved."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        if not value:
            return "x"
        middle = len(value) // 2
        replacement = "x" if value[middle] != "x" else "y"
        return value[:middle] + replacement + value[middle + 1 :]
    raise TypeError(value)


def with_leaf(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A deep copy of ``document`` with the leaf at ``path`` replaced."""
    copy = json.loads(json.dumps(document))
    node = copy
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return copy
