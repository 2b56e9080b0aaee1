"""``POST /api/v1/verify``: check a submitted digital badge — signature, schema, issuer, expiry, status."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Body, Schema, Status

from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.credentials import badging
from wrenchmark.credentials import verification as verify
from wrenchmark.credentials.models import VerificationChannel

MAX_BADGE_BYTES = 256 * 1024
BADGE_BODY = Body(...)


#: The request body as OpenAPI states it: a credential (a JSON-LD object with ``@context``), or its JWT.
REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {
                            "title": "Credential",
                            "type": "object",
                            "required": ["@context"],
                            "properties": {"@context": {}},
                            "not": {"required": ["jwt"]},
                        },
                        {
                            "title": "JWT",
                            "type": "object",
                            "required": ["jwt"],
                            "properties": {"jwt": {"type": "string", "pattern": "\\S"}},
                            "additionalProperties": False,
                        },
                    ]
                }
            }
        },
    }
}


class CheckOut(Schema):
    name: Literal["signature", "schema", "issuer", "expiry", "status"]
    ok: bool | None
    message: str


class BadgeCheckOut(Schema):
    verified: bool
    status: str
    checks: list[CheckOut]
    issuer: str | None
    achievement: str | None
    issued_by_this_program: bool


def badge_verify_endpoint(
    request: HttpRequest, response: HttpResponse, payload: dict[str, Any] = BADGE_BODY
) -> Any:
    """Check an Open Badges 3.0 / VC 2.0 credential. Send the credential itself as the JSON body (Data
    Integrity proof), or ``{"jwt": "<compact JWS>"}`` for the JWT form.

    Each check is ``ok`` true, false, or null when it could not be checked (this server reads the status
    lists of its own badges only, and never fetches a URL a submitted badge names). ``status`` is one
    word: valid, revoked, suspended, expired, not_yet_valid, invalid_signature, unknown_issuer,
    schema_invalid or malformed; ``verified`` is true only for valid."""
    if len(request.body) > MAX_BADGE_BYTES:
        raise ApplicationError("A badge is at most 256 KB.", code="too_large")
    submitted: dict[str, Any] | str = payload
    if set(payload) == {"jwt"}:
        if not isinstance(payload["jwt"], str) or not payload["jwt"].strip():
            raise ApplicationError("`jwt` must be the compact JWT string.", code="invalid_jwt")
        submitted = payload["jwt"].strip()
    elif "@context" not in payload:
        raise ApplicationError(
            'Send the credential (a JSON-LD object with "@context") or {"jwt": "…"}.', code="not_a_credential"
        )
    requester = verify.Requester.from_request(request)
    limit = verify.verification_rate_limit_hit(ip=requester.ip)
    if not limit.allowed:
        response["Retry-After"] = str(limit.retry_after)
        return Status(
            429,
            {
                "code": "rate_limited",
                "message": "Too many checks from your network; try again later.",
                "details": {"retry_after": limit.retry_after},
            },
        )
    check = badging.badge_verify(submitted)
    if check.ours is not None:
        verify.verification_log(
            holder=check.ours.credential.holder,
            credential=check.ours.credential,
            channel=VerificationChannel.BADGE,
            requester=requester,
        )
    return check.as_dict()
