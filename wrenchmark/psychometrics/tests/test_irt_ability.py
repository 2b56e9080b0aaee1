"""Ability estimates: EAP against R mirt, closed forms for ML and MAP, shrinkage, bounds and standard
errors that match the spread of the estimates."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit, logit

from wrenchmark.psychometrics import synthetic
from wrenchmark.psychometrics.irt import models
from wrenchmark.psychometrics.irt.ability import eap, map_, ml
from wrenchmark.psychometrics.irt.estimation import calibrate
from wrenchmark.psychometrics.synthetic import ItemParameters

_ROOT = Path(__file__).resolve().parents[3]
_SHARED = _ROOT.parent / "shared"
_REF = _SHARED / "reference-data" / "irt"

needs_reference = pytest.mark.skipif(
    not _SHARED.is_dir(), reason=f"reference data folder {_SHARED} (R mirt estimates) is not present"
)


def _matrix(name: str) -> np.ndarray:
    return np.loadtxt(_REF / name, delimiter=",", skiprows=1)


def _mirt_items(model: str) -> ItemParameters:
    with (_REF / f"{model}_n5000_j40_mirt_items.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    a = np.array([float(r["a"]) for r in rows])
    b = np.array([float(r["b"]) for r in rows])
    c = np.array([float(r["c"]) for r in rows]) if "c" in rows[0] else np.zeros(len(rows))
    return ItemParameters(a=a, b=b, c=c)


def _rmse(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.sqrt(np.mean((x - y) ** 2)))


@needs_reference
@pytest.mark.parametrize("model", ["2pl", "3pl"])
def test_eap_agrees_with_mirt(model: str) -> None:
    x = _matrix(f"{model}_n5000_j40_resp.csv")
    mirt = _matrix(f"{model}_n5000_j40_mirt_eap.csv")
    ours = calibrate(x, model=model, prior_c=(-1.5, 0.5) if model == "3pl" else None)  # type: ignore[arg-type]
    for items in (_mirt_items(model), ours):
        est = eap(x, items)
        assert np.corrcoef(est.theta, mirt[:, 0])[0, 1] > 0.999
        assert _rmse(est.theta, mirt[:, 0]) < 0.01
        assert np.corrcoef(est.se, mirt[:, 1])[0, 1] > 0.999
        assert _rmse(est.se, mirt[:, 1]) < 0.01
    # With mirt's own parameters the agreement is to rounding of the published files.
    with_mirt = eap(x, _mirt_items(model))
    assert np.abs(with_mirt.theta - mirt[:, 0]).max() < 1e-5
    assert np.abs(with_mirt.se - mirt[:, 1]).max() < 1e-5


def _rasch_flat(n_items: int) -> ItemParameters:
    return ItemParameters(a=np.ones(n_items), b=np.zeros(n_items), c=np.zeros(n_items))


def test_ml_for_identical_rasch_items_is_the_logit_of_the_proportion_right() -> None:
    # All b = 0, a = 1: the score equation is r - n * expit(theta) = 0.
    x = np.array([[1, 0, 0, 0, 0], [1, 1, 0, 0, 0], [1, 1, 1, 0, 0], [1, 1, 1, 1, 0]], dtype=float)
    est = ml(x, _rasch_flat(5))
    np.testing.assert_allclose(est.theta, logit(np.array([1, 2, 3, 4]) / 5), atol=1e-8)
    # SE = 1 / sqrt(n p q).
    p = np.array([1, 2, 3, 4]) / 5
    np.testing.assert_allclose(est.se, 1 / np.sqrt(5 * p * (1 - p)), rtol=1e-7)
    assert not est.at_bound.any()


def test_map_solves_the_posterior_score_equation() -> None:
    # r - n expit(theta) - (theta - mu) / sigma^2 = 0.
    x = np.array([[1, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0]], dtype=float)
    est = map_(x, _rasch_flat(6), prior_mean=0.5, prior_sd=0.8)
    r = x.sum(axis=1)
    residual = r - 6 * expit(est.theta) - (est.theta - 0.5) / 0.8**2
    np.testing.assert_allclose(residual, 0.0, atol=1e-8)
    p = expit(est.theta)
    np.testing.assert_allclose(est.se, 1 / np.sqrt(6 * p * (1 - p) + 1 / 0.8**2), rtol=1e-7)


def test_ml_standard_error_is_one_over_root_test_information() -> None:
    rng = np.random.default_rng(5)
    items = synthetic.item_parameters(rng, 40, model="3pl")
    x = synthetic.responses(rng, synthetic.abilities(rng, 300), items)
    est = ml(x, items)
    inside = ~est.at_bound
    info = models.test_information(est.theta[inside], items)
    np.testing.assert_allclose(est.se[inside], 1 / np.sqrt(info), rtol=1e-10)
    # And the gradient of the log-likelihood is zero there (row i of probability() is person i's theta).
    h = 1e-5
    answered = x[inside]

    def loglik(theta: np.ndarray) -> np.ndarray:
        p = models.probability(theta, items)
        return (answered * np.log(p) + (1 - answered) * np.log1p(-p)).sum(axis=1)

    grad = (loglik(est.theta[inside] + h) - loglik(est.theta[inside] - h)) / (2 * h)
    np.testing.assert_allclose(grad, 0.0, atol=1e-5)
    assert inside.sum() > 290


def test_ml_standard_errors_match_the_spread_of_the_estimates() -> None:
    rng = np.random.default_rng(6)
    items = synthetic.item_parameters(rng, 40, model="2pl")
    theta = np.full(4000, 0.5)
    est = ml(synthetic.responses(rng, theta, items), items)
    assert not est.at_bound.any()
    assert np.std(est.theta) == pytest.approx(np.mean(est.se), rel=0.08)
    assert np.std(est.theta) == pytest.approx(
        1 / np.sqrt(models.test_information(np.array([0.5]), items)[0]), rel=0.08
    )
    assert abs(np.mean(est.theta) - 0.5) < 0.03


def test_eap_shrinks_towards_the_prior_mean_on_a_short_test() -> None:
    rng = np.random.default_rng(7)
    items = synthetic.item_parameters(rng, 3, model="2pl")
    theta = synthetic.abilities(rng, 3000)
    x = synthetic.responses(rng, theta, items)
    est = eap(x, items)
    assert np.var(est.theta) < 0.7 * np.var(theta)
    assert np.mean(est.theta[theta > 1]) < np.mean(theta[theta > 1])
    assert np.mean(est.theta[theta < -1]) > np.mean(theta[theta < -1])
    assert (est.se < 1.0).all()
    assert (est.se > 0.5).all()
    # A prior centred elsewhere pulls the estimates there.
    moved = eap(x, items, prior_mean=1.0)
    assert np.mean(moved.theta) > np.mean(est.theta) + 0.5
    # A long test leaves little to shrink: EAP, MAP and ML agree.
    long_items = synthetic.item_parameters(rng, 80, model="2pl")
    x_long = synthetic.responses(rng, theta[:500], long_items)
    e, m = eap(x_long, long_items), map_(x_long, long_items)
    assert np.abs(e.theta - m.theta).max() < 0.1
    assert np.corrcoef(e.theta, theta[:500])[0, 1] > 0.95


def test_a_person_with_no_answers_gets_the_prior_or_nothing() -> None:
    items = _rasch_flat(4)
    x = np.array([[np.nan] * 4, [1.0, 0.0, np.nan, np.nan]])
    e = eap(x, items, prior_mean=0.3, prior_sd=1.5)
    assert e.theta[0] == pytest.approx(0.3, abs=1e-12)
    assert e.se[0] == pytest.approx(1.5, rel=1e-4)
    m = map_(x, items, prior_mean=0.3, prior_sd=1.5)
    assert m.theta[0] == pytest.approx(0.3, abs=1e-10)
    assert m.se[0] == pytest.approx(1.5, rel=1e-10)
    est = ml(x, items)
    assert np.isnan(est.theta[0])
    assert np.isnan(est.se[0])
    # One right, one wrong of the two answered: theta = logit(1/2) = 0.
    assert est.theta[1] == pytest.approx(0.0, abs=1e-8)
    assert est.se[1] == pytest.approx(1 / np.sqrt(2 * 0.25), rel=1e-8)


def test_perfect_and_zero_scores_go_to_the_bounds() -> None:
    rng = np.random.default_rng(8)
    items = synthetic.item_parameters(rng, 10, model="3pl")
    x = np.vstack([np.ones(10), np.zeros(10), np.r_[np.ones(5), np.zeros(5)]])
    est = ml(x, items, bounds=(-5.0, 5.0))
    assert est.theta[0] == 5.0
    assert est.theta[1] == -5.0
    np.testing.assert_array_equal(est.at_bound[:2], [True, True])
    assert np.isfinite(est.se).all()
    assert est.se[1] > est.se[2]
    # MAP and EAP stay finite and ordered.
    for res in (eap(x, items), map_(x, items)):
        assert res.theta[1] < res.theta[2] < res.theta[0]
        assert not res.at_bound.any()


def test_3pl_ml_stays_within_the_bounds() -> None:
    # Guessing can make the likelihood of a poor pattern rise without limit to the left.
    items = ItemParameters(a=np.full(6, 2.0), b=np.linspace(-1, 1, 6), c=np.full(6, 0.25))
    x = np.array([[0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 1, 1], [1, 1, 1, 0, 0, 0]], dtype=float)
    est = ml(x, items)
    assert ((est.theta >= -6) & (est.theta <= 6)).all()
    assert est.theta[0] <= est.theta[1] <= est.theta[2]
    _assert_global_maximum(x, items, est.theta)
    np.testing.assert_array_equal(est.at_bound, [True, True, False])


def test_3pl_ml_finds_the_highest_peak_of_short_tests() -> None:
    rng = np.random.default_rng(9)
    items = synthetic.item_parameters(rng, 8, model="3pl")
    x = synthetic.responses(rng, synthetic.abilities(rng, 400), items)
    _assert_global_maximum(x, items, ml(x, items).theta)


def _assert_global_maximum(x: np.ndarray, items: ItemParameters, theta: np.ndarray) -> None:
    """Each estimate is at least as likely as the best point of a fine grid over [-6, 6]."""
    grid = np.linspace(-6, 6, 2401)
    p = models.probability(grid, items)
    surface = x @ np.log(p).T + (1 - x) @ np.log1p(-p).T  # persons x grid
    p_hat = models.probability(theta, items)  # row i at person i's estimate
    at_estimate = (x * np.log(p_hat) + (1 - x) * np.log1p(-p_hat)).sum(axis=1)
    np.testing.assert_array_less(surface.max(axis=1) - 1e-6, at_estimate)


def test_it_rejects_mismatched_items_and_bad_priors() -> None:
    x = np.zeros((3, 4))
    with pytest.raises(ValueError, match="4 items"):
        eap(x, _rasch_flat(5))
    with pytest.raises(ValueError, match="prior_sd"):
        eap(x, _rasch_flat(4), prior_sd=0.0)
    with pytest.raises(ValueError, match="bounds"):
        ml(x, _rasch_flat(4), bounds=(1.0, -1.0))
    with pytest.raises(ValueError, match="0 \\(wrong\\) or 1"):
        map_(np.full((2, 4), 2.0), _rasch_flat(4))
