from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from wrenchmark.accounts.models import Role
from wrenchmark.catalog.models import Test
from wrenchmark.credentials.models import Credential
from wrenchmark.credentials.tests.test_credentials_sync import approve_experience, record
from wrenchmark.itembank.models import Item, ItemState
from wrenchmark.itembank.tests.factories import pool_items

TODAY = dt.date(2026, 11, 28)


def at(day: dt.date) -> Any:
    """Travel to the middle of ``day`` in the program's time zone (America/New_York)."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 17, 0, tzinfo=dt.UTC), tick=False)


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with at(TODAY):
        yield


@pytest.fixture
def writer(make_user: Callable[..., Any]) -> Any:
    return make_user("Wren", "Writer", roles=(Role.ITEM_WRITER,))


@pytest.fixture
def make_items(catalog: Any, writer: Any) -> Callable[..., list[Item]]:
    """``make_items("A5", 14)``: approved renewal-pool items A5-R001… (``pool``/``state`` to vary)."""

    def make(
        code: str,
        count: int,
        *,
        pool: str = "renewal",
        state: str = ItemState.APPROVED,
        start: int = 1,
        spanish: bool = False,
    ) -> list[Item]:
        test = Test.objects.get(edition=catalog, code=code)
        return pool_items(
            test=test, count=count, writer=writer, pool=pool, state=state, start=start, spanish=spanish
        )

    return make


@pytest.fixture
def certify(program_admin_paula: Any, auto_area: Any, catalog: Any) -> Callable[..., Credential]:
    """``certify(holder, "A5")``: a current certification earned today (experience approved once)."""
    approved: set[int] = set()

    def make(holder: Any, code: str, day: dt.date | None = None) -> Credential:
        if holder.pk not in approved:
            approve_experience(holder, program_admin_paula, auto_area)
            approved.add(holder.pk)
        record(holder, catalog, code, day or TODAY, source="import")
        return Credential.objects.get(holder=holder, test_code=code)

    return make


def key_letter(question: Any) -> str:
    options = list(question.item_version.options.order_by("position"))
    return "ABCD"[next(i for i, o in enumerate(options) if o.is_key)]


def wrong_letter(question: Any) -> str:
    return next(letter for letter in "ABCD" if letter != key_letter(question))


def subscription_months(starts_on: dt.date, ends_on: dt.date) -> list[dt.date]:
    """One day inside each calendar month of a subscription (its first day, the 15th, its last day)."""
    days, month = [], starts_on.replace(day=1)
    while month <= ends_on:
        day = max(starts_on, min(month.replace(day=15), ends_on))
        days.append(day)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return days
