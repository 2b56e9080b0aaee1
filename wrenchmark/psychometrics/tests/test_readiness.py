"""The readiness estimate: exact where the answer is known, monotone, honest about uncertainty, and
calibrated on simulated candidates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wrenchmark.psychometrics import synthetic
from wrenchmark.psychometrics.equating import tcc
from wrenchmark.psychometrics.irt import eap
from wrenchmark.psychometrics.readiness import AreaEvidence, pass_probability, pass_probability_from_ability
from wrenchmark.psychometrics.synthetic import ItemParameters


def _binomial_tail(n: int, p: float, cut: int) -> float:
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(cut, n + 1))


def _areas(answered: list[int], correct: list[int], questions: list[int]) -> list[AreaEvidence]:
    return [
        AreaEvidence(chr(65 + i), q, m, c)
        for i, (m, c, q) in enumerate(zip(answered, correct, questions, strict=False))
    ]


def test_with_overwhelming_evidence_it_is_the_exact_binomial_tail() -> None:
    areas = _areas([4000] * 3, [2800] * 3, [10, 15, 25])
    readiness = pass_probability(areas, cut=32, rng=np.random.default_rng(7))
    assert readiness.probability == pytest.approx(_binomial_tail(50, 0.7, 32), abs=0.01)
    assert readiness.high - readiness.low < 0.1
    assert readiness.expected_score == pytest.approx(35.0, abs=0.2)


def test_areas_are_summed_exactly_not_averaged() -> None:
    # Certain in A, hopeless in B: the score is exactly A's 10 questions.
    areas = _areas([100000, 100000], [100000, 0], [10, 10])
    assert pass_probability(areas, cut=10, rng=np.random.default_rng(1)).probability > 0.99
    assert pass_probability(areas, cut=11, rng=np.random.default_rng(1)).probability < 0.01


def test_more_right_answers_raise_the_chance() -> None:
    chances = [
        pass_probability(
            _areas([20, 20], [right, right], [25, 25]), cut=35, rng=np.random.default_rng(3)
        ).probability
        for right in (8, 12, 16, 19)
    ]
    assert chances == sorted(chances)
    assert chances[0] < 0.2 < 0.8 < chances[-1]


def test_more_practice_at_the_same_accuracy_narrows_the_band() -> None:
    widths = []
    for scale in (1, 4, 16):
        r = pass_probability(
            _areas([10 * scale, 10 * scale], [7 * scale, 7 * scale], [25, 25]),
            cut=35,
            rng=np.random.default_rng(5),
        )
        widths.append(r.high - r.low)
    assert widths[0] > widths[1] > widths[2]


def test_without_practice_it_knows_it_does_not_know() -> None:
    r = pass_probability(_areas([0, 0], [0, 0], [25, 25]), cut=35, rng=np.random.default_rng(2))
    assert r.low < 0.05
    assert r.high > 0.95
    assert all(0.4 < a.mean < 0.6 for a in r.areas)


def test_a_weak_area_is_estimated_lower_than_a_strong_one() -> None:
    r = pass_probability(_areas([20, 20], [19, 8], [25, 25]), cut=35, rng=np.random.default_rng(4))
    strong, weak = r.areas
    assert weak.mean < strong.mean
    assert weak.high < strong.high


def test_the_same_seed_reproduces_the_figure() -> None:
    areas = _areas([12, 9], [8, 5], [20, 30])
    first = pass_probability(areas, cut=30, rng=np.random.default_rng(11))
    assert first == pass_probability(areas, cut=30, rng=np.random.default_rng(11))


def test_it_is_calibrated_on_simulated_candidates() -> None:
    """Candidates with known abilities practise, get an estimate, then sit a simulated form: among
    candidates told about p, about p pass."""
    rng = np.random.default_rng(2026)
    counts, cut = [10, 15, 25], 32
    predicted, passed = [], []
    for _ in range(300):
        ability = rng.uniform(0.35, 0.95)
        true_p = np.clip(ability + rng.normal(0, 0.05, size=3), 0.01, 0.99)
        answered = [8, 8, 14]
        correct = [int(rng.binomial(m, p)) for m, p in zip(answered, true_p, strict=False)]
        estimate = pass_probability(_areas(answered, correct, counts), cut=cut, rng=rng, draws=600)
        predicted.append(estimate.probability)
        passed.append(sum(rng.binomial(n, p) for n, p in zip(counts, true_p, strict=False)) >= cut)
    predicted_arr, passed_arr = np.array(predicted), np.array(passed, dtype=float)
    assert abs(predicted_arr.mean() - passed_arr.mean()) < 0.06
    brier = float(((predicted_arr - passed_arr) ** 2).mean())
    base = float(((passed_arr.mean() - passed_arr) ** 2).mean())
    assert brier < 0.6 * base
    for low, high in ((0.0, 0.25), (0.75, 1.0)):
        in_bin = (predicted_arr >= low) & (predicted_arr < high)
        assert in_bin.sum() > 20
        assert abs(predicted_arr[in_bin].mean() - passed_arr[in_bin].mean()) < 0.12


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=6),
    st.floats(0, 1),
    st.integers(0, 2**32 - 1),
)
def test_figures_are_probabilities_and_intervals_are_ordered(
    rows: list[tuple[int, int, int]], cut_share: float, seed: int
) -> None:
    areas = [AreaEvidence(chr(65 + i), q, m, min(c, m)) for i, (q, m, c) in enumerate(rows)]
    total = sum(a.questions for a in areas)
    r = pass_probability(areas, cut=round(total * cut_share), rng=np.random.default_rng(seed), draws=50)
    assert 0 <= r.low <= r.high <= 1 + 1e-9
    assert -1e-9 <= r.probability <= 1 + 1e-9
    assert 0 <= r.score_low <= r.score_high <= total
    assert all(0 <= a.low <= a.high <= 1 and 0 <= a.mean <= 1 for a in r.areas)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="cut"):
        pass_probability(_areas([1], [1], [10]), cut=11, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="correct"):
        AreaEvidence("A", 10, 3, 4)
    with pytest.raises(ValueError, match="area"):
        pass_probability([], cut=0, rng=np.random.default_rng(0))


# --- From the ability on the calibrated scale ---------------------------------------------------------


def _pool(n: int, seed: int) -> ItemParameters:
    return synthetic.item_parameters(np.random.default_rng(seed), n, model="2pl")


def test_ability_readiness_uses_the_eap_of_the_answers() -> None:
    items, form = _pool(30, 1), _pool(40, 2)
    rng = np.random.default_rng(3)
    answers = synthetic.responses(rng, np.array([0.4]), items)[0].astype(float)
    answers[:5] = np.nan  # not answered
    result = pass_probability_from_ability(answers, items, form, cut=25, quadrature=61)
    reference = eap(answers[None, :], items, quadrature=61)
    assert result.theta == pytest.approx(float(reference.theta[0]), abs=1e-9)
    assert result.se == pytest.approx(float(reference.se[0]), abs=1e-9)
    assert (result.answered, result.correct) == (25, int(np.nansum(answers)))


def test_ability_readiness_without_answers_is_the_population_pass_rate() -> None:
    """With nothing answered the posterior is the N(0, 1) prior: the chance of passing is the share of
    simulated N(0, 1) candidates who reach the cut on the form."""
    items, form = _pool(10, 4), _pool(30, 5)
    result = pass_probability_from_ability(np.full(10, np.nan), items, form, cut=18)
    rng = np.random.default_rng(6)
    scores = synthetic.responses(rng, synthetic.abilities(rng, 200_000), form).sum(axis=1)
    assert result.probability == pytest.approx(float((scores >= 18).mean()), abs=0.005)
    assert result.expected_score == pytest.approx(float(scores.mean()), abs=0.05)
    assert result.low < result.probability < result.high


def test_ability_readiness_rises_with_right_answers_and_narrows_with_more() -> None:
    items, form = _pool(60, 7), _pool(40, 8)
    few = np.full(60, np.nan)
    few[:10] = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0]
    better = few.copy()
    better[1] = 1.0
    assert pass_probability_from_ability(better, items, form, cut=24).probability > (
        pass_probability_from_ability(few, items, form, cut=24).probability
    )
    rng = np.random.default_rng(9)
    many = synthetic.responses(rng, np.array([1.5]), items)[0].astype(float)
    result = pass_probability_from_ability(many, items, form, cut=24)
    assert result.se < pass_probability_from_ability(few, items, form, cut=24).se
    assert result.theta == pytest.approx(1.5, abs=3 * result.se)
    assert result.score_low <= result.expected_score <= result.score_high


def test_ability_readiness_places_the_cut_on_the_scale() -> None:
    items, form = _pool(5, 10), _pool(40, 11)
    result = pass_probability_from_ability(np.ones(5), items, form, cut=24)
    assert float(tcc(np.array([result.cut_theta]), form)[0]) == pytest.approx(24, abs=1e-4)
    assert pass_probability_from_ability(np.ones(5), items, form, cut=0).probability == pytest.approx(1.0)
    assert math.isnan(pass_probability_from_ability(np.ones(5), items, form, cut=40).cut_theta)


@pytest.mark.parametrize(
    ("responses", "cut", "level", "message"),
    [
        ([1.0, 2.0, 0.0, 1.0, 1.0], 5, 0.8, "1, 0 or NaN"),
        ([1.0] * 4, 5, 0.8, "one value per"),
        ([1.0] * 5, 41, 0.8, "the cut"),
        ([1.0] * 5, 5, 1.0, "level"),
    ],
)
def test_ability_readiness_refuses_malformed_input(
    responses: list[float], cut: int, level: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        pass_probability_from_ability(responses, _pool(5, 12), _pool(40, 13), cut=cut, level=level)
