"""IRT scale linking, true-score equating, and raw-to-scaled score tables.

Model (logistic, no 1.7 scaling), persons in rows and items in columns wherever a matrix appears:

.. math:: P_j(\\theta) = c_j + (1 - c_j) / (1 + \\exp(-a_j(\\theta - b_j)))

**Linking.** Two forms calibrated separately sit on scales that differ by a linear transformation. With
the new form's scale written :math:`\\theta_{new}` and the old (base) scale :math:`\\theta_{old}`,

.. math:: \\theta_{old} = A\\,\\theta_{new} + B, \\qquad a^* = a / A, \\quad b^* = A b + B, \\quad c^* = c,

so that :math:`P_j(\\theta_{old}; a^*, b^*, c^*) = P_j(\\theta_{new}; a, b, c)`. :math:`A` and
:math:`B` are estimated from the items the two forms share (the common items): by moments of their
parameters (mean-sigma, mean-mean) or by matching their test characteristic curves (Stocking-Lord).

**True-score equating.** Once the new form's items are on the old scale, a raw score on the new form is
carried to the old form through the ability at which the new form's test characteristic curve (TCC)
equals it. The TCC rises from :math:`\\sum_j c_j` (as :math:`\\theta \\to -\\infty`) to :math:`n` (as
:math:`\\theta \\to \\infty`), so the raw scores at or below the chance score :math:`\\sum_j c_j` and the
perfect score have no finite ability; they are handled as stated on each function.

**Reporting scale.** :func:`raw_to_scale_table` maps raw scores to a scaled score linear in ability
and anchored at the cut. Which reporting scale is used (its range, the scaled score of the cut, its
slope) is a product decision made outside this module; the function only guarantees that the table
agrees with the cut.

References
----------
Kolen, M. J. & Brennan, R. L. (2014). *Test Equating, Scaling, and Linking: Methods and Practices*,
3rd ed., Springer, ch. 6 (IRT methods: mean-sigma, mean-mean, Stocking-Lord, IRT true-score equating).
Stocking, M. L. & Lord, F. M. (1983). Developing a common metric in item response theory. *Applied
Psychological Measurement*, 7(2), 201-210.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize

from wrenchmark.psychometrics.synthetic import ItemParameters, probabilities
from wrenchmark.psychometrics.types import FloatArray, IntArray

__all__ = [
    "CarriedCut",
    "Linking",
    "ScaleTable",
    "TrueScoreEquating",
    "carry_cut",
    "mean_mean",
    "mean_sigma",
    "raw_to_scale_table",
    "raw_to_theta",
    "stocking_lord",
    "tcc",
    "transform",
    "true_score_equating",
]

#: How far out the bisection for an inverse TCC may look, in logits.
_THETA_REACH = 1.0e4
_BISECTION_STEPS = 200
#: Two abilities closer than this are the same when a raw cut is located.
_THETA_TOLERANCE = 1.0e-9


@dataclass(frozen=True, slots=True)
class Linking:
    """A linear transformation from the new form's ability scale to the old (base) scale.

    :math:`\\theta_{old} = A\\,\\theta_{new} + B`; item parameters follow as :math:`a^* = a / A`,
    :math:`b^* = A b + B`, :math:`c^* = c`.

    Attributes
    ----------
    A
        Slope, positive.
    B
        Intercept.
    method
        How it was obtained: ``"mean_sigma"``, ``"mean_mean"``, ``"stocking_lord"`` or ``"given"``.
    loss
        For Stocking-Lord, the weighted mean squared TCC difference at the solution; else ``None``.
    """

    A: float
    B: float
    method: str = "given"
    loss: float | None = None

    def __post_init__(self) -> None:
        if not (np.isfinite(self.A) and np.isfinite(self.B)) or self.A <= 0:
            raise ValueError(
                f"a linking needs a finite slope A > 0 and a finite B, got A={self.A}, B={self.B}"
            )

    def theta(self, theta_new: ArrayLike) -> FloatArray:
        """Abilities on the new scale expressed on the old scale, :math:`A\\theta + B` (same shape)."""
        return self.A * np.asarray(theta_new, dtype=np.float64) + self.B


@dataclass(frozen=True, slots=True)
class TrueScoreEquating:
    """Raw scores on the new form and their equivalents on the old form.

    Attributes
    ----------
    raw_new
        Shape (n_new + 1,): the raw scores 0, 1, ..., n_new.
    theta
        Shape (n_new + 1,): the ability (old scale) whose new-form TCC equals the raw score; ``-inf``
        at or below the new form's chance score :math:`\\sum c`, ``+inf`` at the perfect score.
    raw_old
        Shape (n_new + 1,): the old form's true score at that ability (not rounded).
    """

    raw_new: IntArray
    theta: FloatArray
    raw_old: FloatArray


@dataclass(frozen=True, slots=True)
class ScaleTable:
    """Every raw score of a form with its ability and its scaled score.

    Attributes
    ----------
    raw
        Shape (n + 1,): raw scores 0..n.
    theta
        Shape (n + 1,): ability whose TCC equals the raw score (``-inf`` at or below :math:`\\sum c`,
        ``+inf`` at n).
    scaled
        Shape (n + 1,): the scaled scores, whole numbers in [lowest, highest], non-decreasing.
    cut_raw
        The smallest raw score whose ability is at or above ``cut_theta``: it and every higher raw score
        map to at least ``cut_scaled``; every lower one maps below it.
    """

    raw: IntArray
    theta: FloatArray
    scaled: IntArray
    cut_raw: int
    cut_theta: float
    cut_scaled: float
    slope: float
    lowest: int
    highest: int

    def scale(self, raw: int) -> int:
        """The scaled score of one raw score."""
        if not 0 <= raw < self.raw.shape[0]:
            raise ValueError(f"raw score {raw} is outside 0..{self.raw.shape[0] - 1}")
        return int(self.scaled[raw])


@dataclass(frozen=True, slots=True)
class CarriedCut:
    """A raw cut carried from the old form to a new form through the ability it stands for.

    Attributes
    ----------
    theta
        The cut's ability on the old scale: where the old form's TCC equals ``cut_raw_old``.
    cut_raw_old
        The old form's raw cut.
    cut_raw_new
        The new form's raw cut: the smallest raw score whose TCC ability is at or above ``theta``.
    expected_new
        The new form's true score at ``theta`` (its TCC there), before rounding up to a whole score.
    """

    theta: float
    cut_raw_old: float
    cut_raw_new: int
    expected_new: float


def _check_items(items: ItemParameters, name: str = "items") -> None:
    if items.n_items < 1:
        raise ValueError(f"{name} must hold at least one item")
    if not (np.isfinite(items.a).all() and np.isfinite(items.b).all() and np.isfinite(items.c).all()):
        raise ValueError(f"{name} must have finite parameters")
    if (items.a <= 0).any():
        raise ValueError(f"{name} must have discriminations a > 0 (the TCC must rise with ability)")
    if ((items.c < 0) | (items.c >= 1)).any():
        raise ValueError(f"{name} must have lower asymptotes 0 <= c < 1")


def _common_arrays(new: ArrayLike, old: ArrayLike, what: str) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(new, dtype=np.float64)
    y = np.asarray(old, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"the common items' {what} must be two 1-D arrays of the same length")
    if x.shape[0] < 2:
        raise ValueError(f"linking needs at least 2 common items, got {x.shape[0]}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError(f"the common items' {what} must be finite")
    return x, y


def mean_sigma(b_new: ArrayLike, b_old: ArrayLike) -> Linking:
    """Link two scales by the mean and standard deviation of the common items' difficulties.

    .. math:: A = \\sigma(b_{old}) / \\sigma(b_{new}), \\qquad B = \\mu(b_{old}) - A\\,\\mu(b_{new})

    Parameters
    ----------
    b_new, b_old
        Shape (n_common,): the common items' difficulties on the new and on the old scale, in the same
        item order.

    Returns
    -------
    Linking
        With :math:`\\theta_{old} = A\\theta_{new} + B`.

    References
    ----------
    Kolen & Brennan (2014), *Test Equating, Scaling, and Linking*, section 6.3 (mean/sigma method;
    Marco, 1977).
    """
    x, y = _common_arrays(b_new, b_old, "difficulties")
    sd_new = float(x.std())
    if sd_new <= 1e-12 * max(1.0, float(np.abs(x).max())):
        raise ValueError("the common items' new difficulties are all equal; mean-sigma needs spread")
    sd_old = float(y.std())
    if sd_old <= 1e-12 * max(1.0, float(np.abs(y).max())):
        raise ValueError("the common items' old difficulties are all equal; mean-sigma needs spread")
    slope = sd_old / sd_new
    return Linking(A=slope, B=float(y.mean()) - slope * float(x.mean()), method="mean_sigma")


def mean_mean(items_new: ItemParameters, items_old: ItemParameters) -> Linking:
    """Link two scales by the means of the common items' discriminations and difficulties.

    .. math:: A = \\mu(a_{new}) / \\mu(a_{old}), \\qquad B = \\mu(b_{old}) - A\\,\\mu(b_{new})

    Parameters
    ----------
    items_new, items_old
        The common items (same order, n_common each) as calibrated on the new and on the old scale.

    Returns
    -------
    Linking

    References
    ----------
    Kolen & Brennan (2014), *Test Equating, Scaling, and Linking*, section 6.3 (mean/mean method;
    Loyd & Hoover, 1980).
    """
    _check_items(items_new, "items_new")
    _check_items(items_old, "items_old")
    _common_arrays(items_new.b, items_old.b, "difficulties")
    slope = float(items_new.a.mean()) / float(items_old.a.mean())
    return Linking(
        A=slope, B=float(items_old.b.mean()) - slope * float(items_new.b.mean()), method="mean_mean"
    )


def transform(items: ItemParameters, linking: Linking) -> ItemParameters:
    """Put items calibrated on the new scale onto the old scale.

    .. math:: a^* = a / A, \\qquad b^* = A b + B, \\qquad c^* = c

    Parameters
    ----------
    items
        n_items items on the new scale.
    linking
        :math:`\\theta_{old} = A\\theta_{new} + B`.

    Returns
    -------
    ItemParameters
        The same n_items items on the old scale; every response probability is unchanged,
        :math:`P(A\\theta + B; a^*, b^*, c^*) = P(\\theta; a, b, c)`.

    References
    ----------
    Kolen & Brennan (2014), *Test Equating, Scaling, and Linking*, section 6.2.
    """
    return ItemParameters(
        a=items.a / linking.A, b=linking.A * items.b + linking.B, c=np.array(items.c, dtype=np.float64)
    )


def tcc(theta: ArrayLike, items: ItemParameters) -> FloatArray:
    """Test characteristic curve: the expected raw score at each ability.

    .. math:: \\tau(\\theta) = \\sum_j P_j(\\theta)

    Parameters
    ----------
    theta
        Abilities, any shape (a scalar gives a 0-d array).
    items
        The form's n_items items.

    Returns
    -------
    FloatArray
        Same shape as ``theta``; values in :math:`(\\sum_j c_j, n)`.

    References
    ----------
    Kolen & Brennan (2014), *Test Equating, Scaling, and Linking*, section 6.5.
    """
    t = np.asarray(theta, dtype=np.float64)
    flat = probabilities(t.reshape(-1), items).sum(axis=1)
    result: FloatArray = flat.reshape(t.shape)
    return result


def _inverse_tcc(items: ItemParameters, raw: FloatArray) -> FloatArray:
    """θ with tcc(θ) = raw for raws strictly between Σc and n (1-D), by bracketed bisection."""
    low = np.full(raw.shape, -1.0)
    high = np.full(raw.shape, 1.0)
    # Widen each bracket until it holds its root (the TCC is continuous and increasing).
    while True:
        grow = (tcc(low, items) > raw) & (low > -_THETA_REACH)
        if not grow.any():
            break
        low[grow] *= 2.0
    while True:
        grow = (tcc(high, items) < raw) & (high < _THETA_REACH)
        if not grow.any():
            break
        high[grow] *= 2.0
    for _ in range(_BISECTION_STEPS):
        middle = 0.5 * (low + high)
        below = tcc(middle, items) < raw
        low = np.where(below, middle, low)
        high = np.where(below, high, middle)
        if np.all(high - low <= 1e-13 * np.maximum(1.0, np.abs(middle))):
            break
    result: FloatArray = 0.5 * (low + high)
    return result


def raw_to_theta(items: ItemParameters, raw: ArrayLike) -> FloatArray:
    """Invert the test characteristic curve: the ability at which the expected raw score is ``raw``.

    .. math:: \\theta(x) = \\tau^{-1}(x), \\qquad \\sum_j c_j < x < n

    The TCC only approaches its ends, so a raw score at or below the chance score :math:`\\sum_j c_j`
    gives ``-inf`` and a raw score at or above the number of items ``n`` gives ``+inf`` (the limits of
    :math:`\\tau^{-1}`); callers that need finite values clip them (as :func:`raw_to_scale_table` does)
    or treat them as :func:`true_score_equating` does.

    Parameters
    ----------
    items
        The form's n items (a > 0, 0 <= c < 1).
    raw
        Raw (or true) scores, any shape, between 0 and n; need not be whole numbers.

    Returns
    -------
    FloatArray
        Same shape as ``raw``.

    Raises
    ------
    ValueError
        If a raw score lies outside [0, n] or the items are not valid.

    References
    ----------
    Kolen & Brennan (2014), *Test Equating, Scaling, and Linking*, section 6.5 (IRT true-score equating,
    Newton-Raphson there; bisection here, which cannot fail on the increasing TCC).
    """
    _check_items(items)
    x = np.asarray(raw, dtype=np.float64)
    n = items.n_items
    if not np.isfinite(x).all() or (x < 0).any() or (x > n).any():
        raise ValueError(f"raw scores must lie between 0 and the form's {n} items")
    flat = x.reshape(-1)
    theta = np.empty(flat.shape, dtype=np.float64)
    chance = float(items.c.sum())
    bottom = flat <= chance
    top = flat >= n
    inside = ~(bottom | top)
    theta[bottom] = -np.inf
    theta[top] = np.inf
    if inside.any():
        theta[inside] = _inverse_tcc(items, flat[inside])
    return theta.reshape(x.shape)


def stocking_lord(
    items_new: ItemParameters,
    items_old: ItemParameters,
    *,
    theta: ArrayLike | None = None,
    weights: ArrayLike | None = None,
) -> Linking:
    """Link two scales by matching the common items' test characteristic curves (Stocking-Lord).

    Minimises, over :math:`A > 0` and :math:`B`, on a grid of abilities :math:`\\theta_k` of the old
    scale,

    .. math:: F(A, B) = \\sum_k w_k \\Big[\\sum_j P_j(\\theta_k; a_j^{old}, b_j^{old}, c_j^{old})
              - \\sum_j P_j(\\theta_k; a_j / A, A b_j + B, c_j)\\Big]^2

    with :math:`a_j, b_j, c_j` the common items' new-scale parameters, by BFGS on
    :math:`(\\log A, B)` with the analytic gradient, starting from the mean-sigma solution.

    Parameters
    ----------
    items_new, items_old
        The common items (same order, n_common each) on the new and on the old scale.
    theta
        Shape (n_points,): the grid, on the old scale. Default: 41 points from -4 to 4.
    weights
        Shape (n_points,), non-negative: the weight of each point (normalised to sum 1). Default: the
        standard normal density at the grid points, so the fit matters most where candidates are.

    Returns
    -------
    Linking
        With ``loss`` the weighted mean squared TCC difference (raw-score units squared) at the solution.

    References
    ----------
    Stocking, M. L. & Lord, F. M. (1983). Developing a common metric in item response theory.
    Kolen & Brennan (2014), *Test Equating, Scaling, and Linking*, section 6.3 (characteristic curve
    methods).
    """
    _check_items(items_new, "items_new")
    _check_items(items_old, "items_old")
    _common_arrays(items_new.b, items_old.b, "difficulties")
    grid = np.linspace(-4.0, 4.0, 41) if theta is None else np.asarray(theta, dtype=np.float64)
    if grid.ndim != 1 or grid.shape[0] < 2 or not np.isfinite(grid).all():
        raise ValueError("theta must be a 1-D grid of at least 2 finite abilities")
    if weights is None:
        w = np.exp(-0.5 * grid**2)
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != grid.shape or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise ValueError("weights must be non-negative, one per theta point, and not all zero")
    w = w / w.sum()

    target = tcc(grid, items_old)
    a, b, c = items_new.a, items_new.b, items_new.c

    def loss_and_gradient(params: FloatArray) -> tuple[float, FloatArray]:
        slope = float(np.exp(params[0]))
        intercept = float(params[1])
        # a* (θ - b*) = a (θ - B) / A - a b
        z = a[None, :] * ((grid[:, None] - intercept) / slope - b[None, :])
        logistic = 1.0 / (1.0 + np.exp(-z))
        slope_of_p = (1.0 - c)[None, :] * logistic * (1.0 - logistic)
        residual = target - (c[None, :] + (1.0 - c)[None, :] * logistic).sum(axis=1)
        dz_dslope = -a[None, :] * (grid[:, None] - intercept) / slope**2
        dz_dintercept = -a[None, :] / slope
        d_tcc_dslope = (slope_of_p * dz_dslope).sum(axis=1)
        d_tcc_dintercept = (slope_of_p * dz_dintercept).sum(axis=1)
        value = float((w * residual**2).sum())
        gradient = np.array(
            [
                -2.0 * float((w * residual * d_tcc_dslope).sum()) * slope,
                -2.0 * float((w * residual * d_tcc_dintercept).sum()),
            ]
        )
        return value, gradient

    try:
        start = mean_sigma(items_new.b, items_old.b)
    except ValueError:
        start = Linking(A=1.0, B=0.0)
    result = minimize(
        loss_and_gradient,
        np.array([np.log(start.A), start.B]),
        jac=True,
        method="BFGS",
        options={"gtol": 1e-12, "maxiter": 500},
    )
    params = np.asarray(result.x, dtype=np.float64)
    return Linking(
        A=float(np.exp(params[0])), B=float(params[1]), method="stocking_lord", loss=float(result.fun)
    )


def true_score_equating(items_new: ItemParameters, items_old_scale: ItemParameters) -> TrueScoreEquating:
    """Equate every raw score of the new form to a raw score of the old form (IRT true-score equating).

    For a raw score :math:`x` of the new form with :math:`\\sum c^{new} < x < n_{new}`, the ability is
    :math:`\\theta = \\tau_{new}^{-1}(x)` and the equivalent is :math:`\\tau_{old}(\\theta)`. Below the
    TCC's reach the equivalents follow Kolen (1981): from 0 to :math:`\\sum c^{new}` they run linearly
    from 0 to :math:`\\sum c^{old}`, :math:`x \\cdot \\sum c^{old} / \\sum c^{new}`; the perfect score
    :math:`n_{new}` maps to :math:`n_{old}`.

    Parameters
    ----------
    items_new
        The new form's n_new items, already on the old scale (see :func:`transform`).
    items_old_scale
        The old form's n_old items, on the old scale.

    Returns
    -------
    TrueScoreEquating
        Arrays of shape (n_new + 1,).

    References
    ----------
    Kolen & Brennan (2014), *Test Equating, Scaling, and Linking*, section 6.5 (IRT true-score equating,
    and the treatment of scores below the sum of the c parameters).
    """
    _check_items(items_new, "items_new")
    _check_items(items_old_scale, "items_old_scale")
    raw_new = np.arange(items_new.n_items + 1, dtype=np.int64)
    theta = raw_to_theta(items_new, raw_new.astype(np.float64))
    raw_old = np.empty(raw_new.shape, dtype=np.float64)
    finite = np.isfinite(theta)
    raw_old[finite] = tcc(theta[finite], items_old_scale)
    chance_new = float(items_new.c.sum())
    chance_old = float(items_old_scale.c.sum())
    low = theta == -np.inf
    raw_old[low] = raw_new[low] * (chance_old / chance_new) if chance_new > 0 else 0.0
    raw_old[theta == np.inf] = float(items_old_scale.n_items)
    return TrueScoreEquating(raw_new=raw_new, theta=theta, raw_old=raw_old)


def _first_at_or_above(theta: FloatArray, cut_theta: float) -> int:
    at_or_above = np.flatnonzero(theta >= cut_theta - _THETA_TOLERANCE)
    # The perfect score has θ = +inf, so there is always one.
    return int(at_or_above[0])


def raw_to_scale_table(
    items: ItemParameters,
    *,
    cut_theta: float,
    cut_scaled: float,
    slope: float,
    lowest: int,
    highest: int,
) -> ScaleTable:
    """Map every raw score of a form to a scaled score, linear in ability and anchored at the cut.

    For raw score :math:`x` with ability :math:`\\theta(x) = \\tau^{-1}(x)` (:func:`raw_to_theta`):

    .. math:: s(x) = \\mathrm{round}\\big(\\mathrm{clip}(s_{cut} + \\text{slope}\\,(\\theta(x) - \\theta_{cut}),
              \\text{lowest}, \\text{highest})\\big)

    Raw scores at or below :math:`\\sum c` get ``lowest``, the perfect score gets ``highest``. Rounding
    must not move a score across the cut, so with :math:`x_{cut}` the smallest raw score whose ability is
    at or above :math:`\\theta_{cut}`, scores from :math:`x_{cut}` up are raised to at least
    :math:`\\lceil s_{cut} \\rceil` and lower ones are held at most :math:`\\lceil s_{cut} \\rceil - 1`.
    The table is non-decreasing in the raw score.

    The reporting scale itself (for example a 200-800 range with the cut at 500, as some trade
    certifications report) is a product decision taken outside this module.

    Parameters
    ----------
    items
        The form's n items, on the scale of ``cut_theta``.
    cut_theta
        The passing ability, finite.
    cut_scaled
        The scaled score of the cut, with lowest < cut_scaled <= highest.
    slope
        Scaled points per logit, positive.
    lowest, highest
        The ends of the reporting scale (whole numbers, lowest < highest).

    Returns
    -------
    ScaleTable

    References
    ----------
    Kolen & Brennan (2014), *Test Equating, Scaling, and Linking*, ch. 9 (score scales) and section 6.5.
    """
    _check_items(items)
    if not (np.isfinite(cut_theta) and np.isfinite(cut_scaled) and np.isfinite(slope)) or slope <= 0:
        raise ValueError("cut_theta, cut_scaled and slope must be finite, and slope positive")
    if int(lowest) != lowest or int(highest) != highest or not lowest < cut_scaled <= highest:
        raise ValueError("lowest and highest must be whole numbers with lowest < cut_scaled <= highest")
    raw = np.arange(items.n_items + 1, dtype=np.int64)
    theta = raw_to_theta(items, raw.astype(np.float64))
    with np.errstate(invalid="ignore"):
        linear = cut_scaled + slope * (theta - cut_theta)
    scaled = np.rint(np.clip(linear, lowest, highest))
    cut_raw = _first_at_or_above(theta, cut_theta)
    passing = int(np.ceil(cut_scaled))
    scaled[cut_raw:] = np.maximum(scaled[cut_raw:], passing)
    scaled[:cut_raw] = np.minimum(scaled[:cut_raw], passing - 1)
    return ScaleTable(
        raw=raw,
        theta=theta,
        scaled=scaled.astype(np.int64),
        cut_raw=cut_raw,
        cut_theta=float(cut_theta),
        cut_scaled=float(cut_scaled),
        slope=float(slope),
        lowest=int(lowest),
        highest=int(highest),
    )


def carry_cut(items_old: ItemParameters, cut_raw_old: float, items_new: ItemParameters) -> CarriedCut:
    """Carry a raw cut from the old form to a new form through the ability it stands for.

    .. math:: \\theta_{cut} = \\tau_{old}^{-1}(x^{old}_{cut}), \\qquad
              x^{new}_{cut} = \\min\\{x \\in \\{0..n_{new}\\} : \\tau_{new}^{-1}(x) \\ge \\theta_{cut}\\}

    An easier new form has a higher TCC at :math:`\\theta_{cut}` and so a higher raw cut; a harder one a
    lower raw cut.

    Parameters
    ----------
    items_old
        The old form's items, on the old scale.
    cut_raw_old
        The old form's raw cut, strictly between its chance score :math:`\\sum c` and its item count (a
        cut outside that range stands for no finite ability).
    items_new
        The new form's items, already on the old scale (see :func:`transform`).

    Returns
    -------
    CarriedCut

    References
    ----------
    Kolen & Brennan (2014), *Test Equating, Scaling, and Linking*, section 6.5.
    """
    _check_items(items_old, "items_old")
    _check_items(items_new, "items_new")
    chance = float(items_old.c.sum())
    if not np.isfinite(cut_raw_old) or not chance < cut_raw_old < items_old.n_items:
        raise ValueError(
            f"the old raw cut must lie strictly between the chance score {chance:.2f} and "
            f"{items_old.n_items}, got {cut_raw_old}"
        )
    theta_cut = float(raw_to_theta(items_old, cut_raw_old))
    theta_new = raw_to_theta(items_new, np.arange(items_new.n_items + 1, dtype=np.float64))
    return CarriedCut(
        theta=theta_cut,
        cut_raw_old=float(cut_raw_old),
        cut_raw_new=_first_at_or_above(theta_new, theta_cut),
        expected_new=float(tcc(theta_cut, items_new)),
    )
