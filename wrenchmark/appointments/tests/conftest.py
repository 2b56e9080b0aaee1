"""Sites, registrations and a fixed calendar for the appointments tests.

Now is Monday 23 November 2026, 10:00 in Dayton (15:00 UTC). The appointment most tests book is A5 on
Tuesday 1 December at 09:00 in Dayton (14:00 UTC): 30 minutes of check-in plus the test's 75 minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
DAYTON = ZoneInfo("America/New_York")
DENVER = ZoneInfo("America/Denver")
SLOT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=DAYTON)


@pytest.fixture
def now() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dayton(catalog: Any, proctor_bob: Any) -> Any:
    from wrenchmark.appointments.models import TestSite

    site = TestSite.objects.create(
        name="Dayton Testing Center",
        address="1400 Wayne Ave, Dayton, OH",
        time_zone="America/New_York",
        seats=2,
        opening_hours={day: ["08:00", "17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
    )
    site.proctors.add(proctor_bob)
    return site


@pytest.fixture
def denver(catalog: Any, make_user: Callable[..., Any]) -> Any:
    from wrenchmark.accounts.models import Role
    from wrenchmark.appointments.models import TestSite

    site = TestSite.objects.create(
        name="Denver Technical Testing",
        address="2250 Blake St, Denver, CO",
        time_zone="America/Denver",
        seats=1,
        opening_hours={day: ["07:30", "18:30"] for day in ("mon", "tue", "wed", "thu", "fri", "sat")},
    )
    site.proctors.add(make_user("Dora", "Denver", roles=(Role.PROCTOR,)))
    return site


@pytest.fixture
def register(catalog: Any) -> Callable[..., Any]:
    """A registration as the registrations app leaves it after a purchase: open, 90 days to take it."""
    from wrenchmark.catalog.models import Test
    from wrenchmark.registrations.models import Registration

    def make(candidate: Any, code: str = "A5", purchased_on: dt.date | None = None, days: int = 90) -> Any:
        purchased_on = purchased_on or NOW.date()
        return Registration.objects.create(
            candidate=candidate,
            test=Test.objects.get(edition=catalog, code=code),
            purchased_on=purchased_on,
            take_by=purchased_on + dt.timedelta(days=days),
        )

    return make


@pytest.fixture
def alice_a5(candidate_alice: Any, register: Callable[..., Any]) -> Any:
    return register(candidate_alice)


@pytest.fixture
def booked(now: Any, alice_a5: Any, dayton: Any, candidate_alice: Any) -> Any:
    from wrenchmark.appointments.services import appointment_book

    return appointment_book(registration=alice_a5, site=dayton, starts_at=SLOT, acting_user=candidate_alice)
