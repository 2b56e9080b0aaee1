"""Linking recovers a known scale transformation; equating and cut carrying behave as the TCCs say."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wrenchmark.psychometrics.equating import (
    Linking,
    carry_cut,
    mean_mean,
    mean_sigma,
    raw_to_scale_table,
    raw_to_theta,
    stocking_lord,
    tcc,
    transform,
    true_score_equating,
)
from wrenchmark.psychometrics.synthetic import ItemParameters, item_parameters

A_TRUE = 1.3
B_TRUE = -0.4


def _subset(items: ItemParameters, index: np.ndarray) -> ItemParameters:
    return ItemParameters(a=items.a[index], b=items.b[index], c=items.c[index])


def _to_new_scale(items: ItemParameters, slope: float, intercept: float) -> ItemParameters:
    """The same items calibrated on a scale with θ_old = slope·θ_new + intercept."""
    return ItemParameters(a=items.a * slope, b=(items.b - intercept) / slope, c=items.c.copy())


def _forms(seed: int = 11) -> tuple[ItemParameters, ItemParameters, np.ndarray, np.ndarray]:
    """An old form of 40 3PL items and a new form of 40 whose first 15 are the old form's last 15."""
    rng = np.random.default_rng(seed)
    old = item_parameters(rng, 40, model="3pl")
    unique_new_old_scale = item_parameters(rng, 25, model="3pl")
    common_old = np.arange(25, 40)
    common_new = np.arange(15)
    new_old_scale = ItemParameters(
        a=np.concatenate([old.a[common_old], unique_new_old_scale.a]),
        b=np.concatenate([old.b[common_old], unique_new_old_scale.b]),
        c=np.concatenate([old.c[common_old], unique_new_old_scale.c]),
    )
    new = _to_new_scale(new_old_scale, A_TRUE, B_TRUE)
    return old, new, common_old, common_new


def test_mean_sigma_and_mean_mean_recover_the_transformation_exactly_without_error() -> None:
    old, new, common_old, common_new = _forms()
    sigma = mean_sigma(new.b[common_new], old.b[common_old])
    mean = mean_mean(_subset(new, common_new), _subset(old, common_old))
    for linking in (sigma, mean):
        np.testing.assert_allclose([linking.A, linking.B], [A_TRUE, B_TRUE], rtol=1e-12, atol=1e-12)
    assert sigma.method == "mean_sigma"
    assert mean.method == "mean_mean"


def test_stocking_lord_recovers_the_transformation_exactly_without_error() -> None:
    old, new, common_old, common_new = _forms()
    linking = stocking_lord(_subset(new, common_new), _subset(old, common_old))
    np.testing.assert_allclose([linking.A, linking.B], [A_TRUE, B_TRUE], rtol=0, atol=1e-6)
    assert linking.loss is not None
    assert linking.loss < 1e-12


def test_linking_recovers_the_transformation_closely_with_calibration_error() -> None:
    rng = np.random.default_rng(5)
    old, new, common_old, common_new = _forms(seed=12)
    new_common = _subset(new, common_new)
    noisy_new = ItemParameters(
        a=new_common.a * np.exp(rng.normal(0.0, 0.05, 15)),
        b=new_common.b + rng.normal(0.0, 0.05, 15),
        c=np.clip(new_common.c + rng.normal(0.0, 0.01, 15), 0.0, 0.5),
    )
    old_common = _subset(old, common_old)
    for linking in (
        mean_sigma(noisy_new.b, old_common.b),
        mean_mean(noisy_new, old_common),
        stocking_lord(noisy_new, old_common),
    ):
        np.testing.assert_allclose([linking.A, linking.B], [A_TRUE, B_TRUE], rtol=0, atol=0.1)


def test_stocking_lord_is_closer_than_its_mean_sigma_start_on_the_tcc() -> None:
    rng = np.random.default_rng(8)
    old, new, common_old, common_new = _forms(seed=13)
    new_common = _subset(new, common_new)
    noisy_new = ItemParameters(
        a=new_common.a * np.exp(rng.normal(0.0, 0.1, 15)),
        b=new_common.b + rng.normal(0.0, 0.1, 15),
        c=new_common.c,
    )
    old_common = _subset(old, common_old)
    grid = np.linspace(-4, 4, 41)
    weights = np.exp(-0.5 * grid**2)

    def loss(linking: Linking) -> float:
        gap = tcc(grid, old_common) - tcc(grid, transform(noisy_new, linking))
        return float((weights * gap**2).sum() / weights.sum())

    fitted = stocking_lord(noisy_new, old_common)
    assert fitted.loss == pytest.approx(loss(fitted), rel=1e-9)
    assert loss(fitted) <= loss(mean_sigma(noisy_new.b, old_common.b))


def test_transform_puts_the_new_form_back_on_the_old_scale_and_round_trips() -> None:
    old, new, common_old, common_new = _forms()
    back = transform(new, Linking(A=A_TRUE, B=B_TRUE))
    np.testing.assert_allclose(back.a[common_new], old.a[common_old], rtol=1e-12)
    np.testing.assert_allclose(back.b[common_new], old.b[common_old], atol=1e-12)
    np.testing.assert_array_equal(back.c, new.c)
    inverse = Linking(A=1 / A_TRUE, B=-B_TRUE / A_TRUE)
    again = transform(back, inverse)
    np.testing.assert_allclose(again.a, new.a, rtol=1e-12)
    np.testing.assert_allclose(again.b, new.b, atol=1e-12)
    # Response probabilities are unchanged: P(Aθ + B; a*, b*) = P(θ; a, b).
    theta_new = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(tcc(Linking(A=A_TRUE, B=B_TRUE).theta(theta_new), back), tcc(theta_new, new))


def test_a_linking_needs_a_positive_slope() -> None:
    with pytest.raises(ValueError, match="A > 0"):
        Linking(A=0.0, B=1.0)
    with pytest.raises(ValueError, match="at least 2 common items"):
        mean_sigma([0.1], [0.2])
    with pytest.raises(ValueError, match="spread"):
        mean_sigma([0.1, 0.1, 0.1], [0.0, 0.5, 1.0])


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=2, max_value=60))
def test_the_tcc_rises_with_ability_between_the_chance_score_and_n(seed: int, n: int) -> None:
    items = item_parameters(np.random.default_rng(seed), n, model="3pl")
    values = tcc(np.linspace(-6, 6, 121), items)
    assert np.all(np.diff(values) > 0)
    assert values[0] > items.c.sum()
    assert values[-1] < n


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_raw_to_theta_inverts_the_tcc(seed: int) -> None:
    items = item_parameters(np.random.default_rng(seed), 30, model="3pl")
    theta = np.linspace(-3, 3, 25)
    np.testing.assert_allclose(raw_to_theta(items, tcc(theta, items)), theta, atol=1e-8)


def test_raw_to_theta_gives_infinite_limits_at_the_ends() -> None:
    items = item_parameters(np.random.default_rng(3), 20, model="3pl")
    chance = items.c.sum()
    theta = raw_to_theta(items, [0.0, chance, chance + 0.5, 19.0, 20.0])
    assert theta[0] == theta[1] == -np.inf
    assert np.isfinite(theta[2:4]).all()
    assert theta[4] == np.inf
    with pytest.raises(ValueError, match="between 0 and"):
        raw_to_theta(items, 21)


def test_true_score_equating_of_a_form_with_itself_is_the_identity() -> None:
    items = item_parameters(np.random.default_rng(4), 40, model="3pl")
    table = true_score_equating(items, items)
    np.testing.assert_array_equal(table.raw_new, np.arange(41))
    np.testing.assert_allclose(table.raw_old, np.arange(41), atol=1e-9)


def test_true_score_equating_to_a_harder_form_gives_lower_equivalents() -> None:
    rng = np.random.default_rng(6)
    new = item_parameters(rng, 40, model="3pl")
    harder_old = ItemParameters(a=new.a, b=new.b + 0.5, c=new.c)
    table = true_score_equating(new, harder_old)
    inside = np.isfinite(table.theta)
    assert np.all(table.raw_old[inside] < table.raw_new[inside])
    assert np.all(np.diff(table.raw_old) > 0)
    # Kolen (1981) below the chance score: linear from 0 to the old form's Σc; the perfect score to n.
    below = table.theta == -np.inf
    np.testing.assert_allclose(table.raw_old[below], table.raw_new[below] * harder_old.c.sum() / new.c.sum())
    assert table.raw_old[-1] == 40


def test_carrying_a_cut_to_an_easier_form_raises_it_and_to_a_harder_form_lowers_it() -> None:
    old = item_parameters(np.random.default_rng(9), 50, model="3pl")
    easier = ItemParameters(a=old.a, b=old.b - 0.4, c=old.c)
    harder = ItemParameters(a=old.a, b=old.b + 0.4, c=old.c)
    same = carry_cut(old, 33, old)
    assert same.cut_raw_new == 33
    assert same.expected_new == pytest.approx(33.0)
    up = carry_cut(old, 33, easier)
    down = carry_cut(old, 33, harder)
    assert up.cut_raw_new > 33 > down.cut_raw_new
    assert up.theta == pytest.approx(same.theta)
    # The new cut is the smallest raw score at or above the cut's true score on the new form.
    assert up.cut_raw_new == int(np.ceil(up.expected_new))
    assert down.cut_raw_new == int(np.ceil(down.expected_new))
    with pytest.raises(ValueError, match="chance score"):
        carry_cut(old, old.c.sum() - 0.5, easier)


def test_the_scale_table_agrees_with_the_cut_and_stays_in_range() -> None:
    items = item_parameters(np.random.default_rng(10), 60, model="3pl")
    cut_theta = 0.35
    table = raw_to_scale_table(items, cut_theta=cut_theta, cut_scaled=500, slope=90, lowest=200, highest=800)
    theta = raw_to_theta(items, np.arange(61.0))
    assert table.cut_raw == int(np.flatnonzero(theta >= cut_theta)[0])
    assert table.scale(table.cut_raw) >= 500
    assert table.scale(table.cut_raw - 1) < 500
    assert np.all(np.diff(table.scaled) >= 0)
    assert table.scaled.min() >= 200
    assert table.scaled.max() <= 800
    assert table.scaled[0] == 200
    assert table.scaled[-1] == 800
    # Away from the cut and the ends, it is the rounded linear function of θ.
    k = table.cut_raw + 5
    assert table.scaled[k] == round(500 + 90 * (theta[k] - cut_theta))


def test_rounding_never_carries_a_failing_score_over_the_cut() -> None:
    items = item_parameters(np.random.default_rng(10), 60, model="3pl")
    theta = raw_to_theta(items, np.arange(61.0))
    # Put the cut just above the θ of raw 30, where rounding alone would give 500 to a failing score.
    cut_theta = float(theta[30]) + 0.001
    table = raw_to_scale_table(items, cut_theta=cut_theta, cut_scaled=500, slope=90, lowest=200, highest=800)
    assert table.cut_raw == 31
    assert table.scale(30) == 499
    assert table.scale(31) >= 500
    with pytest.raises(ValueError, match="lowest < cut_scaled"):
        raw_to_scale_table(items, cut_theta=0.0, cut_scaled=900, slope=90, lowest=200, highest=800)
