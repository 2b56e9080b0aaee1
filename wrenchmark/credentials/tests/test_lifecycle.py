"""Suspension, revocation, reinstatement and renewal-program extensions: one lifecycle, every step audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail

from wrenchmark.core.audit import audit_events_for
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.credentials.models import Credential, CredentialStatus, DesignationHolding, DesignationStatus
from wrenchmark.credentials.services import (
    credential_extend,
    credential_reinstate,
    credential_withdraw,
    credentials_refresh,
    credentials_sync,
)
from wrenchmark.credentials.standing import candidate_standing
from wrenchmark.credentials.tests.test_credentials_sync import TODAY, approve_experience, record
from wrenchmark.rules import Status, add_years

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today() -> Any:
    with time_machine.travel(dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def a5(candidate_alice: Any, program_admin_paula: Any, auto_area: Any, catalog: Any) -> Credential:
    approve_experience(candidate_alice, program_admin_paula, auto_area)
    record(candidate_alice, catalog, "A5", TODAY, source="import")
    return Credential.objects.get(holder=candidate_alice, test_code="A5")


def test_a_revocation_needs_a_reason_is_final_audited_and_emailed(
    a5: Credential, program_admin_paula: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(ApplicationError) as refused:
        credential_withdraw(credential=a5, status="revoked", reason="  ", acting_user=program_admin_paula)
    assert refused.value.code == "reason_required"

    with django_capture_on_commit_callbacks(execute=True):
        credential_withdraw(
            credential=a5, status="revoked", reason="Test-centre misconduct", acting_user=program_admin_paula
        )
    a5.refresh_from_db()
    assert a5.status == CredentialStatus.REVOKED
    assert a5.withdrawn_reason == "Test-centre misconduct"
    assert not a5.is_valid_on(TODAY)
    assert [e.action for e in audit_events_for(a5).order_by("id")][-1] == "credential.revoked"
    assert mail.outbox[-1].subject == "Your A5 certification is revoked"
    assert "Test-centre misconduct" in mail.outbox[-1].body

    for status in ("suspended", "revoked"):
        with pytest.raises(ApplicationError) as again:
            credential_withdraw(credential=a5, status=status, reason="again", acting_user=program_admin_paula)
        assert again.value.code == "already_revoked"
    with pytest.raises(ApplicationError) as lift:
        credential_reinstate(credential=a5, reason="appeal", acting_user=program_admin_paula)
    assert lift.value.code == "not_suspended"


def test_the_dates_and_the_daily_refresh_never_undo_a_withdrawal(
    a5: Credential, program_admin_paula: Any
) -> None:
    credential_withdraw(
        credential=a5, status="suspended", reason="Under review", acting_user=program_admin_paula
    )
    credentials_sync(candidate=a5.holder, reason="again")
    credentials_refresh(on=a5.expires_on + dt.timedelta(days=1))
    a5.refresh_from_db()
    assert a5.status == CredentialStatus.SUSPENDED
    standing = candidate_standing(candidate=a5.holder)
    assert {row.test.code: row.state.status for row in standing.credentials}["A5"] is Status.SUSPENDED


def test_lifting_a_suspension_lets_the_dates_decide_again(a5: Credential, program_admin_paula: Any) -> None:
    credential_withdraw(
        credential=a5, status="suspended", reason="Under review", acting_user=program_admin_paula
    )
    reinstated = credential_reinstate(credential=a5, reason="Review cleared", acting_user=program_admin_paula)
    assert reinstated.status == CredentialStatus.CERTIFIED
    assert reinstated.withdrawn_reason == ""
    assert [e.action for e in audit_events_for(a5).order_by("id")][-2:] == [
        "credential.suspended",
        "credential.reinstated",
    ]

    credential_withdraw(credential=a5, status="suspended", reason="Again", acting_user=program_admin_paula)
    with time_machine.travel(
        dt.datetime.combine(a5.expires_on + dt.timedelta(days=3), dt.time(12), tzinfo=dt.UTC), tick=False
    ):
        late = credential_reinstate(credential=a5, reason="Cleared late", acting_user=program_admin_paula)
    assert late.status == CredentialStatus.EXPIRED


def test_a_withdrawn_component_takes_master_with_it_and_back(
    candidate_alice: Any, program_admin_paula: Any, auto_area: Any, catalog: Any
) -> None:
    approve_experience(candidate_alice, program_admin_paula, auto_area, years=8)
    for code in ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"]:
        record(candidate_alice, catalog, code, TODAY - dt.timedelta(days=20), source="import")
    master = DesignationHolding.objects.get(holder=candidate_alice, code="master-auto")
    assert master.status == DesignationStatus.HELD
    a3 = Credential.objects.get(holder=candidate_alice, test_code="A3")

    credential_withdraw(credential=a3, status="suspended", reason="Review", acting_user=program_admin_paula)
    master.refresh_from_db()
    assert master.status == DesignationStatus.LAPSED
    credential_reinstate(credential=a3, reason="Cleared", acting_user=program_admin_paula)
    master.refresh_from_db()
    assert master.status == DesignationStatus.HELD


def test_an_extension_adds_a_year_once_per_expiry_and_survives_every_sync(
    a5: Credential, program_admin_paula: Any
) -> None:
    five_years = a5.expires_on
    extended = credential_extend(credential=a5, source="renewal program", acting_user=None)
    assert extended.expires_on == add_years(five_years, 1)
    assert [e.action for e in audit_events_for(a5).order_by("id")][-1] == "credential.extended"

    credentials_sync(candidate=a5.holder, reason="again")
    a5.refresh_from_db()
    assert a5.expires_on == add_years(five_years, 1)

    twice = credential_extend(credential=a5, source="renewal program", acting_user=None)
    assert twice.expires_on == add_years(five_years, 2), "a second year chains from the new expiry"

    credentials_refresh(on=add_years(five_years, 2) - dt.timedelta(days=10))
    a5.refresh_from_db()
    assert a5.status == CredentialStatus.EXPIRING


def test_a_recertification_by_test_leaves_old_extensions_behind(a5: Credential, catalog: Any) -> None:
    credential_extend(credential=a5, source="renewal program", acting_user=None)
    renewal_day = add_years(TODAY, 4)
    with time_machine.travel(dt.datetime.combine(renewal_day, dt.time(12), tzinfo=dt.UTC), tick=False):
        record(a5.holder, catalog, "A5R", renewal_day, source="import")
    a5.refresh_from_db()
    assert a5.expires_on == add_years(renewal_day, 5)


def test_only_a_current_certification_can_be_extended(a5: Credential, program_admin_paula: Any) -> None:
    credential_withdraw(credential=a5, status="suspended", reason="Review", acting_user=program_admin_paula)
    with pytest.raises(ApplicationError) as refused:
        credential_extend(credential=a5, source="renewal program", acting_user=None)
    assert refused.value.code == "not_current"
