"""Reads of the renewal program: who may join, a subscription's questions, credits and extensions.

The program's figures follow the ASE Renewal app FAQ (aserenewalapp.com, grade A, [S23] in
reference/ase-program.md): one question a month per certified area, one credit per correct answer, eight
credits in an area within the subscription year extend that certification by one year. An edition may
override them with the policies ``renewal_credits_needed`` and ``renewal_extension_years``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from wrenchmark.accounts.models import User
from wrenchmark.catalog.selectors import edition_in_force
from wrenchmark.core import clock
from wrenchmark.core.exceptions import NotFound
from wrenchmark.credentials.models import CURRENT_STATUSES, Credential, CredentialExtension
from wrenchmark.itembank.display import DisplayItem, ReviewOption, display_for_learner, review_options
from wrenchmark.itembank.models import Item, ItemPool
from wrenchmark.itembank.selectors import USABLE_STATES
from wrenchmark.renewals.models import RenewalQuestion, RenewalSubscription

#: Recorded on the extension and in the audit of the sync that applies it.
RENEWAL_SOURCE = "renewal program"
#: ASE Renewal app FAQ [S23], grade A.
DEFAULT_CREDITS_NEEDED = 8
DEFAULT_EXTENSION_YEARS = 1
LETTERS = "ABCD"


@dataclass(frozen=True, slots=True)
class RenewalPolicy:
    credits_needed: int
    extension_years: int


def renewal_policy(*, on: dt.date | None = None) -> RenewalPolicy:
    """The program's figures in the edition in force (the ASE Renewal defaults where it sets none)."""
    policies: dict[str, Any] = {}
    with contextlib.suppress(NotFound):
        policies = edition_in_force(on=on).policies or {}

    def value(key: str, default: int) -> int:
        entry = policies.get(key)
        return int(entry["value"]) if isinstance(entry, dict) and "value" in entry else default

    return RenewalPolicy(
        credits_needed=value("renewal_credits_needed", DEFAULT_CREDITS_NEEDED),
        extension_years=value("renewal_extension_years", DEFAULT_EXTENSION_YEARS),
    )


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    first_of_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_of_next - dt.timedelta(days=1)


def renewal_items(*, test_code: str) -> QuerySet[Item]:
    """The renewal-pool items of a test that may be served: approved by the panel, with content."""
    return Item.objects.filter(
        pool=ItemPool.RENEWAL,
        test_code=test_code,
        state__in=USABLE_STATES,
        current_version__isnull=False,
    )


def renewal_test_codes() -> set[str]:
    """Codes of the tests the program covers: those with at least one servable renewal item."""
    return set(
        Item.objects.filter(pool=ItemPool.RENEWAL, state__in=USABLE_STATES, current_version__isnull=False)
        .values_list("test_code", flat=True)
        .distinct()
    )


def program_credentials_for(holder: User, *, on: dt.date | None = None) -> list[Credential]:
    """The holder's certifications that take part on ``on``: current, valid that day, and covered."""
    on = on or clock.today()
    covered = renewal_test_codes()
    credentials = (
        Credential.objects.filter(holder=holder, status__in=CURRENT_STATUSES, test_code__in=covered)
        .select_related("test")
        .order_by("test__position", "test_code")
    )
    return [c for c in credentials if c.is_valid_on(on)]


def subscription_active_for(holder: User, *, on: dt.date | None = None) -> RenewalSubscription | None:
    """The holder's subscription running on ``on`` (today): started, not ended, not cancelled."""
    on = on or clock.today()
    return (
        RenewalSubscription.objects.filter(
            holder=holder, cancelled_at__isnull=True, starts_on__lte=on, ends_on__gte=on
        )
        .order_by("-starts_on", "-pk")
        .first()
    )


def subscription_list_for(holder: User) -> QuerySet[RenewalSubscription]:
    """All of the holder's subscriptions, newest first."""
    return RenewalSubscription.objects.filter(holder=holder).order_by("-starts_on", "-pk")


def subscription_is_open(subscription: RenewalSubscription, *, on: dt.date | None = None) -> bool:
    on = on or clock.today()
    return subscription.cancelled_at is None and subscription.starts_on <= on <= subscription.ends_on


def _subscription_span(subscription: RenewalSubscription) -> tuple[dt.datetime, dt.datetime]:
    """When the subscription could earn anything: from its creation to its end or cancellation."""
    end = timezone.make_aware(dt.datetime.combine(subscription.ends_on + dt.timedelta(days=1), dt.time.min))
    if subscription.cancelled_at is not None:
        end = min(end, subscription.cancelled_at)
    return subscription.created_at, end


def subscription_extension(
    subscription: RenewalSubscription, credential: Credential
) -> CredentialExtension | None:
    """The extension this subscription earned for ``credential``, if it has earned it."""
    start, end = _subscription_span(subscription)
    return (
        CredentialExtension.objects.filter(
            credential=credential, source=RENEWAL_SOURCE, granted_at__gte=start, granted_at__lt=end
        )
        .order_by("granted_at")
        .first()
    )


def credits_for(subscription: RenewalSubscription, credential: Credential) -> int:
    """Correct answers in the area of ``credential`` within ``subscription``."""
    return subscription.questions.filter(credential=credential, correct=True).count()


@dataclass(frozen=True, slots=True)
class AreaProgress:
    """One certified area in one subscription: credits, questions answered, and the extension."""

    credential: Credential
    credits: int
    answered: int
    served: int
    needed: int
    extension: CredentialExtension | None

    @property
    def extended(self) -> bool:
        return self.extension is not None

    @property
    def shown_credits(self) -> int:
        """Credits for the meter: it is full at ``needed``."""
        return min(self.credits, self.needed)


def area_progress(subscription: RenewalSubscription, *, on: dt.date | None = None) -> list[AreaProgress]:
    """Per area of the subscription (those with questions, and those taking part now): the credits so
    far out of those needed, the questions answered, and the extension earned."""
    policy = renewal_policy(on=on)
    counts = {
        row["credential"]: row
        for row in subscription.questions.values("credential").annotate(
            served=Count("pk"),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            credits=Count("pk", filter=Q(correct=True)),
        )
    }
    credentials = {c.pk: c for c in program_credentials_for(subscription.holder, on=on)}
    missing = set(counts) - set(credentials)
    if missing:
        credentials.update(
            {c.pk: c for c in Credential.objects.filter(pk__in=missing).select_related("test")}
        )
    ordered = sorted(credentials.values(), key=lambda c: (c.test.position, c.test_code))
    empty = {"served": 0, "answered": 0, "credits": 0}
    return [
        AreaProgress(
            credential=c,
            credits=counts.get(c.pk, empty)["credits"],
            answered=counts.get(c.pk, empty)["answered"],
            served=counts.get(c.pk, empty)["served"],
            needed=policy.credits_needed,
            extension=subscription_extension(subscription, c),
        )
        for c in ordered
    ]


def _questions(subscription: RenewalSubscription) -> QuerySet[RenewalQuestion]:
    return subscription.questions.select_related("credential__test", "item").order_by(
        "month", "credential__test__position", "credential__test_code"
    )


def questions_in_month(subscription: RenewalSubscription, *, month: dt.date) -> list[RenewalQuestion]:
    """The subscription's questions of the month that ``month`` falls in."""
    return list(_questions(subscription).filter(month=month_start(month)))


def question_history(
    subscription: RenewalSubscription, *, before: dt.date
) -> list[tuple[dt.date, list[RenewalQuestion]]]:
    """Questions of the months before ``before``'s month, grouped by month, newest month first."""
    months: dict[dt.date, list[RenewalQuestion]] = {}
    for question in _questions(subscription).filter(month__lt=month_start(before)):
        months.setdefault(question.month, []).append(question)
    return sorted(months.items(), key=lambda pair: pair[0], reverse=True)


def answered_count(subscription: RenewalSubscription) -> int:
    """How many of the subscription's questions have been answered."""
    return subscription.questions.filter(answered_at__isnull=False).count()


def question_next(question: RenewalQuestion) -> RenewalQuestion | None:
    """The next unanswered question of the same month and subscription, if any."""
    return (
        RenewalQuestion.objects.filter(
            subscription_id=question.subscription_id, month=question.month, answered_at__isnull=True
        )
        .exclude(pk=question.pk)
        .order_by("credential__test__position", "credential__test_code")
        .first()
    )


@dataclass(frozen=True, slots=True)
class RenewalReminder:
    """What a renewal reminder says about the program for one certification."""

    available: bool
    subscribed: bool
    credits: int
    needed: int
    ends_on: dt.date | None
    extended: bool
    url: str


def reminder_renewal_context(credential: Credential, on: dt.date) -> dict[str, Any]:
    """The renewal program's part of an expiry reminder: the credits so far for a subscriber, or the
    offer for a certification the program covers. Registered with ``credentials.reminders``."""
    subscription = subscription_active_for(credential.holder, on=on)
    available = renewal_items(test_code=credential.test_code).exists()
    url = settings.SITE_URL.rstrip("/") + reverse("renewals:home")
    needed = renewal_policy(on=on).credits_needed
    if subscription is None:
        return {
            "renewal": RenewalReminder(
                available=available,
                subscribed=False,
                credits=0,
                needed=needed,
                ends_on=None,
                extended=False,
                url=url,
            )
        }
    return {
        "renewal": RenewalReminder(
            available=available,
            subscribed=True,
            credits=credits_for(subscription, credential),
            needed=needed,
            ends_on=subscription.ends_on,
            extended=subscription_extension(subscription, credential) is not None,
            url=url,
        )
    }


# --- How a question looks: as on the exam page before the answer; key and rationales only after ---------


def question_display(question: RenewalQuestion, *, language: str = "en") -> DisplayItem:
    """The question as the exam page shows an item (``itembank/_item_display.html``): stem, exhibit and
    options in their stored order, in ``language`` when it has an approved translation. It never
    carries the key or a rationale."""
    return display_for_learner(question.item_version, identifier=f"rq{question.pk}", language=language)


def question_review(question: RenewalQuestion, *, language: str = "en") -> list[ReviewOption]:
    """After the answer only: each option with whether it is the key, whether it was chosen, and why.

    Renewal items are not operational, so their rationales may be shown once the question is answered.
    """
    if question.answered_at is None:
        raise ValueError("the key and the rationales are shown only after the answer")
    return review_options(question.item_version, choice=question.choice, language=language)
