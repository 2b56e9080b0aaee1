"""Provide the hypothesis strategies and settings the rules tests share."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import settings
from hypothesis import strategies as st

from wrenchmark.rules import Employment, Training

# No example database (it would write outside this package) and no deadline
# (a slow CI machine must not turn a correct rule into a flaky test).
FAST = settings(database=None, deadline=None, max_examples=100)

AREAS = ("brakes", "engines", "electrical")

_EDGES = (
    *(
        date(year, month, day)
        for year in (2023, 2024, 2025, 2028, 2029)
        for month, day in ((1, 1), (1, 30), (1, 31), (2, 28), (3, 1), (3, 31), (12, 31))
    ),
    date(2024, 2, 29),
    date(2028, 2, 29),
)

dates = st.one_of(
    st.dates(min_value=date(2019, 1, 1), max_value=date(2031, 12, 31)),
    st.sampled_from(_EDGES),
)
"""Dates from 2019 to 2031, leaning on leap days and month and year ends."""

areas = st.frozensets(st.sampled_from(AREAS), min_size=1)


@st.composite
def employments(draw: st.DrawFn) -> Employment:
    """Draw one employment entry, possibly still running."""
    start = draw(dates)
    end = draw(st.none() | st.integers(min_value=0, max_value=900).map(lambda n: start + timedelta(days=n)))
    return Employment(start=start, end=end, full_time=draw(st.booleans()), areas=draw(areas))


@st.composite
def trainings(draw: st.DrawFn) -> Training:
    """Draw one training programme, possibly still running."""
    start = draw(dates)
    end = draw(st.none() | st.integers(min_value=0, max_value=400).map(lambda n: start + timedelta(days=n)))
    return Training(
        start=start, end=end, months=draw(st.integers(min_value=0, max_value=12)), areas=draw(areas)
    )
