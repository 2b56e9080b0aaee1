from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from pypdf import PdfReader

from conftest import client_for, start_admitted
from wrenchmark.core.audit import audit_events_for
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.exams.models import FormItem
from wrenchmark.exams.services import accommodation_decide, attempt_submit, response_save

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.UTC)


def sit(candidate: Any, form: Any, correct: int) -> Any:
    attempt = start_admitted(candidate=candidate, form=form, session_key="s1", shuffle=False)
    for seq, form_item in enumerate(FormItem.objects.filter(form=form).prefetch_related("version__options")):
        key = next(o.position for o in form_item.version.options.all() if o.is_key)
        choice = key if seq < correct else (key + 1) % 4
        response_save(
            attempt_id=attempt.pk,
            candidate=candidate,
            session_key="s1",
            form_item_id=form_item.pk,
            choice=choice,
            flagged=False,
            client_seq=1,
        )
    attempt_submit(attempt_id=attempt.pk, candidate=candidate, session_key="s1")
    attempt.refresh_from_db()
    return attempt


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_failed_score_report_pdf_shows_the_areas_and_what_to_study_first(
    published_form: Any, candidate_alice: Any
) -> None:
    with time_machine.travel(START, tick=False):
        attempt = sit(candidate_alice, published_form, correct=5)
        response = client_for(candidate_alice).get(f"/exams/attempts/{attempt.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="score-report-A5-2026-11-28.pdf"'
    text = pdf_text(response.content)
    report = attempt.score_report
    assert "Fail" in text
    assert f"{report.raw} / {report.scored_total}" in text
    assert candidate_alice.program_id in text
    assert "Study these first" in text
    for subscore in report.subscores:
        assert f"{subscore['correct']} / {subscore['total']}" in text


def test_a_candidate_cannot_fetch_another_candidates_report_pdf(
    published_form: Any, candidate_alice: Any, outsider_dave: Any
) -> None:
    with time_machine.travel(START, tick=False):
        attempt = sit(candidate_alice, published_form, correct=5)
    assert client_for(outsider_dave).get(f"/exams/attempts/{attempt.pk}/report.pdf").status_code == 404


def test_a_pass_report_names_the_credential(published_form: Any, candidate_alice: Any) -> None:
    with time_machine.travel(START, tick=False):
        attempt = sit(candidate_alice, published_form, correct=1000)
        page = client_for(candidate_alice).get(f"/exams/attempts/{attempt.pk}/report/").content.decode()
        pdf = pdf_text(client_for(candidate_alice).get(f"/exams/attempts/{attempt.pk}/report.pdf").content)
    assert attempt.score_report.passed
    # Alice has no approved experience: the pass is banked until it is.
    assert "awaiting experience" in page
    assert "awaiting experience" in pdf
    assert "Study these first" not in pdf


def test_approved_extra_time_applies_to_the_deadline_automatically(
    published_form: Any, candidate_alice: Any, program_admin_paula: Any
) -> None:
    minutes = published_form.test.minutes
    with time_machine.travel(START, tick=False):
        accommodation_decide(
            candidate=candidate_alice,
            kind="extra_time",
            approve=True,
            acting_user=program_admin_paula,
            time_multiplier=Decimal("1.5"),
            valid_until=dt.date(2027, 6, 30),
        )
        attempt = start_admitted(candidate=candidate_alice, form=published_form, session_key="s1")
    assert attempt.deadline - attempt.started_at == dt.timedelta(minutes=minutes * 1.5)
    assert attempt.time_multiplier == Decimal("1.50")
    started = audit_events_for(attempt).get(action="attempt.started")
    assert started.data["time_multiplier"] == "1.50"


def test_an_expired_or_denied_accommodation_does_not_apply(
    published_form: Any, candidate_alice: Any, program_admin_paula: Any
) -> None:
    with time_machine.travel(START, tick=False):
        accommodation_decide(
            candidate=candidate_alice,
            kind="extra_time",
            approve=True,
            acting_user=program_admin_paula,
            time_multiplier=Decimal("2"),
            valid_until=dt.date(2026, 11, 27),
        )
        accommodation_decide(
            candidate=candidate_alice,
            kind="extra_time",
            approve=False,
            acting_user=program_admin_paula,
            reason="No supporting documents",
        )
        attempt = start_admitted(candidate=candidate_alice, form=published_form, session_key="s1")
    assert attempt.deadline - attempt.started_at == dt.timedelta(minutes=published_form.test.minutes)


@pytest.mark.parametrize(
    ("multiplier", "code"), [(Decimal(1), "invalid_multiplier"), (Decimal("3.5"), "invalid_multiplier")]
)
def test_extra_time_outside_the_allowed_range_is_refused(
    candidate_alice: Any, program_admin_paula: Any, multiplier: Decimal, code: str
) -> None:
    with pytest.raises(ApplicationError) as refused:
        accommodation_decide(
            candidate=candidate_alice,
            kind="extra_time",
            approve=True,
            acting_user=program_admin_paula,
            time_multiplier=multiplier,
        )
    assert refused.value.code == code
