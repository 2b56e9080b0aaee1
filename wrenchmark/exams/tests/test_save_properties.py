"""G2 as properties: any sequence of retried, duplicated and reordered saves leaves, for every item, the
answer of the highest sequence number sent; two simultaneous submits finalise once."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from conftest import start_admitted
from wrenchmark.core.audit import audit_events_for
from wrenchmark.exams.models import Response, ScoreReport
from wrenchmark.exams.services import attempt_submit, response_save
from wrenchmark.scoring.models import TestResult

START = dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_any_order_of_saves_keeps_the_answer_with_the_highest_sequence(
    published_form: Any, candidate_alice: Any
) -> None:
    with time_machine.travel(START, tick=False):
        attempt = start_admitted(
            candidate=candidate_alice, form=published_form, session_key="s1", shuffle=False
        )
    items = attempt.item_order[:3]

    class Saves(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            Response.objects.filter(attempt=attempt).delete()
            self.sent: dict[int, dict[int, tuple[int | None, bool]]] = {item: {} for item in items}

        @rule(
            item=st.sampled_from(items),
            seq=st.integers(min_value=1, max_value=12),
            choice=st.one_of(st.none(), st.integers(min_value=0, max_value=3)),
            flagged=st.booleans(),
        )
        def save(self, item: int, seq: int, choice: int | None, flagged: bool) -> None:
            newest_before = max(self.sent[item], default=0)
            # A client never sends two different answers under one sequence number; a repeat is a retry.
            choice, flagged = self.sent[item].setdefault(seq, (choice, flagged))
            with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
                ack = response_save(
                    attempt_id=attempt.pk,
                    candidate=candidate_alice,
                    session_key="s1",
                    form_item_id=item,
                    choice=choice,
                    flagged=flagged,
                    client_seq=seq,
                )
            assert ack.client_seq == max(self.sent[item])
            assert ack.applied == (seq > newest_before)

        @invariant()
        def stored_is_the_newest_sent(self) -> None:
            stored = {r.form_item_id: r for r in Response.objects.filter(attempt=attempt)}
            for item, sent in self.sent.items():
                if not sent:
                    assert item not in stored
                    continue
                newest = max(sent)
                assert stored[item].client_seq == newest
                assert (stored[item].choice, stored[item].flagged) == sent[newest]

    run_state_machine_as_test(
        Saves,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_finalise_once(published_form: Any, candidate_alice: Any) -> None:
    with time_machine.travel(START, tick=False):
        attempt = start_admitted(candidate=candidate_alice, form=published_form, session_key="s1")
    barrier = threading.Barrier(2)
    reports: list[int] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            with time_machine.travel(START + dt.timedelta(minutes=5), tick=False):
                reports.append(
                    attempt_submit(attempt_id=attempt.pk, candidate=candidate_alice, session_key="s1").pk
                )
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(reports) == 2
    assert len(set(reports)) == 1
    assert ScoreReport.objects.filter(attempt=attempt).count() == 1
    assert TestResult.objects.filter(candidate=candidate_alice).count() == 1
    assert audit_events_for(attempt).filter(action="attempt.submitted").count() == 1
