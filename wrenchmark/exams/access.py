"""Permission-checked fetches for a candidate's own attempts."""

from __future__ import annotations

from typing import Any

from wrenchmark.core.exceptions import NotFound
from wrenchmark.exams.models import Attempt


def access_attempt_by_id(user: Any, attempt_id: int) -> Attempt:
    """The candidate's own attempt; anyone else gets the same NotFound as for a missing one."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound("Not found.", code="attempt_not_found")
    attempt = Attempt.objects.select_related("form__test").filter(pk=attempt_id, candidate=user).first()
    if attempt is None:
        raise NotFound("Not found.", code="attempt_not_found")
    return attempt


def access_attempt_current(user: Any, attempt_id: int) -> Attempt:
    """The candidate's own attempt, finalised first if its time ran out (every access does this)."""
    from wrenchmark.exams.services import attempt_touch

    attempt = access_attempt_by_id(user, attempt_id)
    attempt_touch(attempt_id=attempt.pk)
    attempt.refresh_from_db()
    return attempt
