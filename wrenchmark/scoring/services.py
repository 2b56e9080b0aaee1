"""Writes of official results."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import Test
from wrenchmark.core import clock, events
from wrenchmark.core.audit import audit_record
from wrenchmark.core.events import CandidateRecordChanged
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.scoring.models import Outcome, ResultSource, TestResult


@transaction.atomic
def result_record(
    *,
    candidate: User,
    test: Test,
    taken_on: dt.date,
    outcome: str,
    source: str,
    acting_user: User | None,
) -> TestResult:
    """Record the official outcome of a sitting; audited as ``result.recorded``.

    A result cannot be dated in the future, and one candidate has at most one result per test per day.
    """
    if outcome not in Outcome.values:
        raise ApplicationError(f"Unknown outcome {outcome!r}.", code="invalid_outcome")
    if source not in ResultSource.values:
        raise ApplicationError(f"Unknown result source {source!r}.", code="invalid_source")
    if taken_on > clock.today():
        raise ApplicationError("A result cannot be dated in the future.", code="result_in_future")
    if TestResult.objects.filter(candidate=candidate, test__code=test.code, taken_on=taken_on).exists():
        raise ApplicationError(
            f"{candidate.program_id} already has a {test.code} result on {taken_on}.", code="duplicate_result"
        )
    result = TestResult.objects.create(
        candidate=candidate,
        test=test,
        taken_on=taken_on,
        outcome=outcome,
        source=source,
        recorded_at=clock.now(),
        recorded_by=acting_user,
    )
    audit_record(
        action="result.recorded",
        target=result,
        actor=acting_user,
        summary=f"{test.code} {outcome} on {taken_on}",
        data={"candidate": candidate.program_id, "test": test.code, "outcome": outcome, "source": source},
    )
    events.publish(
        CandidateRecordChanged(
            candidate_id=candidate.pk,
            reason=f"{test.code} {outcome} on {taken_on}",
            actor_id=acting_user.pk if acting_user else None,
            notify=source == ResultSource.ATTEMPT,
        )
    )
    return result
