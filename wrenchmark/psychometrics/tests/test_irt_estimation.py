"""Marginal maximum likelihood calibration: agreement with R mirt on the reference data, recovery of
simulated truth, exact standard errors, missing responses and fixed-parameter calibration."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit, logsumexp

from wrenchmark.psychometrics import synthetic
from wrenchmark.psychometrics.irt.estimation import Calibration, calibrate
from wrenchmark.psychometrics.synthetic import ItemParameters

_ROOT = Path(__file__).resolve().parents[3]
_SHARED = _ROOT.parent / "shared"
_REF = _SHARED / "reference-data" / "irt"
_PRIOR = (-1.5, 0.5)

needs_reference = pytest.mark.skipif(
    not _SHARED.is_dir(), reason=f"reference data folder {_SHARED} (R mirt estimates) is not present"
)


def _matrix(name: str) -> np.ndarray:
    return np.loadtxt(_REF / name, delimiter=",", skiprows=1)


def _columns(name: str) -> dict[str, np.ndarray]:
    with (_REF / name).open() as handle:
        rows = list(csv.DictReader(handle))
    return {key: np.array([float(r[key]) for r in rows]) for key in rows[0] if key != "item"}


def _rmse(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.sqrt(np.mean((x - y) ** 2)))


def _marginal_loglik(x: np.ndarray, a: np.ndarray, d: np.ndarray, c: np.ndarray) -> float:
    """Sum over persons of log sum_q w_q prod_j P(x_ij | X_q), missing responses skipped."""
    points = np.linspace(-6, 6, 61)
    w = np.exp(-0.5 * points**2)
    w /= w.sum()
    p = c[None, :] + (1 - c[None, :]) * expit(points[:, None] * a[None, :] + d[None, :])  # q x j
    answered = ~np.isnan(x)
    right = np.where(answered, x, 0.0)
    ll = right @ np.log(p).T + (answered - right) @ np.log1p(-p).T
    return float(logsumexp(ll + np.log(w)[None, :], axis=1).sum())


@pytest.fixture(scope="module")
def reference_2pl() -> tuple[Calibration, dict[str, np.ndarray]]:
    return calibrate(_matrix("2pl_n5000_j40_resp.csv"), model="2pl"), _columns("2pl_n5000_j40_mirt_items.csv")


@pytest.fixture(scope="module")
def reference_3pl() -> tuple[Calibration, dict[str, np.ndarray]]:
    cal = calibrate(_matrix("3pl_n5000_j40_resp.csv"), model="3pl", prior_c=_PRIOR)
    return cal, _columns("3pl_n5000_j40_mirt_items.csv")


@needs_reference
def test_2pl_estimates_agree_with_mirt(reference_2pl: tuple[Calibration, dict[str, np.ndarray]]) -> None:
    cal, mirt = reference_2pl
    assert cal.converged
    assert _rmse(cal.a, mirt["a"]) < 0.01
    assert _rmse(cal.b, mirt["b"]) < 0.01
    # Well under: both reach the same maximum (observed agreement is about 1e-5).
    assert np.abs(cal.a - mirt["a"]).max() < 1e-3
    assert np.abs(cal.b - mirt["b"]).max() < 1e-3
    assert cal.loglik == pytest.approx(-107975.6234, abs=0.5)


@needs_reference
def test_2pl_reference_estimates_are_nearer_mirt_than_the_truth(
    reference_2pl: tuple[Calibration, dict[str, np.ndarray]],
) -> None:
    cal, mirt = reference_2pl
    truth = _columns("2pl_n5000_j40_truth.csv")
    assert _rmse(cal.a, truth["a"]) == pytest.approx(0.047, abs=0.002)
    assert _rmse(cal.b, truth["b"]) == pytest.approx(0.049, abs=0.002)
    assert _rmse(cal.a, mirt["a"]) < _rmse(cal.a, truth["a"]) / 20


@needs_reference
def test_3pl_estimates_under_the_same_prior_agree_with_mirt(
    reference_3pl: tuple[Calibration, dict[str, np.ndarray]],
) -> None:
    cal, mirt = reference_3pl
    assert cal.converged
    for name in ("a", "b", "c"):
        assert _rmse(getattr(cal, name), mirt[name]) < 0.01, name
    assert cal.loglik == pytest.approx(-116685.8050, abs=1.0)


@needs_reference
def test_log_likelihood_is_the_marginal_one(reference_2pl: tuple[Calibration, dict[str, np.ndarray]]) -> None:
    cal, _ = reference_2pl
    x = _matrix("2pl_n5000_j40_resp.csv")
    assert cal.loglik == pytest.approx(_marginal_loglik(x, cal.a, -cal.a * cal.b, cal.c), rel=1e-12)


def _simulate(seed: int, persons: int, n_items: int, model: str = "2pl") -> tuple[np.ndarray, ItemParameters]:
    rng = np.random.default_rng(seed)
    items = synthetic.item_parameters(rng, n_items, model=model)
    x = synthetic.responses(rng, synthetic.abilities(rng, persons), items)
    return x, items


def test_recovery_improves_with_sample_size() -> None:
    x_small, truth_small = _simulate(11, 1000, 20)
    x_large, truth_large = _simulate(12, 4000, 20)
    small = calibrate(x_small)
    large = calibrate(x_large)
    a_small, a_large = _rmse(small.a, truth_small.a), _rmse(large.a, truth_large.a)
    b_small, b_large = _rmse(small.b, truth_small.b), _rmse(large.b, truth_large.b)
    assert 0.02 < a_small < 0.15
    assert 0.02 < b_small < 0.15
    assert a_large < 0.08
    assert b_large < 0.08
    assert a_large < a_small
    assert b_large < b_small
    # Standard errors shrink like 1/sqrt(N): four times the persons, half the error.
    ratio = np.nanmean(small.se_a) / np.nanmean(large.se_a)
    assert 1.7 < ratio < 2.3


def test_standard_errors_cover_the_truth() -> None:
    x, truth = _simulate(21, 3000, 30)
    cal = calibrate(x)
    inside = np.concatenate(
        [np.abs(cal.a - truth.a) < 1.96 * cal.se_a, np.abs(cal.b - truth.b) < 1.96 * cal.se_b]
    )
    assert 0.85 <= inside.mean() <= 1.0


def _numeric_covariance(
    x: np.ndarray, cal: Calibration, prior: tuple[float, float] | None, h: float = 1e-3
) -> np.ndarray:
    """Inverse of minus the finite-difference Hessian of the marginal log-likelihood (+ log prior)
    in (a, d, logit c)."""
    three = prior is not None
    n_items = cal.n_items
    k = 3 if three else 2
    psi0 = np.concatenate([cal.a, -cal.a * cal.b] + ([np.log(cal.c / (1 - cal.c))] if three else []))

    def f(psi: np.ndarray) -> float:
        a, d = psi[:n_items], psi[n_items : 2 * n_items]
        gamma = psi[2 * n_items :] if three else np.full(n_items, -np.inf)
        value = _marginal_loglik(x, a, d, expit(gamma))
        if prior is not None:
            value -= 0.5 * float(np.sum(((gamma - prior[0]) / prior[1]) ** 2))
        return value

    m = k * n_items
    hess = np.empty((m, m))
    for i in range(m):
        for j in range(i, m):
            e_i, e_j = np.eye(m)[i] * h, np.eye(m)[j] * h
            value = (
                f(psi0 + e_i + e_j) - f(psi0 + e_i - e_j) - f(psi0 - e_i + e_j) + f(psi0 - e_i - e_j)
            ) / (4 * h * h)
            hess[i, j] = hess[j, i] = value
    cov = np.linalg.inv(-hess)
    # Back to the per-item (a, d, gamma) order.
    order = np.array([[j + n_items * p for p in range(k)] for j in range(n_items)]).ravel()
    return cov[np.ix_(order, order)]


def _delta_se(cov: np.ndarray, cal: Calibration, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    se_a, se_b, se_c = [], [], []
    for j in range(cal.n_items):
        block = cov[j * k : (j + 1) * k, j * k : (j + 1) * k]
        a, d = cal.a[j], -cal.a[j] * cal.b[j]
        grad = np.array([d / a**2, -1 / a])
        se_a.append(np.sqrt(block[0, 0]))
        se_b.append(np.sqrt(grad @ block[:2, :2] @ grad))
        if k == 3:
            se_c.append(cal.c[j] * (1 - cal.c[j]) * np.sqrt(block[2, 2]))
    return np.array(se_a), np.array(se_b), np.array(se_c)


def test_2pl_standard_errors_are_the_observed_information_with_missing_responses() -> None:
    x, _ = _simulate(31, 400, 5)
    x[np.random.default_rng(32).random(x.shape) < 0.2] = np.nan
    cal = calibrate(x)
    se_a, se_b, _ = _delta_se(_numeric_covariance(x, cal, None), cal, 2)
    np.testing.assert_allclose(cal.se_a, se_a, rtol=2e-3)
    np.testing.assert_allclose(cal.se_b, se_b, rtol=2e-3)
    assert np.isnan(cal.se_c).all()


def test_3pl_standard_errors_are_the_observed_information_with_the_prior() -> None:
    x, _ = _simulate(33, 600, 5, model="3pl")
    cal = calibrate(x, model="3pl", prior_c=_PRIOR)
    se_a, se_b, se_c = _delta_se(_numeric_covariance(x, cal, _PRIOR), cal, 3)
    np.testing.assert_allclose(cal.se_a, se_a, rtol=2e-3)
    np.testing.assert_allclose(cal.se_b, se_b, rtol=2e-3)
    np.testing.assert_allclose(cal.se_c, se_c, rtol=2e-3)


def test_3pl_with_a_prior_recovers_simulated_items() -> None:
    x, truth = _simulate(41, 4000, 25, model="3pl")
    cal = calibrate(x, model="3pl", prior_c=_PRIOR)
    assert cal.converged
    assert _rmse(cal.a, truth.a) < 0.2
    assert _rmse(cal.b, truth.b) < 0.2
    assert _rmse(cal.c, truth.c) < 0.06
    assert ((cal.c > 0) & (cal.c < 0.5)).all()


def test_rasch_holds_a_at_one_and_recovers_difficulty() -> None:
    x, truth = _simulate(51, 2000, 15, model="rasch")
    cal = calibrate(x, model="rasch")
    np.testing.assert_array_equal(cal.a, np.ones(15))
    np.testing.assert_array_equal(cal.c, np.zeros(15))
    assert np.isnan(cal.se_a).all()
    assert _rmse(cal.b, truth.b) < 0.08
    assert (cal.se_b > 0.03).all()
    assert (cal.se_b < 0.1).all()


def test_missing_responses_are_skipped() -> None:
    # Two forms sharing 8 of 20 items: each person sees 14.
    complete, truth = _simulate(61, 4000, 20)
    x = complete.copy()
    half = np.arange(4000) < 2000
    x[np.ix_(half, np.arange(14, 20))] = np.nan
    x[np.ix_(~half, np.arange(0, 6))] = np.nan
    cal = calibrate(x)
    assert cal.converged
    assert _rmse(cal.a, truth.a) < 0.1
    assert _rmse(cal.b, truth.b) < 0.1
    assert cal.loglik == pytest.approx(_marginal_loglik(x, cal.a, -cal.a * cal.b, cal.c), rel=1e-12)
    # Items seen by half the persons lose about sqrt(2) in precision; the common ones hardly any.
    full = calibrate(complete)
    ratio = cal.se_b / full.se_b
    assert 1.25 < np.mean(np.r_[ratio[:6], ratio[14:]]) < 1.6
    assert 0.95 < np.mean(ratio[6:14]) < 1.15


def test_fixed_bank_items_put_pretest_items_on_the_bank_scale() -> None:
    x, truth = _simulate(71, 3000, 30)
    bank = calibrate(x[:, :25])
    fixed = {j: (float(bank.a[j]), float(bank.b[j]), 0.0) for j in range(25)}
    cal = calibrate(x, fixed=fixed)
    assert cal.converged
    np.testing.assert_array_equal(cal.a[:25], bank.a)
    np.testing.assert_array_equal(cal.b[:25], bank.b)
    np.testing.assert_array_equal(cal.fixed, np.arange(30) < 25)
    assert np.isnan(cal.se_a[:25]).all()
    assert (cal.se_a[25:] > 0).all()
    assert _rmse(cal.a[25:], truth.a[25:]) < 0.12
    assert _rmse(cal.b[25:], truth.b[25:]) < 0.12
    # The same items calibrated freely with the rest agree closely.
    free = calibrate(x)
    assert np.abs(cal.b[25:] - free.b[25:]).max() < 0.05


def test_fixed_items_follow_the_bank_when_the_bank_is_shifted() -> None:
    # A bank whose difficulties are all 0.5 higher drags the pretest items' difficulties up with it.
    x, _ = _simulate(72, 3000, 30)
    bank = calibrate(x[:, :25])
    plain = calibrate(x, fixed={j: (float(bank.a[j]), float(bank.b[j]), 0.0) for j in range(25)})
    shifted = calibrate(x, fixed={j: (float(bank.a[j]), float(bank.b[j]) + 0.5, 0.0) for j in range(25)})
    assert np.all(shifted.b[25:] - plain.b[25:] > 0.25)


def test_with_every_item_fixed_it_only_evaluates_the_likelihood() -> None:
    x, truth = _simulate(73, 500, 8, model="3pl")
    fixed = {j: (float(truth.a[j]), float(truth.b[j]), float(truth.c[j])) for j in range(8)}
    cal = calibrate(x, fixed=fixed)
    assert cal.iterations == 0
    assert cal.converged
    assert cal.loglik == pytest.approx(_marginal_loglik(x, truth.a, -truth.a * truth.b, truth.c), rel=1e-12)


def test_start_values_do_not_change_the_maximum() -> None:
    x, truth = _simulate(81, 1500, 12)
    default = calibrate(x, tol=1e-8)
    from_truth = calibrate(x, start=truth, tol=1e-8)
    np.testing.assert_allclose(from_truth.a, default.a, atol=1e-5)
    np.testing.assert_allclose(from_truth.b, default.b, atol=1e-5)
    assert from_truth.loglik == pytest.approx(default.loglik, abs=1e-6)


def test_it_reports_non_convergence_when_cut_short() -> None:
    x, _ = _simulate(82, 500, 10)
    cal = calibrate(x, max_iter=2)
    assert cal.iterations == 2
    assert not cal.converged


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "4pl"}, "model"),
        ({"prior_c": (-1.5, 0.5)}, "3PL only"),
        ({"model": "3pl", "prior_c": (-1.5, 0.0)}, "sd > 0"),
        ({"quadrature": 3}, "quadrature"),
        ({"tol": 0.0}, "tol"),
        ({"fixed": {10: (1.0, 0.0, 0.0)}}, "not a column"),
        ({"fixed": {0: (1.0, 0.0, 1.0)}}, "c in"),
    ],
)
def test_it_rejects_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    x, _ = _simulate(91, 100, 10)
    with pytest.raises(ValueError, match=message):
        calibrate(x, **kwargs)  # type: ignore[arg-type]


def test_it_rejects_an_item_everybody_got_right() -> None:
    x, _ = _simulate(92, 100, 5)
    x[:, 2] = 1.0
    with pytest.raises(ValueError, match=r"items \[2\]"):
        calibrate(x)
    # Held fixed, the same item is fine.
    assert calibrate(x, fixed={2: (1.0, -3.0, 0.0)}).converged
