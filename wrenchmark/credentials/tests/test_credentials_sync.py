from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail

from wrenchmark.catalog.models import Test
from wrenchmark.core.audit import audit_events_for
from wrenchmark.credentials.models import Credential, CredentialStatus, DesignationHolding, DesignationStatus
from wrenchmark.credentials.services import credentials_sync
from wrenchmark.experience.services import entry_review, experience_entry_save
from wrenchmark.rules import add_years
from wrenchmark.scoring.services import result_record

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(autouse=True)
def frozen_today() -> Any:
    with time_machine.travel(dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC), tick=False):
        yield


def record(
    candidate: Any, edition: Any, code: str, day: dt.date, outcome: str = "pass", source: str = "attempt"
) -> None:
    result_record(
        candidate=candidate,
        test=Test.objects.get(edition=edition, code=code),
        taken_on=day,
        outcome=outcome,
        source=source,
        acting_user=None,
    )


def experience(candidate: Any, reviewer: Any, area: Any, years: int = 3) -> Any:
    return experience_entry_save(
        candidate=candidate,
        employer=None,
        employer_name="Main Street Motors",
        role="Technician",
        start_date=TODAY - dt.timedelta(days=365 * years),
        end_date=None,
        employment_type="full_time",
        areas=[area],
    )


def approve_experience(candidate: Any, reviewer: Any, area: Any, years: int = 3) -> None:
    entry_review(
        entry=experience(candidate, reviewer, area, years), approve=True, reason="", acting_user=reviewer
    )


def test_a_pass_with_experience_met_issues_the_certification_audited_and_emailed(
    candidate_alice: Any,
    program_admin_paula: Any,
    auto_area: Any,
    catalog: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    approve_experience(candidate_alice, program_admin_paula, auto_area)
    with django_capture_on_commit_callbacks(execute=True):
        record(candidate_alice, catalog, "A5", TODAY)

    credential = Credential.objects.get(holder=candidate_alice, test_code="A5")
    assert credential.status == CredentialStatus.CERTIFIED
    assert (credential.passed_on, credential.certified_on) == (TODAY, TODAY)
    assert credential.expires_on == add_years(TODAY, 5)
    assert credential.issued_at is not None
    assert [e.action for e in audit_events_for(credential)] == ["credential.issued"]
    assert [m.subject for m in mail.outbox] == ["You are certified in A5"]
    assert "2031-11-28" in mail.outbox[0].body


def test_a_pass_without_experience_waits_then_is_issued_when_experience_is_approved(
    candidate_alice: Any, program_admin_paula: Any, auto_area: Any, catalog: Any
) -> None:
    record(candidate_alice, catalog, "A5", TODAY)
    credential = Credential.objects.get(holder=candidate_alice, test_code="A5")
    assert credential.status == CredentialStatus.AWAITING_EXPERIENCE
    assert credential.certified_on is None
    assert credential.issued_at is None

    entry = experience(candidate_alice, program_admin_paula, auto_area)
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.AWAITING_EXPERIENCE  # pending entries do not count

    entry_review(entry=entry, approve=True, reason="", acting_user=program_admin_paula)
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.CERTIFIED
    assert credential.certified_on == TODAY
    assert credential.expires_on == add_years(TODAY, 5)  # still five years from the test date
    events = list(audit_events_for(credential).order_by("id"))
    assert [e.action for e in events] == ["credential.awaiting_experience", "credential.issued"]
    assert events[1].actor == program_admin_paula
    assert events[1].data["reason"] == "experience approved"


def test_a_recertification_pass_renews_the_same_credential(
    candidate_alice: Any, program_admin_paula: Any, auto_area: Any, catalog: Any
) -> None:
    approve_experience(candidate_alice, program_admin_paula, auto_area, years=8)
    first_pass = TODAY - dt.timedelta(days=365 * 5 - 60)  # expires in about two months
    record(candidate_alice, catalog, "A5", first_pass, source="import")
    credential = Credential.objects.get(holder=candidate_alice, test_code="A5")
    assert credential.status == CredentialStatus.EXPIRING

    record(candidate_alice, catalog, "A5R", TODAY)
    renewed = Credential.objects.get(holder=candidate_alice, test_code="A5")
    assert renewed.pk == credential.pk
    assert renewed.status == CredentialStatus.CERTIFIED
    assert renewed.passed_on == first_pass
    assert renewed.renewed_on == TODAY
    assert renewed.expires_on == add_years(TODAY, 5)
    assert [e.action for e in audit_events_for(renewed).order_by("id")] == [
        "credential.issued",
        "credential.renewed",
    ]


def test_a_fail_changes_no_credential_and_sync_is_idempotent(
    candidate_alice: Any, program_admin_paula: Any, auto_area: Any, catalog: Any
) -> None:
    record(candidate_alice, catalog, "A4", TODAY, outcome="fail")
    assert not Credential.objects.filter(holder=candidate_alice).exists()
    record(candidate_alice, catalog, "A5", TODAY)
    assert credentials_sync(candidate=candidate_alice, reason="again").changes == []
    assert Credential.objects.filter(holder=candidate_alice).count() == 1


def test_master_is_achieved_then_at_risk_then_lapsed_then_restored(
    candidate_alice: Any, program_admin_paula: Any, auto_area: Any, catalog: Any
) -> None:
    approve_experience(candidate_alice, program_admin_paula, auto_area, years=8)
    old = TODAY - dt.timedelta(days=400)
    record(candidate_alice, catalog, "A1", old, source="import")
    for code in ["A2", "A3", "A4", "A5", "A6", "A7"]:
        record(candidate_alice, catalog, code, TODAY - dt.timedelta(days=20), source="import")
    assert not DesignationHolding.objects.filter(holder=candidate_alice, code="master-auto").exists()
    record(candidate_alice, catalog, "A8", TODAY - dt.timedelta(days=10), source="import")
    master = DesignationHolding.objects.get(holder=candidate_alice, code="master-auto")
    assert master.status == DesignationStatus.HELD

    a1_expiry = add_years(old, 5)
    outcome = credentials_sync(
        candidate=candidate_alice, reason="daily", on=a1_expiry - dt.timedelta(days=30)
    )
    assert "designation.at_risk" in outcome.actions("master-auto")
    assert outcome.actions("A1") == ["credential.expiring"]
    outcome = credentials_sync(candidate=candidate_alice, reason="daily", on=a1_expiry + dt.timedelta(days=1))
    assert outcome.actions("master-auto") == ["designation.lapsed"]
    assert outcome.actions("A1") == ["credential.expired"]
    master.refresh_from_db()
    assert master.status == DesignationStatus.LAPSED

    with time_machine.travel(
        dt.datetime.combine(a1_expiry + dt.timedelta(days=40), dt.time(12), tzinfo=dt.UTC), tick=False
    ):
        record(candidate_alice, catalog, "A1R", a1_expiry + dt.timedelta(days=40))
        master.refresh_from_db()
        assert master.status == DesignationStatus.HELD
    actions = [e.action for e in audit_events_for(master).order_by("id")]
    assert actions == [
        "designation.achieved",
        "designation.at_risk",
        "designation.lapsed",
        "designation.restored",
    ]


def test_results_loaded_in_bulk_email_nobody(
    candidate_alice: Any,
    program_admin_paula: Any,
    auto_area: Any,
    catalog: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    approve_experience(candidate_alice, program_admin_paula, auto_area)
    with django_capture_on_commit_callbacks(execute=True):
        record(candidate_alice, catalog, "A5", TODAY, source="import")
    assert Credential.objects.get(holder=candidate_alice).status == CredentialStatus.CERTIFIED
    assert mail.outbox == []


def test_the_daily_refresh_moves_credentials_across_dates_once_and_recomputes_designations(
    candidate_alice: Any, program_admin_paula: Any, auto_area: Any, catalog: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command

    from wrenchmark.credentials.services import credentials_refresh

    approve_experience(candidate_alice, program_admin_paula, auto_area, years=8)
    old = TODAY - dt.timedelta(days=400)
    record(candidate_alice, catalog, "A1", old, source="import")
    for code in ["A2", "A3", "A4", "A5", "A6", "A7", "A8"]:
        record(candidate_alice, catalog, code, TODAY - dt.timedelta(days=20), source="import")
    a1 = Credential.objects.get(holder=candidate_alice, test_code="A1")
    a1_expiry = add_years(old, 5)

    outcome = credentials_refresh(on=a1_expiry - dt.timedelta(days=30))
    assert (outcome.expiring, outcome.expired, outcome.holders) == (1, 0, 1)
    a1.refresh_from_db()
    assert a1.status == CredentialStatus.EXPIRING
    assert DesignationHolding.objects.get(holder=candidate_alice, code="master-auto").status == "at_risk"
    assert credentials_refresh(on=a1_expiry - dt.timedelta(days=30)) == type(outcome)(0, 0, 0)

    out = StringIO()
    call_command("credentials_refresh", "--on", (a1_expiry + dt.timedelta(days=1)).isoformat(), stdout=out)
    assert (
        out.getvalue().strip()
        == "Credentials refreshed: 0 now expiring, 1 now expired; 1 holders' designations recomputed."
    )
    a1.refresh_from_db()
    assert a1.status == CredentialStatus.EXPIRED
    assert DesignationHolding.objects.get(holder=candidate_alice, code="master-auto").status == "lapsed"
    assert [e.action for e in audit_events_for(a1).order_by("id")] == [
        "credential.issued",
        "credential.expiring",
        "credential.expired",
    ]
    assert Credential.objects.filter(holder=candidate_alice, status=CredentialStatus.CERTIFIED).count() == 7
