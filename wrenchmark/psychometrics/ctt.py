"""Classical test theory: item statistics, distractor analysis, reliability, measurement error and the
consistency of pass/fail decisions.

Orientation, everywhere in this module: **persons in rows, items in columns**. A response matrix holds
1.0 (right), 0.0 (wrong) or NaN (not presented / missing); a choice matrix holds the index of the option
chosen (0 .. k-1) or -1 for no answer. The raw score of a person is the number of items answered right.

* :func:`item_statistics`: p-value, item-total and corrected item-total (point-biserial) correlations.
* :func:`distractor_analysis` and :func:`flag_distractors`: how often each option is chosen, overall and
  by score group, and which distractors draw strong examinees.
* :func:`kr20`, :func:`kr21`, :func:`cronbach_alpha`: internal-consistency reliability.
* :func:`sem`, :func:`conditional_sem`, :func:`csem_at_cut`: standard errors of measurement.
* :func:`decision_consistency`: Subkoviak's (1976) single-administration agreement and kappa.
* :func:`flag_items`: the reasons each item should be reviewed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import binom, norm, rankdata

from wrenchmark.psychometrics.types import FloatArray, IntArray, ResponseMatrix, check_responses

__all__ = [
    "DISTRACTOR_ATTRACTS_HIGH_SCORERS",
    "LOW_DISCRIMINATION",
    "MORE_HIGH_THAN_LOW",
    "NEGATIVE_DISCRIMINATION",
    "POSITIVE_POINT_BISERIAL",
    "TOO_EASY",
    "TOO_HARD",
    "CutScoreBand",
    "DecisionConsistency",
    "DistractorAnalysis",
    "DistractorFlag",
    "ItemFlags",
    "ItemStatistics",
    "conditional_sem",
    "cronbach_alpha",
    "csem_at_cut",
    "decision_consistency",
    "distractor_analysis",
    "flag_distractors",
    "flag_items",
    "item_statistics",
    "kr20",
    "kr21",
    "sem",
]

#: Item reason codes returned by :func:`flag_items`.
TOO_HARD: Final = "too_hard"
TOO_EASY: Final = "too_easy"
LOW_DISCRIMINATION: Final = "low_discrimination"
NEGATIVE_DISCRIMINATION: Final = "negative_discrimination"
DISTRACTOR_ATTRACTS_HIGH_SCORERS: Final = "distractor_attracts_high_scorers"
#: Distractor reason codes returned by :func:`flag_distractors`.
MORE_HIGH_THAN_LOW: Final = "more_high_than_low"
POSITIVE_POINT_BISERIAL: Final = "positive_point_biserial"

BoolArray = NDArray[np.bool_]


# --------------------------------------------------------------------------------------------------
# Helpers (inputs already validated)
# --------------------------------------------------------------------------------------------------


def _masked_correlation(x: FloatArray, y: FloatArray, weight: FloatArray) -> FloatArray:
    """Column-wise Pearson correlation of ``x`` and ``y`` over the rows where ``weight`` is 1.

    All three are persons x items; NaN where a column has fewer than two rows or no variance.
    """
    n = weight.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = (weight * x).sum(axis=0) / n
        my = (weight * y).sum(axis=0) / n
        dx = weight * (x - mx)
        dy = weight * (y - my)
        cov = (dx * dy).sum(axis=0)
        vx = (dx * dx).sum(axis=0)
        vy = (dy * dy).sum(axis=0)
        denom = np.sqrt(vx * vy)
        r: FloatArray = np.where((n >= 2) & (denom > 1e-12 * np.maximum(1.0, n)), cov / denom, np.nan)
    return np.clip(r, -1.0, 1.0)


def _complete(responses: object) -> ResponseMatrix:
    x = check_responses(responses, allow_missing=False)
    if x.shape[1] < 2:
        raise ValueError(f"reliability needs at least 2 items, got {x.shape[1]}")
    return x


def _kr20(x: ResponseMatrix) -> float:
    k = int(x.shape[1])
    total_var = float(x.sum(axis=1).var())
    if total_var <= 0:
        raise ValueError("the total scores do not vary, so reliability is undefined")
    p = x.mean(axis=0)
    return k / (k - 1) * (1.0 - float((p * (1 - p)).sum()) / total_var)


def _kr21(x: ResponseMatrix) -> float:
    k = int(x.shape[1])
    total = x.sum(axis=1)
    total_var = float(total.var())
    if total_var <= 0:
        raise ValueError("the total scores do not vary, so reliability is undefined")
    mean = float(total.mean())
    return k / (k - 1) * (1.0 - mean * (k - mean) / (k * total_var))


# --------------------------------------------------------------------------------------------------
# Item statistics
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemStatistics:
    """Classical statistics of each item (all arrays have length n_items).

    Attributes
    ----------
    p_value
        Proportion right among the persons who answered the item (NaN if nobody did).
    point_biserial
        Correlation of the item score with the total score (the item included).
    corrected_point_biserial
        Correlation of the item score with the rest score (the total without this item).
    n_answered
        How many persons answered the item (non-missing entries in its column).
    n_persons
        Rows of the response matrix.
    """

    p_value: FloatArray
    point_biserial: FloatArray
    corrected_point_biserial: FloatArray
    n_answered: IntArray
    n_persons: int

    @property
    def n_items(self) -> int:
        return int(self.p_value.shape[0])


def item_statistics(responses: ArrayLike) -> ItemStatistics:
    """Compute the p-value and the (corrected) point-biserial correlation of every item.

    Parameters
    ----------
    responses
        Persons x items, shape (n_persons, n_items): 1 right, 0 wrong, NaN not presented.

    Returns
    -------
    ItemStatistics
        Arrays of shape (n_items,).

    Notes
    -----
    With :math:`x_{ij}` the score of person *i* on item *j* and :math:`A_j` the persons who answered
    item *j*, the total score is the number right among the items answered,
    :math:`X_i = \\sum_{j} x_{ij}` (missing entries count for nothing), and

    .. math:: p_j = \\frac{1}{|A_j|} \\sum_{i \\in A_j} x_{ij}, \\qquad
              r_j = \\operatorname{corr}_{i \\in A_j}(x_{ij}, X_i), \\qquad
              r_j^{c} = \\operatorname{corr}_{i \\in A_j}(x_{ij}, X_i - x_{ij}).

    The Pearson correlation of a 0/1 variable with a score is the point-biserial correlation. The
    corrected form removes the item from the criterion, so that the item does not correlate with
    itself (Henrysson, 1963). A correlation is NaN when, among the answering persons, the item or the
    criterion does not vary.

    References
    ----------
    Henrysson, S. (1963). Correction of item-total correlations in item analysis. *Psychometrika*,
    28(2), 211-218.

    Lord, F. M., & Novick, M. R. (1968). *Statistical Theories of Mental Test Scores*, ch. 15.
    """
    x = check_responses(responses, allow_missing=True)
    answered = ~np.isnan(x)
    filled = np.where(answered, x, 0.0)
    weight = answered.astype(np.float64)
    total = filled.sum(axis=1)[:, None] * np.ones_like(filled)
    n_answered = answered.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_value = np.where(n_answered > 0, filled.sum(axis=0) / n_answered, np.nan)
    return ItemStatistics(
        p_value=p_value.astype(np.float64),
        point_biserial=_masked_correlation(filled, total, weight),
        corrected_point_biserial=_masked_correlation(filled, total - filled, weight),
        n_answered=n_answered.astype(np.int64),
        n_persons=int(x.shape[0]),
    )


# --------------------------------------------------------------------------------------------------
# Distractor analysis
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DistractorAnalysis:
    """How often each option of each item is chosen, overall and by total-score group.

    Attributes
    ----------
    key
        Shape (n_items,): index of the right option.
    proportions
        Shape (n_items, n_options): share of all persons choosing each option.
    omitted
        Shape (n_items,): share of persons giving no answer; each row of ``proportions`` plus
        ``omitted`` sums to 1.
    group_proportions
        Shape (n_groups, n_items, n_options): the same shares within each score group, lowest group
        first (NaN for an empty group).
    group_omitted
        Shape (n_groups, n_items).
    group_sizes
        Shape (n_groups,): persons in each group.
    point_biserial
        Shape (n_items, n_options): correlation of "chose this option" (1/0) with the total score; NaN
        when the option is chosen by everybody or nobody.
    total_scores
        Shape (n_persons,): number right.
    """

    key: IntArray
    proportions: FloatArray
    omitted: FloatArray
    group_proportions: FloatArray
    group_omitted: FloatArray
    group_sizes: IntArray
    point_biserial: FloatArray
    total_scores: IntArray

    @property
    def n_items(self) -> int:
        return int(self.proportions.shape[0])

    @property
    def n_options(self) -> int:
        return int(self.proportions.shape[1])

    @property
    def n_groups(self) -> int:
        return int(self.group_sizes.shape[0])

    def distractor_mask(self) -> BoolArray:
        """Shape (n_items, n_options): True for every option that is not the key."""
        mask: BoolArray = np.arange(self.n_options)[None, :] != self.key[:, None]
        return mask

    def attracts_high_scorers(self, margin: float = 0.0) -> BoolArray:
        """Shape (n_items, n_options): distractors chosen by a larger share of the top group than of the
        bottom group, by more than ``margin``."""
        with np.errstate(invalid="ignore"):
            more: BoolArray = (self.group_proportions[-1] - self.group_proportions[0]) > margin
        return more & self.distractor_mask()

    def positive_point_biserial(self) -> BoolArray:
        """Shape (n_items, n_options): distractors whose choice correlates positively with the score."""
        with np.errstate(invalid="ignore"):
            positive: BoolArray = self.point_biserial > 0
        return positive & self.distractor_mask()


def _whole_numbers(values: NDArray[np.generic]) -> bool:
    if values.dtype.kind in "iu":
        return True
    if values.dtype.kind != "f":
        return False
    x = values.astype(np.float64)
    return bool(np.isfinite(x).all() and (x == np.round(x)).all())


def _score_groups(total: FloatArray, groups: int | float) -> list[BoolArray]:
    """Membership of each score group, lowest first. Persons with equal totals share a group: each is
    placed by the mid-rank of its total, at the percentile position u = (rank - 1/2) / n."""
    n = total.shape[0]
    position = (rankdata(total, method="average") - 0.5) / n
    if isinstance(groups, int):
        index = np.minimum(np.floor(position * groups + 1e-9).astype(np.int64), groups - 1)
        return [index == g for g in range(groups)]
    eps = 1e-9
    return [position < groups - eps, position > 1.0 - groups - eps]


def distractor_analysis(choices: ArrayLike, key: ArrayLike, *, groups: int | float = 3) -> DistractorAnalysis:
    """Tabulate the options chosen on each item, overall and by total-score group.

    Parameters
    ----------
    choices
        Persons x items, shape (n_persons, n_items), integers: the index of the option chosen
        (0 .. k-1), or -1 for no answer. The number of options k is one more than the largest index in
        ``choices`` or ``key``.
    key
        Shape (n_items,): index of the right option of each item.
    groups
        An integer g >= 2 splits the examinees into g groups of (nearly) equal size by total score
        (thirds by default). A fraction 0 < f <= 0.5 forms two groups, the lowest and the highest f of
        examinees (Kelley's 27% with 0.27), leaving the middle out. Examinees with equal totals always
        share a group, so group sizes can differ somewhat.

    Returns
    -------
    DistractorAnalysis

    Notes
    -----
    The total score :math:`X_i` is the number of items where the option chosen is the key (no answer
    counts as wrong). For option *o* of item *j* the share choosing it is
    :math:`P_{jo} = \\frac{1}{N} \\sum_i [c_{ij} = o]` and its point-biserial is
    :math:`\\operatorname{corr}_i([c_{ij} = o], X_i)`. A working distractor is chosen more by the low
    group than by the high group and has a negative point-biserial; see :func:`flag_distractors`.

    References
    ----------
    Kelley, T. L. (1939). The selection of upper and lower groups for the validation of test items.
    *Journal of Educational Psychology*, 30(1), 17-24.

    Attali, Y., & Fraenkel, T. (2000). The point-biserial as a discrimination index for distractors in
    multiple-choice items: Deficiencies in usage and an alternative. *Journal of Educational
    Measurement*, 37(1), 77-86.

    Haladyna, T. M., & Rodriguez, M. C. (2013). *Developing and Validating Test Items*, ch. 17.
    """
    raw = np.asarray(choices)
    if raw.ndim != 2 or raw.shape[0] < 2 or raw.shape[1] < 1:
        raise ValueError(f"choices must be a persons x items matrix with at least 2 persons, got {raw.shape}")
    if not _whole_numbers(raw):
        raise ValueError("choices must hold whole option indices (-1 for no answer)")
    c = raw.astype(np.int64)
    k_arr = np.asarray(key)
    if k_arr.ndim != 1 or k_arr.shape[0] != c.shape[1]:
        raise ValueError(f"key must have one entry per item ({c.shape[1]}), got shape {k_arr.shape}")
    if not _whole_numbers(k_arr):
        raise ValueError("key must hold whole option indices")
    k = k_arr.astype(np.int64)
    if (c < -1).any():
        raise ValueError("choices must be option indices >= 0, or -1 for no answer")
    if (k < 0).any():
        raise ValueError("key entries must be option indices >= 0")
    n_persons = c.shape[0]
    if isinstance(groups, bool) or not isinstance(groups, int | float | np.integer | np.floating):
        raise ValueError("groups must be an integer >= 2 or a fraction in (0, 0.5]")
    groups = int(groups) if isinstance(groups, int | np.integer) else float(groups)
    if isinstance(groups, int):
        if not 2 <= groups <= n_persons:
            raise ValueError(
                f"groups must be between 2 and the number of persons ({n_persons}), got {groups}"
            )
    elif not 0.0 < groups <= 0.5:
        raise ValueError(f"a fractional groups must lie in (0, 0.5], got {groups}")

    n_options = int(max(c.max(), k.max())) + 1
    chosen = c[:, :, None] == np.arange(n_options)[None, None, :]  # persons x items x options
    no_answer = c == -1
    total = (c == k[None, :]).sum(axis=1).astype(np.float64)

    members = _score_groups(total, groups)
    group_sizes = np.array([int(m.sum()) for m in members], dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        group_proportions = np.stack([chosen[m].sum(axis=0) / m.sum() for m in members]).astype(np.float64)
        group_omitted = np.stack([no_answer[m].sum(axis=0) / m.sum() for m in members]).astype(np.float64)

    flat = chosen.reshape(n_persons, -1).astype(np.float64)
    criterion = np.repeat(total[:, None], flat.shape[1], axis=1)
    pbis = _masked_correlation(flat, criterion, np.ones_like(flat)).reshape(c.shape[1], n_options)

    return DistractorAnalysis(
        key=k,
        proportions=chosen.mean(axis=0).astype(np.float64),
        omitted=no_answer.mean(axis=0).astype(np.float64),
        group_proportions=group_proportions,
        group_omitted=group_omitted,
        group_sizes=group_sizes,
        point_biserial=pbis,
        total_scores=total.astype(np.int64),
    )


@dataclass(frozen=True, slots=True)
class DistractorFlag:
    """A distractor that does not behave as a wrong answer should.

    ``reasons`` holds :data:`MORE_HIGH_THAN_LOW` (chosen by a larger share of the top score group than
    of the bottom group) and/or :data:`POSITIVE_POINT_BISERIAL` (choosing it goes with higher scores).
    """

    item: int
    option: int
    reasons: tuple[str, ...]
    low_group: float
    high_group: float
    point_biserial: float


def flag_distractors(analysis: DistractorAnalysis, *, margin: float = 0.0) -> tuple[DistractorFlag, ...]:
    """List the distractors that attract strong examinees, item by item, option by option.

    Parameters
    ----------
    analysis
        The result of :func:`distractor_analysis`.
    margin
        How much larger (in proportion) the top group's choice rate must be than the bottom group's for
        :data:`MORE_HIGH_THAN_LOW`; 0 flags any excess.

    Returns
    -------
    tuple of DistractorFlag
        Only the flagged distractors; the key is never flagged.

    Notes
    -----
    A distractor is flagged when :math:`P_{jo}^{\\text{top}} - P_{jo}^{\\text{bottom}} > \\text{margin}` or
    when its point-biserial with the total score is positive (Attali & Fraenkel, 2000; Haladyna &
    Rodriguez, 2013).

    References
    ----------
    Attali, Y., & Fraenkel, T. (2000). The point-biserial as a discrimination index for distractors in
    multiple-choice items. *Journal of Educational Measurement*, 37(1), 77-86.
    """
    if not math.isfinite(margin) or not 0.0 <= margin < 1.0:
        raise ValueError(f"margin must lie in [0, 1), got {margin}")
    high = analysis.attracts_high_scorers(margin)
    positive = analysis.positive_point_biserial()
    flags = []
    for j, o in zip(*np.nonzero(high | positive), strict=True):
        reasons = tuple(
            code
            for code, hit in ((MORE_HIGH_THAN_LOW, high[j, o]), (POSITIVE_POINT_BISERIAL, positive[j, o]))
            if hit
        )
        flags.append(
            DistractorFlag(
                item=int(j),
                option=int(o),
                reasons=reasons,
                low_group=float(analysis.group_proportions[0, j, o]),
                high_group=float(analysis.group_proportions[-1, j, o]),
                point_biserial=float(analysis.point_biserial[j, o]),
            )
        )
    return tuple(flags)


# --------------------------------------------------------------------------------------------------
# Reliability and measurement error
# --------------------------------------------------------------------------------------------------


def kr20(responses: ArrayLike) -> float:
    """Compute Kuder-Richardson formula 20 for a complete matrix of 0/1 item scores.

    Parameters
    ----------
    responses
        Persons x items, shape (n_persons, n_items) with n_items >= 2; 0/1, no missing values.

    Returns
    -------
    float
        .. math:: \\mathrm{KR}_{20} = \\frac{k}{k-1}\\left(1 - \\frac{\\sum_j p_j q_j}{\\sigma_X^2}\\right)

        with :math:`k` items, :math:`p_j` the proportion right, :math:`q_j = 1 - p_j`, and
        :math:`\\sigma_X^2` the variance of the total score (both with divisor N). It can be negative
        when the items correlate negatively.

    Raises
    ------
    ValueError
        On missing values, fewer than 2 items, or total scores that do not vary.

    References
    ----------
    Kuder, G. F., & Richardson, M. W. (1937). The theory of the estimation of test reliability.
    *Psychometrika*, 2(3), 151-160.
    """
    return _kr20(_complete(responses))


def kr21(responses: ArrayLike) -> float:
    """Compute Kuder-Richardson formula 21, KR-20 with every item given the mean difficulty.

    Parameters
    ----------
    responses
        Persons x items, shape (n_persons, n_items) with n_items >= 2; 0/1, no missing values.

    Returns
    -------
    float
        .. math:: \\mathrm{KR}_{21} = \\frac{k}{k-1}\\left(1 - \\frac{\\mu_X (k - \\mu_X)}{k\\,\\sigma_X^2}\\right)

        with :math:`\\mu_X` and :math:`\\sigma_X^2` the mean and variance (divisor N) of the total
        score. KR-21 <= KR-20, with equality when all items are equally difficult.

    References
    ----------
    Kuder, G. F., & Richardson, M. W. (1937). The theory of the estimation of test reliability.
    *Psychometrika*, 2(3), 151-160.
    """
    return _kr21(_complete(responses))


def cronbach_alpha(scores: ArrayLike) -> float:
    """Compute Cronbach's coefficient alpha for a complete persons x items matrix of item scores.

    Parameters
    ----------
    scores
        Persons x items, shape (n_persons, n_items) with n_items >= 2 and n_persons >= 2; any finite
        item scores (0/1, partial credit, ratings), no missing values.

    Returns
    -------
    float
        .. math:: \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\sum_j \\sigma_j^2}{\\sigma_X^2}\\right)

        with :math:`\\sigma_j^2` the variance of item *j* and :math:`\\sigma_X^2` that of the total
        (same divisor for both, so the choice of divisor cancels). For 0/1 items
        :math:`\\sigma_j^2 = p_j q_j` and alpha equals KR-20.

    Raises
    ------
    ValueError
        If the matrix is not 2-D, has missing or non-finite values, too few persons or items, or total
        scores that do not vary.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. *Psychometrika*,
    16(3), 297-334.
    """
    x = np.asarray(scores, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"scores must be a 2-D persons x items matrix, got {x.ndim} dimension(s)")
    if x.shape[0] < 2 or x.shape[1] < 2:
        raise ValueError(f"alpha needs at least 2 persons and 2 items, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("scores must be finite, with no missing values (NaN) here")
    k = int(x.shape[1])
    total_var = float(x.sum(axis=1).var())
    if total_var <= 0:
        raise ValueError("the total scores do not vary, so reliability is undefined")
    return k / (k - 1) * (1.0 - float(x.var(axis=0).sum()) / total_var)


def sem(responses: ArrayLike, *, reliability: float | None = None) -> float:
    """Compute the standard error of measurement of the raw score.

    Parameters
    ----------
    responses
        Persons x items, shape (n_persons, n_items); 0/1, no missing values.
    reliability
        The reliability to use; by default KR-20 of ``responses``. A negative estimate is taken as 0.

    Returns
    -------
    float
        .. math:: \\mathrm{SEM} = s_X \\sqrt{1 - \\rho_{XX'}}

        with :math:`s_X` the sample standard deviation (divisor N - 1) of the total score.

    References
    ----------
    Lord, F. M., & Novick, M. R. (1968). *Statistical Theories of Mental Test Scores*, sec. 3.8.
    """
    x = _complete(responses)
    if reliability is None:
        rho = _kr20(x)
    elif not math.isfinite(reliability) or reliability > 1.0:
        raise ValueError(f"reliability must be a finite number <= 1, got {reliability}")
    else:
        rho = reliability
    sd = float(x.sum(axis=1).std(ddof=1))
    return sd * math.sqrt(1.0 - max(rho, 0.0))


@overload
def conditional_sem(n_items: int, score: float) -> float: ...


@overload
def conditional_sem(n_items: int, score: Sequence[float] | FloatArray | IntArray) -> FloatArray: ...


def conditional_sem(
    n_items: int, score: float | Sequence[float] | FloatArray | IntArray
) -> float | FloatArray:
    """Compute the conditional standard error of measurement at raw score(s) under Lord's binomial
    error model.

    Parameters
    ----------
    n_items
        Number of scored items, n >= 2.
    score
        A raw score or an array of them, each in [0, n].

    Returns
    -------
    float or ndarray
        Same shape as ``score``:

        .. math:: \\mathrm{CSEM}(x) = \\sqrt{\\frac{x (n - x)}{n - 1}}

        zero at 0 and n, largest at n/2. The model treats the items as a random sample from a domain,
        so that the errors of an examinee are binomial.

    References
    ----------
    Lord, F. M. (1955). Estimating test reliability. *Educational and Psychological Measurement*, 15,
    325-336.

    Feldt, L. S., Steffen, M., & Gupta, N. C. (1985). A comparison of five methods for estimating the
    standard error of measurement at specific score levels. *Applied Psychological Measurement*, 9(4),
    351-361.
    """
    if isinstance(n_items, bool) or not isinstance(n_items, int | np.integer) or n_items < 2:
        raise ValueError(f"n_items must be an integer >= 2, got {n_items!r}")
    x = np.asarray(score, dtype=np.float64)
    if not np.isfinite(x).all() or (x < 0).any() or (x > n_items).any():
        raise ValueError(f"scores must lie between 0 and n_items ({n_items})")
    value = np.sqrt(np.maximum(x * (n_items - x), 0.0) / (n_items - 1))
    if x.ndim == 0:
        return float(value)
    out: FloatArray = value
    return out


@dataclass(frozen=True, slots=True)
class CutScoreBand:
    """The conditional SEM at a cut score and the band of raw scores within ``z`` CSEMs of the cut."""

    cut: float
    csem: float
    level: float
    low: float
    high: float


def csem_at_cut(n_items: int, cut: float, *, level: float = 0.95) -> CutScoreBand:
    """Compute Lord's conditional SEM at a cut score, with a central band around the cut.

    Parameters
    ----------
    n_items
        Number of scored items, n >= 2.
    cut
        Raw cut score, in [0, n].
    level
        Coverage of the normal band, in (0, 1).

    Returns
    -------
    CutScoreBand
        ``csem`` = :func:`conditional_sem` at the cut; ``low, high`` =
        :math:`\\text{cut} \\mp z_{(1 + \\text{level})/2}\\,\\mathrm{CSEM}(\\text{cut})`, clipped to [0, n].
        Observed scores inside the band are within measurement error of the cut.

    References
    ----------
    Lord, F. M. (1955). Estimating test reliability. *Educational and Psychological Measurement*, 15,
    325-336.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    csem = conditional_sem(n_items, float(cut))
    z = float(norm.ppf(0.5 + level / 2))
    return CutScoreBand(
        cut=float(cut),
        csem=csem,
        level=level,
        low=max(0.0, cut - z * csem),
        high=min(float(n_items), cut + z * csem),
    )


# --------------------------------------------------------------------------------------------------
# Decision consistency
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecisionConsistency:
    """Single-administration consistency of pass/fail decisions at a raw cut score.

    Attributes
    ----------
    agreement
        p: estimated probability that two parallel administrations classify an examinee the same.
    kappa
        Cohen's kappa of that agreement, :math:`(p - p_c) / (1 - p_c)`; NaN if everybody is certain
        to pass or certain to fail.
    chance_agreement
        :math:`p_c`, the agreement expected by chance from the pass rate.
    pass_rate
        Observed share of examinees with a raw score >= cut.
    expected_pass_rate
        Mean estimated probability of passing, :math:`\\bar P`.
    reliability
        The reliability used in Kelley's regression (KR-21 by default).
    cut, n_items, n_persons, method
        What was computed, and how.
    """

    agreement: float
    kappa: float
    chance_agreement: float
    pass_rate: float
    expected_pass_rate: float
    reliability: float
    cut: float
    n_items: int
    n_persons: int
    method: str


def decision_consistency(
    responses: ArrayLike, cut: float, *, reliability: float | None = None
) -> DecisionConsistency:
    """Estimate how consistently a pass/fail cut classifies examinees, from one administration
    (Subkoviak, 1976).

    Parameters
    ----------
    responses
        Persons x items, shape (n_persons, n_items) with n_items >= 2; 0/1, no missing values.
    cut
        Raw cut score: an examinee passes with at least ``cut`` right. Any value in [0, n]; a fractional
        cut means ``ceil(cut)``.
    reliability
        Reliability for Kelley's regression; by default KR-21 of ``responses``, as in Subkoviak (1976).
        Clipped to [0, 1].

    Returns
    -------
    DecisionConsistency

    Notes
    -----
    Subkoviak's method with the binomial error model and Kelley's regressed true-score estimates:

    1. Each examinee's proportion-correct true score is estimated by Kelley's formula
       :math:`\\hat\\pi_i = \\rho\\, x_i / n + (1 - \\rho)\\, \\bar x / n`.
    2. The probability of passing a parallel form is binomial:
       :math:`P_i = \\sum_{x \\ge c} \\binom{n}{x} \\hat\\pi_i^x (1 - \\hat\\pi_i)^{n - x}`, with
       :math:`c = \\lceil \\text{cut} \\rceil`.
    3. Two independent parallel forms agree with probability :math:`P_i^2 + (1 - P_i)^2`; the agreement
       index is its mean, :math:`p = \\frac{1}{N}\\sum_i [P_i^2 + (1 - P_i)^2]`.
    4. Chance agreement :math:`p_c = \\bar P^2 + (1 - \\bar P)^2` and
       :math:`\\kappa = (p - p_c) / (1 - p_c) = \\operatorname{Var}(P) / (\\bar P (1 - \\bar P))`,
       so :math:`0.5 \\le p \\le 1` and :math:`0 \\le \\kappa \\le 1`.

    References
    ----------
    Subkoviak, M. J. (1976). Estimating reliability from a single administration of a
    criterion-referenced test. *Journal of Educational Measurement*, 13(4), 265-276.

    Kelley, T. L. (1927). *Interpretation of Educational Measurements*. World Book.

    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and Psychological
    Measurement*, 20(1), 37-46.
    """
    x = _complete(responses)
    n_persons, n_items = x.shape
    if not math.isfinite(cut) or not 0.0 <= cut <= n_items:
        raise ValueError(f"the cut must lie between 0 and the {n_items} items, got {cut}")
    if reliability is None:
        rho = _kr21(x)
    elif not math.isfinite(reliability):
        raise ValueError(f"reliability must be a finite number, got {reliability}")
    else:
        rho = reliability
    rho = min(max(rho, 0.0), 1.0)

    total = x.sum(axis=1)
    true_share = np.clip(rho * total / n_items + (1.0 - rho) * total.mean() / n_items, 0.0, 1.0)
    needed = math.ceil(cut - 1e-9)
    passing = np.asarray(binom.sf(needed - 1, n_items, true_share), dtype=np.float64)
    agreement = float(np.mean(passing**2 + (1.0 - passing) ** 2))
    mean_pass = float(passing.mean())
    chance = mean_pass**2 + (1.0 - mean_pass) ** 2
    spread = mean_pass * (1.0 - mean_pass)
    kappa = float(np.clip(passing.var() / spread, 0.0, 1.0)) if spread > 0 else math.nan
    return DecisionConsistency(
        agreement=min(agreement, 1.0),
        kappa=kappa,
        chance_agreement=chance,
        pass_rate=float((total >= needed).mean()),
        expected_pass_rate=mean_pass,
        reliability=rho,
        cut=float(cut),
        n_items=n_items,
        n_persons=n_persons,
        method="Subkoviak (1976): binomial error model, Kelley regressed true scores",
    )


# --------------------------------------------------------------------------------------------------
# Item review flags
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemFlags:
    """Why one item should be reviewed (``reasons`` empty if it need not be)."""

    item: int
    reasons: tuple[str, ...]
    p_value: float
    corrected_point_biserial: float

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)


def flag_items(
    stats: ItemStatistics,
    *,
    distractors: DistractorAnalysis | None = None,
    min_p: float = 0.20,
    max_p: float = 0.95,
    min_discrimination: float = 0.15,
    distractor_margin: float = 0.0,
) -> tuple[ItemFlags, ...]:
    """Give, for every item, the reasons it should be reviewed.

    Parameters
    ----------
    stats
        The result of :func:`item_statistics`.
    distractors
        Optionally the result of :func:`distractor_analysis` on the same items, to flag distractors that
        draw strong examinees.
    min_p
        :data:`TOO_HARD` when the p-value is below this (default 0.20).
    max_p
        :data:`TOO_EASY` when the p-value is above this (default 0.95).
    min_discrimination
        :data:`LOW_DISCRIMINATION` when the corrected point-biserial is below this (default 0.15) but
        not negative; below 0 the reason is :data:`NEGATIVE_DISCRIMINATION` instead (the more serious
        of the two, usually a wrong key or a flawed item).
    distractor_margin
        Passed to :func:`flag_distractors` as ``margin`` (default 0: any excess of the top group's
        choice rate over the bottom group's, or a positive point-biserial, flags the item with
        :data:`DISTRACTOR_ATTRACTS_HIGH_SCORERS`).

    Returns
    -------
    tuple of ItemFlags
        One per item, in column order; statistics that are NaN raise no flag.

    References
    ----------
    Haladyna, T. M., & Rodriguez, M. C. (2013). *Developing and Validating Test Items*, ch. 17.

    Ebel, R. L., & Frisbie, D. A. (1991). *Essentials of Educational Measurement*, 5th ed., ch. 13.
    """
    if not 0.0 <= min_p <= max_p <= 1.0:
        raise ValueError(f"need 0 <= min_p <= max_p <= 1, got min_p={min_p}, max_p={max_p}")
    if not -1.0 <= min_discrimination <= 1.0:
        raise ValueError(f"min_discrimination must lie in [-1, 1], got {min_discrimination}")
    items_with_bad_distractor: set[int] = set()
    if distractors is not None:
        if distractors.n_items != stats.n_items:
            raise ValueError(
                f"the distractor analysis has {distractors.n_items} items, the statistics {stats.n_items}"
            )
        items_with_bad_distractor = {f.item for f in flag_distractors(distractors, margin=distractor_margin)}

    result = []
    for j in range(stats.n_items):
        p = float(stats.p_value[j])
        r = float(stats.corrected_point_biserial[j])
        reasons: list[str] = []
        if p < min_p:
            reasons.append(TOO_HARD)
        if p > max_p:
            reasons.append(TOO_EASY)
        if r < 0:
            reasons.append(NEGATIVE_DISCRIMINATION)
        elif r < min_discrimination:
            reasons.append(LOW_DISCRIMINATION)
        if j in items_with_bad_distractor:
            reasons.append(DISTRACTOR_ATTRACTS_HIGH_SCORERS)
        result.append(ItemFlags(item=j, reasons=tuple(reasons), p_value=p, corrected_point_biserial=r))
    return tuple(result)
