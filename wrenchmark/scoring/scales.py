"""The reporting scale: raw scores mapped so that every form's cut lands on the same scaled score.

Scaled scores run from ``REPORT_MIN`` to ``REPORT_MAX``; the cut always maps to ``REPORT_CUT``. Below
the cut the map is linear from 0 → REPORT_MIN to cut → REPORT_CUT, above it from cut → REPORT_CUT to
all correct → REPORT_MAX. A pass is raw ≥ cut, which is the same as scaled ≥ REPORT_CUT.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def score(*, answers: Iterable[ScoredAnswer], cut: int, areas: Iterable[str]) -> Outcome:
    """Raw score and content-area subscores on scored items only; unscored (pretest) items never count."""
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
    return Outcome(raw, total, cut, scaled_score(raw=raw, cut=cut, total=total), raw >= cut, subscores)
