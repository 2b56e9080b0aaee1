"""The reporting scale: a form's own raw-to-scale table is used only when it agrees with the cut."""

from __future__ import annotations

import pytest

from wrenchmark.scoring.scales import REPORT_CUT, ScoredAnswer, scaled_score, score, table_fits

TABLE = [100, 150, 220, 299, 300, 380, 500]  # raw 0..6, cut at 4


def answers(right: int, total: int = 6) -> list[ScoredAnswer]:
    return [ScoredAnswer("A", True, n < right) for n in range(total)] + [ScoredAnswer("A", False, True)]


@pytest.mark.parametrize("raw", range(7))
def test_a_fitting_table_gives_the_scaled_score(raw: int) -> None:
    outcome = score(answers=answers(raw), cut=4, areas=["A"], table=TABLE)
    assert outcome.scaled == TABLE[raw]
    assert outcome.passed == (raw >= 4) == (outcome.scaled >= REPORT_CUT)


@pytest.mark.parametrize(
    ("table", "cut"),
    [
        (TABLE, 3),  # made for another cut
        (TABLE[:-1], 4),  # a raw score missing
        ([100, 150, 220, 299, 300, 290, 500], 4),  # falls
        ([90, 150, 220, 299, 300, 380, 500], 4),  # below the scale
        ([100, 150, 220, 300, 300, 380, 500], 4),  # a fail at the passing score
        ([], 4),
    ],
)
def test_a_table_that_does_not_fit_falls_back_to_the_linear_scale(table: list[int], cut: int) -> None:
    assert not table_fits(table, cut=cut, total=6)
    outcome = score(answers=answers(5), cut=cut, areas=["A"], table=table)
    assert outcome.scaled == scaled_score(raw=5, cut=cut, total=6)
