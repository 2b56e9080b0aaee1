"""``{% load renewal_tags %}``: the expiry countdown that ``renewals/countdown.html`` shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import template

from wrenchmark.catalog.models import Test
from wrenchmark.core import clock
from wrenchmark.renewals.selectors import renewal_items

register = template.Library()

#: Within this many days of expiry the countdown offers the ways to renew (the first reminder's window).
RENEWAL_WINDOW_DAYS = 180
_SHOWN = {"certified", "expiring", "expired"}


@dataclass(frozen=True, slots=True)
class Countdown:
    code: str
    expires_on: dt.date
    days_left: int
    recertification: Test | None
    renewal_available: bool

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def days_ago(self) -> int:
        return -self.days_left

    @property
    def within_window(self) -> bool:
        return self.days_left <= RENEWAL_WINDOW_DAYS


def _recertification(test: Test) -> Test | None:
    try:
        return test.recertification
    except Test.DoesNotExist:
        return None


@register.filter
def countdown(credential: Any) -> Countdown | None:
    """The countdown of a ``Credential``, or of a dashboard ``CredentialRow`` (``row.test``, ``row.state``).

    ``None`` for a credential that is awaiting experience, suspended or revoked: its expiry is not the
    news. The renewal program is offered while the certification is still current.
    """
    state = getattr(credential, "state", None)
    source = state if state is not None else credential
    status = str(getattr(source.status, "value", source.status))
    if status not in _SHOWN or getattr(source, "certified_on", True) is None:
        return None
    test: Test = credential.test
    days_left = (source.expires_on - clock.today()).days
    within = days_left <= RENEWAL_WINDOW_DAYS
    return Countdown(
        code=test.code,
        expires_on=source.expires_on,
        days_left=days_left,
        recertification=_recertification(test) if within else None,
        renewal_available=within and days_left >= 0 and renewal_items(test_code=test.code).exists(),
    )
