from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

# Noon in the program's time zone, well inside the ASE 2026-07 edition.
DAY = dt.date(2026, 9, 1)
NOON = dt.datetime(2026, 9, 1, 16, 0, tzinfo=dt.UTC)


def at(day: dt.date) -> Any:
    """Travel to noon (New York) on ``day``, the clock standing still."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(16, 0), tzinfo=dt.UTC), tick=False)


@pytest.fixture
def on_day() -> Iterator[None]:
    with at(DAY):
        yield


@pytest.fixture
def test_of(catalog: Any) -> Callable[[str], Any]:
    from wrenchmark.catalog.models import Test

    def get(code: str) -> Any:
        return Test.objects.get(edition=catalog, code=code)

    return get


@pytest.fixture
def record(program_admin_paula: Any, test_of: Callable[[str], Any]) -> Callable[..., Any]:
    """Record an official result for a candidate, as an import would."""
    from wrenchmark.scoring.services import result_record

    def make(candidate: Any, code: str, taken_on: dt.date, outcome: str = "pass") -> Any:
        return result_record(
            candidate=candidate,
            test=test_of(code),
            taken_on=taken_on,
            outcome=outcome,
            source="import",
            acting_user=program_admin_paula,
        )

    return make


@pytest.fixture
def technician_tina(make_user: Callable[..., Any]) -> Any:
    return make_user("Tina", "Torres")
