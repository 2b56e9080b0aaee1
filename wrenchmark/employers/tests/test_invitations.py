"""Technicians join an employer's staff only by accepting an invitation sent to their own address."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail

from wrenchmark.core.audit import audit_events_for
from wrenchmark.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from wrenchmark.employers.models import Employer, EmployerInvitation, EmployerMembership
from wrenchmark.employers.selectors import (
    invitations_open,
    invitations_waiting_for,
    technician_memberships_of,
    technicians_current,
)
from wrenchmark.employers.services import (
    INVITATION_DAYS,
    employer_areas_set,
    employer_create,
    employer_public_page_set,
    invitation_accept,
    invitation_create,
    invitation_decline,
    invitation_withdraw,
    technician_leave,
    technician_remove,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def now() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def invited(
    now: Any, carols_garage: Employer, employer_carol: Any, candidate_alice: Any
) -> EmployerInvitation:
    return invitation_create(
        employer=carols_garage, email=candidate_alice.email, acting_user=employer_carol, notify=False
    )


def actions(target: Any) -> list[str]:
    return [event.action for event in audit_events_for(target).order_by("id")]


# --- Inviting --------------------------------------------------------------------------------------


def test_an_employer_admin_invites_and_the_invitee_is_emailed_the_link_after_commit(
    now: Any,
    carols_garage: Employer,
    employer_carol: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = invitation_create(
            employer=carols_garage, email=" Ted.Tech@Example.test ", acting_user=employer_carol
        )
    assert mail.outbox == []  # nothing leaves before the invitation is committed
    for callback in callbacks:
        callback()

    assert invitation.email == "Ted.Tech@example.test"
    assert invitation.is_open
    assert invitation.expires_at == NOW + dt.timedelta(days=INVITATION_DAYS)
    assert len(invitation.token) >= 32
    assert invitation.invited_by == employer_carol
    (message,) = mail.outbox
    assert message.to == ["Ted.Tech@example.test"]
    assert "Carol's Garage" in message.subject
    assert f"/shops/join/{invitation.token}/" in message.body
    assert "Carol Cole" in message.body
    assert "Dec. 12, 2026" in message.body  # open for 14 days
    (event,) = audit_events_for(invitation)
    assert event.action == "employer.invitation_created"
    assert event.actor == employer_carol
    assert event.data["email"] == "Ted.Tech@example.test"


def test_the_invitation_email_is_in_the_invitees_language_when_they_have_an_account(
    now: Any,
    carols_garage: Employer,
    employer_carol: Any,
    make_user: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    lucia = make_user("Lucia", "Lopez", preferred_language="es")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(employer=carols_garage, email=lucia.email, acting_user=employer_carol)
    (message,) = mail.outbox
    assert message.to == [lucia.email]
    assert "12 de diciembre de 2026" in message.body


def test_someone_who_does_not_administer_the_employer_cannot_invite(
    now: Any,
    carols_garage: Employer,
    outsider_dave: Any,
    candidate_alice: Any,
    program_admin_paula: Any,
    make_user: Callable[..., Any],
) -> None:
    from wrenchmark.employers.services import employer_admin_add

    other_shop = employer_create(name="Other Shop", acting_user=program_admin_paula)
    other_admin = make_user("Olga", "Other")
    employer_admin_add(employer=other_shop, user=other_admin, acting_user=program_admin_paula)

    for user in (outsider_dave, other_admin):
        with pytest.raises(PermissionDenied) as refused:
            invitation_create(employer=carols_garage, email=candidate_alice.email, acting_user=user)
        assert refused.value.code == "not_employer_admin"
    assert not EmployerInvitation.objects.exists()


@pytest.mark.parametrize("email", ["", "not-an-address", "two@@example.test"])
def test_an_invalid_address_is_refused_on_the_email_field(
    now: Any, carols_garage: Employer, employer_carol: Any, email: str
) -> None:
    with pytest.raises(ApplicationError) as refused:
        invitation_create(employer=carols_garage, email=email, acting_user=employer_carol, notify=False)
    assert refused.value.field == "email"
    assert not EmployerInvitation.objects.exists()


def test_a_second_open_invitation_or_one_for_a_current_technician_is_refused(
    invited: EmployerInvitation, carols_garage: Employer, employer_carol: Any, candidate_alice: Any
) -> None:
    with pytest.raises(Conflict) as refused:
        invitation_create(
            employer=carols_garage,
            email="ALICE.archer@example.test",
            acting_user=employer_carol,
            notify=False,
        )
    assert refused.value.code == "already_invited"

    invitation_accept(token=invited.token, user=candidate_alice)
    with pytest.raises(Conflict) as refused:
        invitation_create(
            employer=carols_garage, email=candidate_alice.email, acting_user=employer_carol, notify=False
        )
    assert refused.value.code == "already_technician"


def test_an_expired_invitation_no_longer_blocks_a_new_one(
    invited: EmployerInvitation, now: Any, carols_garage: Employer, employer_carol: Any, candidate_alice: Any
) -> None:
    now.shift(dt.timedelta(days=INVITATION_DAYS, seconds=1))
    again = invitation_create(
        employer=carols_garage, email=candidate_alice.email, acting_user=employer_carol, notify=False
    )
    assert again.token != invited.token
    assert list(invitations_open(carols_garage)) == [again, invited]


# --- Answering -------------------------------------------------------------------------------------


def test_accepting_records_consent_and_makes_a_current_technician_audited(
    invited: EmployerInvitation, now: Any, carols_garage: Employer, candidate_alice: Any
) -> None:
    assert list(invitations_waiting_for(candidate_alice)) == [invited]
    now.shift(dt.timedelta(hours=3))
    membership = invitation_accept(token=invited.token, user=candidate_alice)

    assert membership.is_technician
    assert not membership.is_admin
    assert membership.consented_at == NOW + dt.timedelta(hours=3)
    assert membership.left_at is None
    invited.refresh_from_db()
    assert invited.accepted_at == membership.consented_at
    assert invited.user == candidate_alice
    assert [m.user for m in technicians_current(carols_garage)] == [candidate_alice]
    assert [m.employer for m in technician_memberships_of(candidate_alice)] == [carols_garage]
    assert list(invitations_waiting_for(candidate_alice)) == []
    assert actions(invited) == ["employer.invitation_created", "employer.invitation_accepted"]
    joined = audit_events_for(carols_garage).get(action="employer.technician_joined")
    assert joined.actor == candidate_alice
    assert joined.data["user"] == candidate_alice.program_id
    assert joined.data["consented_at"] == membership.consented_at.isoformat()


def test_the_address_matches_whatever_its_case(
    now: Any, carols_garage: Employer, employer_carol: Any, candidate_alice: Any
) -> None:
    invitation = invitation_create(
        employer=carols_garage, email="ALICE.ARCHER@example.test", acting_user=employer_carol, notify=False
    )
    assert invitation_accept(token=invitation.token, user=candidate_alice).is_technician


def test_accepting_with_another_account_is_refused_and_records_nothing(
    invited: EmployerInvitation, carols_garage: Employer, outsider_dave: Any
) -> None:
    for answer in (invitation_accept, invitation_decline):
        with pytest.raises(PermissionDenied) as refused:
            answer(token=invited.token, user=outsider_dave)
        assert refused.value.code == "wrong_account"
        assert "a***@example.test" in refused.value.message  # the invited address, masked
        assert outsider_dave.email in refused.value.message
    invited.refresh_from_db()
    assert invited.is_open
    assert not EmployerMembership.objects.filter(user=outsider_dave).exists()
    assert actions(invited) == ["employer.invitation_created"]


def test_an_unknown_token_is_not_found(now: Any, candidate_alice: Any) -> None:
    with pytest.raises(NotFound):
        invitation_accept(token="no-such-token", user=candidate_alice)


def test_an_expired_invitation_cannot_be_accepted(
    invited: EmployerInvitation, now: Any, candidate_alice: Any
) -> None:
    now.shift(dt.timedelta(days=INVITATION_DAYS) - dt.timedelta(seconds=1))
    assert list(invitations_waiting_for(candidate_alice)) == [invited]
    now.shift(dt.timedelta(seconds=1))
    assert list(invitations_waiting_for(candidate_alice)) == []
    with pytest.raises(Conflict) as refused:
        invitation_accept(token=invited.token, user=candidate_alice)
    assert refused.value.code == "invitation_expired"
    assert "expired" in refused.value.message
    assert not EmployerMembership.objects.filter(user=candidate_alice).exists()


def test_declining_shares_nothing_and_closes_the_invitation(
    invited: EmployerInvitation, carols_garage: Employer, candidate_alice: Any
) -> None:
    invitation_decline(token=invited.token, user=candidate_alice)
    invited.refresh_from_db()
    assert invited.declined_at == NOW
    assert not EmployerMembership.objects.filter(user=candidate_alice).exists()
    assert list(invitations_open(carols_garage)) == []
    assert actions(invited)[-1] == "employer.invitation_declined"
    with pytest.raises(Conflict, match="declined"):
        invitation_accept(token=invited.token, user=candidate_alice)


def test_the_admin_withdraws_an_open_invitation_which_then_cannot_be_accepted(
    invited: EmployerInvitation, employer_carol: Any, outsider_dave: Any, candidate_alice: Any
) -> None:
    with pytest.raises(PermissionDenied):
        invitation_withdraw(invitation=invited, acting_user=outsider_dave)
    invitation_withdraw(invitation=invited, acting_user=employer_carol)
    invited.refresh_from_db()
    assert invited.withdrawn_at == NOW
    assert actions(invited)[-1] == "employer.invitation_withdrawn"
    with pytest.raises(Conflict, match="withdrawn"):
        invitation_accept(token=invited.token, user=candidate_alice)
    with pytest.raises(Conflict):
        invitation_withdraw(invitation=invited, acting_user=employer_carol)


# --- Leaving ---------------------------------------------------------------------------------------


def test_the_admin_removes_a_technician_who_then_no_longer_counts(
    invited: EmployerInvitation,
    now: Any,
    carols_garage: Employer,
    employer_carol: Any,
    candidate_alice: Any,
    outsider_dave: Any,
) -> None:
    invitation_accept(token=invited.token, user=candidate_alice)
    with pytest.raises(PermissionDenied):
        technician_remove(employer=carols_garage, user=candidate_alice, acting_user=outsider_dave)
    now.shift(dt.timedelta(days=30))
    membership = technician_remove(employer=carols_garage, user=candidate_alice, acting_user=employer_carol)
    assert membership.left_at == NOW + dt.timedelta(days=30)
    assert list(technicians_current(carols_garage)) == []
    removed = audit_events_for(carols_garage).get(action="employer.technician_removed")
    assert removed.actor == employer_carol
    with pytest.raises(NotFound):
        technician_remove(employer=carols_garage, user=candidate_alice, acting_user=employer_carol)


def test_a_technician_leaves_on_their_own_and_can_rejoin_by_a_new_invitation(
    invited: EmployerInvitation,
    now: Any,
    carols_garage: Employer,
    employer_carol: Any,
    candidate_alice: Any,
) -> None:
    invitation_accept(token=invited.token, user=candidate_alice)
    now.shift(dt.timedelta(days=1))
    technician_leave(employer=carols_garage, acting_user=candidate_alice)
    assert list(technician_memberships_of(candidate_alice)) == []
    left = audit_events_for(carols_garage).get(action="employer.technician_left")
    assert left.actor == candidate_alice
    with pytest.raises(NotFound):
        technician_leave(employer=carols_garage, acting_user=candidate_alice)

    now.shift(dt.timedelta(days=1))
    again = invitation_create(
        employer=carols_garage, email=candidate_alice.email, acting_user=employer_carol, notify=False
    )
    membership = invitation_accept(token=again.token, user=candidate_alice)
    assert membership.left_at is None
    assert membership.consented_at == NOW + dt.timedelta(days=2)
    assert EmployerMembership.objects.filter(user=candidate_alice).count() == 1


def test_an_admin_who_accepts_stays_an_admin_and_becomes_a_technician(
    now: Any, carols_garage: Employer, employer_carol: Any
) -> None:
    invitation = invitation_create(
        employer=carols_garage, email=employer_carol.email, acting_user=employer_carol, notify=False
    )
    membership = invitation_accept(token=invitation.token, user=employer_carol)
    assert membership.is_admin
    assert membership.is_technician


# --- Offered areas and the public page -------------------------------------------------------------


def test_offered_areas_are_catalog_tests_kept_in_catalog_order_and_audited(
    now: Any, carols_garage: Employer, employer_carol: Any
) -> None:
    employer = employer_areas_set(
        employer=carols_garage, codes=["a5", "A1", " A5 ", ""], acting_user=employer_carol
    )
    assert employer.offered_areas == ["A1", "A5"]
    carols_garage.refresh_from_db()
    assert carols_garage.offered_areas == ["A1", "A5"]
    event = audit_events_for(carols_garage).get(action="employer.areas_set")
    assert event.data == {"before": [], "after": ["A1", "A5"]}
    employer_areas_set(employer=carols_garage, codes=["A5", "A1"], acting_user=employer_carol)
    assert audit_events_for(carols_garage).filter(action="employer.areas_set").count() == 1  # no change


@pytest.mark.parametrize("codes", [["A5", "Z9"], ["A5R"]])
def test_unknown_or_recertification_codes_are_refused(
    now: Any, carols_garage: Employer, employer_carol: Any, codes: list[str]
) -> None:
    with pytest.raises(ApplicationError) as refused:
        employer_areas_set(employer=carols_garage, codes=codes, acting_user=employer_carol)
    assert refused.value.field == "areas"
    assert codes[-1] in refused.value.message
    carols_garage.refresh_from_db()
    assert carols_garage.offered_areas == []


def test_only_an_admin_sets_areas_and_the_public_page(
    now: Any, carols_garage: Employer, employer_carol: Any, outsider_dave: Any
) -> None:
    with pytest.raises(PermissionDenied):
        employer_areas_set(employer=carols_garage, codes=["A5"], acting_user=outsider_dave)
    with pytest.raises(PermissionDenied):
        employer_public_page_set(employer=carols_garage, public=True, acting_user=outsider_dave)
    employer = employer_public_page_set(employer=carols_garage, public=True, acting_user=employer_carol)
    assert employer.public_page
    event = audit_events_for(carols_garage).get(action="employer.public_page_set")
    assert event.data == {"public_page": True}
