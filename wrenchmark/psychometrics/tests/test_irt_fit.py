"""S-X2 item fit: the summed-score recursion against enumeration, the statistic against a direct
computation, roughly uniform p-values under the true model, and a misfitting item flagged."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import chi2

from wrenchmark.psychometrics import synthetic
from wrenchmark.psychometrics.irt import models
from wrenchmark.psychometrics.irt.estimation import calibrate
from wrenchmark.psychometrics.irt.fit import _groups, s_x2, summed_score_likelihoods


def test_lord_wingersky_matches_enumerating_every_pattern() -> None:
    rng = np.random.default_rng(1)
    items = synthetic.item_parameters(rng, 6, model="3pl")
    theta = np.array([-2.0, -0.3, 0.0, 1.7])
    p = models.probability(theta, items)
    brute = np.zeros((7, theta.size))
    for pattern in itertools.product((0, 1), repeat=6):
        x = np.array(pattern)
        brute[x.sum()] += np.prod(np.where(x == 1, p, 1 - p), axis=1)
    np.testing.assert_allclose(summed_score_likelihoods(p), brute, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(summed_score_likelihoods(p).sum(axis=0), 1.0, rtol=1e-12)


def _direct_s_x2(x: np.ndarray, items: synthetic.ItemParameters) -> np.ndarray:
    """S-X2 with every score 1..J-1 its own group, expected proportions by enumerating patterns."""
    n_items = x.shape[1]
    points, weights = models.normal_quadrature(61)
    p = models.probability(points, items)
    patterns = np.array(list(itertools.product((0, 1), repeat=n_items)))
    like = np.exp(patterns @ np.log(p).T + (1 - patterns) @ np.log1p(-p).T) @ weights  # per pattern
    scores = x.sum(axis=1)
    out = np.zeros(n_items)
    for j in range(n_items):
        for k in range(1, n_items):
            at_k = patterns.sum(axis=1) == k
            expected = like[at_k & (patterns[:, j] == 1)].sum() / like[at_k].sum()
            n_k = (scores == k).sum()
            observed = x[scores == k, j].mean()
            out[j] += n_k * (observed - expected) ** 2 / (expected * (1 - expected))
    return out


def test_the_statistic_matches_a_direct_computation() -> None:
    rng = np.random.default_rng(2)
    items = synthetic.item_parameters(rng, 6, model="3pl")
    x = synthetic.responses(rng, synthetic.abilities(rng, 3000), items)
    assert set(np.unique(x.sum(axis=1))) >= set(range(1, 6))
    fit = s_x2(x, items, min_expected=1e-9)
    np.testing.assert_array_equal(fit.groups, np.full(6, 5))
    np.testing.assert_allclose(fit.statistic, _direct_s_x2(x, items), rtol=1e-9)
    np.testing.assert_array_equal(fit.df, np.full(6, 2))  # 5 groups - 3 parameters (c is not 0)
    np.testing.assert_allclose(fit.p_value, chi2.sf(fit.statistic, 2))


def test_p_values_are_roughly_uniform_under_the_true_model() -> None:
    rng = np.random.default_rng(3)
    p_values = []
    for _ in range(2):
        items = synthetic.item_parameters(rng, 20, model="2pl")
        x = synthetic.responses(rng, synthetic.abilities(rng, 2000), items)
        fit = s_x2(x, calibrate(x))
        assert (fit.df >= 10).all()
        p_values.append(fit.p_value)
    p_all = np.concatenate(p_values)
    assert np.mean(p_all < 0.05) < 0.15
    assert 0.35 < np.mean(p_all) < 0.65


def test_a_non_monotone_item_is_flagged() -> None:
    rng = np.random.default_rng(4)
    items = synthetic.item_parameters(rng, 20, model="2pl")
    theta = synthetic.abilities(rng, 2000)
    x = synthetic.responses(rng, theta, items)
    # The last item is easiest in the middle of the range: no logistic curve fits it.
    x[:, -1] = rng.random(theta.size) < 0.2 + 0.6 * np.exp(-(theta**2))
    fit = s_x2(x, calibrate(x))
    assert fit.p_value[-1] < 1e-6
    assert np.argmax(fit.statistic) == 19
    assert np.mean(fit.p_value[:-1] < 0.01) < 0.15


def test_parameters_counted_for_degrees_of_freedom() -> None:
    rng = np.random.default_rng(5)
    items = synthetic.item_parameters(rng, 10, model="rasch")
    x = synthetic.responses(rng, synthetic.abilities(rng, 1500), items)
    rasch = s_x2(x, calibrate(x, model="rasch"))
    np.testing.assert_array_equal(rasch.df, rasch.groups - 1)
    two = s_x2(x, items, n_parameters=2)
    np.testing.assert_array_equal(two.df, two.groups - 2)
    assert s_x2(x, items).df[0] == rasch.df[0]  # a = 1 and c = 0: one parameter


def test_sparse_cells_are_collapsed_to_an_expected_count_of_one() -> None:
    counts = np.array([1.0, 2.0, 30.0, 40.0, 30.0, 3.0, 1.0])
    expected = np.array([0.05, 0.1, 0.3, 0.5, 0.7, 0.95, 0.99])
    groups = _groups(counts, expected, 1.0)
    assert [k for g in groups for k in g] == list(range(7))  # adjacent and complete
    for g in groups:
        assert (counts[g] * expected[g]).sum() >= 1.0
        assert (counts[g] * (1 - expected[g])).sum() >= 1.0
    assert groups[0] == [0, 1, 2]
    assert groups[-1] == [4, 5, 6]
    # A small sample leaves fewer groups than scores.
    rng = np.random.default_rng(6)
    items = synthetic.item_parameters(rng, 20, model="2pl")
    x = synthetic.responses(rng, synthetic.abilities(rng, 150), items)
    fit = s_x2(x, items)
    assert (fit.groups < 19).all()
    assert (fit.groups >= 2).all()


def test_it_rejects_missing_responses_and_mismatched_items() -> None:
    rng = np.random.default_rng(7)
    items = synthetic.item_parameters(rng, 5, model="2pl")
    x = synthetic.responses(rng, synthetic.abilities(rng, 50), items)
    with pytest.raises(ValueError, match="items"):
        s_x2(x[:, :4], items)
    x[0, 0] = np.nan
    with pytest.raises(ValueError, match="missing"):
        s_x2(x, items)
