"""``/api/v1/attempts``: what the sitting page talks to. Only the candidate's own attempt; no keys ever."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from ninja import Router, Schema
from ninja.security import django_auth

from wrenchmark.api.errors import ErrorOut
from wrenchmark.core import clock
from wrenchmark.core.exceptions import NotFound
from wrenchmark.exams import selectors, services
from wrenchmark.exams.access import access_attempt_by_id, access_attempt_current
from wrenchmark.exams.models import Attempt

router = Router(tags=["attempts"], auth=django_auth)


class AttemptOut(Schema):
    id: int
    status: str
    remaining_ms: int
    position: int
    total: int
    navigator: list[dict[str, Any]]
    report_url: str | None


class QuestionOut(Schema):
    position: int
    total: int
    form_item: int
    selected: str | None
    flagged: bool
    language: str
    languages: list[str]
    html: str
    remaining_ms: int


class SaveIn(Schema):
    form_item: int
    choice: str | None = None
    flagged: bool = False
    seq: int
    position: int | None = None


class AckOut(Schema):
    form_item: int
    seq: int
    applied: bool
    remaining_ms: int


def _session(request: HttpRequest) -> str:
    return request.session.session_key or ""


def _attempt(request: HttpRequest, attempt_id: int) -> Attempt:
    return access_attempt_current(request.user, attempt_id)


def _state(attempt: Attempt) -> dict[str, Any]:
    return {
        "id": attempt.pk,
        "status": attempt.status,
        "remaining_ms": int(attempt.remaining(clock.now()).total_seconds() * 1000) if attempt.is_open else 0,
        "position": attempt.current_position,
        "total": len(attempt.item_order),
        "navigator": selectors.navigator(attempt),
        "report_url": None if attempt.is_open else reverse("exams:report", args=[attempt.pk]),
    }


@router.get(
    "/{attempt_id}",
    response={200: AttemptOut, 401: ErrorOut, 404: ErrorOut},
    summary="Time left and progress",
)
def attempt_state(request: HttpRequest, attempt_id: int) -> dict[str, Any]:
    return _state(_attempt(request, attempt_id))


@router.get(
    "/{attempt_id}/questions/{position}",
    response={200: QuestionOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="One question as the candidate sees it",
)
def attempt_question(
    request: HttpRequest, attempt_id: int, position: int, language: str | None = None
) -> dict[str, Any]:
    attempt = _attempt(request, attempt_id)
    refusal = services.refusal_for(attempt, _session(request))
    if refusal is not None:
        raise refusal
    if not 0 <= position < len(attempt.item_order):
        raise NotFound("There is no such question.", code="question_not_found")
    view = selectors.question_view(attempt, position, language)
    html = render_to_string(
        "exams/_question.html",
        {"q": view, "display": view.display, "selected": view.selected, "input_name": "answer"},
        request,
    )
    return {
        "position": view.position,
        "total": view.total,
        "form_item": view.form_item_id,
        "selected": view.selected,
        "flagged": view.flagged,
        "language": view.language,
        "languages": view.languages,
        "html": html,
        "remaining_ms": _state(attempt)["remaining_ms"],
    }


@router.post(
    "/{attempt_id}/responses",
    response={200: AckOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Save one answer (idempotent, ordered by seq)",
)
def attempt_save(request: HttpRequest, attempt_id: int, payload: SaveIn) -> dict[str, Any]:
    ack = services.response_save(
        attempt_id=attempt_id,
        candidate=request.user,  # type: ignore[arg-type]
        session_key=_session(request),
        form_item_id=payload.form_item,
        letter=payload.choice,
        flagged=payload.flagged,
        client_seq=payload.seq,
        position=payload.position,
    )
    return {
        "form_item": ack.form_item,
        "seq": ack.client_seq,
        "applied": ack.applied,
        "remaining_ms": ack.remaining_ms,
    }


@router.post(
    "/{attempt_id}/submit",
    response={200: AttemptOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Submit",
)
def attempt_submit(request: HttpRequest, attempt_id: int) -> dict[str, Any]:
    attempt = access_attempt_by_id(request.user, attempt_id)
    services.attempt_submit(attempt_id=attempt.pk, candidate=request.user, session_key=_session(request))  # type: ignore[arg-type]
    attempt.refresh_from_db()
    return _state(attempt)


@router.post(
    "/{attempt_id}/takeover",
    response={200: AttemptOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def attempt_takeover(request: HttpRequest, attempt_id: int) -> dict[str, Any]:
    attempt = access_attempt_by_id(request.user, attempt_id)
    services.attempt_take_over(attempt_id=attempt.pk, candidate=request.user, session_key=_session(request))  # type: ignore[arg-type]
    attempt.refresh_from_db()
    return _state(attempt)
