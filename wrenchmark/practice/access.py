"""Permission-checked fetches: the only way views reach a practice session or one of its questions."""

from __future__ import annotations

from wrenchmark.accounts.models import User
from wrenchmark.core.exceptions import NotFound
from wrenchmark.practice.models import PracticeQuestion, PracticeSession


def access_session_for_candidate(user: User, session_id: int) -> PracticeSession:
    """The user's own practice session; anyone else's is not found."""
    session = (
        PracticeSession.objects.select_related("test", "area").filter(pk=session_id, candidate=user).first()
    )
    if session is None:
        raise NotFound("No such practice session.")
    return session


def access_question_for_candidate(user: User, session_id: int, position: int) -> PracticeQuestion:
    """The question at ``position`` of one of the user's own sessions, with what the page shows."""
    question = (
        PracticeQuestion.objects.select_related(
            "session__test", "session__area", "item", "item_version__area", "item_version__exhibit"
        )
        .prefetch_related("item_version__options", "item_version__translations")
        .filter(session_id=session_id, session__candidate=user, position=position)
        .first()
    )
    if question is None:
        raise NotFound("No such question.")
    return question
