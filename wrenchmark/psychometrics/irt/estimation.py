"""Item calibration by marginal maximum likelihood with the EM algorithm (Bock & Aitkin, 1981).

Persons in rows, items in columns; NaN marks a response that was not given, and is left out of the
likelihood. Abilities are integrated out over a fixed N(0, 1) population on ``quadrature`` equally
spaced points on [-6, 6] whose weights are the normal density scaled to sum to 1 (R mirt's default grid).

Each item is estimated in the slope-intercept form :math:`z = a\\theta + d` with the lower asymptote on
the logit scale, :math:`c = 1/(1 + e^{-\\gamma})`, and reported in the usual form
:math:`b = -d/a`:

.. math:: P_j(\\theta) = c_j + (1 - c_j)\\,\\frac{1}{1 + \\exp(-(a_j\\theta + d_j))}

E-step: with :math:`\\ell_{iq} = \\sum_j [x_{ij}\\log P_{jq} + (1 - x_{ij})\\log Q_{jq}]` over the items
person :math:`i` answered (a persons x items by items x points matrix product), the posterior weight of
point :math:`q` is :math:`h_{iq} = w_q e^{\\ell_{iq}} / \\sum_{q'} w_{q'} e^{\\ell_{iq'}}`; the expected
counts are :math:`\\bar n_{jq} = \\sum_i m_{ij} h_{iq}` (examinees at the point who answered item
:math:`j`) and :math:`\\bar r_{jq} = \\sum_i m_{ij} x_{ij} h_{iq}` (of whom right).

M-step: each item maximises its expected complete-data log-likelihood

.. math:: \\sum_q \\bar r_{jq}\\log P_{jq} + (\\bar n_{jq} - \\bar r_{jq})\\log Q_{jq}
   \\; [+ \\log \\phi((\\gamma_j - \\mu_\\gamma)/\\sigma_\\gamma)]

by Newton-Raphson (Fisher scoring where the Hessian is not negative definite, with step halving),
for all items at once. The bracketed prior on :math:`\\gamma = \\operatorname{logit} c` (``prior_c``)
makes the 3PL estimate of :math:`c` a posterior mode (Mislevy, 1986). The cycle stops when no
estimated parameter (:math:`a, d, \\gamma`) moves by more than ``tol``.

Standard errors come from the observed information of the marginal log-likelihood at the estimates,
computed exactly by Louis's (1982) formula from the final posterior weights (not from the M-step's
complete-data information, which would understate them).

References
----------
Bock, R. D. & Aitkin, M. (1981). Marginal maximum likelihood estimation of item parameters: application
of an EM algorithm. *Psychometrika*, 46, 443-459.
Baker, F. B. & Kim, S.-H. (2004). *Item Response Theory: Parameter Estimation Techniques*, 2nd ed.,
ch. 6-7. Dekker.
Mislevy, R. J. (1986). Bayes modal estimation in item response models. *Psychometrika*, 51, 177-195.
Louis, T. A. (1982). Finding the observed information matrix when using the EM algorithm. *Journal of
the Royal Statistical Society B*, 44, 226-233.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, log_expit

from wrenchmark.psychometrics.irt.models import MODELS, ItemSet, Model, check_items, normal_quadrature
from wrenchmark.psychometrics.synthetic import ItemParameters
from wrenchmark.psychometrics.types import FloatArray, ResponseMatrix, check_responses

__all__ = ["Calibration", "calibrate"]

# Which of (a, d, gamma) each model estimates.
_FREE: dict[str, tuple[int, ...]] = {"rasch": (1,), "2pl": (0, 1), "3pl": (0, 1, 2)}
_GAMMA_BOUND = 20.0
_MAX_STEP = 1.0


@dataclass(frozen=True, slots=True)
class Calibration:
    """Item parameters estimated by :func:`calibrate`, with their standard errors.

    Attributes
    ----------
    a, b, c
        Discrimination, difficulty and lower asymptote per item, shape (n_items,). Items held fixed keep
        the values they were given.
    se_a, se_b, se_c
        Standard errors, shape (n_items,), from the observed information of the marginal likelihood
        (Louis, 1982), by the delta method for ``b = -d/a`` and ``c = expit(gamma)``. NaN where a
        parameter was not estimated (held fixed, ``a`` in the Rasch model, ``c`` outside the 3PL) or
        where the information matrix is not positive definite.
    loglik
        Marginal log-likelihood :math:`\\sum_i \\log \\sum_q w_q \\prod_j P(x_{ij} \\mid X_q)` at the
        estimates (without the prior on ``c``).
    iterations, converged
        EM cycles run, and whether the largest parameter change fell below the tolerance.
    model, quadrature, prior_c
        What was fitted: the model, the number of quadrature points, the (mean, sd) of the normal prior
        on logit(c) or None.
    fixed
        Boolean, shape (n_items,): True for items whose parameters were held fixed.
    """

    a: FloatArray
    b: FloatArray
    c: FloatArray
    se_a: FloatArray
    se_b: FloatArray
    se_c: FloatArray
    loglik: float
    iterations: int
    converged: bool
    model: Model
    quadrature: int
    prior_c: tuple[float, float] | None
    fixed: NDArray[np.bool_]

    @property
    def items(self) -> ItemParameters:
        """The estimates as :class:`ItemParameters` (copies)."""
        return ItemParameters(a=self.a.copy(), b=self.b.copy(), c=self.c.copy())

    @property
    def n_items(self) -> int:
        return int(self.a.shape[0])


@dataclass(frozen=True, slots=True)
class _Grid:
    """Per item (rows) and quadrature point (columns): the logistic part and the response probabilities."""

    ell: FloatArray
    p: FloatArray
    q: FloatArray
    logp: FloatArray
    logq: FloatArray


def _grid(a: FloatArray, d: FloatArray, c: FloatArray, x: FloatArray) -> _Grid:
    z = a[:, None] * x[None, :] + d[:, None]
    ell = expit(z)
    cc = c[:, None]
    s = 1.0 - cc
    p = cc + s * ell
    q = s * expit(-z)
    with np.errstate(divide="ignore"):
        logq = np.log(s) + log_expit(-z)
        logp = np.where(cc > 0.0, np.log(np.maximum(p, 1e-300)), log_expit(z))
    return _Grid(ell=ell, p=p, q=q, logp=logp, logq=logq)


@dataclass(frozen=True, slots=True)
class _Data:
    x1: FloatArray  # persons x items: 1 where right, 0 where wrong or missing
    obs: FloatArray  # persons x items: 1 where answered
    x1t: FloatArray  # items x persons, contiguous copy of x1
    obst: FloatArray  # items x persons, contiguous copy of obs
    missing: bool

    @classmethod
    def of(cls, x: FloatArray) -> _Data:
        answered = ~np.isnan(x)
        x1 = np.where(answered, x, 0.0)
        obs = answered.astype(np.float64)
        return cls(
            x1=x1,
            obs=obs,
            x1t=np.ascontiguousarray(x1.T),
            obst=np.ascontiguousarray(obs.T),
            missing=not bool(answered.all()),
        )

    def columns(self, cols: NDArray[np.intp]) -> _Data:
        if cols.size == self.x1.shape[1]:
            return self
        return _Data(
            x1=self.x1[:, cols],
            obs=self.obs[:, cols],
            x1t=self.x1t[cols],
            obst=self.obst[cols],
            missing=self.missing,
        )


def _estep(data: _Data, g: _Grid, logw: FloatArray) -> tuple[FloatArray, float]:
    """Posterior weights, points x persons, and the marginal log-likelihood.

    Kept in points x persons layout: the products then run over contiguous persons.
    """
    ll = (g.logp - g.logq).T @ data.x1t
    if data.missing:
        ll += g.logq.T @ data.obst
    else:
        ll += g.logq.sum(axis=0)[:, None]
    ll += logw[:, None]
    top = ll.max(axis=0, keepdims=True)
    post = np.exp(ll - top)
    total = post.sum(axis=0, keepdims=True)
    post /= total
    return post, float(np.sum(top[0] + np.log(total[0])))


def _counts(data: _Data, post: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Expected right answers and expected examinees per item (rows) and point (columns)."""
    r: FloatArray = (post @ data.x1).T
    if data.missing:
        n: FloatArray = (post @ data.obs).T
    else:
        n = np.broadcast_to(post.sum(axis=1), r.shape).copy()
    return r, n


def _dp(g: _Grid, c: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """First and second derivatives of P with respect to (a, d, gamma): (J, Q, 3) and (J, Q, 3, 3)."""
    ell = g.ell
    cc = c[:, None]
    s = 1.0 - cc
    l1 = ell * (1.0 - ell)
    l2 = l1 * (1.0 - 2.0 * ell)
    c1 = cc * s
    c2 = c1 * (1.0 - 2.0 * cc)
    xx = x[None, :]
    first = np.stack([s * l1 * xx, s * l1, c1 * (1.0 - ell)], axis=-1)
    second = np.empty((*ell.shape, 3, 3))
    second[..., 0, 0] = s * l2 * xx * xx
    second[..., 0, 1] = second[..., 1, 0] = s * l2 * xx
    second[..., 1, 1] = s * l2
    second[..., 0, 2] = second[..., 2, 0] = -c1 * l1 * xx
    second[..., 1, 2] = second[..., 2, 1] = -c1 * l1
    second[..., 2, 2] = c2 * (1.0 - ell)
    return first, second


def _objective(
    r: FloatArray, n: FloatArray, g: _Grid, gamma: FloatArray, prior: tuple[float, float] | None
) -> FloatArray:
    f: FloatArray = (r * g.logp + (n - r) * g.logq).sum(axis=1)
    if prior is not None:
        f = f - 0.5 * ((gamma - prior[0]) / prior[1]) ** 2
    return f


def _derivatives(
    r: FloatArray,
    n: FloatArray,
    g: _Grid,
    c: FloatArray,
    gamma: FloatArray,
    x: FloatArray,
    prior: tuple[float, float] | None,
    free: tuple[int, ...],
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Gradient (J, K), Hessian (J, K, K) and expected information (J, K, K) of the M-step objective."""
    first, second = _dp(g, c, x)
    pq = np.maximum(g.p * g.q, 1e-300)
    lp = r / np.maximum(g.p, 1e-300) - (n - r) / np.maximum(g.q, 1e-300)
    # The floor is squared here, so it must stay above the square root of the smallest double.
    lpp = -r / np.maximum(g.p, 1e-150) ** 2 - (n - r) / np.maximum(g.q, 1e-150) ** 2
    grad = np.einsum("jq,jqk->jk", lp, first)
    outer = first[..., :, None] * first[..., None, :]
    hess = np.einsum("jq,jqkl->jkl", lpp, outer) + np.einsum("jq,jqkl->jkl", lp, second)
    info = np.einsum("jq,jqkl->jkl", n / pq, outer)
    if prior is not None:
        grad[:, 2] -= (gamma - prior[0]) / prior[1] ** 2
        hess[:, 2, 2] -= 1.0 / prior[1] ** 2
        info[:, 2, 2] += 1.0 / prior[1] ** 2
    k = np.array(free)
    return grad[:, k], hess[:, k[:, None], k[None, :]], info[:, k[:, None], k[None, :]]


def _pack(a: FloatArray, d: FloatArray, gamma: FloatArray, free: tuple[int, ...]) -> FloatArray:
    out: FloatArray = np.stack([a, d, gamma], axis=1)[:, np.array(free)]
    return out


def _unpack(
    psi: FloatArray, a: FloatArray, d: FloatArray, gamma: FloatArray, free: tuple[int, ...]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    full = np.stack([a, d, gamma], axis=1)
    full[:, np.array(free)] = psi
    full[:, 2] = np.clip(full[:, 2], -_GAMMA_BOUND, _GAMMA_BOUND)
    return full[:, 0].copy(), full[:, 1].copy(), full[:, 2].copy()


def _c_of(gamma: FloatArray, model: str) -> FloatArray:
    out: FloatArray = expit(gamma) if model == "3pl" else np.zeros_like(gamma)
    return out


def _mstep(
    r: FloatArray,
    n: FloatArray,
    a: FloatArray,
    d: FloatArray,
    gamma: FloatArray,
    x: FloatArray,
    model: str,
    prior: tuple[float, float] | None,
    tol: float,
    max_inner: int = 30,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Maximise every item's expected complete-data log-likelihood, all items at once."""
    free = _FREE[model]
    for _ in range(max_inner):
        c = _c_of(gamma, model)
        g = _grid(a, d, c, x)
        f0 = _objective(r, n, g, gamma, prior)
        grad, hess, info = _derivatives(r, n, g, c, gamma, x, prior, free)
        neg = -hess
        # Newton where the objective is locally concave, Fisher scoring elsewhere.
        concave = np.linalg.eigvalsh(neg)[:, 0] > 1e-10
        curvature = np.where(concave[:, None, None], neg, info)
        ridge = 1e-10 * np.eye(len(free))[None, :, :]
        step = np.linalg.solve(curvature + ridge, grad[:, :, None])[:, :, 0]
        biggest = np.abs(step).max(axis=1)
        step *= np.minimum(1.0, _MAX_STEP / np.maximum(biggest, 1e-300))[:, None]
        psi0 = _pack(a, d, gamma, free)
        accepted = np.zeros(a.shape[0], dtype=bool)
        new = psi0.copy()
        scale = 1.0
        for _halving in range(12):
            trial = psi0 + scale * step
            ta, td, tg = _unpack(trial, a, d, gamma, free)
            f1 = _objective(r, n, _grid(ta, td, _c_of(tg, model), x), tg, prior)
            better = ~accepted & (f1 >= f0 - 1e-12 * np.abs(f0))
            new[better] = trial[better]
            accepted |= better
            if accepted.all():
                break
            scale *= 0.5
        a, d, gamma = _unpack(new, a, d, gamma, free)
        if float(np.abs(new - psi0).max()) < tol:
            break
    return a, d, gamma


def _start(
    data: _Data, model: str, prior: tuple[float, float] | None, start: ItemParameters | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    n_items = data.x1.shape[1]
    if start is not None:
        a = start.a.copy() if model != "rasch" else np.ones(n_items)
        c0 = np.clip(start.c, 1e-4, 0.9) if model == "3pl" else np.full(n_items, 0.5)
        return a, -a * start.b, np.log(c0) - np.log1p(-c0)
    p = data.x1.sum(axis=0) / np.maximum(data.obs.sum(axis=0), 1.0)
    gamma0 = (prior[0] if prior is not None else np.log(0.2 / 0.8)) if model == "3pl" else 0.0
    guess = float(expit(gamma0)) if model == "3pl" else 0.0
    pstar = np.clip((p - guess) / (1.0 - guess), 0.02, 0.98)
    return np.ones(n_items), 1.2 * np.log(pstar / (1.0 - pstar)), np.full(n_items, gamma0)


def _information(
    data: _Data,
    post: FloatArray,
    a: FloatArray,
    d: FloatArray,
    gamma: FloatArray,
    c: FloatArray,
    x: FloatArray,
    model: str,
    prior: tuple[float, float] | None,
) -> FloatArray:
    """Observed information of the marginal log-likelihood for the items in ``data`` (Louis, 1982).

    .. math:: I = -\\sum_i E[H_i] - \\sum_i E[g_i g_i^T] + \\sum_i \\bar g_i \\bar g_i^T

    where :math:`g_i, H_i` are the gradient and Hessian of person :math:`i`'s complete-data
    log-likelihood at a quadrature point, the expectations are over the posterior weights ``post``
    (points x persons) and :math:`\\bar g_i = E[g_i]`. With :math:`e_{ijq} = m_{ij}(x_{ij} - P_{jq})`,
    :math:`g_{ijq} = e_{ijq} u_{jq}` where :math:`u_{jq} = \\nabla P_{jq} / (P_{jq} Q_{jq})`.
    """
    free = _FREE[model]
    k = np.array(free)
    nk = len(free)
    r, n = _counts(data, post)
    g = _grid(a, d, c, x)
    _, hess, _ = _derivatives(r, n, g, c, gamma, x, prior, free)
    first, _ = _dp(g, c, x)
    u = first[..., k] / np.maximum(g.p * g.q, 1e-300)[..., None]  # items x points x K
    n_items, n_points = g.p.shape
    # cross[q, j, l] = sum_i h_iq e_ijq e_ilq, expanded so that the work is one product per point.
    cross = np.empty((n_points, n_items, n_items))
    for q in range(n_points):
        rows = np.flatnonzero(post[q] > 1e-15)
        h = post[q, rows]
        xw = data.x1t[:, rows] * h[None, :]
        p = g.p[:, q]
        if data.missing:
            o = data.obst[:, rows]
            xx = xw @ data.x1[rows]
            xo = xw @ data.obs[rows]
            oo = (o * h[None, :]) @ data.obs[rows]
            cross[q] = xx - xo * p[None, :] - p[:, None] * xo.T + p[:, None] * oo * p[None, :]
        else:
            xx = xw @ data.x1[rows]
            rq = r[:, q]
            cross[q] = xx - np.outer(rq, p) - np.outer(p, rq) + n[0, q] * np.outer(p, p)
    second_moment = np.einsum("qjl,jqk,lqm->jklm", cross, u, u, optimize=True).reshape(
        n_items * nk, n_items * nk
    )
    persons = data.x1.shape[0]
    score = np.empty((persons, n_items, nk))
    post_t = post.T
    for i in range(nk):
        score[:, :, i] = data.x1 * (post_t @ u[:, :, i].T) - data.obs * (post_t @ (g.p * u[:, :, i]).T)
    flat = score.reshape(persons, n_items * nk)
    info: FloatArray = flat.T @ flat - second_moment
    for j in range(n_items):
        info[j * nk : (j + 1) * nk, j * nk : (j + 1) * nk] -= hess[j]
    return info


def _standard_errors(
    info: FloatArray, a: FloatArray, d: FloatArray, c: FloatArray, model: str, n_items: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    free = _FREE[model]
    nk = len(free)
    nan = np.full(n_items, np.nan)
    try:
        np.linalg.cholesky(0.5 * (info + info.T))
        cov = np.linalg.inv(0.5 * (info + info.T))
    except np.linalg.LinAlgError:
        return nan, nan.copy(), nan.copy()
    blocks = np.stack([cov[j * nk : (j + 1) * nk, j * nk : (j + 1) * nk] for j in range(n_items)])
    se_a, se_c = nan.copy(), nan.copy()
    if model == "rasch":
        se_b = np.sqrt(blocks[:, 0, 0])
        return se_a, se_b, se_c
    var_a, var_d, cov_ad = blocks[:, 0, 0], blocks[:, 1, 1], blocks[:, 0, 1]
    se_a = np.sqrt(var_a)
    # b = -d/a: gradient (d/a^2, -1/a).
    ga, gd = d / a**2, -1.0 / a
    se_b = np.sqrt(np.maximum(ga**2 * var_a + gd**2 * var_d + 2 * ga * gd * cov_ad, 0.0))
    if model == "3pl":
        se_c = c * (1.0 - c) * np.sqrt(blocks[:, 2, 2])
    return se_a, se_b, se_c


def _check_fixed(
    fixed: Mapping[int, tuple[float, float, float]] | None, n_items: int
) -> dict[int, tuple[float, float, float]]:
    if fixed is None:
        return {}
    out: dict[int, tuple[float, float, float]] = {}
    for key, value in fixed.items():
        j = int(key)
        if j != key or not 0 <= j < n_items:
            raise ValueError(f"fixed item index {key!r} is not a column of the {n_items}-item matrix")
        if len(value) != 3:
            raise ValueError(f"fixed item {j}: give (a, b, c)")
        a, b, c = (float(v) for v in value)
        if not (np.isfinite(a) and np.isfinite(b) and 0.0 <= c < 1.0):
            raise ValueError(f"fixed item {j}: a and b must be finite and c in [0, 1)")
        out[j] = (a, b, c)
    return out


def calibrate(
    responses: ResponseMatrix,
    *,
    model: Model = "2pl",
    quadrature: int = 61,
    prior_c: tuple[float, float] | None = None,
    tol: float = 1e-6,
    max_iter: int = 5000,
    fixed: Mapping[int, tuple[float, float, float]] | None = None,
    start: ItemSet | None = None,
) -> Calibration:
    """Estimate Rasch, 2PL or 3PL item parameters by marginal maximum likelihood (EM).

    Parameters
    ----------
    responses
        Persons x items, 1.0 right, 0.0 wrong, NaN not answered (left out of the likelihood).
    model
        ``"rasch"`` (:math:`a = 1` for every item, ability N(0, 1): no common slope is estimated, so the
        spread of ability is fixed at 1 and item difficulties are in that unit), ``"2pl"`` or ``"3pl"``.
    quadrature
        Number of equally spaced points on [-6, 6] with N(0, 1) weights.
    prior_c
        3PL only: ``(mean, sd)`` of a normal prior on :math:`\\operatorname{logit} c`, added to each
        item's M-step objective, so that ``c`` is a posterior mode (Mislevy, 1986). R mirt's
        ``PRIOR = (1-J, g, norm, -1.5, 0.5)`` is ``prior_c=(-1.5, 0.5)``. Without a prior the 3PL is
        plain maximum likelihood, which is often poorly identified; a prior is recommended.
    tol
        Convergence: the EM stops when no estimated parameter, on the internal scale
        :math:`(a, d, \\operatorname{logit} c)`, changed by more than ``tol`` in a cycle.
    max_iter
        Maximum number of EM cycles.
    fixed
        Column index -> ``(a, b, c)`` for items held at known values (for example bank items), while
        the others (pretest items) are estimated on the same scale; the ability distribution stays
        N(0, 1). Fixed items may have any 3PL parameters whatever ``model`` is.
    start
        Starting values (``a``, ``b``, ``c`` for every column); by default ``a = 1``, ``d`` from the
        proportion right, and ``c`` at the prior mean (or 0.2).

    Returns
    -------
    Calibration
        Estimates, standard errors from the observed information of the marginal likelihood computed
        by Louis's (1982) formula at the estimates (the prior on ``c`` included), the marginal
        log-likelihood, the number of cycles and whether they converged.

    Raises
    ------
    ValueError
        For a malformed matrix, an unknown model, a prior outside the 3PL, bad ``fixed`` entries, or an
        item to be estimated that nobody (or everybody) answered right.

    References
    ----------
    Bock, R. D. & Aitkin, M. (1981). Marginal maximum likelihood estimation of item parameters:
    application of an EM algorithm. *Psychometrika*, 46, 443-459.
    Baker, F. B. & Kim, S.-H. (2004). *Item Response Theory: Parameter Estimation Techniques*, 2nd ed.
    Mislevy, R. J. (1986). Bayes modal estimation in item response models. *Psychometrika*, 51, 177-195.
    Louis, T. A. (1982). Finding the observed information matrix when using the EM algorithm.
    *JRSS B*, 44, 226-233.
    """
    x = check_responses(responses, allow_missing=True)
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    if int(quadrature) != quadrature or quadrature < 5:
        raise ValueError(f"quadrature must be an integer of at least 5 points, got {quadrature!r}")
    if prior_c is not None:
        if model != "3pl":
            raise ValueError("prior_c applies to the 3PL only")
        if len(prior_c) != 2 or not np.isfinite(prior_c[0]) or not prior_c[1] > 0:
            raise ValueError("prior_c must be (mean, sd) with a finite mean and sd > 0")
        prior_c = (float(prior_c[0]), float(prior_c[1]))
    if not tol > 0 or max_iter < 1:
        raise ValueError("need tol > 0 and max_iter >= 1")
    n_items = x.shape[1]
    held = _check_fixed(fixed, n_items)
    start_items = check_items(start) if start is not None else None
    if start_items is not None and start_items.n_items != n_items:
        raise ValueError(f"start has {start_items.n_items} items, the responses {n_items}")

    data = _Data.of(x)
    is_fixed = np.zeros(n_items, dtype=bool)
    is_fixed[list(held)] = True
    cols = np.flatnonzero(~is_fixed)
    right = data.x1.sum(axis=0)
    answered = data.obs.sum(axis=0)
    degenerate = [int(j) for j in cols if right[j] == 0 or right[j] == answered[j]]
    if degenerate:
        raise ValueError(
            f"items {degenerate} cannot be estimated: nobody or everybody who answered them got them right"
        )

    points, weights = normal_quadrature(int(quadrature))
    logw = np.log(weights)
    a, d, gamma = _start(data, model, prior_c, start_items)
    c = _c_of(gamma, model)
    for j, (fa, fb, fc) in held.items():
        a[j], d[j], c[j] = fa, -fa * fb, fc
    free = _FREE[model]

    converged = not cols.size
    iterations = 0
    estimated = data.columns(cols)
    free_a, free_d, free_g = a[cols], d[cols], gamma[cols]
    while not converged and iterations < max_iter:
        iterations += 1
        post, _ = _estep(data, _grid(a, d, c, points), logw)
        r, n = _counts(estimated, post)
        before = _pack(free_a, free_d, free_g, free)
        free_a, free_d, free_g = _mstep(r, n, free_a, free_d, free_g, points, model, prior_c, tol * 1e-2)
        a[cols], d[cols], gamma[cols] = free_a, free_d, free_g
        c[cols] = _c_of(free_g, model)
        converged = float(np.abs(_pack(free_a, free_d, free_g, free) - before).max()) < tol

    post, loglik = _estep(data, _grid(a, d, c, points), logw)
    nan = np.full(n_items, np.nan)
    se_a, se_b, se_c = nan.copy(), nan.copy(), nan.copy()
    if cols.size:
        info = _information(estimated, post, free_a, free_d, free_g, c[cols], points, model, prior_c)
        sa, sb, sc = _standard_errors(info, a[cols], d[cols], c[cols], model, cols.size)
        se_a[cols], se_b[cols], se_c[cols] = sa, sb, sc
    b = -d / a
    for j, (_, fb, _) in held.items():
        b[j] = fb
    return Calibration(
        a=a,
        b=b,
        c=c,
        se_a=se_a,
        se_b=se_b,
        se_c=se_c,
        loglik=loglik,
        iterations=iterations,
        converged=converged,
        model=model,
        quadrature=int(quadrature),
        prior_c=prior_c,
        fixed=is_fixed,
    )
