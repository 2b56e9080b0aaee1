"""XML Schema ``dateTimeStamp`` values as used by VC 2.0 ``validFrom``/``validUntil`` and proofs.

Reference: VC Data Model 2.0 §4.9 (https://www.w3.org/TR/vc-data-model-2.0/#validity-period),
XML Schema 1.1 Part 2 ``dateTimeStamp``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_DATE_TIME_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def xml_datetime(moment: datetime) -> str:
    """Format an aware datetime in UTC with a ``Z`` suffix and whole seconds."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("A timezone-aware datetime is required.")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_xml_datetime(value: object) -> datetime:
    """Parse a ``dateTimeStamp`` (the time zone is mandatory); raise ``ValueError`` otherwise."""
    if not isinstance(value, str) or not _DATE_TIME_STAMP.match(value):
        raise ValueError(f"Not an XML Schema dateTimeStamp: {value!r}.")
    return datetime.fromisoformat(value)


def require_aware(moment: datetime) -> datetime:
    """Return ``moment`` if it is timezone-aware, else raise ``ValueError``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("A timezone-aware datetime is required.")
    return moment
