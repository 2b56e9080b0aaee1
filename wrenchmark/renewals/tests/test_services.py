"""The renewal program: who may subscribe, which questions are served, and how credits extend a certification."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from wrenchmark.core.audit import audit_events_for
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.credentials.models import Credential, CredentialExtension
from wrenchmark.credentials.services import credential_withdraw
from wrenchmark.itembank.models import Item, ItemPool, ItemState
from wrenchmark.renewals.models import RenewalQuestion, RenewalSubscription
from wrenchmark.renewals.selectors import area_progress, question_history
from wrenchmark.renewals.services import (
    question_answer,
    questions_for_month,
    subscription_cancel,
    subscription_start,
)
from wrenchmark.renewals.tests.conftest import TODAY, at, key_letter, subscription_months, wrong_letter
from wrenchmark.rules import add_years

pytestmark = pytest.mark.django_db


@pytest.fixture
def a5(candidate_alice: Any, certify: Callable[..., Credential]) -> Credential:
    return certify(candidate_alice, "A5")


def test_subscribing_is_refused_without_a_current_certification_the_program_covers(
    candidate_alice: Any, outsider_dave: Any, certify: Callable[..., Credential], make_items: Any
) -> None:
    make_items("A5", 3)
    with pytest.raises(ApplicationError) as nothing:
        subscription_start(holder=outsider_dave, acting_user=outsider_dave)
    assert nothing.value.code == "no_eligible_certification"
    assert "A5" in nothing.value.message

    certify(candidate_alice, "A4")  # certified, but A4 has no renewal items
    with pytest.raises(ApplicationError) as uncovered:
        subscription_start(holder=candidate_alice, acting_user=candidate_alice)
    assert uncovered.value.code == "no_eligible_certification"
    assert not RenewalSubscription.objects.exists()


def test_a_subscription_runs_a_year_is_audited_serves_the_month_and_is_one_at_a_time(
    a5: Credential, make_items: Any, outsider_dave: Any
) -> None:
    make_items("A5", 3)
    subscription = subscription_start(holder=a5.holder, acting_user=a5.holder)
    assert (subscription.starts_on, subscription.ends_on) == (TODAY, dt.date(2027, 11, 27))
    assert [e.action for e in audit_events_for(subscription)] == ["renewal.subscribed"]
    assert list(subscription.questions.values_list("month", "credential")) == [(dt.date(2026, 11, 1), a5.pk)]

    with pytest.raises(ApplicationError) as twice:
        subscription_start(holder=a5.holder, acting_user=a5.holder)
    assert twice.value.code == "already_subscribed"
    with pytest.raises(ApplicationError) as other:
        subscription_start(holder=a5.holder, acting_user=outsider_dave)
    assert other.value.code == "not_holder"


def test_each_month_serves_one_question_per_current_covered_area_idempotently(
    a5: Credential, certify: Callable[..., Credential], make_items: Any
) -> None:
    make_items("A5", 3)
    make_items("A8", 3)
    a8 = certify(a5.holder, "A8")
    certify(a5.holder, "A4")  # current but not covered: no question
    subscription = subscription_start(holder=a5.holder, acting_user=a5.holder)
    first = questions_for_month(subscription=subscription)
    again = questions_for_month(subscription=subscription, on=TODAY + dt.timedelta(days=1))
    assert [q.pk for q in first] == [q.pk for q in again]
    assert sorted(q.credential_id for q in first) == sorted([a5.pk, a8.pk])
    assert RenewalQuestion.objects.count() == 2


def test_the_choice_is_the_seeded_draw_over_the_unseen_pool(a5: Credential, make_items: Any) -> None:
    items = make_items("A5", 6)
    subscription = subscription_start(holder=a5.holder, acting_user=a5.holder)
    (question,) = questions_for_month(subscription=subscription)
    month = dt.date(2026, 11, 1)
    pool = sorted(items, key=lambda i: i.external_id)
    expected = random.Random(f"{subscription.pk}-{a5.pk}-{month}").choice(pool)
    assert question.item_id == expected.pk
    assert question.item_version_id == expected.current_version_id


def test_over_a_whole_year_only_unseen_approved_renewal_items_are_served(
    a5: Credential, make_items: Any
) -> None:
    renewal = make_items("A5", 14)
    make_items("A5", 5, pool="operational", state=ItemState.OPERATIONAL)
    make_items("A5", 5, pool="operational", state=ItemState.APPROVED, start=20)
    make_items("A5", 5, pool="practice")
    drafts = make_items("A5", 3, state=ItemState.DRAFT, start=40)
    retired = make_items("A5", 2, state=ItemState.RETIRED, start=50)
    subscription = subscription_start(holder=a5.holder, acting_user=a5.holder)
    months = subscription_months(subscription.starts_on, subscription.ends_on)
    assert len(months) == 13
    for day in months:
        questions_for_month(subscription=subscription, on=day)
    served = list(subscription.questions.select_related("item"))
    assert len(served) == 13
    assert len({q.item_id for q in served}) == 13, "no item twice in one subscription year"
    assert {q.item.pool for q in served} == {ItemPool.RENEWAL}
    assert {q.item_id for q in served} <= {i.pk for i in renewal}
    assert not {q.item_id for q in served} & {i.pk for i in drafts + retired}
    # Outside the subscription nothing is served.
    assert (
        questions_for_month(subscription=subscription, on=subscription.ends_on + dt.timedelta(days=1)) == []
    )


def test_a_small_pool_runs_dry_rather_than_repeat(a5: Credential, make_items: Any) -> None:
    make_items("A5", 3)
    subscription = subscription_start(holder=a5.holder, acting_user=a5.holder)
    for day in subscription_months(subscription.starts_on, subscription.ends_on)[:6]:
        questions_for_month(subscription=subscription, on=day)
    items = list(subscription.questions.values_list("item_id", flat=True))
    assert len(items) == len(set(items)) == 3


def test_a_certification_earned_mid_year_joins_from_that_month(
    a5: Credential, certify: Callable[..., Credential], make_items: Any
) -> None:
    make_items("A5", 14)
    make_items("A8", 14)
    subscription = subscription_start(holder=a5.holder, acting_user=a5.holder)
    later = dt.date(2027, 3, 10)
    with at(later):
        a8 = certify(a5.holder, "A8", later)
    for day in subscription_months(subscription.starts_on, subscription.ends_on):
        questions_for_month(subscription=subscription, on=day)
    a8_months = sorted(subscription.questions.filter(credential=a8).values_list("month", flat=True))
    assert a8_months[0] == dt.date(2027, 3, 1)
    assert len(a8_months) == 9  # March to November 2027


def _answer_month(
    subscription: RenewalSubscription, day: dt.date, credential: Credential, *, right: bool
) -> Any:
    with at(day):
        question = next(
            q for q in questions_for_month(subscription=subscription) if q.credential_id == credential.pk
        )
        letter = key_letter(question) if right else wrong_letter(question)
        return question_answer(question=question, choice=letter, holder=subscription.holder)


def test_eight_correct_answers_extend_the_certification_by_one_year_once(
    a5: Credential, make_items: Any
) -> None:
    make_items("A5", 14)
    five_years = a5.expires_on
    subscription = subscription_start(holder=a5.holder, acting_user=a5.holder)
    months = subscription_months(subscription.starts_on, subscription.ends_on)

    for day in months[:2]:
        outcome = _answer_month(subscription, day, a5, right=False)
        assert (outcome.correct, outcome.credits, outcome.extended) == (False, 0, None)
    for n, day in enumerate(months[2:9], start=1):
        outcome = _answer_month(subscription, day, a5, right=True)
        assert (outcome.correct, outcome.credits, outcome.extended) == (True, n, None)
    a5.refresh_from_db()
    assert a5.expires_on == five_years, "seven credits and two wrong answers extend nothing"

    eighth = _answer_month(subscription, months[9], a5, right=True)
    assert eighth.credits == 8
    assert eighth.extended is not None
    a5.refresh_from_db()
    assert a5.expires_on == add_years(five_years, 1)
    assert [e.action for e in audit_events_for(a5)].count("credential.extended") == 1
    (extension,) = CredentialExtension.objects.filter(credential=a5)
    assert (extension.from_expiry, extension.to_expiry, extension.source) == (
        five_years,
        add_years(five_years, 1),
        "renewal program",
    )

    ninth = _answer_month(subscription, months[10], a5, right=True)
    assert (ninth.credits, ninth.extended) == (9, None)
    a5.refresh_from_db()
    assert a5.expires_on == add_years(five_years, 1), "the ninth credit does not extend again"
    assert CredentialExtension.objects.filter(credential=a5).count() == 1
    (progress,) = area_progress(subscription, on=months[10])
    assert (progress.credits, progress.answered, progress.extended, progress.shown_credits) == (
        9,
        11,
        True,
        8,
    )
    answered = [e for e in audit_events_for(ninth.question) if e.action == "renewal.answered"]
    assert answered[0].data["credits"] == 9


def test_an_answer_is_taken_once_only_in_its_month_and_only_from_its_holder(
    a5: Credential, make_items: Any, outsider_dave: Any
) -> None:
    make_items("A5", 5)
    subscription = subscription_start(holder=a5.holder, acting_user=a5.holder)
    (november,) = questions_for_month(subscription=subscription)

    with pytest.raises(ApplicationError) as stranger:
        question_answer(question=november, choice="A", holder=outsider_dave)
    assert stranger.value.code == "not_found"
    with pytest.raises(ApplicationError) as bad:
        question_answer(question=november, choice="E", holder=a5.holder)
    assert (bad.value.code, bad.value.field) == ("invalid_choice", "choice")

    with at(dt.date(2026, 11, 30)):  # the last day of its month still counts
        question_answer(question=november, choice=wrong_letter(november), holder=a5.holder)
    with pytest.raises(ApplicationError) as twice:
        question_answer(question=november, choice=key_letter(november), holder=a5.holder)
    assert twice.value.code == "already_answered"
    november.refresh_from_db()
    assert november.correct is False

    with at(dt.date(2026, 12, 3)):
        (december,) = questions_for_month(subscription=subscription)
    with at(dt.date(2027, 1, 1)), pytest.raises(ApplicationError) as late:
        question_answer(question=december, choice=key_letter(december), holder=a5.holder)
    assert late.value.code == "month_over"
    december.refresh_from_db()
    assert december.answered_at is None
    history = question_history(subscription, before=dt.date(2027, 1, 1))
    assert [month for month, _ in history] == [dt.date(2026, 12, 1), dt.date(2026, 11, 1)]


def test_cancelling_stops_questions_and_answers(a5: Credential, make_items: Any) -> None:
    make_items("A5", 5)
    subscription = subscription_start(holder=a5.holder, acting_user=a5.holder)
    (question,) = questions_for_month(subscription=subscription)
    subscription_cancel(subscription=subscription, acting_user=a5.holder)
    actions = [e.action for e in audit_events_for(subscription).order_by("id")]
    assert actions == ["renewal.subscribed", "renewal.cancelled"]
    with pytest.raises(ApplicationError) as refused:
        question_answer(question=question, choice=key_letter(question), holder=a5.holder)
    assert refused.value.code == "cancelled"
    with at(dt.date(2026, 12, 10)):
        assert questions_for_month(subscription=subscription) == []
    with pytest.raises(ApplicationError) as again:
        subscription_cancel(subscription=subscription, acting_user=a5.holder)
    assert again.value.code == "not_active"
    # A new subscription can start once the old one is cancelled.
    assert subscription_start(holder=a5.holder, acting_user=a5.holder).pk != subscription.pk


def test_a_suspended_certification_earns_credits_but_no_extension_and_gets_no_new_questions(
    a5: Credential, make_items: Any, program_admin_paula: Any
) -> None:
    make_items("A5", 14)
    subscription = subscription_start(holder=a5.holder, acting_user=a5.holder)
    months = subscription_months(subscription.starts_on, subscription.ends_on)
    for day in months[:7]:
        _answer_month(subscription, day, a5, right=True)
    with at(months[7]):
        (question,) = questions_for_month(subscription=subscription)
        credential_withdraw(
            credential=a5, status="suspended", reason="Under review", acting_user=program_admin_paula
        )
        outcome = question_answer(question=question, choice=key_letter(question), holder=a5.holder)
    assert (outcome.credits, outcome.extended) == (8, None)
    with at(months[8]):
        assert questions_for_month(subscription=subscription) == []


def test_the_monthly_command_serves_every_running_subscription(
    a5: Credential, make_items: Any, capsys: Any
) -> None:
    make_items("A5", 5)
    subscription = subscription_start(holder=a5.holder, acting_user=a5.holder)
    call_command("renewal_questions", "--on", "2026-12-02")
    assert "1 for the month across 1 subscriptions" in capsys.readouterr().out
    assert subscription.questions.filter(month=dt.date(2026, 12, 1)).count() == 1
    assert (
        Item.objects.get(pk=subscription.questions.get(month=dt.date(2026, 12, 1)).item_id).pool == "renewal"
    )
