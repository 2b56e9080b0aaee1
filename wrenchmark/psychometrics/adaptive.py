"""Adaptive item selection for practice: maximum information with content balancing and exposure control,
an EAP ability update, a stopping rule, and a simulation helper.

Model (logistic, no 1.7 scaling): :math:`P_i(\\theta) = c_i + (1 - c_i)/(1 + \\exp(-a_i(\\theta - b_i)))`,
item information :math:`I_i(\\theta) = a_i^2 (Q_i/P_i)((P_i - c_i)/(1 - c_i))^2`.

Each step (Kingsbury & Zara, 1989):

1. **Content balancing.** With :math:`n` items given so far, :math:`n_k` of them from area :math:`k`, and
   the area's blueprint share :math:`s_k`, the next item comes from the area that is falling behind its
   share soonest: among the areas still below their upper quota, :math:`n_k < s_k (n + 1)`, the one
   whose next item is due earliest, :math:`\\arg\\min_k (n_k + 1)/s_k` (ties to the larger share). This is
   Balinski & Young's (1975) quota method; unlike the plain largest-deficit rule of Kingsbury & Zara
   (1989), which can drift slightly more than one item, it keeps every area within one item of
   :math:`s_k n` after every item, :math:`\\lfloor s_k n \\rfloor \\le n_k \\le \\lceil s_k n \\rceil`, while
   the area has items left.
2. **Maximum information** at the current ability estimate within that area, with exposure control:
   *randomesque* (a uniform draw among the ``k`` most informative; Kingsbury & Zara, 1989) or
   *Sympson-Hetter* (walk down the items by information and give each with its exposure-control
   probability; Sympson & Hetter, 1985).
3. **EAP update** of the ability on a fixed quadrature grid under a normal prior (Bock & Mislevy, 1982).
4. **Stop** when the posterior SD reaches the target after a minimum length, or at the maximum length.

References
----------
Kingsbury, G. G. & Zara, A. R. (1989). Procedures for selecting items for computerized adaptive tests.
*Applied Measurement in Education*, 2(4), 359-375.
Balinski, M. L. & Young, H. P. (1975). The quota method of apportionment. *The American Mathematical
Monthly*, 82(7), 701-730.
Sympson, J. B. & Hetter, R. D. (1985). Controlling item-exposure rates in computerized adaptive testing.
*Proceedings of the 27th Annual Meeting of the Military Testing Association*, 973-977.
Bock, R. D. & Mislevy, R. J. (1982). Adaptive EAP estimation of ability in a microcomputer environment.
*Applied Psychological Measurement*, 6(4), 431-444.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from wrenchmark.psychometrics.irt.models import item_information
from wrenchmark.psychometrics.synthetic import ItemParameters, probabilities
from wrenchmark.psychometrics.types import FloatArray, IntArray

__all__ = ["AdaptiveTrace", "ThetaEstimate", "run_adaptive", "select_next", "should_stop", "update_theta"]

_METHODS = ("maximum", "randomesque", "sympson_hetter")
#: Quadrature: 121 equally spaced points over the prior mean ± 6 prior SDs.
_GRID = np.linspace(-6.0, 6.0, 121)
_EPS = 1e-12
#: Rounding slack when comparing a count with its quota s_k (n + 1).
_QUOTA_SLACK = 1e-9


@dataclass(frozen=True, slots=True)
class ThetaEstimate:
    """An EAP ability estimate: the posterior mean and posterior standard deviation (the SE)."""

    theta: float
    se: float


@dataclass(frozen=True, slots=True)
class AdaptiveTrace:
    """One simulated adaptive session.

    Attributes
    ----------
    items
        Shape (n_given,): pool indices in the order given.
    responses
        Shape (n_given,): 1.0 right, 0.0 wrong.
    theta, se
        Shape (n_given,): the EAP estimate and its SE after each response.
    stop_reason
        ``"se"`` (target reached), ``"max_items"`` or ``"pool"`` (no eligible item left).
    """

    items: IntArray
    responses: FloatArray
    theta: FloatArray
    se: FloatArray
    stop_reason: str

    @property
    def n_given(self) -> int:
        return int(self.items.shape[0])


def _information(theta: float, items: ItemParameters) -> FloatArray:
    """Item information at one ability, shape (n_items,)."""
    info: FloatArray = item_information(np.array([theta]), items)[0]
    return info


def _shares(blueprint_share: Mapping[str, float]) -> dict[str, float]:
    if not blueprint_share:
        raise ValueError("blueprint_share must name at least one content area")
    weights = {str(k): float(v) for k, v in blueprint_share.items()}
    if any(not np.isfinite(v) or v < 0 for v in weights.values()):
        raise ValueError("blueprint shares must be finite and non-negative")
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("blueprint shares must not all be zero")
    return {k: v / total for k, v in weights.items()}


def _check_items(items: ItemParameters) -> None:
    if items.n_items < 1:
        raise ValueError("the pool must hold at least one item")
    if not (np.isfinite(items.a).all() and np.isfinite(items.b).all() and np.isfinite(items.c).all()):
        raise ValueError("item parameters must be finite")
    if (items.a <= 0).any() or ((items.c < 0) | (items.c >= 1)).any():
        raise ValueError("items need a > 0 and 0 <= c < 1")


def _check_prior(prior_mean: float, prior_sd: float) -> None:
    if not (np.isfinite(prior_mean) and np.isfinite(prior_sd)) or prior_sd <= 0:
        raise ValueError("the prior needs a finite mean and a positive SD")


def _check_stopping(se_target: float, min_items: int, max_items: int) -> None:
    if not se_target > 0 or not 0 <= min_items <= max_items or max_items < 1:
        raise ValueError("need se_target > 0 and 0 <= min_items <= max_items, max_items >= 1")


def _check_exposure(exposure: ArrayLike | None, n_items: int) -> FloatArray | None:
    if exposure is None:
        return None
    probs = np.asarray(exposure, dtype=np.float64)
    if probs.shape != (n_items,) or not np.isfinite(probs).all() or ((probs < 0) | (probs > 1)).any():
        raise ValueError(f"exposure must hold one probability in [0, 1] per item ({n_items})")
    return probs


def _select(
    items: ItemParameters,
    theta: float,
    given: IntArray,
    areas: np.ndarray,
    shares: dict[str, float],
    rng: np.random.Generator,
    method: str,
    k: int,
    exposure: FloatArray | None,
) -> int | None:
    """The chosen item, or None when no eligible item is left (inputs already vetted)."""
    eligible = np.ones(items.n_items, dtype=bool)
    eligible[given] = False
    n = given.shape[0]
    given_areas = areas[given]
    counts = {area: int(np.sum(given_areas == area)) for area in shares}
    # Quota method: areas below their upper quota first, each group by the earliest due next item
    # (n_k + 1)/s_k, then by the larger share; an area with no item left yields to the next in line.
    order = sorted(
        (area for area, share in shares.items() if share > 0),
        key=lambda area: (
            counts[area] >= shares[area] * (n + 1) - _QUOTA_SLACK,
            (counts[area] + 1) / shares[area],
            -shares[area],
        ),
    )
    info = _information(theta, items)
    candidates_by_area = []
    for area in order:
        members = np.flatnonzero(eligible & (areas == area))
        if exposure is not None:
            members = members[exposure[members] > 0]
        if members.shape[0] == 0:
            continue
        # Most informative first; ties by pool order, so the choice is reproducible.
        ranked = members[np.argsort(-info[members], kind="stable")]
        if method == "maximum":
            return int(ranked[0])
        if method == "randomesque":
            return int(rng.choice(ranked[:k]))
        candidates_by_area.append(ranked)
    if not candidates_by_area:
        return None
    assert exposure is not None
    # Sympson-Hetter: give each item, most informative first, with its probability; an area whose items
    # are all passed over yields to the next area; the walk repeats (all remaining probabilities are > 0).
    while True:
        for ranked in candidates_by_area:
            accepted = rng.random(ranked.shape[0]) < exposure[ranked]
            if accepted.any():
                return int(ranked[int(np.argmax(accepted))])


def _validate_selection(
    items: ItemParameters,
    theta: float,
    administered: Sequence[int] | IntArray,
    areas: Sequence[str],
    method: str,
    k: int,
    exposure: ArrayLike | None,
) -> tuple[IntArray, np.ndarray, FloatArray | None]:
    _check_items(items)
    if not np.isfinite(theta):
        raise ValueError("theta must be finite")
    if len(areas) != items.n_items:
        raise ValueError(f"areas must give one label per item: {items.n_items} items, {len(areas)} labels")
    given = np.asarray(administered, dtype=np.int64).reshape(-1)
    if ((given < 0) | (given >= items.n_items)).any() or np.unique(given).shape[0] != given.shape[0]:
        raise ValueError("administered must hold distinct pool indices")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {', '.join(_METHODS)}, got {method!r}")
    if method == "randomesque" and k < 1:
        raise ValueError("k must be at least 1")
    probs = _check_exposure(exposure, items.n_items)
    if method == "sympson_hetter" and probs is None:
        raise ValueError("Sympson-Hetter needs the per-item exposure-control probabilities (exposure)")
    return given, np.array([str(area) for area in areas]), probs


def select_next(
    items: ItemParameters,
    *,
    theta: float,
    administered: Sequence[int] | IntArray,
    areas: Sequence[str],
    blueprint_share: Mapping[str, float],
    rng: np.random.Generator,
    method: str = "randomesque",
    k: int = 5,
    exposure: ArrayLike | None = None,
) -> int:
    """Choose the next item: the most informative at ``theta`` in the area most behind its share.

    The area is :math:`\\arg\\min_k (n_k + 1)/s_k` over the areas below their upper quota,
    :math:`n_k < s_k (n + 1)` (the quota method, see the module docstring; :math:`n` items given,
    :math:`n_k` from area :math:`k`), among areas with a positive share that still have an eligible item
    (if none of those is below its quota, the others in the same order); within it, by information
    :math:`I_i(\\theta)`:

    * ``"maximum"``: the most informative item;
    * ``"randomesque"``: a uniform draw among the ``k`` most informative;
    * ``"sympson_hetter"``: walk down the items by information and give each with probability
      ``exposure[i]``, else move to the next; items with probability 0 are never given. When every item
      of the area is passed over, the walk goes on to the next area in line (and repeats from the
      first if all are passed over), so in that rare case the content quota can slip by an item.

    Parameters
    ----------
    items
        The pool, n_items items.
    theta
        The current ability estimate.
    administered
        Pool indices already given (distinct).
    areas
        Shape (n_items,): each item's content-area label.
    blueprint_share
        Area label -> share (fractions or counts; normalised to sum 1). Areas not named are never used.
    rng
        The generator for the randomesque draw and the Sympson-Hetter trials.
    method
        ``"maximum"``, ``"randomesque"`` or ``"sympson_hetter"``.
    k
        Randomesque group size.
    exposure
        Shape (n_items,): exposure-control probabilities in [0, 1], required for Sympson-Hetter (and, when
        given, items with 0 are never chosen by any method).

    Returns
    -------
    int
        The pool index of the chosen item.

    Raises
    ------
    ValueError
        If an input is malformed or no eligible item is left.

    References
    ----------
    Kingsbury & Zara (1989), Procedures for selecting items for computerized adaptive tests; Balinski &
    Young (1975), The quota method of apportionment; Sympson & Hetter (1985), Controlling item-exposure
    rates in computerized adaptive testing.
    """
    given, labels, probs = _validate_selection(items, theta, administered, areas, method, k, exposure)
    chosen = _select(items, float(theta), given, labels, _shares(blueprint_share), rng, method, k, probs)
    if chosen is None:
        raise ValueError("no eligible item is left in the areas of the blueprint")
    return chosen


def update_theta(
    responses_so_far: ArrayLike,
    items_so_far: ItemParameters,
    *,
    prior_mean: float = 0.0,
    prior_sd: float = 1.0,
) -> ThetaEstimate:
    """Estimate ability by its posterior mean (EAP) and posterior SD, on a fixed quadrature grid.

    .. math:: \\hat\\theta = \\frac{\\sum_q \\theta_q L(\\theta_q) \\phi(\\theta_q)}
                               {\\sum_q L(\\theta_q) \\phi(\\theta_q)}, \\qquad
              SE^2 = \\frac{\\sum_q (\\theta_q - \\hat\\theta)^2 L(\\theta_q) \\phi(\\theta_q)}
                          {\\sum_q L(\\theta_q) \\phi(\\theta_q)}

    with :math:`L(\\theta) = \\prod_j P_j(\\theta)^{x_j} Q_j(\\theta)^{1 - x_j}`, :math:`\\phi` the
    :math:`N(\\mu, \\sigma^2)` prior density, and 121 equally spaced points :math:`\\theta_q` over
    :math:`\\mu \\pm 6\\sigma`.

    Parameters
    ----------
    responses_so_far
        Shape (n_given,): 1 right, 0 wrong (no missing values). Empty gives the prior.
    items_so_far
        The n_given items answered, in the same order.
    prior_mean, prior_sd
        The normal prior.

    Returns
    -------
    ThetaEstimate

    References
    ----------
    Bock, R. D. & Mislevy, R. J. (1982). Adaptive EAP estimation of ability in a microcomputer environment.
    """
    x = np.asarray(responses_so_far, dtype=np.float64).reshape(-1)
    if x.shape[0] != items_so_far.n_items:
        raise ValueError(f"{x.shape[0]} responses for {items_so_far.n_items} items")
    if not np.isin(x, (0.0, 1.0)).all():
        raise ValueError("responses must be 0 (wrong) or 1 (right)")
    _check_prior(prior_mean, prior_sd)
    grid = prior_mean + prior_sd * _GRID
    log_post = -0.5 * _GRID**2
    if x.shape[0] > 0:
        p = np.clip(probabilities(grid, items_so_far), _EPS, 1.0 - _EPS)
        log_post = log_post + (x[None, :] * np.log(p) + (1.0 - x[None, :]) * np.log1p(-p)).sum(axis=1)
    weight = np.exp(log_post - log_post.max())
    weight /= weight.sum()
    mean = float((weight * grid).sum())
    sd = float(np.sqrt((weight * (grid - mean) ** 2).sum()))
    return ThetaEstimate(theta=mean, se=sd)


def should_stop(
    se: float, n_given: int, *, se_target: float = 0.3, min_items: int = 5, max_items: int = 40
) -> bool:
    """Whether to stop: the SE has reached its target after ``min_items``, or ``max_items`` were given.

    .. math:: \\text{stop} \\iff n \\ge n_{max} \\ \\lor\\ (n \\ge n_{min} \\land SE \\le SE_{target})

    Parameters
    ----------
    se
        The current posterior SD.
    n_given
        Items given so far.
    se_target, min_items, max_items
        The rule's settings (0 < se_target; 0 <= min_items <= max_items).

    Returns
    -------
    bool

    References
    ----------
    Weiss, D. J. & Kingsbury, G. G. (1984). Application of computerized adaptive testing to educational
    problems. *Journal of Educational Measurement*, 21(4), 361-375 (variable-length termination).
    """
    _check_stopping(se_target, min_items, max_items)
    if n_given < 0 or not se >= 0:
        raise ValueError("need n_given >= 0 and se >= 0")
    return n_given >= max_items or (n_given >= min_items and se <= se_target)


def run_adaptive(
    true_theta: float,
    items: ItemParameters,
    areas: Sequence[str],
    blueprint_share: Mapping[str, float],
    rng: np.random.Generator,
    *,
    method: str = "randomesque",
    k: int = 5,
    exposure: ArrayLike | None = None,
    se_target: float = 0.3,
    min_items: int = 5,
    max_items: int = 40,
    prior_mean: float = 0.0,
    prior_sd: float = 1.0,
) -> AdaptiveTrace:
    """Simulate one adaptive session for a candidate of ability ``true_theta``.

    Start at the prior mean; repeat: :func:`select_next` at the current estimate, draw the response from
    :math:`P_i(\\theta_{true})` with ``rng``, :func:`update_theta` on all responses so far, until
    :func:`should_stop` or no eligible item is left.

    Parameters
    ----------
    true_theta
        The simulated candidate's ability.
    items, areas, blueprint_share, method, k, exposure
        As in :func:`select_next`.
    rng
        The generator for the selection and the simulated responses.
    se_target, min_items, max_items
        As in :func:`should_stop`.
    prior_mean, prior_sd
        As in :func:`update_theta`.

    Returns
    -------
    AdaptiveTrace

    References
    ----------
    Kingsbury & Zara (1989); Balinski & Young (1975); Sympson & Hetter (1985); Bock & Mislevy (1982).
    """
    if not np.isfinite(true_theta):
        raise ValueError("true_theta must be finite")
    _check_prior(prior_mean, prior_sd)
    _check_stopping(se_target, min_items, max_items)
    shares = _shares(blueprint_share)
    _, labels, probs = _validate_selection(items, float(prior_mean), [], areas, method, k, exposure)

    p_true = probabilities(np.array([float(true_theta)]), items)[0]
    given: list[int] = []
    answers: list[float] = []
    thetas: list[float] = []
    ses: list[float] = []
    theta, se = float(prior_mean), float(prior_sd)
    reason = "max_items"
    while not should_stop(se, len(given), se_target=se_target, min_items=min_items, max_items=max_items):
        chosen = _select(items, theta, np.array(given, dtype=np.int64), labels, shares, rng, method, k, probs)
        if chosen is None:
            reason = "pool"
            break
        given.append(chosen)
        answers.append(float(rng.random() < p_true[chosen]))
        estimate = update_theta(
            answers, _take(items, np.array(given, dtype=np.int64)), prior_mean=prior_mean, prior_sd=prior_sd
        )
        theta, se = estimate.theta, estimate.se
        thetas.append(theta)
        ses.append(se)
    else:
        reason = "se" if len(given) >= min_items and se <= se_target else "max_items"
    return AdaptiveTrace(
        items=np.array(given, dtype=np.int64),
        responses=np.array(answers, dtype=np.float64),
        theta=np.array(thetas, dtype=np.float64),
        se=np.array(ses, dtype=np.float64),
        stop_reason=reason,
    )


def _take(items: ItemParameters, index: IntArray) -> ItemParameters:
    return ItemParameters(a=items.a[index], b=items.b[index], c=items.c[index])
