"""The save path: one statement on PostgreSQL, the locked path elsewhere, the same guarantees on both.

A save by letter (what the sitting page sends) maps the letter through the attempt's option order, is
applied only over an older sequence number (G2), is refused after the deadline plus the grace with the
attempt finalised at its deadline (G3), and from another browser session (G7). On PostgreSQL a save and
a finalisation of the same attempt cannot both win: the finalisation either scores the save or the save
is refused.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import client_for, start_admitted
from wrenchmark.core.exceptions import Conflict
from wrenchmark.exams.models import Attempt, AttemptStatus, Response
from wrenchmark.exams.services import (
    OPTION_LETTERS,
    SAVE_GRACE,
    attempt_submit,
    response_save,
)
from wrenchmark.exams.tests.test_sitting_web import save, start

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.UTC)
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the single-statement save runs on PostgreSQL"
)


def shuffled_item(attempt: Attempt) -> int:
    """An item whose options the candidate sees in another order than the bank's."""
    return next(int(fi) for fi, order in attempt.option_orders.items() if order != sorted(order))


def test_a_letter_saves_the_option_shown_under_it_and_the_position_moves_only_within_the_attempt(
    published_form: Any, candidate_alice: Any
) -> None:
    client = client_for(candidate_alice)
    attempt = start(client, published_form)
    item = shuffled_item(attempt)
    ack = save(client, attempt, form_item=item, choice="C", seq=1, position=4)
    assert ack.status_code == 200
    assert ack.json()["applied"]
    assert 0 < ack.json()["remaining_ms"] <= 75 * 60 * 1000
    assert (
        Response.objects.get(attempt=attempt, form_item_id=item).choice == attempt.option_orders[str(item)][2]
    )
    attempt.refresh_from_db()
    assert attempt.current_position == 4
    for seq, outside in enumerate((-1, len(attempt.item_order)), start=2):
        assert save(client, attempt, form_item=item, choice=None, seq=seq, position=outside).json()["applied"]
        attempt.refresh_from_db()
        assert attempt.current_position == 4
    assert Response.objects.get(attempt=attempt, form_item_id=item).choice is None


def test_an_invalid_save_is_refused_with_its_code_and_writes_nothing(
    published_form: Any, candidate_alice: Any, outsider_dave: Any
) -> None:
    client = client_for(candidate_alice)
    attempt = start(client, published_form)
    item = attempt.item_order[0]
    assert save(client, attempt, form_item=item, choice="A", seq=3).status_code == 200
    refused = {
        "E": save(client, attempt, form_item=item, choice="E", seq=4),
        "AB": save(client, attempt, form_item=item, choice="AB", seq=4),
        "item": save(client, attempt, form_item=10**9, choice="A", seq=4),
        "seq": save(client, attempt, form_item=item, choice="B", seq=0),
        "other": save(client_for(outsider_dave), attempt, form_item=item, choice="B", seq=4),
    }
    assert {name: (r.status_code, r.json()["code"]) for name, r in refused.items()} == {
        "E": (400, "invalid_choice"),
        "AB": (400, "invalid_choice"),
        "item": (400, "unknown_item"),
        "seq": (400, "invalid_seq"),
        "other": (404, "attempt_not_found"),
    }
    assert save(client, attempt, form_item=item, choice="B", seq=4).status_code == 200  # nothing was held
    client.post(f"/api/v1/attempts/{attempt.pk}/submit", content_type="application/json")
    closed = save(client, attempt, form_item=item, choice="C", seq=5)
    assert (closed.status_code, closed.json()["code"]) == (409, "attempt_closed")
    stored = Response.objects.get(attempt=attempt, form_item_id=item)
    assert (stored.client_seq, stored.choice) == (4, attempt.option_orders[str(item)][1])


def test_a_save_by_letter_is_refused_after_the_grace_and_the_attempt_ends_at_its_deadline(
    published_form: Any, candidate_alice: Any
) -> None:
    with time_machine.travel(START, tick=False):
        attempt = start_admitted(candidate=candidate_alice, form=published_form, session_key="s1")
    save_by_letter: dict[str, Any] = {
        "attempt_id": attempt.pk,
        "candidate": candidate_alice,
        "session_key": "s1",
        "form_item_id": attempt.item_order[0],
        "flagged": False,
    }
    with time_machine.travel(attempt.deadline + SAVE_GRACE - dt.timedelta(milliseconds=1), tick=False):
        ack = response_save(**save_by_letter, letter="A", client_seq=1)
    assert (ack.applied, ack.remaining_ms) == (True, 0)
    late_moment = attempt.deadline + SAVE_GRACE + dt.timedelta(milliseconds=1)
    with time_machine.travel(late_moment, tick=False), pytest.raises(Conflict) as late:
        response_save(**save_by_letter, letter="B", client_seq=2)
    assert late.value.code == "deadline_passed"
    attempt.refresh_from_db()
    assert (attempt.status, attempt.finished_at) == (AttemptStatus.TIMED_OUT, attempt.deadline)
    assert attempt.responses.get().client_seq == 1


def test_a_save_from_another_session_is_refused(published_form: Any, candidate_alice: Any) -> None:
    attempt = start_admitted(candidate=candidate_alice, form=published_form, session_key="s1")
    with pytest.raises(Conflict) as other:
        response_save(
            attempt_id=attempt.pk,
            candidate=candidate_alice,
            session_key="s2",
            form_item_id=attempt.item_order[0],
            letter="A",
            flagged=False,
            client_seq=1,
        )
    assert other.value.code == "other_session"
    assert not attempt.responses.exists()


saves = st.lists(
    st.tuples(st.integers(0, 2), st.integers(1, 6), st.sampled_from([None, *OPTION_LETTERS]), st.booleans()),
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(saves=saves)
def test_replayed_duplicated_and_reordered_saves_keep_the_newest_answer(
    published_form: Any, candidate_alice: Any, saves: list[tuple[int, int, str | None, bool]]
) -> None:
    attempt = Attempt.objects.filter(candidate=candidate_alice).first() or start_admitted(
        candidate=candidate_alice, form=published_form, session_key="s1"
    )
    attempt.responses.all().delete()
    items = attempt.item_order[:3]
    held: dict[int, tuple[int, str | None, bool]] = {}
    for index, seq, letter, flagged in saves:
        item = items[index]
        ack = response_save(
            attempt_id=attempt.pk,
            candidate=candidate_alice,
            session_key="s1",
            form_item_id=item,
            letter=letter,
            flagged=flagged,
            client_seq=seq,
        )
        newer = item not in held or seq > held[item][0]
        assert ack.applied == newer
        if newer:
            held[item] = (seq, letter, flagged)
        assert ack.client_seq == held[item][0]
    stored = {r.form_item_id: (r.client_seq, r.choice, r.flagged) for r in attempt.responses.all()}
    orders = attempt.option_orders
    assert stored == {
        item: (seq, None if letter is None else orders[str(item)][OPTION_LETTERS.index(letter)], flagged)
        for item, (seq, letter, flagged) in held.items()
    }


# --- PostgreSQL: one statement, serialised against finalisation -----------------------------------


@on_postgresql
def test_a_save_on_postgresql_is_one_statement_after_the_session_and_the_user(
    published_form: Any, candidate_alice: Any
) -> None:
    client = client_for(candidate_alice)
    attempt = start(client, published_form)
    with CaptureQueriesContext(connection) as queries:
        assert save(client, attempt, form_item=attempt.item_order[0], choice="B", seq=1, position=1).json()[
            "applied"
        ]
    tables = ["django_session", "accounts_user", "exams_response"]
    assert len(queries.captured_queries) == len(tables)
    assert all(table in query["sql"] for table, query in zip(tables, queries.captured_queries, strict=True))
    attempt.refresh_from_db()
    assert attempt.current_position == 1


def test_a_save_on_sqlite_is_the_upsert_and_the_move_in_one_transaction(
    published_form: Any, candidate_alice: Any
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the two-statement save runs on SQLite")
    client = client_for(candidate_alice)
    attempt = start(client, published_form)
    item = shuffled_item(attempt)
    with CaptureQueriesContext(connection) as queries:
        ack = save(client, attempt, form_item=item, choice="C", seq=1, position=2).json()
    assert ack["applied"]
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("BEGIN", "SAVEPOINT", "RELEASE"))
    ]
    assert ["django_session" in statements[0], "accounts_user" in statements[1]] == [True, True]
    assert statements[2].lstrip().startswith("INSERT INTO exams_response")
    assert statements[3].lstrip().startswith("UPDATE exams_attempt")
    assert len(statements) == 4
    assert (
        Response.objects.get(attempt=attempt, form_item_id=item).choice == attempt.option_orders[str(item)][2]
    )
    attempt.refresh_from_db()
    assert attempt.current_position == 2
    assert 0 < ack["remaining_ms"] <= 75 * 60 * 1000


def _backend_pid() -> int:
    connection.ensure_connection()
    return int(connection.connection.info.backend_pid)


def _wait_until_waiting_for_a_lock(pid: int) -> None:
    """Return once backend ``pid`` waits for a row lock (fails after 10 s if it never does)."""
    watcher = connections.create_connection("default")
    try:
        give_up = time.monotonic() + 10
        while time.monotonic() < give_up:
            with watcher.cursor() as cursor:
                cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
                row = cursor.fetchone()
            if row is not None and row[0] == "Lock":
                return
            time.sleep(0.01)  # a poll interval: the test waits for the lock wait, never for a time
        pytest.fail(f"backend {pid} never waited for a lock")
    finally:
        watcher.close()


class InThread(threading.Thread):
    """Run ``work`` on its own database connection; keep its result or exception and its backend pid."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.pid: int | None = None
        self.connected = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.pid = _backend_pid()
            self.connected.set()
            self.result = self.work()
        except BaseException as exc:
            self.error = exc
        finally:
            self.connected.set()
            connection.close()

    def started_pid(self) -> int:
        self.start()
        self.connected.wait(10)
        assert self.pid is not None, self.error
        return self.pid


def _key_letter(attempt: Attempt, published_form: Any, item: int) -> str:
    form_item = published_form.form_items.get(pk=item)
    key = next(o.position for o in form_item.version.options.all() if o.is_key)
    return OPTION_LETTERS[attempt.option_orders[str(item)].index(key)]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_save_waiting_on_a_finalisation_is_refused_and_not_scored(
    published_form: Any, candidate_alice: Any
) -> None:
    attempt = start_admitted(candidate=candidate_alice, form=published_form, session_key="s1")
    item = next(i for i in attempt.item_order if published_form.form_items.get(pk=i).scored)
    late_save = InThread(
        lambda: response_save(
            attempt_id=attempt.pk,
            candidate=candidate_alice,
            session_key="s1",
            form_item_id=item,
            letter=_key_letter(attempt, published_form, item),
            flagged=False,
            client_seq=1,
        )
    )
    with transaction.atomic():
        report = attempt_submit(attempt_id=attempt.pk, candidate=candidate_alice, session_key="s1")
        _wait_until_waiting_for_a_lock(late_save.started_pid())
    late_save.join(10)
    assert isinstance(late_save.error, Conflict), late_save.result
    assert late_save.error.code == "attempt_closed"
    assert report.raw == 0
    assert not Response.objects.filter(attempt=attempt).exists()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_finalisation_waits_for_a_save_in_flight_and_scores_it(
    published_form: Any, candidate_alice: Any
) -> None:
    attempt = start_admitted(candidate=candidate_alice, form=published_form, session_key="s1")
    item = next(i for i in attempt.item_order if published_form.form_items.get(pk=i).scored)
    key = _key_letter(attempt, published_form, item)
    wrong = next(letter for letter in OPTION_LETTERS if letter != key)
    answer = {
        "attempt_id": attempt.pk,
        "candidate": candidate_alice,
        "session_key": "s1",
        "form_item_id": item,
        "flagged": False,
    }
    response_save(**answer, letter=wrong, client_seq=1)
    submit = InThread(
        lambda: attempt_submit(attempt_id=attempt.pk, candidate=candidate_alice, session_key="s1")
    )
    with transaction.atomic():
        # The save's statement holds its lock until this block commits, as it does until its own commit.
        assert response_save(**answer, letter=key, client_seq=2).applied
        _wait_until_waiting_for_a_lock(submit.started_pid())
    submit.join(10)
    assert submit.error is None, submit.error
    assert submit.result.raw == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
