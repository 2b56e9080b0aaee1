"""Item fit for dichotomous items: Orlando and Thissen's summed-score statistic S-X2.

For item :math:`j` and each summed score :math:`k = 1, \\dots, J - 1` (the scores 0 and :math:`J` say
nothing about fit), the observed proportion right :math:`O_{jk}` among the :math:`N_k` persons with that
score is compared with the proportion the model expects,

.. math:: E_{jk} = \\frac{\\int P_j(\\theta)\\, S^{(-j)}_{k-1}(\\theta)\\, \\phi(\\theta)\\, d\\theta}
                        {\\int S_k(\\theta)\\, \\phi(\\theta)\\, d\\theta},

where :math:`S_k(\\theta)` is the probability of the summed score :math:`k` at ability :math:`\\theta`
and :math:`S^{(-j)}_k` the same without item :math:`j`, both from the Lord-Wingersky recursion

.. math:: S^{(m)}_k(\\theta) = S^{(m-1)}_k(\\theta) Q_m(\\theta) + S^{(m-1)}_{k-1}(\\theta) P_m(\\theta),

and the integrals are sums over the quadrature grid of :func:`models.normal_quadrature` (the N(0, 1)
population of the calibration). Then

.. math:: S\\text{-}X^2_j = \\sum_g N_g \\frac{(O_{jg} - E_{jg})^2}{E_{jg}(1 - E_{jg})}

over score groups :math:`g`, referred to a chi-square with (groups - estimated item parameters)
degrees of freedom.

Sparse cells are collapsed as Orlando and Thissen (2000) do, so that no group has an expected count of
right answers :math:`N_g E_{jg}` or of wrong answers :math:`N_g (1 - E_{jg})` below ``min_expected``
(1 by default): going up from the lowest score, adjacent scores are merged into a group until both
expected counts reach ``min_expected``, then a new group starts; a deficient last group (the top end)
is merged into the one before it. The observed and expected proportions of a group are the
:math:`N_k`-weighted means over its scores.

References
----------
Orlando, M. & Thissen, D. (2000). Likelihood-based item-fit indices for dichotomous item response
theory models. *Applied Psychological Measurement*, 24, 50-64.
Lord, F. M. & Wingersky, M. S. (1984). Comparison of IRT true-score and equipercentile observed-score
"equatings". *Applied Psychological Measurement*, 8, 453-461.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2

from wrenchmark.psychometrics.irt.models import ItemSet, check_items, normal_quadrature, probability
from wrenchmark.psychometrics.types import FloatArray, IntArray, ResponseMatrix, check_responses

__all__ = ["ItemFit", "s_x2", "summed_score_likelihoods"]

_PARAMETERS = {"rasch": 1, "2pl": 2, "3pl": 3}


@dataclass(frozen=True, slots=True)
class ItemFit:
    """S-X2 per item (arrays of shape (n_items,)).

    Attributes
    ----------
    statistic
        :math:`S\\text{-}X^2_j`.
    df
        Degrees of freedom: score groups after collapsing minus estimated item parameters.
    p_value
        Upper tail of the chi-square with ``df`` degrees of freedom; NaN where ``df < 1``.
    groups
        Score groups left after collapsing sparse cells.
    """

    statistic: FloatArray
    df: IntArray
    p_value: FloatArray
    groups: IntArray


def summed_score_likelihoods(prob: FloatArray) -> FloatArray:
    """Return the probability of each summed score at each ability (Lord-Wingersky recursion).

    .. math:: S^{(m)}_k = S^{(m-1)}_k Q_m + S^{(m-1)}_{k-1} P_m, \\qquad S^{(0)}_0 = 1

    Parameters
    ----------
    prob
        :math:`P_j(\\theta)`, shape (n_theta, n_items), values in [0, 1].

    Returns
    -------
    FloatArray
        Shape (n_items + 1, n_theta): row :math:`k` is :math:`P(\\text{score} = k \\mid \\theta)`.

    References
    ----------
    Lord, F. M. & Wingersky, M. S. (1984). Comparison of IRT true-score and equipercentile observed-score
    "equatings". *Applied Psychological Measurement*, 8, 453-461.
    """
    p = np.asarray(prob, dtype=np.float64)
    if p.ndim != 2 or not ((p >= 0) & (p <= 1)).all():
        raise ValueError("prob must be an n_theta x n_items array of probabilities")
    n_theta, n_items = p.shape
    s = np.zeros((n_items + 1, n_theta))
    s[0] = 1.0
    for m in range(n_items):
        pm = p[:, m]
        s[1 : m + 2] = s[1 : m + 2] * (1.0 - pm) + s[0 : m + 1] * pm
        s[0] *= 1.0 - pm
    return s


def _leave_one_out(p: FloatArray) -> FloatArray:
    """:math:`S^{(-j)}_k(\\theta)` for every item j at once: shape (n_items, n_items, n_theta)."""
    n_theta, n_items = p.shape
    s = np.zeros((n_items, n_items, n_theta))
    s[:, 0] = 1.0
    for m in range(n_items):
        pm = p[:, m][None, None, :]
        new = s * (1.0 - pm)
        new[:, 1:] += s[:, :-1] * pm
        new[m] = s[m]  # item m is the one left out of row m
        s = new
    return s


def _groups(n: FloatArray, e: FloatArray, min_expected: float) -> list[list[int]]:
    """Collapse adjacent score cells until both expected counts reach ``min_expected``."""
    groups: list[list[int]] = []
    current: list[int] = []
    right = wrong = 0.0
    for k in range(n.shape[0]):
        current.append(k)
        right += n[k] * e[k]
        wrong += n[k] * (1.0 - e[k])
        if min(right, wrong) >= min_expected:
            groups.append(current)
            current, right, wrong = [], 0.0, 0.0
    if current:
        if groups:
            groups[-1].extend(current)
        else:
            groups.append(current)
    return groups


def s_x2(
    responses: ResponseMatrix,
    items: ItemSet,
    *,
    n_parameters: int | Sequence[int] | None = None,
    quadrature: int = 61,
    min_expected: float = 1.0,
) -> ItemFit:
    """Compute Orlando and Thissen's S-X2 item-fit statistic for every item.

    Parameters
    ----------
    responses
        Persons x items, 1.0 right, 0.0 wrong; complete (a summed score needs every item answered).
    items
        Item parameters ``a``, ``b``, ``c`` (length n_items), as calibrated on an N(0, 1) population.
    n_parameters
        Estimated parameters per item, subtracted from the number of score groups for the degrees of
        freedom (one number or one per item). By default from the calibration's ``model`` when
        ``items`` has one (``rasch`` 1, ``2pl`` 2, ``3pl`` 3), otherwise 3 if any ``c`` is not 0,
        else 2 if any ``a`` is not 1, else 1.
    quadrature
        Points of the N(0, 1) grid on [-6, 6] for the integrals.
    min_expected
        Smallest expected count of right and of wrong answers a score group may have (see the module
        notes on collapsing).

    Returns
    -------
    ItemFit
        ``statistic``, ``df``, ``p_value`` and ``groups``, each shape (n_items,).

    Raises
    ------
    ValueError
        If responses have missing values or do not match the items, or fewer than 3 items.

    References
    ----------
    Orlando, M. & Thissen, D. (2000). Likelihood-based item-fit indices for dichotomous item response
    theory models. *Applied Psychological Measurement*, 24, 50-64.
    """
    x = check_responses(responses, allow_missing=False)
    it = check_items(items)
    n_items = it.n_items
    if x.shape[1] != n_items:
        raise ValueError(f"responses have {x.shape[1]} items (columns) but {n_items} item parameters")
    if n_items < 3:
        raise ValueError("S-X2 needs at least 3 items")
    if not min_expected > 0:
        raise ValueError("min_expected must be positive")
    if n_parameters is None:
        model = getattr(items, "model", None)
        if isinstance(model, str) and model in _PARAMETERS:
            n_par = np.full(n_items, _PARAMETERS[model])
        else:
            guess = 3 if (it.c != 0).any() else 2 if (it.a != 1).any() else 1
            n_par = np.full(n_items, guess)
    else:
        n_par = np.broadcast_to(np.asarray(n_parameters, dtype=np.int64), (n_items,)).copy()
        if (n_par < 0).any():
            raise ValueError("n_parameters must be non-negative")

    points, weights = normal_quadrature(int(quadrature))
    p = probability(points, it)  # points x items
    full = summed_score_likelihoods(p)  # (J + 1) x points
    denominator = full @ weights  # P(score = k) in the population
    loo = _leave_one_out(p)  # items x scores 0..J-1 x points
    # E_jk for k = 1..J-1: integral of P_j S^(-j)_{k-1} over the population, over P(score = k).
    numerator = np.einsum("jkq,qj,q->jk", loo[:, : n_items - 1], p, weights)
    # A summed score the model makes all but impossible has P(score) 0: its expectation is 0 as well.
    below = np.broadcast_to(denominator[None, 1:n_items], numerator.shape)
    expected = np.divide(numerator, below, out=np.zeros_like(numerator), where=below > 0)

    scores = x.sum(axis=1).astype(np.int64)
    counts = np.bincount(scores, minlength=n_items + 1).astype(np.float64)[1:n_items]
    right = np.zeros((n_items + 1, n_items))
    np.add.at(right, scores, x)
    right_by_score = right[1:n_items].T  # items x scores 1..J-1

    statistic = np.zeros(n_items)
    groups = np.zeros(n_items, dtype=np.int64)
    for j in range(n_items):
        cells = _groups(counts, expected[j], float(min_expected))
        total = 0.0
        for cell in cells:
            n_g = counts[cell].sum()
            if n_g <= 0:
                continue
            e_g = float((counts[cell] * expected[j, cell]).sum() / n_g)
            o_g = float(right_by_score[j, cell].sum() / n_g)
            total += n_g * (o_g - e_g) ** 2 / (e_g * (1.0 - e_g))
        statistic[j] = total
        groups[j] = len(cells)
    df = groups - n_par
    with np.errstate(invalid="ignore"):
        p_value = np.where(df >= 1, chi2.sf(statistic, np.maximum(df, 1)), np.nan)
    return ItemFit(statistic=statistic, df=df, p_value=p_value, groups=groups)
