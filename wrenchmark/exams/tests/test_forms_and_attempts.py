"""Forms from the blueprint, and the server's guarantees for a sitting (reliability.md G2, G3, G6, G7)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from conftest import start_admitted
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_events_for
from wrenchmark.core.exceptions import ApplicationError, Conflict
from wrenchmark.exams.models import AttemptStatus, FormItem
from wrenchmark.exams.services import (
    ADMISSION_VALIDITY,
    SAVE_GRACE,
    admission_grant,
    attempt_pause,
    attempt_resume,
    attempt_start,
    attempt_submit,
    attempts_finalize_overdue,
    form_assemble,
    form_publish,
    form_set_cut,
    form_set_scale,
    response_save,
)
from wrenchmark.itembank.models import Item
from wrenchmark.scoring.models import TestResult
from wrenchmark.scoring.scales import REPORT_CUT, REPORT_MAX, REPORT_MIN, scaled_score

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.UTC)


def test_a_form_has_the_blueprint_per_area_plus_spread_pretest_items_and_no_enemies(
    stocked_a5: Any, psychometrician: Any
) -> None:
    first, second = Item.objects.filter(
        test_code="A5", state="operational", current_version__area__letter="A"
    )[:2]
    first.enemies.add(second)
    form = form_assemble(test=stocked_a5, acting_user=psychometrician, seed=3)
    items = list(form.form_items.all())
    scored = Counter(fi.area_letter for fi in items if fi.scored)
    assert (
        scored
        == {a.letter: a.question_count for a in stocked_a5.content_areas.all()}
        == {"A": 19, "B": 5, "C": 11, "D": 10}
    )
    pretest_positions = [fi.position for fi in items if not fi.scored]
    assert len(pretest_positions) == stocked_a5.unscored_count == 10
    assert max(pretest_positions) - min(pretest_positions) > 30, "pretest items are spread through the form"
    chosen = {fi.item_id for fi in items}
    assert not ({first.pk, second.pk} <= chosen)


def test_publishing_needs_a_cut_and_freezes_the_versions(stocked_a5: Any, psychometrician: Any) -> None:
    form = form_assemble(test=stocked_a5, acting_user=psychometrician, seed=1)
    with pytest.raises(ApplicationError):
        form_publish(form=form, acting_user=psychometrician)
    ratings = [[0.7] * 45, [0.8] * 45]
    form_set_cut(form=form, acting_user=psychometrician, angoff_ratings=ratings)
    form.refresh_from_db()
    assert form.cut_raw == 34  # mean expected score 33.75, rounded up
    assert "Angoff" in form.cut_note
    form_publish(form=form, acting_user=psychometrician)
    assert all(fi.version.frozen for fi in FormItem.objects.filter(form=form).select_related("version"))


def test_the_deadline_is_fixed_at_the_start_with_the_accommodation(
    published_form: Any, candidate_alice: Any
) -> None:
    with time_machine.travel(START, tick=False):
        attempt = start_admitted(
            candidate=candidate_alice, form=published_form, session_key="s1", time_multiplier=Decimal("1.5")
        )
    assert attempt.deadline - attempt.started_at == dt.timedelta(minutes=75 * 1.5)
    tech_ab = [fi for fi in published_form.form_items.all() if fi.version.style == "tech_ab"]
    for fi in tech_ab:
        assert attempt.option_orders[str(fi.pk)] == [0, 1, 2, 3], "locked options never move"


def test_a_retried_or_reordered_save_never_overwrites_a_newer_answer(
    published_form: Any, candidate_alice: Any
) -> None:
    with time_machine.travel(START, tick=False):
        attempt = start_admitted(candidate=candidate_alice, form=published_form, session_key="s1")
        item = attempt.item_order[0]
        save = {
            "attempt_id": attempt.pk,
            "candidate": candidate_alice,
            "session_key": "s1",
            "form_item_id": item,
            "flagged": False,
        }
        assert response_save(**save, choice=1, client_seq=2).applied
        stale = response_save(**save, choice=3, client_seq=1)
        assert not stale.applied
        assert stale.client_seq == 2
        assert response_save(**save, choice=1, client_seq=2).applied is False  # a retry is harmless
        assert attempt.responses.get().choice == 1
        with pytest.raises(Conflict) as other:
            response_save(**{**save, "session_key": "s2"}, choice=2, client_seq=3)
        assert other.value.code == "other_session"


def test_saves_are_accepted_until_the_grace_ends_and_then_the_attempt_ends_at_its_deadline(
    published_form: Any, candidate_alice: Any
) -> None:
    with time_machine.travel(START, tick=False):
        attempt = start_admitted(candidate=candidate_alice, form=published_form, session_key="s1")
    save = {
        "attempt_id": attempt.pk,
        "candidate": candidate_alice,
        "session_key": "s1",
        "form_item_id": attempt.item_order[0],
        "flagged": False,
    }
    with time_machine.travel(attempt.deadline + SAVE_GRACE - dt.timedelta(milliseconds=1), tick=False):
        assert response_save(**save, choice=0, client_seq=1).remaining_ms == 0
    late_moment = attempt.deadline + SAVE_GRACE + dt.timedelta(milliseconds=1)
    with time_machine.travel(late_moment, tick=False), pytest.raises(Conflict) as late:
        response_save(**save, choice=2, client_seq=2)
    assert late.value.code == "deadline_passed"
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.TIMED_OUT
    assert attempt.finished_at == attempt.deadline
    assert attempt.responses.get().choice == 0


def test_submitting_twice_finalises_once_and_only_scored_items_count(
    published_form: Any, candidate_alice: Any
) -> None:
    with time_machine.travel(START, tick=False):
        attempt = start_admitted(candidate=candidate_alice, form=published_form, session_key="s1")
        form_items = {fi.pk: fi for fi in published_form.form_items.prefetch_related("version__options")}
        for seq, fi_id in enumerate(attempt.item_order, start=1):
            fi = form_items[fi_id]
            key = next(o.position for o in fi.version.options.all() if o.is_key)
            # Answer every pretest item right and every scored item in area D wrong.
            choice = (key + 1) % 4 if fi.scored and fi.area_letter == "D" else key
            response_save(
                attempt_id=attempt.pk,
                candidate=candidate_alice,
                session_key="s1",
                form_item_id=fi_id,
                choice=choice,
                flagged=False,
                client_seq=seq,
            )
        first = attempt_submit(attempt_id=attempt.pk, candidate=candidate_alice, session_key="s1")
        second = attempt_submit(attempt_id=attempt.pk, candidate=candidate_alice, session_key="s1")
    assert first.pk == second.pk
    assert (first.raw, first.scored_total) == (35, 45)
    assert first.passed
    assert {s["letter"]: (s["correct"], s["total"]) for s in first.subscores}["D"] == (0, 10)
    assert TestResult.objects.filter(candidate=candidate_alice, outcome="pass", source="attempt").count() == 1


def test_the_overdue_job_finalises_at_the_deadline_and_is_idempotent(
    published_form: Any, candidate_alice: Any
) -> None:
    with time_machine.travel(START, tick=False):
        attempt = start_admitted(candidate=candidate_alice, form=published_form, session_key="s1")
    with time_machine.travel(START + dt.timedelta(hours=3), tick=False):
        out, again = StringIO(), StringIO()
        call_command("exams_finalize_overdue", stdout=out)
        call_command("exams_finalize_overdue", stdout=again)
    assert "Finalised 1 overdue" in out.getvalue()
    assert "Finalised 0 overdue" in again.getvalue()
    attempt.refresh_from_db()
    assert attempt.finished_at == attempt.deadline
    assert attempt.score_report.raw == 0
    assert not attempt.score_report.passed


@given(total=st.integers(1, 120), data=st.data())
def test_the_reporting_scale_puts_every_cut_at_the_same_score(total: int, data: Any) -> None:
    cut = data.draw(st.integers(1, total))
    scores = [scaled_score(raw=raw, cut=cut, total=total) for raw in range(total + 1)]
    assert scores == sorted(scores)
    assert scores[cut] == REPORT_CUT
    assert all((s >= REPORT_CUT) == (raw >= cut) for raw, s in enumerate(scores))
    assert REPORT_MIN <= scores[0] <= scores[-1] <= REPORT_MAX


def test_the_candidate_gets_the_result_by_email_once_it_is_committed(
    published_form: Any, candidate_alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    with time_machine.travel(START, tick=False):
        attempt = start_admitted(candidate=candidate_alice, form=published_form, session_key="s1")
        with django_capture_on_commit_callbacks(execute=True):
            attempt_submit(attempt_id=attempt.pk, candidate=candidate_alice, session_key="s1")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [candidate_alice.email]
    assert message.subject == "Your A5 result"
    assert f"/exams/attempts/{attempt.pk}/report/" in message.body
    assert candidate_alice.program_id in message.body


def test_only_an_admitted_candidate_can_start_and_an_admission_starts_one_attempt(
    published_form: Any, candidate_alice: Any, proctor_bob: Any
) -> None:
    with time_machine.travel(START, tick=False):
        with pytest.raises(Conflict) as refused:
            attempt_start(candidate=candidate_alice, form=published_form, session_key="s1")
        assert refused.value.code == "not_admitted"
        with pytest.raises(ApplicationError) as self_admitted:
            admission_grant(candidate=proctor_bob, test=published_form.test, acting_user=proctor_bob)
        assert self_admitted.value.code == "own_admission"
        admission = admission_grant(
            candidate=candidate_alice, test=published_form.test, acting_user=proctor_bob
        )
        attempt = attempt_start(candidate=candidate_alice, form=published_form, session_key="s1")
        attempt_submit(attempt_id=attempt.pk, candidate=candidate_alice, session_key="s1")
        admission.refresh_from_db()
        assert admission.attempt == attempt
        with pytest.raises(Conflict) as used:
            attempt_start(candidate=candidate_alice, form=published_form, session_key="s1")
        assert used.value.code == "not_admitted"
    later = START + ADMISSION_VALIDITY + dt.timedelta(minutes=1)
    with time_machine.travel(START, tick=False):
        admission_grant(candidate=candidate_alice, test=published_form.test, acting_user=proctor_bob)
    with time_machine.travel(later, tick=False), pytest.raises(Conflict) as lapsed:
        attempt_start(candidate=candidate_alice, form=published_form, session_key="s1")
    assert lapsed.value.code == "not_admitted"


def test_a_paused_attempt_keeps_its_time_refuses_answers_and_resumes_with_the_unused_time(
    published_form: Any, candidate_alice: Any, proctor_bob: Any
) -> None:
    with time_machine.travel(START, tick=False):
        attempt = start_admitted(candidate=candidate_alice, form=published_form, session_key="s1")
    minutes = published_form.test.minutes
    save = {"attempt_id": attempt.pk, "candidate": candidate_alice, "session_key": "s1", "flagged": False}
    with time_machine.travel(START + dt.timedelta(minutes=10), tick=False):
        attempt_pause(attempt_id=attempt.pk, acting_user=proctor_bob, reason="Fire alarm")
    # The pause outlasts the original deadline: nothing finalises it, and nothing can be answered.
    during = START + dt.timedelta(minutes=minutes + 30)
    with time_machine.travel(during, tick=False):
        assert attempts_finalize_overdue() == 0
        with pytest.raises(Conflict) as paused:
            response_save(**save, form_item_id=attempt.item_order[0], choice=1, client_seq=1)
        assert paused.value.code == "paused"
        attempt.refresh_from_db()
        assert attempt.remaining(clock.now()) == dt.timedelta(minutes=minutes - 10)
        attempt_resume(attempt_id=attempt.pk, acting_user=proctor_bob)
        attempt.refresh_from_db()
        assert attempt.deadline == during + dt.timedelta(minutes=minutes - 10)
        assert response_save(**save, form_item_id=attempt.item_order[0], choice=1, client_seq=1).applied
    actions = list(audit_events_for(attempt).order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["attempt.paused", "attempt.resumed"]


def test_a_form_with_its_own_score_table_reports_on_it(
    stocked_a5: Any, psychometrician: Any, candidate_alice: Any
) -> None:
    form = form_assemble(test=stocked_a5, acting_user=psychometrician, seed=3)
    form_set_cut(form=form, acting_user=psychometrician, raw=32)
    table = [min(REPORT_MAX, REPORT_MIN + 6 * raw) for raw in range(46)]  # 32 -> 292: does not fit
    with pytest.raises(ApplicationError) as mismatch:
        form_set_scale(form=form, acting_user=psychometrician, table=table, note="test")
    assert mismatch.value.code == "scale_mismatch"
    table = [REPORT_CUT + 5 * (raw - 32) if raw >= 32 else REPORT_MIN + 6 * raw for raw in range(46)]
    form_set_scale(form=form, acting_user=psychometrician, table=table, note="IRT scale")
    form.refresh_from_db()
    assert form.scale_table == table
    form_set_cut(form=form, acting_user=psychometrician, raw=33)  # a new cut drops the old table
    form.refresh_from_db()
    assert form.scale_table == []
    form_set_cut(form=form, acting_user=psychometrician, raw=32)
    form_set_scale(form=form, acting_user=psychometrician, table=table, note="IRT scale")
    with time_machine.travel(START - dt.timedelta(hours=1), tick=False):
        form = form_publish(form=form, acting_user=psychometrician)
    with pytest.raises(Conflict):
        form_set_scale(form=form, acting_user=psychometrician, table=table, note="again")

    with time_machine.travel(START, tick=False):
        attempt = start_admitted(candidate=candidate_alice, form=form, session_key="s1")
        form_items = {fi.pk: fi for fi in form.form_items.prefetch_related("version__options")}
        right = 0
        for seq, fi_id in enumerate(attempt.item_order, start=1):
            fi = form_items[fi_id]
            key = next(o.position for o in fi.version.options.all() if o.is_key)
            correct = fi.scored and right < 40
            right += correct
            response_save(
                attempt_id=attempt.pk,
                candidate=candidate_alice,
                session_key="s1",
                form_item_id=fi_id,
                choice=key if correct else (key + 1) % 4,
                flagged=False,
                client_seq=seq,
            )
        report = attempt_submit(attempt_id=attempt.pk, candidate=candidate_alice, session_key="s1")
    assert report.raw == 40
    assert report.scaled == table[40] == REPORT_CUT + 40
    assert report.scaled != scaled_score(raw=40, cut=32, total=45)
    assert report.passed
