"""Ability estimates for dichotomous items with known parameters: EAP, MAP and maximum likelihood.

Persons in rows, items in columns; NaN marks an item the person did not answer, which is left out of
that person's likelihood

.. math:: \\ell_i(\\theta) = \\sum_{j \\text{ answered}} x_{ij}\\log P_j(\\theta) + (1 - x_{ij})\\log Q_j(\\theta).

All three work on every person at once (vectorised over persons).

References
----------
Bock, R. D. & Mislevy, R. J. (1982). Adaptive EAP estimation of ability in a microcomputer environment.
*Applied Psychological Measurement*, 6, 431-444.
Baker, F. B. & Kim, S.-H. (2004). *Item Response Theory: Parameter Estimation Techniques*, 2nd ed.,
ch. 3 and 7. Dekker.
Lord, F. M. (1980). *Applications of Item Response Theory to Practical Testing Problems*, ch. 5.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, log_expit

from wrenchmark.psychometrics.irt.models import ItemSet, check_items, normal_quadrature
from wrenchmark.psychometrics.synthetic import ItemParameters
from wrenchmark.psychometrics.types import FloatArray, ResponseMatrix, check_responses

__all__ = ["Abilities", "eap", "map_", "ml"]


@dataclass(frozen=True, slots=True)
class Abilities:
    """Ability estimates, one per person (shape (n_persons,) each).

    Attributes
    ----------
    theta
        The estimates.
    se
        Their standard errors: the posterior SD (EAP), or :math:`1/\\sqrt{I(\\hat\\theta) + 1/\\sigma^2}`
        (MAP) or :math:`1/\\sqrt{I(\\hat\\theta)}` (ML), with :math:`I` the test information over the
        items the person answered.
    method
        ``"eap"``, ``"map"`` or ``"ml"``.
    at_bound
        True where an ML estimate stopped at a bound (all right, all wrong, or a likelihood still rising
        at the bound); always False for EAP and MAP.
    """

    theta: FloatArray
    se: FloatArray
    method: str
    at_bound: NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class _Data:
    x1: FloatArray
    obs: FloatArray
    items: ItemParameters


def _data(responses: ResponseMatrix, items: ItemSet) -> _Data:
    x = check_responses(responses, allow_missing=True, min_persons=1)
    it = check_items(items)
    if x.shape[1] != it.n_items:
        raise ValueError(f"responses have {x.shape[1]} items (columns) but {it.n_items} item parameters")
    answered = ~np.isnan(x)
    return _Data(x1=np.where(answered, x, 0.0), obs=answered.astype(np.float64), items=it)


def _check_prior(prior_mean: float, prior_sd: float) -> None:
    if not (np.isfinite(prior_mean) and np.isfinite(prior_sd) and prior_sd > 0):
        raise ValueError("need a finite prior_mean and a finite prior_sd > 0")


def _grid_loglik(data: _Data, points: FloatArray) -> FloatArray:
    """Log-likelihood of every person at every point, persons x points."""
    it = data.items
    z = it.a[:, None] * (points[None, :] - it.b[:, None])
    c = it.c[:, None]
    with np.errstate(divide="ignore"):
        logq = np.log1p(-c) + log_expit(-z)
        logp = np.where(c > 0.0, np.log(np.maximum(c + (1.0 - c) * expit(z), 1e-300)), log_expit(z))
    out: FloatArray = data.x1 @ (logp - logq) + data.obs @ logq
    return out


def _posterior(data: _Data, points: FloatArray, weights: FloatArray) -> FloatArray:
    """Posterior weights, persons x points."""
    ll = _grid_loglik(data, points) + np.log(weights)[None, :]
    ll -= ll.max(axis=1, keepdims=True)
    post: FloatArray = np.exp(ll)
    post /= post.sum(axis=1, keepdims=True)
    return post


def eap(
    responses: ResponseMatrix,
    items: ItemSet,
    *,
    quadrature: int = 61,
    prior_mean: float = 0.0,
    prior_sd: float = 1.0,
) -> Abilities:
    """Estimate each person's ability as the mean of its posterior (expected a posteriori).

    .. math:: \\hat\\theta_i = \\frac{\\sum_q X_q L_i(X_q) W_q}{\\sum_q L_i(X_q) W_q}, \\qquad
       SE_i^2 = \\frac{\\sum_q (X_q - \\hat\\theta_i)^2 L_i(X_q) W_q}{\\sum_q L_i(X_q) W_q}

    over ``quadrature`` equally spaced points :math:`X_q` from ``prior_mean - 6 prior_sd`` to
    ``prior_mean + 6 prior_sd`` with normal weights :math:`W_q` scaled to sum to 1 (with the defaults,
    R mirt's ``fscores(method = "EAP")`` grid). A person who answered nothing gets the prior mean and SD.

    Parameters
    ----------
    responses
        Persons x items, 1.0 right, 0.0 wrong, NaN not answered.
    items
        Item parameters ``a``, ``b``, ``c`` (length n_items), for example a calibration.
    quadrature, prior_mean, prior_sd
        The grid size and the normal prior on ability.

    Returns
    -------
    Abilities
        ``theta`` and ``se``, shape (n_persons,).

    References
    ----------
    Bock, R. D. & Mislevy, R. J. (1982). Adaptive EAP estimation of ability in a microcomputer
    environment. *Applied Psychological Measurement*, 6, 431-444.
    """
    data = _data(responses, items)
    _check_prior(prior_mean, prior_sd)
    points, weights = normal_quadrature(int(quadrature), mean=float(prior_mean), sd=float(prior_sd))
    post = _posterior(data, points, weights)
    theta = post @ points
    var = np.maximum((post * (points[None, :] - theta[:, None]) ** 2).sum(axis=1), 0.0)
    return Abilities(
        theta=theta, se=np.sqrt(var), method="eap", at_bound=np.zeros(theta.shape[0], dtype=bool)
    )


def _derivatives(data: _Data, theta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per person: log-likelihood, its first and second derivatives, and the test information."""
    it = data.items
    a, c = it.a[None, :], it.c[None, :]
    z = a * (theta[:, None] - it.b[None, :])
    ell = expit(z)
    s = 1.0 - c
    p = c + s * ell
    q = s * expit(-z)
    logp = np.where(c > 0.0, np.log(np.maximum(p, 1e-300)), log_expit(z))
    logq = np.log(s) + log_expit(-z)
    l1 = ell * (1.0 - ell)
    dp = a * s * l1
    d2p = a * a * s * l1 * (1.0 - 2.0 * ell)
    x, m = data.x1, data.obs
    pp, qq = np.maximum(p, 1e-300), np.maximum(q, 1e-300)
    lp = m * (x / pp - (1.0 - x) / qq)
    lpp = -m * (x / pp**2 + (1.0 - x) / qq**2)
    loglik = (x * logp + (m - x) * logq).sum(axis=1)
    grad = (lp * dp).sum(axis=1)
    hess = (lpp * dp**2 + lp * d2p).sum(axis=1)
    info = (m * s * a * a * ell**2 * (1.0 - ell) / pp).sum(axis=1)
    return loglik, grad, hess, info


def _newton(
    data: _Data,
    theta0: FloatArray,
    prior: tuple[float, float] | None,
    bounds: tuple[float, float],
    tol: float,
    max_iter: int,
) -> FloatArray:
    """Maximise the log-likelihood (plus the log prior) of every person at once.

    Newton-Raphson where the objective is concave at the current value, Fisher scoring (the test
    information) elsewhere; steps capped at 1 in absolute value, halved until the objective does not
    fall, and kept within ``bounds``.
    """
    low, high = bounds
    theta = np.clip(theta0, low, high)
    active = np.ones(theta.shape[0], dtype=bool)

    def objective(t: FloatArray, rows: NDArray[np.bool_]) -> tuple[FloatArray, ...]:
        sub = _Data(x1=data.x1[rows], obs=data.obs[rows], items=data.items)
        f, g, h, info = _derivatives(sub, t)
        if prior is not None:
            f = f - 0.5 * ((t - prior[0]) / prior[1]) ** 2
            g = g - (t - prior[0]) / prior[1] ** 2
            h = h - 1.0 / prior[1] ** 2
            info = info + 1.0 / prior[1] ** 2
        return f, g, h, info

    for _ in range(max_iter):
        if not active.any():
            break
        t = theta[active]
        f0, g, h, info = objective(t, active)
        curvature = np.where(h < -1e-10, -h, np.maximum(info, 1e-10))
        step = np.clip(g / curvature, -1.0, 1.0)
        new = t.copy()
        done = np.zeros(t.shape[0], dtype=bool)
        scale = 1.0
        for _halving in range(20):
            trial = np.clip(t + scale * step, low, high)
            f1 = objective(trial, active)[0]
            ok = ~done & (f1 >= f0 - 1e-12 * np.abs(f0))
            new[ok] = trial[ok]
            done |= ok
            if done.all():
                break
            scale *= 0.5
        moved = np.abs(new - t)
        theta[active] = new
        still = moved >= tol
        # At a bound with the slope pointing outward there is nowhere further to go.
        still &= ~(((new <= low) & (g < 0)) | ((new >= high) & (g > 0)))
        idx = np.flatnonzero(active)
        active[idx[~still]] = False
    return theta


def map_(
    responses: ResponseMatrix,
    items: ItemSet,
    *,
    prior_mean: float = 0.0,
    prior_sd: float = 1.0,
    tol: float = 1e-8,
    max_iter: int = 100,
) -> Abilities:
    """Estimate each person's ability as the mode of its posterior (maximum a posteriori).

    Maximises :math:`\\ell_i(\\theta) - (\\theta - \\mu)^2 / (2\\sigma^2)` by Newton-Raphson from the
    EAP estimate (Fisher scoring where the objective is not concave, as it can be under the 3PL).

    .. math:: SE_i = 1 / \\sqrt{I_i(\\hat\\theta_i) + 1/\\sigma^2}

    with :math:`I_i` the test information over the items person :math:`i` answered. A person who
    answered nothing gets the prior mean and SD.

    Parameters
    ----------
    responses
        Persons x items, 1.0 right, 0.0 wrong, NaN not answered.
    items
        Item parameters ``a``, ``b``, ``c`` (length n_items).
    prior_mean, prior_sd
        The normal prior :math:`N(\\mu, \\sigma^2)` on ability.
    tol, max_iter
        Stop a person's iterations when the step is below ``tol``.

    Returns
    -------
    Abilities
        ``theta`` and ``se``, shape (n_persons,).

    References
    ----------
    Baker, F. B. & Kim, S.-H. (2004). *Item Response Theory: Parameter Estimation Techniques*, 2nd ed.,
    ch. 7 (Bayesian modal estimation of ability).
    """
    data = _data(responses, items)
    _check_prior(prior_mean, prior_sd)
    start = eap(responses, items, prior_mean=prior_mean, prior_sd=prior_sd).theta
    prior = (float(prior_mean), float(prior_sd))
    span = 50.0 * prior_sd
    theta = _newton(data, start, prior, (prior_mean - span, prior_mean + span), tol, max_iter)
    info = _derivatives(data, theta)[3] + 1.0 / prior_sd**2
    return Abilities(
        theta=theta, se=1.0 / np.sqrt(info), method="map", at_bound=np.zeros(theta.shape[0], dtype=bool)
    )


def ml(
    responses: ResponseMatrix,
    items: ItemSet,
    *,
    bounds: tuple[float, float] = (-6.0, 6.0),
    tol: float = 1e-8,
    max_iter: int = 100,
) -> Abilities:
    """Estimate each person's ability by maximum likelihood, within ``bounds``.

    Maximises :math:`\\ell_i(\\theta)` by Newton-Raphson (Fisher scoring where the log-likelihood is not
    concave, as it can be under the 3PL), started from the best of 241 equally spaced points over
    ``bounds`` so that it climbs the highest peak.

    .. math:: SE_i = 1 / \\sqrt{I_i(\\hat\\theta_i)}

    with :math:`I_i` the test information over the items person :math:`i` answered.

    The ML estimate does not exist (it runs to :math:`\\pm\\infty`) for an all-right or all-wrong
    pattern, and under the 3PL for some other patterns; those persons get the bound (``at_bound`` is
    True) and the SE from the information at the bound, which is large. A person who answered nothing
    gets NaN for both.

    Parameters
    ----------
    responses
        Persons x items, 1.0 right, 0.0 wrong, NaN not answered.
    items
        Item parameters ``a``, ``b``, ``c`` (length n_items).
    bounds
        ``(low, high)`` ability range of the search.
    tol, max_iter
        Stop a person's iterations when the step is below ``tol``.

    Returns
    -------
    Abilities
        ``theta``, ``se`` and ``at_bound``, shape (n_persons,).

    References
    ----------
    Lord, F. M. (1980). *Applications of Item Response Theory to Practical Testing Problems*, ch. 5.
    Baker, F. B. & Kim, S.-H. (2004). *Item Response Theory: Parameter Estimation Techniques*, 2nd ed.,
    ch. 3.
    """
    data = _data(responses, items)
    low, high = float(bounds[0]), float(bounds[1])
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError("bounds must be finite (low, high) with low < high")
    answered = data.obs.sum(axis=1)
    right = data.x1.sum(axis=1)
    # Start at the best point of a fine grid, so that Newton climbs the highest peak (the 3PL
    # likelihood can have more than one).
    grid = np.linspace(low, high, 241)
    start = grid[np.argmax(_grid_loglik(data, grid), axis=1)]
    start = np.where(right == answered, high, np.where(right == 0, low, start))
    theta = _newton(data, start, None, (low, high), tol, max_iter)
    # Patterns without a finite maximum go to their bound directly.
    theta = np.where(right == answered, high, np.where(right == 0, low, theta))
    info = _derivatives(data, theta)[3]
    with np.errstate(divide="ignore"):
        se = 1.0 / np.sqrt(info)
    at_bound = (theta <= low) | (theta >= high)
    none = answered == 0
    theta = np.where(none, np.nan, theta)
    se = np.where(none, np.nan, se)
    return Abilities(theta=theta, se=se, method="ml", at_bound=at_bound & ~none)
