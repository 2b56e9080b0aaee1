"""A shop with staff for the shop pages' tests.

Today is Saturday 28 November 2026 (10:00 in New York). Carol administers Carol's Garage, which offers
A1, A4 and A5. Four technicians have accepted her invitation:

- Alice Archer: A5 certified to 2029-06-30 and A1 expiring on 2027-01-10 (the only A1 in the shop),
  Automobile Technician held;
- Ted Torres: A4 certified to 2030-03-01;
- Uma Underwood: A5 certified to 2027-02-01 (her only certification), and A6 passed awaiting experience;
- Vic Vance: G1 expired on 2026-10-01, nothing current.

So 3 of 4 are certified (75 %) and every offered area is covered: the recognition holds. A1 lapses on
2027-01-11; Uma's A5 ending on 2027-02-01 takes the share below 75 % on 2027-02-02.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

NOW = dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def now() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def travel_to(traveller: Any, day: dt.date) -> None:
    """Move the frozen clock to 10:00 in New York on ``day``."""
    traveller.move_to(dt.datetime.combine(day, dt.time(15, 0), tzinfo=dt.UTC))


@pytest.fixture
def give(catalog: Any) -> Callable[..., Any]:
    """Record a credential as the credentials service keeps it (the pages only read these rows)."""
    from wrenchmark.catalog.models import Test
    from wrenchmark.credentials.models import Credential

    def make(
        holder: Any,
        code: str,
        expires_on: dt.date,
        status: str = "certified",
        certified_on: dt.date | None = dt.date(2024, 1, 1),
    ) -> Any:
        return Credential.objects.create(
            holder=holder,
            test_code=code,
            test=Test.objects.get(edition=catalog, code=code),
            status=status,
            passed_on=certified_on or dt.date(2026, 6, 1),
            certified_on=certified_on,
            expires_on=expires_on,
        )

    return make


@pytest.fixture
def join() -> Callable[..., Any]:
    """Invite ``user`` to ``employer`` as ``admin`` and accept: a consenting technician."""
    from wrenchmark.employers.services import invitation_accept, invitation_create

    def make(employer: Any, user: Any, admin: Any) -> Any:
        invitation = invitation_create(employer=employer, email=user.email, acting_user=admin, notify=False)
        return invitation_accept(token=invitation.token, user=user)

    return make


@pytest.fixture
def staff(
    now: Any,
    carols_garage: Any,
    employer_carol: Any,
    candidate_alice: Any,
    make_user: Callable[..., Any],
    give: Callable[..., Any],
    join: Callable[..., Any],
) -> dict[str, Any]:
    from wrenchmark.credentials.models import DesignationHolding
    from wrenchmark.employers.services import employer_areas_set

    people = {
        "alice": candidate_alice,
        "ted": make_user("Ted", "Torres"),
        "uma": make_user("Uma", "Underwood"),
        "vic": make_user("Vic", "Vance"),
    }
    give(people["alice"], "A5", dt.date(2029, 6, 30))
    give(people["alice"], "A1", dt.date(2027, 1, 10), status="expiring", certified_on=dt.date(2022, 1, 10))
    DesignationHolding.objects.create(
        holder=people["alice"],
        code="auto-technician",
        name="Automobile Technician",
        status="held",
        held_since=dt.date(2022, 1, 10),
        achieved_at=NOW,
    )
    give(people["ted"], "A4", dt.date(2030, 3, 1))
    give(people["uma"], "A5", dt.date(2027, 2, 1), certified_on=dt.date(2022, 2, 1))
    give(people["uma"], "A6", dt.date(2031, 6, 1), status="awaiting_experience", certified_on=None)
    give(people["vic"], "G1", dt.date(2026, 10, 1), status="expired", certified_on=dt.date(2021, 10, 1))
    for person in people.values():
        join(carols_garage, person, employer_carol)
    employer_areas_set(employer=carols_garage, codes=["A1", "A4", "A5"], acting_user=employer_carol)
    carols_garage.refresh_from_db()
    return people
