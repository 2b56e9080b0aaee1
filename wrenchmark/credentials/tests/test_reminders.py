"""Expiry reminders: 180, 90 and 30 days before, and on expiry; once each; only for certified lineages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command

from wrenchmark.credentials.models import Credential, CredentialStatus, ReminderKind, ReminderSent
from wrenchmark.credentials.reminders import reminder_kind_due, reminders_send
from wrenchmark.credentials.services import credential_extend, credential_withdraw, credentials_refresh
from wrenchmark.credentials.tests.test_credentials_sync import TODAY, approve_experience, record
from wrenchmark.rules import add_years

pytestmark = pytest.mark.django_db

EXPIRES = add_years(TODAY, 5)  # A5 passed TODAY: last valid day 2031-11-28


@pytest.fixture(autouse=True)
def frozen_today() -> Any:
    with time_machine.travel(dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def a5(candidate_alice: Any, program_admin_paula: Any, auto_area: Any, catalog: Any) -> Credential:
    approve_experience(candidate_alice, program_admin_paula, auto_area)
    record(candidate_alice, catalog, "A5", TODAY, source="import")
    credential = Credential.objects.get(holder=candidate_alice, test_code="A5")
    assert credential.expires_on == EXPIRES
    return credential


def days_before(days: int) -> dt.date:
    return EXPIRES - dt.timedelta(days=days)


def sent_kinds(credential: Credential) -> list[str]:
    return sorted(credential.reminders.values_list("kind", flat=True))


@pytest.mark.parametrize(
    ("days_left", "kind"),
    [
        (400, None),
        (181, None),
        (180, "180"),
        (179, "180"),
        (91, "180"),
        (90, "90"),
        (89, "90"),
        (31, "90"),
        (30, "30"),
        (29, "30"),
        (1, "30"),
        (0, "30"),
        (-1, "expired"),
        (-30, "expired"),
        (-31, None),
    ],
)
def test_a_first_run_sends_the_one_reminder_of_the_window_it_falls_in(
    a5: Credential, days_left: int, kind: str | None, django_capture_on_commit_callbacks: Any
) -> None:
    assert reminder_kind_due(days_left) == (ReminderKind(kind) if kind else None)
    with django_capture_on_commit_callbacks(execute=True):
        counts = reminders_send(on=days_before(days_left))
    assert sum(counts.values()) == (1 if kind else 0)
    assert sent_kinds(a5) == ([kind] if kind else [])
    assert len(mail.outbox) == (1 if kind else 0)
    if kind:
        assert counts[kind] == 1
        assert a5.reminders.get().expires_on == EXPIRES


def test_over_the_last_half_year_each_reminder_goes_out_once(
    a5: Credential, django_capture_on_commit_callbacks: Any
) -> None:
    sent_on = {}
    for days_left in range(200, -45, -1):
        with django_capture_on_commit_callbacks(execute=True):
            counts = reminders_send(on=days_before(days_left))
        for kind, n in counts.items():
            if n:
                sent_on[kind] = days_left
        with django_capture_on_commit_callbacks(execute=True):
            assert sum(reminders_send(on=days_before(days_left)).values()) == 0, "a second run sends nothing"
    assert sent_on == {"180": 180, "90": 90, "30": 30, "expired": -1}
    assert len(mail.outbox) == 4
    assert [m.subject for m in mail.outbox] == [
        "Your A5 certification expires in 180 days",
        "Your A5 certification expires in 90 days",
        "Your A5 certification expires in 30 days",
        "Your A5 certification has expired",
    ]


def test_a_late_first_run_sends_only_the_most_urgent_reminder(
    a5: Credential, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        counts = reminders_send(on=days_before(12))
    assert counts == {"180": 0, "90": 0, "30": 1, "expired": 0}
    assert sent_kinds(a5) == ["30"]
    with django_capture_on_commit_callbacks(execute=True):
        assert sum(reminders_send(on=days_before(5)).values()) == 0
    assert len(mail.outbox) == 1
    assert "in 12 days" in mail.outbox[0].body


def test_the_expired_reminder_goes_out_after_the_daily_refresh_too(
    a5: Credential, django_capture_on_commit_callbacks: Any
) -> None:
    credentials_refresh(on=days_before(-2))
    a5.refresh_from_db()
    assert a5.status == CredentialStatus.EXPIRED
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(on=days_before(-2))["expired"] == 1
    assert "2 days ago" in mail.outbox[0].body


def test_a_reminder_another_run_recorded_is_not_sent_again(
    a5: Credential, django_capture_on_commit_callbacks: Any
) -> None:
    ReminderSent.objects.create(credential=a5, kind="90", expires_on=EXPIRES, sent_at=dt.datetime.now(dt.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        assert sum(reminders_send(on=days_before(60)).values()) == 0
    assert mail.outbox == []


@pytest.mark.parametrize("status", ["suspended", "revoked"])
def test_no_reminders_for_a_withdrawn_certification(
    a5: Credential, program_admin_paula: Any, status: str, django_capture_on_commit_callbacks: Any
) -> None:
    credential_withdraw(
        credential=a5, status=status, reason="Review", acting_user=program_admin_paula, notify=False
    )
    for days_left in (180, 90, 30, 0, -1):
        with django_capture_on_commit_callbacks(execute=True):
            assert sum(reminders_send(on=days_before(days_left)).values()) == 0
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()


def test_no_reminders_for_a_pass_awaiting_experience(
    candidate_alice: Any, catalog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    record(candidate_alice, catalog, "A5", TODAY, source="import")
    waiting = Credential.objects.get(holder=candidate_alice, test_code="A5")
    assert waiting.status == CredentialStatus.AWAITING_EXPERIENCE
    for days_left in (180, 90, 30, 0, -1):
        with django_capture_on_commit_callbacks(execute=True):
            on = waiting.expires_on - dt.timedelta(days=days_left)
            if days_left < 0:
                credentials_refresh(on=on)
            assert sum(reminders_send(on=on).values()) == 0
    assert mail.outbox == []


def test_the_mail_names_the_credential_the_date_the_days_and_the_test_to_buy(
    a5: Credential, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(on=days_before(90))
    (message,) = mail.outbox
    assert message.to == [a5.holder.email]
    assert message.subject == "Your A5 certification expires in 90 days"
    body = message.body
    assert "Your A5 Brakes certification expires on 2031-11-28, in 90 days." in body
    assert "pass the A5R Brakes Recertification test" in body
    assert f"{settings.SITE_URL.rstrip('/')}/tests/" in body
    assert a5.holder.program_id in body
    assert "renewal program" not in body.lower(), "no renewal offer where the program has no items"


def test_the_mail_is_in_the_holders_language(a5: Credential, django_capture_on_commit_callbacks: Any) -> None:
    a5.holder.preferred_language = "es"
    a5.holder.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(on=days_before(30))
    assert mail.outbox[0].body.startswith("Hola, Alice Archer:")


def test_a_renewal_subscriber_reads_their_credits(
    candidate_alice: Any,
    program_admin_paula: Any,
    auto_area: Any,
    catalog: Any,
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from wrenchmark.accounts.models import Role
    from wrenchmark.catalog.models import Test
    from wrenchmark.itembank.models import Item, ItemState
    from wrenchmark.itembank.services import ItemContent, OptionInput, item_create
    from wrenchmark.renewals.services import question_answer, subscription_start

    # Passed in January 2022: the certification expires within the subscription year that starts today.
    approve_experience(candidate_alice, program_admin_paula, auto_area, years=8)
    record(candidate_alice, catalog, "A5", dt.date(2022, 1, 27), source="import")
    a5 = Credential.objects.get(holder=candidate_alice, test_code="A5")
    assert a5.expires_on == dt.date(2027, 1, 27)
    writer = make_user("Wren", "Writer", roles=(Role.ITEM_WRITER,))
    test = Test.objects.get(edition=catalog, code="A5")
    for n in range(3):
        item = item_create(
            test=test,
            pool="renewal",
            acting_user=writer,
            external_id=f"A5-R{n + 1:03d}",
            content=ItemContent(
                area=test.content_areas.first(),  # type: ignore[arg-type]
                style="direct",
                stem=f"Renewal case {n}: which one?",
                options=[OptionInput(f"Option {i}", f"Why {i}", i == 0) for i in range(4)],
            ),
        )
        Item.objects.filter(pk=item.pk).update(state=ItemState.APPROVED)

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send()["90"] == 1
    offer = mail.outbox[-1].body
    assert "You can also extend A5 by one year through the renewal program" in offer
    assert f"{settings.SITE_URL.rstrip('/')}/renewal/" in offer

    subscription = subscription_start(holder=a5.holder, acting_user=a5.holder)
    question = subscription.questions.get()
    question_answer(question=question, choice="A", holder=a5.holder)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(on=dt.date(2026, 12, 28))["30"] == 1
    body = mail.outbox[-1].body
    assert "in 30 days" in body
    assert "you have 1 of 8 credits in A5 in your subscription year, which runs until 2027-11-27" in body
    assert "You can also extend" not in body


def test_an_extension_starts_the_reminders_again_for_the_new_expiry(
    a5: Credential, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(on=days_before(30))
    extended = credential_extend(credential=a5, source="renewal program", acting_user=None)
    assert extended.expires_on == add_years(EXPIRES, 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert sum(reminders_send(on=days_before(0)).values()) == 0, "a year left now: nothing due"
        assert reminders_send(on=extended.expires_on - dt.timedelta(days=180))["180"] == 1
    assert [r.expires_on for r in a5.reminders.order_by("id")] == [EXPIRES, extended.expires_on]


def test_the_command_prints_the_counts_and_refuses_a_bad_date(a5: Credential, capsys: Any) -> None:
    call_command("credentials_remind", "--on", days_before(90).isoformat())
    out = capsys.readouterr().out
    assert (
        "Reminders sent: 0 180 days before expiry, 1 90 days before expiry, 0 30 days before expiry, 0 On expiry."
        in out
    )
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("credentials_remind", "--on", "28/11/2031")
