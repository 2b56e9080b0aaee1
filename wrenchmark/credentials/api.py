"""``/api/v1/verify``: the public verification API. Open to everyone; answers only what the holder made
public, in shapes of its own that never follow the models."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from wrenchmark.api.errors import ErrorOut
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.credentials import verification as verify
from wrenchmark.credentials.models import VerificationChannel

router = Router(tags=["verification"])


class HolderOut(Schema):
    name: str
    program_id: str


class VerifiedCredentialOut(Schema):
    test_code: str
    name: str
    status: Literal["certified", "expiring", "expired", "suspended", "revoked"]
    status_label: str
    certified_on: dt.date | None
    expires_on: dt.date


class HeldDesignationOut(Schema):
    code: str
    name: str
    held_since: dt.date | None


class VerificationOut(Schema):
    result: Literal["match"]
    holder: HolderOut
    credentials: list[VerifiedCredentialOut]
    designations: list[HeldDesignationOut]
    checked_on: dt.date


class NoMatchOut(Schema):
    result: Literal["no_match"]


# Both parameters are required; a request without one is answered 400 ``missing_information`` rather than
# the generic 422, so they are read from the query string and described here, not by the signature.
_LOOKUP_PARAMETERS = [
    {
        "in": "query",
        "name": "program_id",
        "required": True,
        "description": "The holder's program ID, as on the certificate (case, spaces and dashes forgiven).",
        "schema": {"type": "string", "minLength": 1, "pattern": r"\S", "title": "Program ID"},
    },
    {
        "in": "query",
        "name": "last_name",
        "required": True,
        "description": "The holder's last name (case and accents ignored).",
        "schema": {"type": "string", "minLength": 1, "pattern": r"\S", "title": "Last name"},
    },
]
_SOME_TEXT = re.compile(r"\S")


def _rate_limited(retry_after: int) -> dict[str, Any]:
    return {
        "code": "rate_limited",
        "message": "Too many lookups from your network; try again later.",
        "details": {"retry_after": retry_after},
    }


@router.get(
    "/lookup",
    response={200: VerificationOut | NoMatchOut, 400: ErrorOut, 429: ErrorOut},
    url_name="verify_lookup",
    openapi_extra={"parameters": _LOOKUP_PARAMETERS},
    summary="Verify a holder by program ID and last name",
    description=(
        "Answers `match` with the holder's name, certifications (certified, expiring, expired, suspended "
        "or revoked, as of `checked_on`) and designations held, when the holder lets a lookup show them; "
        "otherwise `no_match`, the same answer for an unknown ID, a last name that does not match and a "
        "holder who shows nothing. The last name is compared without regard to case or accents. A missing "
        "field is a 400 `missing_information`. Lookups are rate-limited per client (429 `rate_limited` "
        "with `Retry-After`), page and API together."
    ),
)
def lookup(request: HttpRequest, response: HttpResponse) -> Status[Any] | dict[str, Any]:
    program_id = request.GET.get("program_id", "")
    last_name = request.GET.get("last_name", "")
    missing = [
        name for name, value in (("program_id", program_id), ("last_name", last_name)) if not value.strip()
    ]
    if missing:
        raise ApplicationError(
            "Give both the program ID and the last name.",
            code="missing_information",
            extra={"missing": missing},
        )
    requester = verify.Requester.from_request(request)
    limit = verify.verification_rate_limit_hit(ip=requester.ip)
    if not limit.allowed:
        response["Retry-After"] = str(limit.retry_after)
        return Status(429, _rate_limited(limit.retry_after))
    verification = verify.verification_lookup(program_id=program_id, last_name=last_name)
    if verification is None:
        return {"result": "no_match"}
    verify.verification_event_record(
        verification=verification, channel=VerificationChannel.API, requester=requester
    )
    return verification.as_dict()


@router.get(
    "/links/{token}",
    response={200: VerificationOut, 404: ErrorOut},
    url_name="verify_link",
    summary="What a share link shows",
    description=(
        "The credentials a holder's share link (or certificate QR code) covers, while it is active. A "
        "revoked or unknown link is a 404 `link_inactive`."
    ),
)
def link(request: HttpRequest, token: str) -> dict[str, Any]:
    verification = verify.verification_by_link(token=token)
    if verification is None:
        raise NotFound("This link is no longer active.", code="link_inactive")
    verify.verification_event_record(
        verification=verification,
        channel=VerificationChannel.API,
        requester=verify.Requester.from_request(request),
    )
    return verification.as_dict()
