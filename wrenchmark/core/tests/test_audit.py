"""The audit trail is written inside the transaction of the change it records, and only there."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from wrenchmark.accounts.models import User
from wrenchmark.core.audit import audit_events_for, audit_record
from wrenchmark.core.models import AuditEvent

# Transactional: a plain django_db test runs inside a transaction, so "outside one" could not happen.
pytestmark = pytest.mark.django_db(transaction=True)


def record(target: Any, actor: Any) -> AuditEvent:
    return audit_record(action="test.poked", target=target, actor=actor, summary="Poked", data={"times": 2})


def test_recording_outside_a_transaction_raises_and_writes_nothing(
    candidate_alice: User, program_admin_paula: User
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record(candidate_alice, program_admin_paula)
    assert AuditEvent.objects.count() == before


def test_recording_inside_a_transaction_writes_the_target_and_actor(
    candidate_alice: User, program_admin_paula: User
) -> None:
    with transaction.atomic():
        event = record(candidate_alice, program_admin_paula)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == "test.poked"
    assert stored.target_type == "accounts.user"
    assert stored.target_id == str(candidate_alice.pk)
    assert stored.actor == program_admin_paula
    assert stored.summary == "Poked"
    assert stored.data == {"times": 2}
    assert list(audit_events_for(candidate_alice).filter(action="test.poked")) == [stored]
    assert not audit_events_for(program_admin_paula).filter(action="test.poked").exists()


def test_a_rolled_back_change_takes_its_audit_row_with_it(candidate_alice: User) -> None:
    def change_that_fails_after_auditing() -> None:
        with transaction.atomic():
            record(candidate_alice, candidate_alice)
            raise ValueError("the change is refused")

    with pytest.raises(ValueError, match="refused"):
        change_that_fails_after_auditing()
    assert not AuditEvent.objects.filter(action="test.poked").exists()


@pytest.mark.parametrize("actor", [None, AnonymousUser()], ids=["nobody", "anonymous visitor"])
def test_an_actor_that_is_not_a_saved_user_is_recorded_as_none(candidate_alice: User, actor: Any) -> None:
    with transaction.atomic():
        event = record(candidate_alice, actor)
    assert AuditEvent.objects.get(pk=event.pk).actor is None


def test_a_long_summary_is_cut_to_fit(candidate_alice: User) -> None:
    with transaction.atomic():
        event = audit_record(action="test.poked", target=candidate_alice, summary="x" * 500)
    assert len(AuditEvent.objects.get(pk=event.pk).summary) == 300
