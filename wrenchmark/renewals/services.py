"""Writes of the renewal program: subscribe, cancel, serve the month's questions, answer them.

A subscription runs one year from the day it starts. Each month it holds one question per certified area
that takes part (a current certification in a test with renewal-pool items), never an item it has already
served. An answer is taken once, only within the question's month and the subscription; when the correct
answers in an area reach the credits needed, that certification is extended once for this subscription
(``credentials.services.credential_extend``). Every change is audited.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import formats
from django.utils.translation import gettext as _

from wrenchmark.accounts.models import Role, User
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_record
from wrenchmark.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from wrenchmark.credentials.models import CURRENT_STATUSES, Credential
from wrenchmark.credentials.services import credential_extend
from wrenchmark.renewals.models import RenewalQuestion, RenewalSubscription
from wrenchmark.renewals.selectors import (
    LETTERS,
    RENEWAL_SOURCE,
    credits_for,
    month_start,
    program_credentials_for,
    renewal_items,
    renewal_policy,
    renewal_test_codes,
    subscription_active_for,
    subscription_extension,
    subscription_is_open,
)
from wrenchmark.rules import add_years


def _require_self_or_admin(holder: User, acting_user: User) -> None:
    if acting_user.pk != holder.pk and not acting_user.has_role(Role.PROGRAM_ADMIN):
        raise PermissionDenied(_("Only the holder can manage their renewal subscription."), code="not_holder")


@transaction.atomic
def subscription_start(*, holder: User, acting_user: User) -> RenewalSubscription:
    """Start a one-year subscription for ``holder`` from today and serve this month's questions.

    Refused while another subscription runs (``already_subscribed``) and when the holder has no current
    certification in a test the program covers (``no_eligible_certification``). Audited as
    ``renewal.subscribed``.
    """
    _require_self_or_admin(holder, acting_user)
    # One subscription at a time: serialise concurrent starts on the holder's row.
    User.objects.select_for_update().filter(pk=holder.pk).first()
    today = clock.today()
    running = subscription_active_for(holder, on=today)
    if running is not None:
        raise Conflict(
            _("You already subscribe to the renewal program, until %(day)s.")
            % {"day": formats.date_format(running.ends_on, "DATE_FORMAT")},
            code="already_subscribed",
        )
    eligible = program_credentials_for(holder, on=today)
    if not eligible:
        covered = ", ".join(sorted(renewal_test_codes())) or _("none yet")
        raise ApplicationError(
            _(
                "The renewal program needs at least one current certification in a test it covers "
                "(tests covered: %(codes)s)."
            )
            % {"codes": covered},
            code="no_eligible_certification",
        )
    subscription = RenewalSubscription.objects.create(
        holder=holder, starts_on=today, ends_on=add_years(today, 1) - dt.timedelta(days=1)
    )
    audit_record(
        action="renewal.subscribed",
        target=subscription,
        actor=acting_user,
        summary=f"{holder.program_id} renewal program {subscription.starts_on} to {subscription.ends_on}",
        data={
            "holder": holder.program_id,
            "starts_on": subscription.starts_on.isoformat(),
            "ends_on": subscription.ends_on.isoformat(),
            "tests": [c.test_code for c in eligible],
        },
    )
    questions_for_month(subscription=subscription, on=today)
    return subscription


@transaction.atomic
def subscription_cancel(*, subscription: RenewalSubscription, acting_user: User) -> RenewalSubscription:
    """Cancel a running subscription: no more questions; credits and extensions earned stay. Audited
    as ``renewal.cancelled``."""
    subscription = (
        RenewalSubscription.objects.select_for_update().select_related("holder").get(pk=subscription.pk)
    )
    _require_self_or_admin(subscription.holder, acting_user)
    if not subscription_is_open(subscription):
        raise Conflict(
            _("This subscription is not running, so there is nothing to cancel."), code="not_active"
        )
    subscription.cancelled_at = clock.now()
    subscription.save(update_fields=["cancelled_at", "updated_at"])
    audit_record(
        action="renewal.cancelled",
        target=subscription,
        actor=acting_user,
        summary=f"{subscription.holder.program_id} renewal program cancelled",
        data={"holder": subscription.holder.program_id, "ends_on": subscription.ends_on.isoformat()},
    )
    return subscription


def _pick(
    subscription: RenewalSubscription, credential: Credential, month: dt.date, seen: set[int]
) -> tuple[int, int] | None:
    """An unseen renewal item of the credential's test, chosen reproducibly for this subscription,
    credential and month; ``None`` when the pool has nothing left to serve."""
    pool = list(
        renewal_items(test_code=credential.test_code)
        .exclude(pk__in=seen)
        .order_by("external_id")
        .values_list("pk", "current_version_id")
    )
    if not pool:
        return None
    # Not for security: a seeded draw makes the choice reproducible for support and for tests.
    rng = random.Random(f"{subscription.pk}-{credential.pk}-{month}")  # noqa: S311
    item_id, version_id = rng.choice(pool)
    assert version_id is not None
    return item_id, version_id


@transaction.atomic
def questions_for_month(
    *, subscription: RenewalSubscription, on: dt.date | None = None
) -> list[RenewalQuestion]:
    """Make sure the month of ``on`` (today) has its question for each area taking part, and return the
    month's questions. Idempotent: an existing question is kept. Outside the subscription or after its
    cancellation nothing is served (an empty list); an area whose pool has no unseen item left gets none.
    """
    on = on or clock.today()
    month = month_start(on)
    subscription = RenewalSubscription.objects.select_related("holder").get(pk=subscription.pk)
    if not subscription_is_open(subscription, on=on):
        return []
    existing = set(subscription.questions.filter(month=month).values_list("credential_id", flat=True))
    seen = set(subscription.questions.values_list("item_id", flat=True))
    for credential in program_credentials_for(subscription.holder, on=on):
        if credential.pk in existing:
            continue
        picked = _pick(subscription, credential, month, seen)
        if picked is None:
            continue
        item_id, version_id = picked
        try:
            with transaction.atomic():
                RenewalQuestion.objects.create(
                    subscription=subscription,
                    credential=credential,
                    month=month,
                    item_id=item_id,
                    item_version_id=version_id,
                )
        except IntegrityError:
            continue  # a concurrent request served this month's question first
        seen.add(item_id)
    return list(
        subscription.questions.filter(month=month)
        .select_related("credential__test", "item")
        .order_by("credential__test__position", "credential__test_code")
    )


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    question: RenewalQuestion
    correct: bool
    credits: int
    needed: int
    extended: Credential | None


def _refuse_out_of_time(question: RenewalQuestion, today: dt.date) -> None:
    subscription = question.subscription
    if subscription.cancelled_at is not None:
        raise Conflict(
            _("This subscription was cancelled; its questions can no longer be answered."), code="cancelled"
        )
    if today > subscription.ends_on:
        raise Conflict(
            _("This subscription has ended; its questions can no longer be answered."), code="ended"
        )
    this_month = month_start(today)
    if question.month < this_month:
        raise Conflict(
            _("This was the question of %(month)s; a question can be answered only in its own month.")
            % {"month": formats.date_format(question.month, "YEAR_MONTH_FORMAT")},
            code="month_over",
        )
    if question.month > this_month:
        raise Conflict(
            _("This question opens on %(day)s.")
            % {"day": formats.date_format(question.month, "DATE_FORMAT")},
            code="not_yet",
        )


def answer_refusal(question: RenewalQuestion, *, on: dt.date | None = None) -> str | None:
    """Why ``question`` cannot be answered on ``on`` (today), or ``None`` while it can."""
    if question.answered_at is not None:
        return _("You have already answered this question.")
    try:
        _refuse_out_of_time(question, on or clock.today())
    except ApplicationError as exc:
        return exc.message
    return None


@transaction.atomic
def question_answer(*, question: RenewalQuestion, choice: str, holder: User) -> AnswerOutcome:
    """Record ``holder``'s one answer to ``question``: correct or not, and the credit it earns.

    Refused for another holder's question (not found), a second answer (``already_answered``), a past
    month (``month_over``), an ended or cancelled subscription, and a choice that is not an option
    (``invalid_choice``). When the area's credits reach those needed, its certification is extended once
    for this subscription; a later correct answer adds a credit but no second extension. Audited as
    ``renewal.answered`` (and, through the sync, ``credential.extended``).
    """
    found = (
        RenewalQuestion.objects.select_for_update()
        .select_related("subscription__holder", "credential", "item_version")
        .filter(pk=question.pk, subscription__holder=holder)
        .first()
    )
    if found is None:
        raise NotFound(_("No such question."), code="not_found")
    question = found
    # Answers in one area serialise on its credential, so two cannot both earn the extension.
    credential = Credential.objects.select_for_update().get(pk=question.credential_id)
    if question.answered_at is not None:
        raise Conflict(_("You have already answered this question."), code="already_answered")
    _refuse_out_of_time(question, clock.today())
    options = list(question.item_version.options.order_by("position"))
    letters = LETTERS[: len(options)]
    letter = (choice or "").strip().upper()
    if len(letter) != 1 or letter not in letters:
        raise ApplicationError(_("Choose one of the answers."), code="invalid_choice", field="choice")
    correct = options[letters.index(letter)].is_key
    question.choice, question.correct, question.answered_at = letter, correct, clock.now()
    question.save(update_fields=["choice", "correct", "answered_at", "updated_at"])

    subscription = question.subscription
    policy = renewal_policy()
    credits = credits_for(subscription, credential)
    extended = None
    if (
        correct
        and credits >= policy.credits_needed
        and credential.status in CURRENT_STATUSES
        and subscription_extension(subscription, credential) is None
    ):
        extended = credential_extend(
            credential=credential, years=policy.extension_years, source=RENEWAL_SOURCE, acting_user=holder
        )
    audit_record(
        action="renewal.answered",
        target=question,
        actor=holder,
        summary=(
            f"{credential.test_code} {question.month:%Y-%m}: {'correct' if correct else 'incorrect'}, "
            f"{credits} of {policy.credits_needed} credits" + (", extended" if extended else "")
        ),
        data={
            "holder": holder.program_id,
            "test": credential.test_code,
            "month": question.month.isoformat(),
            "item": question.item_id,
            "choice": letter,
            "correct": correct,
            "credits": credits,
            "extended_to": extended.expires_on.isoformat() if extended else None,
        },
    )
    return AnswerOutcome(
        question=question, correct=correct, credits=credits, needed=policy.credits_needed, extended=extended
    )
