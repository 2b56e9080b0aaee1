"""The chance of passing a form, estimated from practice answers, with its uncertainty: by content area
(:func:`pass_probability`) or, once the practice items are calibrated on the bank's IRT scale, from the
candidate's ability (:func:`pass_probability_from_ability`).

The content-area model, stated so that the page can state it too:

1. The candidate's overall chance of answering a question of the test right, :math:`\\theta`, is unknown;
   with a uniform prior and :math:`C` right of :math:`A` practice answers,
   :math:`\\theta \\sim \\mathrm{Beta}(1 + C, 1 + A - C)`.
2. Each content area :math:`a` has its own chance :math:`p_a`, pulled towards :math:`\\theta` with the weight
   of :math:`\\kappa` questions and updated by the :math:`c_a` right of :math:`m_a` answers in that area:
   :math:`p_a \\mid \\theta \\sim \\mathrm{Beta}(\\kappa\\theta + c_a, \\kappa(1 - \\theta) + m_a - c_a)`.
3. On the form, area :math:`a` has :math:`n_a` scored questions, answered independently, so the raw score
   is :math:`X = \\sum_a X_a` with :math:`X_a \\sim \\mathrm{Binomial}(n_a, p_a)`; the candidate passes
   when :math:`X \\ge` the cut.

For each of ``draws`` samples of :math:`(\\theta, p)` the exact distribution of :math:`X` is built by
convolving the areas' binomial distributions, giving :math:`P(\\text{pass} \\mid p)`. Its mean over the
samples is the predictive chance of passing; its central quantiles are the uncertainty band (how much
the chance itself could differ given how little or much practice there is). The mixture of the score
distributions gives the predictive raw score and its interval.

The ability model: the posterior of the candidate's ability :math:`\\theta` given the practice answers to
calibrated items (normal prior, quadrature grid), the exact distribution of the raw score on the form at
each grid point (Lord-Wingersky recursion over the form's calibrated items), and the chance of passing
as the posterior mean of :math:`P(X \\ge \\text{cut} \\mid \\theta)`.

References
----------
Gelman, A. et al. (2013). *Bayesian Data Analysis*, 3rd ed., ch. 5 (hierarchical binomial models).
Lord, F. M. & Wingersky, M. S. (1984). Comparison of IRT true-score and equipercentile observed-score
"equatings". *Applied Psychological Measurement*, 8, 453-461.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from wrenchmark.psychometrics.equating import raw_to_theta
from wrenchmark.psychometrics.irt.fit import summed_score_likelihoods
from wrenchmark.psychometrics.irt.models import ItemSet, check_items, normal_quadrature, probability

__all__ = [
    "AbilityReadiness",
    "AreaEstimate",
    "AreaEvidence",
    "PassEstimate",
    "Readiness",
    "pass_probability",
    "pass_probability_from_ability",
]

_EPS = 1e-12


@dataclass(frozen=True, slots=True)
class AreaEvidence:
    """One content area: its scored questions on the form, and the candidate's practice answers in it."""

    letter: str
    questions: int
    answered: int
    correct: int

    def __post_init__(self) -> None:
        if self.questions < 0 or self.answered < 0 or not 0 <= self.correct <= self.answered:
            raise ValueError(f"area {self.letter}: need 0 <= correct <= answered and questions >= 0")


@dataclass(frozen=True, slots=True)
class AreaEstimate:
    """The estimated chance of a right answer in one area: posterior mean and central interval."""

    letter: str
    mean: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class PassEstimate:
    """What every estimate of the chance of passing reports.

    Attributes
    ----------
    probability
        Predictive probability of reaching the cut.
    low, high
        Central ``level`` interval of the chance of passing over the posterior.
    expected_score, score_low, score_high
        Predictive mean raw score on the form and its central ``level`` interval (whole questions).
    cut, total
        The raw score needed and the form's scored questions.
    answered, correct
        The practice answers the estimate rests on.
    """

    probability: float
    low: float
    high: float
    level: float
    expected_score: float
    score_low: int
    score_high: int
    cut: int
    total: int
    answered: int
    correct: int


@dataclass(frozen=True, slots=True)
class Readiness(PassEstimate):
    """The chance of passing by content area: :math:`E[P(X \\ge \\text{cut} \\mid p)]` over the
    posterior of the areas' chances ``p``, from ``draws`` samples with the overall accuracy counted as
    ``pooling`` questions in each area; ``areas`` holds each area's estimate."""

    draws: int
    pooling: float
    areas: tuple[AreaEstimate, ...]


def _binomial_pmf(n: int, p: np.ndarray) -> np.ndarray:
    """Rows: draws; columns: 0..n successes. ``p`` is one probability per draw."""
    k = np.arange(n + 1)
    log_choose = np.array([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in k])
    q = np.clip(p, _EPS, 1 - _EPS)[:, None]
    pmf: np.ndarray = np.exp(log_choose[None, :] + k[None, :] * np.log(q) + (n - k)[None, :] * np.log1p(-q))
    return pmf


def _score_distribution(counts: Sequence[int], p: np.ndarray) -> np.ndarray:
    """Exact distribution of the sum of independent binomials, one row per draw: ``p`` is draws by areas."""
    dist = np.ones((p.shape[0], 1))
    for a, n in enumerate(counts):
        if n == 0:
            continue
        pmf = _binomial_pmf(n, p[:, a])
        width = dist.shape[1]
        summed = np.zeros((p.shape[0], width + n))
        for k in range(n + 1):
            summed[:, k : k + width] += dist * pmf[:, k : k + 1]
        dist = summed
    return dist


def _central(values: np.ndarray, level: float) -> tuple[float, float]:
    tail = (1 - level) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return float(low), float(high)


def pass_probability(
    areas: Sequence[AreaEvidence],
    *,
    cut: int,
    rng: np.random.Generator,
    draws: int = 4000,
    pooling: float = 4.0,
    level: float = 0.8,
) -> Readiness:
    """Estimate the chance of reaching ``cut`` right answers on a form with the areas' question counts.

    Parameters
    ----------
    areas
        Per content area: scored questions on the form (:math:`n_a`) and the practice answers
        (:math:`m_a` answered, :math:`c_a` right).
    cut
        Raw score needed to pass (right answers among the scored questions).
    rng
        The random generator the posterior is sampled with; pass a seeded one to reproduce a figure.
    draws
        Posterior samples.
    pooling
        :math:`\\kappa`, how many questions' worth the overall accuracy counts for in each area.
    level
        Coverage of the reported intervals.

    Returns
    -------
    Readiness
    """
    if not areas:
        raise ValueError("at least one content area is needed")
    if draws < 10 or pooling <= 0 or not 0 < level < 1:
        raise ValueError("need draws >= 10, pooling > 0 and 0 < level < 1")
    counts = [a.questions for a in areas]
    total = sum(counts)
    if not 0 <= cut <= total:
        raise ValueError(f"the cut must lie between 0 and the form's {total} scored questions")

    answered = sum(a.answered for a in areas)
    correct = sum(a.correct for a in areas)
    theta = rng.beta(1 + correct, 1 + answered - correct, size=draws)
    right = np.array([a.correct for a in areas], dtype=float)
    wrong = np.array([a.answered - a.correct for a in areas], dtype=float)
    alpha = np.maximum(pooling * theta[:, None] + right[None, :], _EPS)
    beta = np.maximum(pooling * (1 - theta[:, None]) + wrong[None, :], _EPS)
    p = rng.beta(alpha, beta)

    dist = _score_distribution(counts, p)
    passing = dist[:, cut:].sum(axis=1)
    low, high = _central(passing, level)

    expected, score_low, score_high = _score_summary(dist.mean(axis=0), level, total)

    estimates = []
    for a, area in enumerate(areas):
        area_low, area_high = _central(p[:, a], level)
        estimates.append(AreaEstimate(area.letter, float(p[:, a].mean()), area_low, area_high))

    return Readiness(
        probability=float(passing.mean()),
        low=low,
        high=high,
        level=level,
        expected_score=expected,
        score_low=score_low,
        score_high=score_high,
        cut=cut,
        total=total,
        answered=answered,
        correct=correct,
        draws=draws,
        pooling=pooling,
        areas=tuple(estimates),
    )


@dataclass(frozen=True, slots=True)
class AbilityReadiness(PassEstimate):
    """The chance of passing from the candidate's ability on the calibrated scale: the posterior mean of
    :math:`P(X \\ge \\text{cut} \\mid \\theta)`.

    Attributes
    ----------
    theta, se
        Posterior mean (EAP) and SD of the ability, from the practice answers.
    cut_theta
        The ability at which the form's expected score equals the cut (NaN where it cannot be found).
    """

    theta: float
    se: float
    cut_theta: float


def _score_summary(mixture: np.ndarray, level: float, total: int) -> tuple[float, int, int]:
    """Mean and central ``level`` interval of a raw-score distribution over 0..total."""
    cumulative = np.cumsum(mixture)
    tail = (1 - level) / 2
    low = int(np.searchsorted(cumulative, tail))
    high = min(int(np.searchsorted(cumulative, 1 - tail)), total)
    return float(mixture @ np.arange(total + 1)), low, high


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: Sequence[float]) -> list[float]:
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    cumulative /= cumulative[-1]
    return [float(values[order][min(int(np.searchsorted(cumulative, q)), len(values) - 1)]) for q in qs]


def pass_probability_from_ability(
    responses: ArrayLike,
    items: ItemSet,
    form_items: ItemSet,
    *,
    cut: int,
    level: float = 0.8,
    quadrature: int = 121,
    prior_mean: float = 0.0,
    prior_sd: float = 1.0,
) -> AbilityReadiness:
    """Estimate the chance of reaching ``cut`` on a form from answers to calibrated items.

    .. math:: \\pi(X_q \\mid u) \\propto W_q \\prod_i P_i(X_q)^{u_i} (1 - P_i(X_q))^{1 - u_i}, \\qquad
       P(\\text{pass}) = \\sum_q \\pi(X_q \\mid u) \\sum_{k \\ge \\text{cut}} S_k(X_q)

    where :math:`S_k(X_q)` is the probability of raw score :math:`k` on the form at ability :math:`X_q`
    (Lord-Wingersky recursion over the form's items).

    Parameters
    ----------
    responses
        Shape (n_items,): 1.0 right, 0.0 wrong, NaN not answered, for the calibrated items ``items``.
    items
        Parameters ``a``, ``b``, ``c`` of the answered items, on the same scale as ``form_items``.
    form_items
        Parameters of the form's scored items.
    cut
        Raw score needed to pass.
    level
        Coverage of the reported intervals.
    quadrature, prior_mean, prior_sd
        The grid (equally spaced over the prior mean ± 6 SD) and the normal prior on ability.

    Returns
    -------
    AbilityReadiness

    Raises
    ------
    ValueError
        For mismatched lengths, a cut outside the form, or a level outside (0, 1).
    """
    u = np.asarray(responses, dtype=np.float64)
    pool = check_items(items)
    form = check_items(form_items)
    if u.ndim != 1 or u.shape[0] != pool.a.shape[0]:
        raise ValueError("responses must be one value per calibrated item")
    answered = ~np.isnan(u)
    if not np.isin(u[answered], (0.0, 1.0)).all():
        raise ValueError("responses must be 1, 0 or NaN")
    total = int(form.a.shape[0])
    if not 0 <= cut <= total:
        raise ValueError(f"the cut must lie between 0 and the form's {total} scored questions")
    if not 0 < level < 1:
        raise ValueError("need 0 < level < 1")
    points, weights = normal_quadrature(int(quadrature), mean=float(prior_mean), sd=float(prior_sd))

    p = np.clip(probability(points, pool)[:, answered], _EPS, 1 - _EPS)
    x = u[answered]
    loglik = (x[None, :] * np.log(p) + (1 - x[None, :]) * np.log1p(-p)).sum(axis=1)
    logpost = loglik + np.log(weights)
    post = np.exp(logpost - logpost.max())
    post /= post.sum()
    theta = float(post @ points)
    se = float(np.sqrt(max(float(post @ (points - theta) ** 2), 0.0)))

    scores = summed_score_likelihoods(probability(points, form))  # (total + 1, n_points)
    passing = scores[cut:].sum(axis=0)
    tail = (1 - level) / 2
    low, high = _weighted_quantiles(passing, post, [tail, 1 - tail])
    expected, score_low, score_high = _score_summary(scores @ post, level, total)
    try:
        cut_theta = float(raw_to_theta(form, float(cut))) if 0 < cut < total else math.nan
    except ValueError:
        cut_theta = math.nan
    return AbilityReadiness(
        theta=theta,
        se=se,
        cut_theta=cut_theta,
        probability=float(post @ passing),
        low=low,
        high=high,
        level=level,
        expected_score=expected,
        score_low=score_low,
        score_high=score_high,
        cut=cut,
        total=total,
        answered=int(answered.sum()),
        correct=int(x.sum()),
    )
