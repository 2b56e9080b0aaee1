"""Classical test theory: hand-computed values, agreement between formulas that must agree, behaviour on
simulated examinees with known truth, and properties that must hold for any data."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from wrenchmark.psychometrics import synthetic
from wrenchmark.psychometrics.ctt import (
    DISTRACTOR_ATTRACTS_HIGH_SCORERS,
    LOW_DISCRIMINATION,
    MORE_HIGH_THAN_LOW,
    NEGATIVE_DISCRIMINATION,
    POSITIVE_POINT_BISERIAL,
    TOO_EASY,
    TOO_HARD,
    ItemStatistics,
    conditional_sem,
    cronbach_alpha,
    csem_at_cut,
    decision_consistency,
    distractor_analysis,
    flag_distractors,
    flag_items,
    item_statistics,
    kr20,
    kr21,
    sem,
)

# Six persons (rows) by four items (columns); totals 4, 3, 3, 2, 1, 0.
#
#   p-values: 4/6, 4/6, 3/6, 2/6.
#   Totals: mean 13/6, sum of squares 39, variance (divisor N) 39/6 - (13/6)^2 = 65/36,
#   sample variance 65/30 = 13/6.
#   sum p q = 2/9 + 2/9 + 1/4 + 2/9 = 11/12.
#   KR-20 = 4/3 * (1 - (11/12) / (65/36)) = 4/3 * (1 - 33/65) = 128/195.
#   KR-21 = 4/3 * (1 - (13/6)(11/6) / (4 * 65/36)) = 4/3 * (1 - 143/260) = 3/5.
#   SEM = sqrt(13/6) * sqrt(1 - 128/195) = sqrt(13/6 * 67/195) = sqrt(67/90).
#
# Corrected point-biserials (item against the rest score, population moments):
#   item 1: x = 1 1 1 1 0 0, rest = 3 2 2 1 1 0: cov = 8/6 - (2/3)(3/2) = 1/3, var x = 2/9,
#           var rest = 19/6 - 9/4 = 11/12, r = (1/3) / sqrt(2/9 * 11/12) = sqrt(6/11).
#   item 2: x = 1 1 1 0 1 0, rest = 3 2 2 2 0 0: cov = 7/6 - 1 = 1/6, var rest = 21/6 - 9/4 = 5/4,
#           r = (1/6) / sqrt(2/9 * 5/4) = 1/sqrt(10).
#   item 3: x = 1 1 0 1 0 0, rest = 3 2 3 1 1 0: cov = 1 - (1/2)(5/3) = 1/6, var x = 1/4,
#           var rest = 24/6 - 25/9 = 11/9, r = (1/6) / sqrt(1/4 * 11/9) = 1/sqrt(11).
#   item 4: x = 1 0 1 0 0 0, rest = 3 3 2 2 1 0: cov = 5/6 - (1/3)(11/6) = 2/9, var x = 2/9,
#           var rest = 27/6 - 121/36 = 41/36, r = (2/9) / sqrt(2/9 * 41/36) = 4/sqrt(82).
HAND = np.array(
    [
        [1, 1, 1, 1],
        [1, 1, 1, 0],
        [1, 1, 0, 1],
        [1, 0, 1, 0],
        [0, 1, 0, 0],
        [0, 0, 0, 0],
    ],
    dtype=float,
)
HAND_CORRECTED = [math.sqrt(6 / 11), 1 / math.sqrt(10), 1 / math.sqrt(11), 4 / math.sqrt(82)]


def _two_pl(seed: int, n_persons: int, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    theta = synthetic.abilities(rng, n_persons)
    items = synthetic.item_parameters(rng, n_items)
    return theta, synthetic.responses(rng, theta, items)


# ---------------------------------------------------------------------------------------------------
# Item statistics
# ---------------------------------------------------------------------------------------------------


def test_p_values_and_corrected_point_biserials_match_the_hand_computation() -> None:
    s = item_statistics(HAND)
    np.testing.assert_allclose(s.p_value, [4 / 6, 4 / 6, 3 / 6, 2 / 6])
    np.testing.assert_allclose(s.corrected_point_biserial, HAND_CORRECTED, rtol=1e-12)
    np.testing.assert_array_equal(s.n_answered, [6, 6, 6, 6])
    assert s.n_persons == 6
    # Uncorrected: item 4 against totals 4 3 3 2 1 0: cov = 7/6 - (1/3)(13/6) = 4/9,
    # r = (4/9) / sqrt(2/9 * 65/36) = 8 / sqrt(130).
    assert s.point_biserial[3] == pytest.approx(8 / math.sqrt(130), rel=1e-12)
    # Including the item in the criterion inflates the correlation.
    assert (s.point_biserial > s.corrected_point_biserial).all()


def test_missing_responses_are_left_out_of_p_values_and_correlations() -> None:
    x = HAND.copy()
    x[5, 3] = np.nan  # person 6 was not given item 4 (a wrong answer before)
    s = item_statistics(x)
    # Item 4 over persons 1-5: x = 1 0 1 0 0, p = 2/5; rest = 3 3 2 2 1, mean 11/5;
    # cov = 1 - (2/5)(11/5) = 0.12, var x = 0.24, var rest = 27/5 - 121/25 = 0.56,
    # r = 0.12 / sqrt(0.24 * 0.56) = sqrt(3/28).
    assert s.p_value[3] == pytest.approx(2 / 5)
    assert s.n_answered[3] == 5
    assert s.corrected_point_biserial[3] == pytest.approx(math.sqrt(3 / 28), rel=1e-12)
    # Person 6's total is still 0, so the other items are unchanged.
    np.testing.assert_allclose(s.corrected_point_biserial[:3], HAND_CORRECTED[:3], rtol=1e-12)
    np.testing.assert_allclose(s.p_value[:3], [4 / 6, 4 / 6, 3 / 6])


def test_an_item_nobody_answered_has_no_p_value_and_a_constant_item_no_correlation() -> None:
    x = np.column_stack([HAND, np.full(6, np.nan), np.ones(6)])
    s = item_statistics(x)
    assert s.n_answered[4] == 0
    assert math.isnan(s.p_value[4])
    assert math.isnan(s.corrected_point_biserial[4])
    assert s.p_value[5] == 1.0
    assert math.isnan(s.corrected_point_biserial[5])


def test_the_corrected_point_biserial_tracks_the_true_discrimination() -> None:
    rng = np.random.default_rng(31)
    theta = synthetic.abilities(rng, 2000)
    items = synthetic.ItemParameters(a=np.array([0.3, 0.8, 1.5, 2.5]), b=np.zeros(4), c=np.zeros(4))
    filler = synthetic.ItemParameters(a=np.ones(20), b=np.linspace(-1.5, 1.5, 20), c=np.zeros(20))
    x = np.column_stack([synthetic.responses(rng, theta, items), synthetic.responses(rng, theta, filler)])
    r = item_statistics(x).corrected_point_biserial[:4]
    assert (np.diff(r) > 0).all()


# ---------------------------------------------------------------------------------------------------
# Reliability
# ---------------------------------------------------------------------------------------------------


def test_kr20_kr21_and_sem_match_the_hand_computation() -> None:
    assert kr20(HAND) == pytest.approx(128 / 195, rel=1e-12)
    assert kr21(HAND) == pytest.approx(3 / 5, rel=1e-12)
    assert cronbach_alpha(HAND) == pytest.approx(128 / 195, rel=1e-12)
    assert sem(HAND) == pytest.approx(math.sqrt(67 / 90), rel=1e-12)
    # With a given reliability: sqrt(13/6) * sqrt(1 - 0.5).
    assert sem(HAND, reliability=0.5) == pytest.approx(math.sqrt(13 / 12), rel=1e-12)
    # A negative reliability is taken as 0: the SEM is then the SD of the totals.
    assert sem(HAND, reliability=-0.3) == pytest.approx(math.sqrt(13 / 6), rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.int8, st.tuples(st.integers(2, 25), st.integers(2, 12)), elements=st.integers(0, 1)))
def test_kr20_equals_alpha_on_right_wrong_items_and_is_at_least_kr21(x: np.ndarray) -> None:
    assume(x.sum(axis=1).var() > 0)
    assert kr20(x) == pytest.approx(cronbach_alpha(x), abs=1e-9)
    assert kr20(x) <= 1 + 1e-12
    assert kr21(x) <= kr20(x) + 1e-9


def test_alpha_of_two_identical_scored_items_is_one() -> None:
    scores = np.array([[0, 0], [2, 2], [3, 3], [1, 1], [4, 4]], dtype=float)
    assert cronbach_alpha(scores) == pytest.approx(1.0)


def test_kr20_rises_with_test_length_on_simulated_2pl_data() -> None:
    _, x = _two_pl(2024, 1000, 80)
    reliabilities = [kr20(x[:, :k]) for k in (10, 20, 40, 80)]
    assert reliabilities == sorted(reliabilities)
    assert reliabilities[0] < 0.75
    assert reliabilities[-1] > 0.9


def test_reliability_refuses_missing_data_or_a_single_item() -> None:
    x = HAND.copy()
    x[0, 0] = np.nan
    with pytest.raises(ValueError, match="missing"):
        kr20(x)
    with pytest.raises(ValueError, match="missing"):
        cronbach_alpha(x)
    with pytest.raises(ValueError, match="2 items"):
        kr20(HAND[:, :1])
    with pytest.raises(ValueError, match="do not vary"):
        kr20(np.ones((5, 3)))
    with pytest.raises(ValueError, match="0 \\(wrong\\) or 1"):
        kr20(HAND * 2)


# ---------------------------------------------------------------------------------------------------
# Conditional SEM
# ---------------------------------------------------------------------------------------------------


def test_csem_is_zero_at_the_ends_and_largest_in_the_middle() -> None:
    n = 40
    scores = np.arange(n + 1)
    csem = conditional_sem(n, scores)
    assert csem[0] == 0.0
    assert csem[n] == 0.0
    assert int(np.argmax(csem)) == n // 2
    np.testing.assert_allclose(csem, csem[::-1])
    # sqrt(20 * 20 / 39)
    assert conditional_sem(n, 20) == pytest.approx(math.sqrt(400 / 39))
    assert conditional_sem(4, 2.0) == pytest.approx(math.sqrt(4 / 3))


@given(st.integers(2, 300), st.floats(0, 1))
def test_csem_never_exceeds_its_value_at_half_the_items(n: int, share: float) -> None:
    x = share * n
    assert 0 <= conditional_sem(n, x) <= conditional_sem(n, n / 2) + 1e-12


def test_the_band_at_the_cut_is_the_cut_plus_or_minus_z_csem() -> None:
    band = csem_at_cut(50, 35, level=0.95)
    expected = math.sqrt(35 * 15 / 49)
    assert band.csem == pytest.approx(expected)
    assert band.low == pytest.approx(35 - 1.959964 * expected, abs=1e-5)
    assert band.high == pytest.approx(35 + 1.959964 * expected, abs=1e-5)
    edge = csem_at_cut(10, 10)
    assert edge.csem == 0.0
    assert edge.low == edge.high == 10.0


def test_csem_refuses_scores_outside_the_range() -> None:
    with pytest.raises(ValueError, match="between 0 and n_items"):
        conditional_sem(10, 11)
    with pytest.raises(ValueError, match="n_items"):
        conditional_sem(1, 0)
    with pytest.raises(ValueError, match="level"):
        csem_at_cut(10, 5, level=1.0)


# ---------------------------------------------------------------------------------------------------
# Decision consistency
# ---------------------------------------------------------------------------------------------------


def test_decision_consistency_matches_the_hand_computation() -> None:
    # KR-21 = 3/5 and mean 13/6 on 4 items, so Kelley's estimate is
    # pi(x) = 3/5 * x/4 + 2/5 * 13/24 = (9x + 13) / 60; with cut 3,
    # P(pass) = P(X >= 3) = 4 pi^3 (1 - pi) + pi^4.
    def passing(x: int) -> Fraction:
        pi = Fraction(9 * x + 13, 60)
        return 4 * pi**3 * (1 - pi) + pi**4

    p = [passing(x) for x in (4, 3, 3, 2, 1, 0)]
    agreement = sum(q**2 + (1 - q) ** 2 for q in p) / 6
    mean = sum(p) / 6
    chance = mean**2 + (1 - mean) ** 2
    kappa = (agreement - chance) / (1 - chance)

    d = decision_consistency(HAND, 3)
    assert d.agreement == pytest.approx(float(agreement), rel=1e-12)
    assert d.kappa == pytest.approx(float(kappa), rel=1e-10)
    assert d.chance_agreement == pytest.approx(float(chance), rel=1e-12)
    assert d.expected_pass_rate == pytest.approx(float(mean), rel=1e-12)
    assert d.pass_rate == pytest.approx(3 / 6)
    assert d.reliability == pytest.approx(0.6)
    assert "Subkoviak" in d.method


def test_decision_consistency_agrees_with_two_simulated_parallel_forms() -> None:
    """Binomial error model: each examinee has a true proportion from Beta(6, 3) and sits two parallel
    30-item forms; the estimate from one form is compared with the agreement actually observed."""
    rng = np.random.default_rng(77)
    n_persons, n_items, cut = 4000, 30, 20
    true_share = rng.beta(6, 3, n_persons)
    form_a = (rng.random((n_persons, n_items)) < true_share[:, None]).astype(float)
    form_b = (rng.random((n_persons, n_items)) < true_share[:, None]).astype(float)
    pass_a, pass_b = form_a.sum(axis=1) >= cut, form_b.sum(axis=1) >= cut
    observed = float((pass_a == pass_b).mean())
    rate = (pass_a.mean() + pass_b.mean()) / 2
    chance = rate**2 + (1 - rate) ** 2
    observed_kappa = (observed - chance) / (1 - chance)

    d = decision_consistency(form_a, cut)
    assert abs(d.agreement - observed) < 0.04
    assert abs(d.kappa - observed_kappa) < 0.08
    assert d.pass_rate == pytest.approx(pass_a.mean())


def test_a_long_test_classifies_consistently_far_from_the_mean_and_less_so_at_it() -> None:
    _, x = _two_pl(11, 800, 60)
    total = x.sum(axis=1)
    mean, sd = float(total.mean()), float(total.std())
    at_mean = decision_consistency(x, round(mean))
    far_below = decision_consistency(x, round(mean - 1.8 * sd))
    far_above = decision_consistency(x, round(mean + 1.8 * sd))
    assert far_below.agreement > 0.95
    assert far_above.agreement > 0.95
    assert at_mean.agreement < 0.9
    assert at_mean.agreement < min(far_below.agreement, far_above.agreement)
    assert at_mean.kappa > 0.6
    # A short form is less consistent at the same relative cut.
    short = x[:, :10]
    short_d = decision_consistency(short, round(float(short.sum(axis=1).mean())))
    assert short_d.agreement < at_mean.agreement


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.int8, st.tuples(st.integers(2, 30), st.integers(2, 15)), elements=st.integers(0, 1)),
    st.floats(0, 1),
)
def test_decision_consistency_figures_are_proportions(x: np.ndarray, cut_share: float) -> None:
    assume(x.sum(axis=1).var() > 0)
    d = decision_consistency(x, cut_share * x.shape[1])
    assert 0.5 - 1e-12 <= d.agreement <= 1.0
    assert 0.5 - 1e-12 <= d.chance_agreement <= 1.0
    assert 0.0 <= d.pass_rate <= 1.0
    assert 0.0 <= d.expected_pass_rate <= 1.0
    assert 0.0 <= d.reliability <= 1.0
    assert math.isnan(d.kappa) or 0.0 <= d.kappa <= 1.0
    # Everybody passes at cut 0: classification is certain, kappa undefined.
    sure = decision_consistency(x, 0)
    assert sure.agreement == 1.0
    assert sure.pass_rate == 1.0
    assert math.isnan(sure.kappa)


def test_decision_consistency_refuses_bad_cuts_and_missing_data() -> None:
    with pytest.raises(ValueError, match="cut"):
        decision_consistency(HAND, 5)
    with pytest.raises(ValueError, match="cut"):
        decision_consistency(HAND, -1)
    x = HAND.copy()
    x[2, 2] = np.nan
    with pytest.raises(ValueError, match="missing"):
        decision_consistency(x, 2)


# ---------------------------------------------------------------------------------------------------
# Distractor analysis
# ---------------------------------------------------------------------------------------------------


def _choices(seed: int, n_persons: int = 900, n_items: int = 12) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Four-option items answered by simulated examinees: right per a 2PL, otherwise one of the three
    distractors at random; 5% of answers left blank. Returns (choices, key, theta)."""
    rng = np.random.default_rng(seed)
    theta = synthetic.abilities(rng, n_persons)
    items = synthetic.ItemParameters(
        a=np.full(n_items, 1.5), b=np.linspace(-1.0, 1.0, n_items), c=np.zeros(n_items)
    )
    right = synthetic.responses(rng, theta, items).astype(bool)
    key = rng.integers(0, 4, size=n_items)
    wrong_pick = (key[None, :] + rng.integers(1, 4, size=right.shape)) % 4
    choices = np.where(right, key[None, :], wrong_pick)
    choices[rng.random(choices.shape) < 0.05] = -1
    return choices.astype(np.int64), key, theta


def test_option_shares_and_blanks_sum_to_one_overall_and_in_every_group() -> None:
    choices, key, _ = _choices(3)
    d = distractor_analysis(choices, key)
    assert d.n_options == 4
    assert d.n_groups == 3
    np.testing.assert_allclose(d.proportions.sum(axis=1) + d.omitted, 1.0)
    np.testing.assert_allclose(d.group_proportions.sum(axis=2) + d.group_omitted, 1.0)
    assert d.group_sizes.sum() == choices.shape[0]
    # The key is chosen by a larger share of the top group, and its choice goes with the total.
    items = np.arange(d.n_items)
    assert (d.group_proportions[-1, items, key] > d.group_proportions[0, items, key]).all()
    assert (d.point_biserial[items, key] > 0.3).all()


def test_score_groups_follow_the_hand_worked_totals() -> None:
    # Two items, key (0, 1). Totals: 2 2 1 1 0 0 (blank counts as wrong).
    choices = np.array([[0, 1], [0, 1], [0, 2], [1, 1], [2, -1], [1, 0]])
    d = distractor_analysis(choices, [0, 1], groups=3)
    np.testing.assert_array_equal(d.total_scores, [2, 2, 1, 1, 0, 0])
    np.testing.assert_array_equal(d.group_sizes, [2, 2, 2])
    # Item 1 shares: option 0: 3/6, option 1: 2/6, option 2: 1/6.
    np.testing.assert_allclose(d.proportions[0], [3 / 6, 2 / 6, 1 / 6])
    assert d.omitted[1] == pytest.approx(1 / 6)
    # Lowest group (persons 5, 6) on item 1: options 2 and 1 once each; top group: option 0 twice.
    np.testing.assert_allclose(d.group_proportions[0, 0], [0, 0.5, 0.5])
    np.testing.assert_allclose(d.group_proportions[2, 0], [1, 0, 0])
    np.testing.assert_allclose(d.group_omitted[0], [0, 0.5])
    # Item 2, option 0 (chosen only by person 6, total 0): indicator 0 0 0 0 0 1 against totals;
    # cov = 0 - (1/6)(1) = -1/6, var = 5/36 and 2/3, r = (-1/6) / sqrt(5/36 * 2/3) = -sqrt(3/10).
    assert d.point_biserial[1, 0] == pytest.approx(-math.sqrt(3 / 10))
    assert flag_distractors(d) == ()


def test_equal_totals_share_a_group_and_upper_lower_27_percent_can_be_chosen() -> None:
    choices, key, _ = _choices(4, n_persons=1000)
    d = distractor_analysis(choices, key, groups=0.27)
    assert d.n_groups == 2
    low = d.total_scores[np.argsort(d.total_scores)][: d.group_sizes[0]]
    high = d.total_scores[np.argsort(d.total_scores)][-d.group_sizes[1] :]
    assert low.max() < high.min()
    # About 27% each; ties at a boundary move whole score levels.
    assert 0.15 < d.group_sizes[0] / 1000 < 0.35
    assert 0.15 < d.group_sizes[1] / 1000 < 0.35
    tied = distractor_analysis(np.zeros((9, 2), dtype=np.int64), [0, 1], groups=3)
    assert sorted(tied.group_sizes.tolist()) == [0, 0, 9]


def test_a_distractor_that_strong_examinees_choose_is_flagged() -> None:
    choices, key, theta = _choices(5)
    planted_item = 6
    planted = int((key[planted_item] + 2) % 4)
    rng = np.random.default_rng(50)
    strong = (theta > 0.5) & (rng.random(theta.shape[0]) < 0.6)
    choices[strong, planted_item] = planted

    d = distractor_analysis(choices, key)
    flags = flag_distractors(d)
    assert {(f.item, f.option) for f in flags} == {(planted_item, planted)}
    (flag,) = flags
    assert set(flag.reasons) == {MORE_HIGH_THAN_LOW, POSITIVE_POINT_BISERIAL}
    assert flag.high_group > flag.low_group
    assert flag.point_biserial > 0

    item_flags = flag_items(item_statistics((choices == key).astype(float)), distractors=d)
    with_bad_distractor = [f.item for f in item_flags if DISTRACTOR_ATTRACTS_HIGH_SCORERS in f.reasons]
    assert with_bad_distractor == [planted_item]
    # A margin larger than the planted excess silences the group comparison, not the point-biserial.
    (wide,) = flag_distractors(d, margin=0.9)
    assert wide.reasons == (POSITIVE_POINT_BISERIAL,)


@settings(max_examples=50, deadline=None)
@given(
    hnp.arrays(np.int64, st.tuples(st.integers(2, 40), st.integers(1, 6)), elements=st.integers(-1, 4)),
    st.data(),
)
def test_shares_always_sum_to_one(choices: np.ndarray, data: st.DataObject) -> None:
    key = np.array(
        data.draw(st.lists(st.integers(0, 4), min_size=choices.shape[1], max_size=choices.shape[1]))
    )
    groups = data.draw(st.integers(2, min(5, choices.shape[0])))
    d = distractor_analysis(choices, key, groups=groups)
    np.testing.assert_allclose(d.proportions.sum(axis=1) + d.omitted, 1.0)
    filled = d.group_sizes > 0
    np.testing.assert_allclose((d.group_proportions.sum(axis=2) + d.group_omitted)[filled], 1.0)
    assert d.group_sizes.sum() == choices.shape[0]
    finite = d.point_biserial[np.isfinite(d.point_biserial)]
    assert ((finite >= -1) & (finite <= 1)).all()
    assert all(f.option != key[f.item] for f in flag_distractors(d))


def test_distractor_analysis_refuses_bad_input() -> None:
    choices = np.array([[0, 1], [1, 0], [2, 2]])
    with pytest.raises(ValueError, match="one entry per item"):
        distractor_analysis(choices, [0])
    with pytest.raises(ValueError, match="-1 for no answer"):
        distractor_analysis(np.array([[0, -2], [1, 0]]), [0, 1])
    with pytest.raises(ValueError, match="whole option indices"):
        distractor_analysis(np.array([[0.5, 1], [1, 0]]), [0, 1])
    with pytest.raises(ValueError, match="groups"):
        distractor_analysis(choices, [0, 1], groups=4)
    with pytest.raises(ValueError, match="groups"):
        distractor_analysis(choices, [0, 1], groups=0.6)
    with pytest.raises(ValueError, match="key entries"):
        distractor_analysis(choices, [0, -1])


# ---------------------------------------------------------------------------------------------------
# Item review flags
# ---------------------------------------------------------------------------------------------------


def _stats(p: list[float], r: list[float]) -> ItemStatistics:
    return ItemStatistics(
        p_value=np.array(p),
        point_biserial=np.array(r),
        corrected_point_biserial=np.array(r),
        n_answered=np.full(len(p), 100, dtype=np.int64),
        n_persons=100,
    )


def test_each_reason_is_given_at_its_documented_threshold() -> None:
    s = _stats(
        p=[0.19, 0.20, 0.96, 0.95, 0.6, 0.6, 0.6, 0.1, float("nan")],
        r=[0.4, 0.4, 0.4, 0.4, 0.14, 0.15, -0.01, -0.2, float("nan")],
    )
    reasons = [f.reasons for f in flag_items(s)]
    assert reasons == [
        (TOO_HARD,),
        (),
        (TOO_EASY,),
        (),
        (LOW_DISCRIMINATION,),
        (),
        (NEGATIVE_DISCRIMINATION,),
        (TOO_HARD, NEGATIVE_DISCRIMINATION),
        (),
    ]
    # The thresholds are keyword arguments.
    strict = flag_items(s, min_p=0.25, max_p=0.9, min_discrimination=0.3)
    assert strict[1].reasons == (TOO_HARD,)
    assert strict[3].reasons == (TOO_EASY,)
    assert strict[5].reasons == (LOW_DISCRIMINATION,)
    assert [f.flagged for f in strict][:6] == [True] * 6


def test_an_item_simulated_with_negative_discrimination_is_flagged() -> None:
    rng = np.random.default_rng(8)
    theta = synthetic.abilities(rng, 800)
    drawn = synthetic.item_parameters(rng, 20)
    a = drawn.a.copy()
    a[3] = -1.2
    items = synthetic.ItemParameters(a=a, b=np.clip(drawn.b, -1.5, 1.5), c=drawn.c)
    flags = flag_items(item_statistics(synthetic.responses(rng, theta, items)))
    negative = [f.item for f in flags if NEGATIVE_DISCRIMINATION in f.reasons]
    assert negative == [3]
    assert flags[3].corrected_point_biserial < -0.1


def test_flag_items_refuses_inconsistent_arguments() -> None:
    s = _stats([0.5, 0.5], [0.3, 0.3])
    with pytest.raises(ValueError, match="min_p"):
        flag_items(s, min_p=0.9, max_p=0.1)
    choices = np.array([[0, 1, 1], [1, 0, 1]])
    with pytest.raises(ValueError, match="distractor analysis has 3 items"):
        flag_items(s, distractors=distractor_analysis(choices, [0, 1, 1], groups=2))
