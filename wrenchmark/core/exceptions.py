"""Errors that services raise for the caller to show: each has a stable machine-readable code."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A request that the domain refuses, with a code an API client can branch on.

    ``field`` names the form field the message belongs to, when there is one.
    """

    code = "invalid"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        self.extra = extra or {}


class NotFound(ApplicationError):
    code = "not_found"
    status = 404


class PermissionDenied(ApplicationError):
    code = "forbidden"
    status = 403


class Conflict(ApplicationError):
    code = "conflict"
    status = 409
