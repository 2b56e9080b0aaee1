"""Count the qualifying months of experience a candidate has on a date.

The counting rule is defined on :func:`qualifying_months`; the helpers below
implement its pieces (month stepping, merging, the best split of a merged
period) and are private.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from wrenchmark.rules.types import Employment, ExperienceRule, Training

_ONE_DAY = timedelta(days=1)
_POOL_DAYS = 30


@dataclass(frozen=True, slots=True)
class ExperienceProgress:
    """Report progress towards one experience rule on one date.

    ``total_months = work_months + training_months``;
    ``missing_months = max(0, months_required - total_months)``;
    ``met`` is ``total_months >= months_required``; ``met_on`` is the earliest
    date (on or before the judged date) on which the rule was met, or ``None``
    when it is not met.
    """

    rule_code: str
    months_required: int
    work_months: int
    training_months: int
    total_months: int
    missing_months: int
    met: bool
    met_on: date | None


@dataclass(frozen=True, slots=True)
class _Span:
    """Hold an inclusive run of days and the entry start dates inside it."""

    start: date
    end: date
    cuts: tuple[date, ...]


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def _add_months(day: date, months: int) -> date:
    """Step ``months`` calendar months from ``day``, clamping the day of month.

    The step is always taken from the original date, never chained:
    2024-01-31 + 1 month = 2024-02-29 and + 2 months = 2024-03-31.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month_index = divmod(index, 12)
    month = month_index + 1
    return date(year, month, min(day.day, _days_in_month(year, month)))


def _whole_months(start: date, end: date) -> tuple[int, int]:
    """Return (whole months, leftover days) of the inclusive period start..end.

    Whole months are the largest *k* with ``_add_months(start, k) <= end + 1
    day``; the leftover is the days from that step to ``end + 1 day``. One
    month step is at most 31 days, so the leftover is at most 30.
    """
    stop = end + _ONE_DAY
    months = (stop.year - start.year) * 12 + stop.month - start.month
    if _add_months(start, months) > stop:
        months -= 1
    return months, (stop - _add_months(start, months)).days


def _month_days(start: date, end: date) -> int:
    """Weigh a period as 30 per whole month plus its leftover days."""
    months, leftover = _whole_months(start, end)
    return months * _POOL_DAYS + leftover


def _best_split(span: _Span) -> int:
    """Weigh a merged period at its best split at entry start dates.

    ``best[i]`` is the best weight of the days from ``cuts[i]`` to the end of
    the span, the pieces starting at entry start dates; counting the span
    whole is one of the candidates.
    """
    bounds = (*span.cuts, span.end + _ONE_DAY)
    best = [0] * len(bounds)
    for i in range(len(bounds) - 2, -1, -1):
        best[i] = max(
            _month_days(bounds[i], bounds[j] - _ONE_DAY) + best[j] for j in range(i + 1, len(bounds))
        )
    return best[0]


def _merge(periods: Iterable[tuple[date, date]]) -> list[_Span]:
    """Merge overlapping or touching inclusive periods, remembering entry starts."""
    spans: list[_Span] = []
    for start, end in sorted(periods):
        if spans and start <= spans[-1].end + _ONE_DAY:
            last = spans[-1]
            cuts = last.cuts if start == last.cuts[-1] else (*last.cuts, start)
            spans[-1] = _Span(last.start, max(last.end, end), cuts)
        else:
            spans.append(_Span(start, end, (start,)))
    return spans


def _months_of(periods: Sequence[tuple[date, date]]) -> int:
    """Count the months of a set of periods: whole months plus pooled days."""
    weight = sum(_best_split(span) for span in _merge(periods))
    return weight // _POOL_DAYS


def _clip(entries: Iterable[Employment], on: date) -> list[tuple[date, date, bool]]:
    clipped: list[tuple[date, date, bool]] = []
    for entry in entries:
        if entry.start > on:
            continue
        end = on if entry.end is None or entry.end > on else entry.end
        clipped.append((entry.start, end, entry.full_time))
    return clipped


def _work_months(entries: Sequence[Employment], on: date) -> int:
    clipped = _clip(entries, on)
    everything = [(start, end) for start, end, _ in clipped]
    full_time = [(start, end) for start, end, is_full_time in clipped if is_full_time]
    return (_months_of(everything) + _months_of(full_time)) // 2


def _training_months(rule: ExperienceRule, trainings: Sequence[Training], on: date) -> int:
    earned = sum(t.months for t in trainings if t.end is not None and t.end <= on)
    return min(earned, rule.training_max_months)


def _total(rule: ExperienceRule, work: Sequence[Employment], trainings: Sequence[Training], on: date) -> int:
    return _work_months(work, on) + _training_months(rule, trainings, on)


def _met_on(
    rule: ExperienceRule, work: Sequence[Employment], trainings: Sequence[Training], on: date
) -> date:
    """Find the earliest date <= ``on`` whose total reaches the requirement.

    The caller guarantees the requirement is met on ``on``. The total is
    monotone in the date, so a binary search finds the first date it holds.
    """
    if rule.months_required <= 0:
        return date.min
    starts = [entry.start for entry in work] + [t.end for t in trainings if t.end is not None]
    low = min(starts) - _ONE_DAY  # nothing has started: the total is 0 here
    high = on  # the total meets the requirement here
    while (high - low).days > 1:
        middle = low + timedelta(days=(high - low).days // 2)
        if _total(rule, work, trainings, middle) >= rule.months_required:
            high = middle
        else:
            low = middle
    return high


def qualifying_months(
    *,
    rule: ExperienceRule,
    employment: Iterable[Employment],
    training: Iterable[Training],
    on: date,
) -> ExperienceProgress:
    """Count the experience that qualifies for ``rule`` as of ``on``.

    Definitions:

    - **Relevance.** Only employment and training whose ``areas`` intersect
      ``rule.areas`` count.
    - **Clipping.** Employment is clipped to ``on``: an open end (``None``) or
      an end after ``on`` becomes ``on``; an entry starting after ``on``
      counts nothing. All periods are inclusive of both ends.
    - **Month stepping.** ``start + k months`` keeps the day of month of
      ``start``, clamped to the length of the target month, and is always
      stepped from ``start`` itself (2024-01-31 + 1 = 2024-02-29, + 2 =
      2024-03-31). A period ``[start, end]`` has *k* whole months for the
      largest *k* with ``start + k months <= end + 1 day``; its leftover days
      are the days from ``start + k months`` to ``end + 1 day`` (at most 30).
      So 2024-01-15..2024-03-14 is 2 months, 2024-01-01..2025-12-31 is 24
      months and 2024-01-31..2024-02-28 is 1 month.
    - **Months of a set of periods.** Overlapping or touching periods are
      merged, so no day counts twice. Each merged period weighs 30 per whole
      month plus its leftover days; when it is made of several entries it
      weighs the best of counting it whole or split at the start dates of the
      entries inside it, so that joining two entries (or filling the gap
      between them) never counts less than keeping them apart. The weights of
      all merged periods are summed and divided by 30, rounding down: every
      whole month counts one and every 30 pooled leftover days count one more.
    - **Work months.** With *A* the months of all relevant employment and *F*
      the months of the full-time employment alone,
      ``work_months = (A + F) // 2``. That is ``F + (A - F) // 2``: full-time
      time counts in full, part-time time counts only where no full-time time
      covers it (*A - F* part-time months) and counts half, rounding down once
      at the very end.
    - **Training months.** Only training that has ended on or before ``on``
      counts; its ``months`` are summed and capped at
      ``rule.training_max_months``.
    - ``total_months = work_months + training_months``; ``missing_months =
      max(0, months_required - total_months)``; ``met`` is ``total_months >=
      months_required``.
    - ``met_on`` is the earliest date ``d <= on`` for which this function with
      ``on=d`` reports ``met`` (``date.min`` when nothing is required), or
      ``None`` when the rule is not met on ``on``.

    Guarantees: the total never decreases when ``on`` moves later or when an
    entry is added (every step above is monotone), which is what makes the
    binary search for ``met_on`` exact.
    """
    work = [entry for entry in employment if entry.areas & rule.areas]
    trainings = [entry for entry in training if entry.areas & rule.areas]
    work_months = _work_months(work, on)
    training_months = _training_months(rule, trainings, on)
    total = work_months + training_months
    met = total >= rule.months_required
    return ExperienceProgress(
        rule_code=rule.code,
        months_required=rule.months_required,
        work_months=work_months,
        training_months=training_months,
        total_months=total,
        missing_months=max(0, rule.months_required - total),
        met=met,
        met_on=_met_on(rule, work, trainings, on) if met else None,
    )
