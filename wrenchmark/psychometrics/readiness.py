"""The chance of passing a form, estimated from practice answers by content area, with its uncertainty.

The model, stated so that the page can state it too:

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

References
----------
Gelman, A. et al. (2013). *Bayesian Data Analysis*, 3rd ed., ch. 5 (hierarchical binomial models).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["AreaEstimate", "AreaEvidence", "Readiness", "pass_probability"]

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
class Readiness:
    """The estimated chance of passing, with its uncertainty and what it was computed from.

    Attributes
    ----------
    probability
        Predictive probability of reaching the cut, :math:`E[P(X \\ge \\text{cut} \\mid p)]`.
    low, high
        Central ``level`` interval of :math:`P(X \\ge \\text{cut} \\mid p)` over the posterior.
    expected_score, score_low, score_high
        Predictive mean raw score and its central ``level`` interval (whole questions).
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

    mixture = dist.mean(axis=0)
    cumulative = np.cumsum(mixture)
    tail = (1 - level) / 2
    score_low = int(np.searchsorted(cumulative, tail))
    score_high = int(np.searchsorted(cumulative, 1 - tail))

    estimates = []
    for a, area in enumerate(areas):
        area_low, area_high = _central(p[:, a], level)
        estimates.append(AreaEstimate(area.letter, float(p[:, a].mean()), area_low, area_high))

    return Readiness(
        probability=float(passing.mean()),
        low=low,
        high=high,
        level=level,
        expected_score=float((mixture * np.arange(total + 1)).sum()),
        score_low=score_low,
        score_high=min(score_high, total),
        cut=cut,
        total=total,
        answered=answered,
        correct=correct,
        draws=draws,
        pooling=pooling,
        areas=tuple(estimates),
    )
