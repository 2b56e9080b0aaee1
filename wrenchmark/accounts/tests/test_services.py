"""Account services: creating people, updating profiles, and locking out repeated failed sign-ins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.test import override_settings

from conftest import PASSWORD
from wrenchmark.accounts import services
from wrenchmark.accounts.models import Language, LoginFailure, Role, User
from wrenchmark.accounts.program_ids import normalise_program_id
from wrenchmark.accounts.services import (
    login_failure_record,
    login_failures_clear,
    login_is_locked,
    profile_update,
    user_create,
)
from wrenchmark.core.audit import audit_events_for
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
MD5 = "django.contrib.auth.hashers.MD5PasswordHasher"


def create(email: str = "erin.east@example.test", password: str | None = PASSWORD, **extra: Any) -> User:
    return user_create(email=email, password=password, first_name="Erin", last_name="East", **extra)


# ------------------------------------------------------------------------------
# user_create
# ------------------------------------------------------------------------------


def test_a_new_user_gets_a_valid_program_id_with_the_configured_prefix(catalog: Any) -> None:
    user = create()
    assert user.program_id.startswith(f"{settings.PROGRAM_ID_PREFIX}-")
    assert normalise_program_id(user.program_id) == user.program_id
    assert User.objects.get(email="erin.east@example.test").program_id == user.program_id


@override_settings(PROGRAM_ID_PREFIX="NMC")
def test_the_program_id_prefix_follows_the_setting(catalog: Any) -> None:
    assert create().program_id.startswith("NMC-")


def test_program_ids_are_unique_across_many_users(catalog: Any) -> None:
    users = [create(email=f"user{n}@example.test") for n in range(30)]
    assert len({u.program_id for u in users}) == 30


def test_an_id_already_taken_is_drawn_again(catalog: Any, candidate_alice: User) -> None:
    fresh = "WM-1234-5674"
    draws = iter([candidate_alice.program_id, candidate_alice.program_id, fresh])
    with mock.patch.object(services, "generate_program_id", side_effect=lambda *a, **k: next(draws)):
        assert create().program_id == fresh


def test_a_new_user_gets_the_roles_asked_for_and_the_fields_cleaned(catalog: Any) -> None:
    user = user_create(
        email="  Frank.Ford@EXAMPLE.test ",
        password=PASSWORD,
        first_name="  Frank ",
        last_name=" Ford ",
        preferred_language=Language.SPANISH,
        roles=(Role.CANDIDATE, Role.PROCTOR),
    )
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Frank", "Ford")
    assert user.email == "Frank.Ford@example.test"
    assert user.username == "frank.ford@example.test"
    assert user.preferred_language == "es"
    assert user.role_codes == {Role.CANDIDATE, Role.PROCTOR}


def test_production_settings_hash_passwords_with_argon2_first() -> None:
    from config.settings import base

    assert base.PASSWORD_HASHERS[0] == ARGON2


def test_with_the_production_hashers_a_new_password_is_stored_as_argon2(catalog: Any) -> None:
    from config.settings import base

    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        user = create()
        assert user.password.startswith("argon2")
        assert check_password(PASSWORD, user.password)
        assert not check_password(PASSWORD + "x", user.password)


def test_the_test_settings_use_fast_md5_hashing(candidate_alice: User) -> None:
    assert settings.PASSWORD_HASHERS == [MD5]
    assert candidate_alice.password.startswith("md5$")
    assert candidate_alice.check_password(PASSWORD)


def test_a_user_without_a_password_cannot_sign_in_with_one(catalog: Any) -> None:
    user = create(password=None)
    assert not user.has_usable_password()


def test_creating_an_account_is_audited(catalog: Any, program_admin_paula: User) -> None:
    user = create(acting_user=program_admin_paula, roles=(Role.CANDIDATE, Role.PROCTOR))
    event = audit_events_for(user).get(action="account.created")
    assert event.actor == program_admin_paula
    assert event.target_type == "accounts.user"
    assert event.target_id == str(user.pk)
    assert user.program_id in event.summary
    assert event.data == {"roles": ["candidate", "proctor"], "demo": False}


def test_someone_signing_up_is_their_own_actor(catalog: Any) -> None:
    user = create()
    assert audit_events_for(user).get(action="account.created").actor == user


def test_the_audit_row_is_written_in_the_same_transaction_as_the_account(catalog: Any) -> None:
    real_audit_record = services.audit_record

    def audit_then_fail(**kwargs: Any) -> None:
        real_audit_record(**kwargs)
        raise RuntimeError("the request died after auditing")

    events_before = AuditEvent.objects.count()
    with (
        mock.patch.object(services, "audit_record", side_effect=audit_then_fail),
        pytest.raises(RuntimeError, match="died"),
    ):
        create()
    # Account and audit row go together: neither survives.
    assert not User.objects.filter(email="erin.east@example.test").exists()
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize(
    "taken",
    ["alice.archer@example.test", "Alice.Archer@Example.Test", "ALICE.ARCHER@EXAMPLE.TEST"],
)
def test_an_email_already_in_use_in_any_case_is_refused(candidate_alice: User, taken: str) -> None:
    users_before = User.objects.count()
    with pytest.raises(ApplicationError) as caught:
        create(email=taken)
    assert caught.value.code == "email_taken"
    assert caught.value.field == "email"
    assert User.objects.count() == users_before


def test_the_database_backs_up_the_email_check(catalog: Any) -> None:
    # As if another sign-up for the same address won the race past the lookup: its username (the
    # lower-cased address) is unique, so the second insert fails and is reported as a taken address.
    User.objects.create(email="racer@example.test", username="erin.east@example.test", program_id="X")
    with pytest.raises(ApplicationError) as caught:
        create(email="Erin.East@example.test")
    assert caught.value.code == "email_taken"
    assert not User.objects.filter(email__iexact="erin.east@example.test").exists()


@pytest.mark.parametrize(
    "weak",
    ["short1", "1234567890123", "password123", "erin.east.example"],
    ids=["too short", "only numbers", "too common", "like the e-mail"],
)
def test_a_weak_password_is_refused_and_nothing_is_created(catalog: Any, weak: str) -> None:
    with pytest.raises(ApplicationError) as caught:
        create(password=weak)
    assert caught.value.code == "weak_password"
    assert caught.value.field == "password"
    assert caught.value.message
    assert not User.objects.filter(email="erin.east@example.test").exists()


def test_an_unknown_language_is_refused(catalog: Any) -> None:
    with pytest.raises(ApplicationError) as caught:
        create(preferred_language="fr")
    assert caught.value.code == "invalid_language"


# ------------------------------------------------------------------------------
# profile_update
# ------------------------------------------------------------------------------


@pytest.fixture
def name_changes(candidate_alice: User) -> Callable[[], list[AuditEvent]]:
    return lambda: list(audit_events_for(candidate_alice).filter(action="account.name_changed"))


def test_a_name_change_is_saved_and_audited(
    candidate_alice: User, name_changes: Callable[[], list[AuditEvent]]
) -> None:
    profile_update(
        user=candidate_alice, first_name=" Alicia ", last_name="Archer-Bell", preferred_language="en"
    )
    candidate_alice.refresh_from_db()
    assert (candidate_alice.first_name, candidate_alice.last_name) == ("Alicia", "Archer-Bell")
    [event] = name_changes()
    assert event.actor == candidate_alice
    assert event.data == {"from": ["Alice", "Archer"], "to": ["Alicia", "Archer-Bell"]}


def test_changing_only_the_language_is_saved_but_not_audited(
    candidate_alice: User, name_changes: Callable[[], list[AuditEvent]]
) -> None:
    profile_update(user=candidate_alice, first_name="Alice", last_name="Archer", preferred_language="es")
    candidate_alice.refresh_from_db()
    assert candidate_alice.preferred_language == "es"
    assert name_changes() == []


def test_the_same_name_with_stray_spaces_is_not_a_name_change(
    candidate_alice: User, name_changes: Callable[[], list[AuditEvent]]
) -> None:
    profile_update(user=candidate_alice, first_name=" Alice", last_name="Archer ", preferred_language="en")
    assert name_changes() == []


@pytest.mark.parametrize(
    ("first", "last", "language", "code"),
    [
        ("Alice", "  ", "en", "name_required"),
        ("", "Archer", "en", "name_required"),
        ("Alice", "Archer", "de", "invalid_language"),
    ],
)
def test_a_bad_profile_update_changes_nothing(
    candidate_alice: User,
    name_changes: Callable[[], list[AuditEvent]],
    first: str,
    last: str,
    language: str,
    code: str,
) -> None:
    with pytest.raises(ApplicationError) as caught:
        profile_update(user=candidate_alice, first_name=first, last_name=last, preferred_language=language)
    assert caught.value.code == code
    candidate_alice.refresh_from_db()
    assert (candidate_alice.first_name, candidate_alice.last_name, candidate_alice.preferred_language) == (
        "Alice",
        "Archer",
        "en",
    )
    assert name_changes() == []


# ------------------------------------------------------------------------------
# Sign-in lockout
# ------------------------------------------------------------------------------

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
EMAIL = "alice.archer@example.test"


@pytest.fixture
def clock(db: None) -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def fail(times: int, *, email: str = EMAIL, ip_address: str | None = "203.0.113.7") -> None:
    for _ in range(times):
        login_failure_record(email=email, ip_address=ip_address)


def test_the_account_is_not_locked_one_failure_short_of_the_limit(clock: time_machine.Coordinates) -> None:
    fail(settings.LOGIN_FAILURE_LIMIT - 1)
    assert not login_is_locked(email=EMAIL, ip_address="203.0.113.7")


def test_the_account_is_locked_at_the_limit_and_unlocks_after_the_lockout(
    clock: time_machine.Coordinates,
) -> None:
    assert settings.LOGIN_FAILURE_LIMIT == 5
    fail(settings.LOGIN_FAILURE_LIMIT)
    assert login_is_locked(email=EMAIL, ip_address="198.51.100.1")

    clock.shift(dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES))
    assert login_is_locked(email=EMAIL, ip_address="198.51.100.1"), "still locked at exactly the limit"

    clock.shift(dt.timedelta(seconds=1))
    assert not login_is_locked(email=EMAIL, ip_address="198.51.100.1")


def test_failures_spread_over_time_only_count_inside_the_window(clock: time_machine.Coordinates) -> None:
    fail(settings.LOGIN_FAILURE_LIMIT - 1)
    clock.shift(dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1))
    fail(1)
    assert not login_is_locked(email=EMAIL, ip_address=None)


def test_the_lockout_ignores_the_case_of_the_address(clock: time_machine.Coordinates) -> None:
    fail(settings.LOGIN_FAILURE_LIMIT, email=" Alice.Archer@EXAMPLE.test")
    assert LoginFailure.objects.filter(email=EMAIL).count() == settings.LOGIN_FAILURE_LIMIT
    assert login_is_locked(email="ALICE.archer@example.test ", ip_address=None)


def test_one_account_locked_out_leaves_others_alone(clock: time_machine.Coordinates) -> None:
    fail(settings.LOGIN_FAILURE_LIMIT)
    assert not login_is_locked(email="bob.baker@example.test", ip_address="198.51.100.1")


def test_an_address_is_locked_after_four_times_the_limit_across_accounts(
    clock: time_machine.Coordinates,
) -> None:
    shared_ip = "203.0.113.50"
    for n in range(settings.LOGIN_FAILURE_LIMIT * 4 - 1):
        fail(1, email=f"person{n}@example.test", ip_address=shared_ip)
    assert not login_is_locked(email="someone.new@example.test", ip_address=shared_ip)
    fail(1, email="one.more@example.test", ip_address=shared_ip)
    assert login_is_locked(email="someone.new@example.test", ip_address=shared_ip)
    assert not login_is_locked(email="someone.new@example.test", ip_address="203.0.113.51")


def test_clearing_failures_unlocks_only_that_account(clock: time_machine.Coordinates) -> None:
    fail(settings.LOGIN_FAILURE_LIMIT)
    fail(settings.LOGIN_FAILURE_LIMIT, email="bob.baker@example.test")
    login_failures_clear(email="Alice.Archer@example.test")
    assert not login_is_locked(email=EMAIL, ip_address=None)
    assert login_is_locked(email="bob.baker@example.test", ip_address=None)


def test_failures_are_stamped_with_the_server_clock(clock: time_machine.Coordinates) -> None:
    fail(1)
    assert LoginFailure.objects.get().occurred_at == START
