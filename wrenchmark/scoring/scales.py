"""The reporting scale: raw scores mapped so that every form's cut lands on the same scaled score.

Scaled scores run from ``REPORT_MIN`` to ``REPORT_MAX``; the cut always maps to ``REPORT_CUT``. Below
the cut the map is linear from 0 → REPORT_MIN to cut → REPORT_CUT, above it from cut → REPORT_CUT to
all correct → REPORT_MAX. A pass is raw ≥ cut, which is the same as scaled ≥ REPORT_CUT.

A form assembled from the calibrated bank may instead carry its own table (``scale_table``: the scaled
score of each raw score, linear in the IRT ability with the cut's ability at REPORT_CUT, so the cut's raw
score maps to REPORT_CUT or a little more), so that the same scaled score means the same ability on
every form. A table is used only when it agrees with the
cut (every raw score from the cut up at REPORT_CUT or more, every lower one below it, non-decreasing,
within the scale); otherwise the linear map applies.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

REPORT_MIN = 100
REPORT_CUT = 300
REPORT_MAX = 500


def scaled_score(*, raw: int, cut: int, total: int) -> int:
    """Map ``raw`` (0..total) to the reporting scale with ``cut`` at REPORT_CUT; rounded half up."""
    if not 0 < cut <= total or not 0 <= raw <= total:
        raise ValueError("need 0 <= raw <= total and 0 < cut <= total")
    if raw < cut:
        value = REPORT_MIN + (REPORT_CUT - REPORT_MIN) * raw / cut
    elif cut == total:
        value = REPORT_CUT  # a perfect score is the cut: the cut's value wins
    else:
        value = REPORT_CUT + (REPORT_MAX - REPORT_CUT) * (raw - cut) / (total - cut)
    scaled = int(value + 0.5)
    # Never let rounding carry a fail onto the cut.
    return min(scaled, REPORT_CUT - 1) if raw < cut else scaled


def table_fits(table: Sequence[int], *, cut: int, total: int) -> bool:
    """Whether ``table`` maps raw 0..total onto the scale consistently with ``cut``."""
    if len(table) != total + 1 or not 0 < cut <= total:
        return False
    in_range = all(REPORT_MIN <= v <= REPORT_MAX for v in table)
    rising = all(a <= b for a, b in itertools.pairwise(table))
    return in_range and rising and table[cut] >= REPORT_CUT and (cut == 0 or table[cut - 1] < REPORT_CUT)


@dataclass(frozen=True, slots=True)
class ScoredAnswer:
    area: str
    scored: bool
    correct: bool


@dataclass(frozen=True, slots=True)
class Subscore:
    letter: str
    correct: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0


@dataclass(frozen=True, slots=True)
class Outcome:
    raw: int
    total: int
    cut: int
    scaled: int
    passed: bool
    subscores: tuple[Subscore, ...]


def score(
    *, answers: Iterable[ScoredAnswer], cut: int, areas: Iterable[str], table: Sequence[int] = ()
) -> Outcome:
    """Raw score and content-area subscores on scored items only; unscored (pretest) items never count.
    The scaled score comes from the form's ``table`` when it fits the cut, else the linear map."""
    counted = [a for a in answers if a.scored]
    raw = sum(1 for a in counted if a.correct)
    subscores = tuple(
        Subscore(
            letter,
            sum(1 for a in counted if a.area == letter and a.correct),
            sum(1 for a in counted if a.area == letter),
        )
        for letter in areas
    )
    total = len(counted)
    scaled = (
        table[raw] if table_fits(table, cut=cut, total=total) else scaled_score(raw=raw, cut=cut, total=total)
    )
    return Outcome(raw, total, cut, int(scaled), raw >= cut, subscores)
