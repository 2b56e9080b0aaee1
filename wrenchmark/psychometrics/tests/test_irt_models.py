"""Item response functions and information: closed-form values, agreement with the simulator and the
textbook formulas, and the properties every item curve must have."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wrenchmark.psychometrics import synthetic
from wrenchmark.psychometrics.irt import models
from wrenchmark.psychometrics.synthetic import ItemParameters


def _items(a: list[float], b: list[float], c: list[float]) -> ItemParameters:
    return ItemParameters(a=np.array(a), b=np.array(b), c=np.array(c))


def test_at_the_difficulty_the_probability_is_halfway_between_c_and_one() -> None:
    items = _items([0.5, 1.0, 2.0], [-1.0, 0.0, 1.5], [0.0, 0.2, 0.25])
    for j in range(3):
        p = models.probability(np.array([items.b[j]]), items)[0, j]
        assert p == pytest.approx(items.c[j] + (1 - items.c[j]) / 2, abs=1e-15)


def test_probability_has_no_scaling_constant() -> None:
    items = _items([1.3], [0.4], [0.0])
    p = models.probability(np.array([1.4]), items)[0, 0]
    assert p == pytest.approx(1 / (1 + np.exp(-1.3)), rel=1e-14)


def test_probability_agrees_with_the_simulator() -> None:
    rng = np.random.default_rng(3)
    items = synthetic.item_parameters(rng, 15, model="3pl")
    theta = rng.normal(size=50)
    np.testing.assert_allclose(
        models.probability(theta, items), synthetic.probabilities(theta, items), rtol=1e-13
    )


def test_two_pl_information_at_the_difficulty_is_a_squared_over_four() -> None:
    items = _items([0.7, 1.9], [-0.5, 1.0], [0.0, 0.0])
    info = models.item_information(items.b, items)
    assert info[0, 0] == pytest.approx(0.7**2 / 4, rel=1e-12)
    assert info[1, 1] == pytest.approx(1.9**2 / 4, rel=1e-12)


def test_three_pl_information_is_the_textbook_formula() -> None:
    items = _items([1.2, 0.8], [0.3, -1.0], [0.2, 0.15])
    theta = np.linspace(-4, 4, 33)
    p = models.probability(theta, items)
    a, c = items.a[None, :], items.c[None, :]
    textbook = a**2 * ((1 - p) / p) * ((p - c) / (1 - c)) ** 2
    np.testing.assert_allclose(models.item_information(theta, items), textbook, rtol=1e-12)
    # And it is P'^2 / (PQ), the Fisher information of a Bernoulli response.
    dp = models.probability_derivative(theta, items)
    np.testing.assert_allclose(models.item_information(theta, items), dp**2 / (p * (1 - p)), rtol=1e-12)


def test_the_3pl_information_peaks_above_the_difficulty() -> None:
    # Lord (1980): the maximum is at b + log((1 + sqrt(1 + 8c)) / 2) / a.
    items = _items([1.5], [0.0], [0.25])
    grid = np.linspace(-1, 2, 30001)
    peak = grid[np.argmax(models.item_information(grid, items)[:, 0])]
    assert peak == pytest.approx(np.log((1 + np.sqrt(1 + 8 * 0.25)) / 2) / 1.5, abs=2e-4)


def test_derivative_matches_finite_differences() -> None:
    items = _items([0.6, 1.4, 2.2], [-1.0, 0.2, 1.1], [0.0, 0.1, 0.3])
    theta = np.linspace(-3, 3, 13)
    h = 1e-6
    numeric = (models.probability(theta + h, items) - models.probability(theta - h, items)) / (2 * h)
    np.testing.assert_allclose(models.probability_derivative(theta, items), numeric, rtol=1e-7, atol=1e-10)


def test_normal_quadrature_is_mirts_default_grid() -> None:
    points, weights = models.normal_quadrature(61)
    np.testing.assert_allclose(points, np.linspace(-6, 6, 61))
    assert weights.sum() == pytest.approx(1.0)
    assert weights @ points == pytest.approx(0.0, abs=1e-15)
    assert weights @ points**2 == pytest.approx(1.0, abs=1e-6)
    shifted, w2 = models.normal_quadrature(41, mean=1.0, sd=2.0)
    assert w2 @ shifted == pytest.approx(1.0)
    assert w2 @ (shifted - 1.0) ** 2 == pytest.approx(4.0, rel=1e-5)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (_items([1.0], [0.0], [1.0]), "lower asymptote"),
        (_items([1.0], [np.nan], [0.0]), "finite"),
        (_items([1.0], [0.0], [-0.1]), "lower asymptote"),
    ],
)
def test_it_rejects_bad_item_parameters(items: ItemParameters, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        models.probability(np.zeros(1), items)


def test_it_rejects_a_two_dimensional_theta_and_a_tiny_grid() -> None:
    items = _items([1.0], [0.0], [0.0])
    with pytest.raises(ValueError, match="1-D"):
        models.probability(np.zeros((2, 2)), items)
    with pytest.raises(ValueError, match="quadrature"):
        models.normal_quadrature(2)


_item = st.tuples(
    st.floats(0.2, 3.0),  # a
    st.floats(-3.0, 3.0),  # b
    st.floats(0.0, 0.4),  # c
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_item, min_size=1, max_size=8), st.lists(st.floats(-6, 6), min_size=2, max_size=20))
def test_curves_are_bounded_monotone_and_informative(
    params: list[tuple[float, float, float]], thetas: list[float]
) -> None:
    a, b, c = (np.array(v) for v in zip(*params, strict=True))
    items = ItemParameters(a=a, b=b, c=c)
    theta = np.sort(np.array(thetas))
    p = models.probability(theta, items)
    assert (p >= c[None, :] - 1e-15).all()
    assert (p <= 1.0).all()
    assert (np.diff(p, axis=0) >= -1e-15).all()
    assert (models.probability_derivative(theta, items) > 0).all()
    info = models.item_information(theta, items)
    assert (info > 0).all()
    np.testing.assert_allclose(models.test_information(theta, items), info.sum(axis=1), rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.2, 3.0), st.floats(-3, 3), st.floats(0.0, 0.4))
def test_a_guessing_floor_lowers_information(a: float, b: float, c: float) -> None:
    theta = np.linspace(-5, 5, 41)
    with_c = models.item_information(theta, _items([a], [b], [c]))
    without = models.item_information(theta, _items([a], [b], [0.0]))
    assert (with_c <= without * (1 + 1e-12)).all()
