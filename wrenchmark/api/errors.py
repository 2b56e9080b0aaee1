"""One error shape for the whole API: ``{"code": "...", "message": "...", "details": {...}}``."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any] = {}
