"""Item response functions, their derivatives and information for dichotomous items.

One formula covers the Rasch model, the 2PL and the 3PL (logistic, no 1.7 scaling constant):

.. math:: P_j(\\theta) = c_j + (1 - c_j)\\,\\frac{1}{1 + \\exp(-a_j(\\theta - b_j))}

with :math:`a_j = 1, c_j = 0` for the Rasch model and :math:`c_j = 0` for the 2PL. Every function takes a
1-D array of abilities (length ``n_theta``) and an item set (length ``n_items``) and returns an
``n_theta x n_items`` array (abilities in rows, items in columns, as responses are persons in rows).

References
----------
Lord, F. M. (1980). *Applications of Item Response Theory to Practical Testing Problems*. Erlbaum.
Baker, F. B. & Kim, S.-H. (2004). *Item Response Theory: Parameter Estimation Techniques*, 2nd ed.,
ch. 2 and 7. Dekker.
"""

from __future__ import annotations

from typing import Literal, Protocol, TypeAlias

import numpy as np
from scipy.special import expit

from wrenchmark.psychometrics.synthetic import ItemParameters
from wrenchmark.psychometrics.types import FloatArray

__all__ = [
    "MODELS",
    "ItemSet",
    "Model",
    "check_items",
    "item_information",
    "normal_quadrature",
    "probability",
    "probability_derivative",
    "test_information",
]

Model: TypeAlias = Literal["rasch", "2pl", "3pl"]
#: The models this package estimates.
MODELS: tuple[Model, ...] = ("rasch", "2pl", "3pl")


class ItemSet(Protocol):
    """Anything holding per-item arrays ``a``, ``b``, ``c`` (length n_items): :class:`ItemParameters`,
    or a calibration result."""

    @property
    def a(self) -> FloatArray: ...

    @property
    def b(self) -> FloatArray: ...

    @property
    def c(self) -> FloatArray: ...


def check_items(items: ItemSet) -> ItemParameters:
    """Validate an item set and return it as float64 :class:`ItemParameters`.

    Raises
    ------
    ValueError
        If ``a``, ``b`` and ``c`` are not finite 1-D arrays of one length, or a ``c`` lies outside [0, 1).
    """
    a = np.asarray(items.a, dtype=np.float64)
    b = np.asarray(items.b, dtype=np.float64)
    c = np.asarray(items.c, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape or a.shape != c.shape or a.shape[0] < 1:
        raise ValueError("item parameters a, b and c must be 1-D arrays of one length (at least 1 item)")
    if not (np.isfinite(a).all() and np.isfinite(b).all() and np.isfinite(c).all()):
        raise ValueError("item parameters must be finite")
    if ((c < 0.0) | (c >= 1.0)).any():
        raise ValueError("the lower asymptote c must lie in [0, 1)")
    return ItemParameters(a=a, b=b, c=c)


def _theta(theta: object) -> FloatArray:
    t = np.asarray(theta, dtype=np.float64)
    if t.ndim == 0:
        t = t.reshape(1)
    if t.ndim != 1:
        raise ValueError(f"theta must be a 1-D array of abilities, got {t.ndim} dimensions")
    if not np.isfinite(t).all():
        raise ValueError("theta must be finite")
    return t


def _logistic(theta: FloatArray, items: ItemParameters) -> FloatArray:
    """:math:`L = 1/(1 + \\exp(-a(\\theta - b)))`, n_theta x n_items."""
    out: FloatArray = expit(items.a[None, :] * (theta[:, None] - items.b[None, :]))
    return out


def probability(theta: FloatArray, items: ItemSet) -> FloatArray:
    """Return the probability of a right answer for each ability and item.

    .. math:: P_j(\\theta) = c_j + (1 - c_j) / (1 + \\exp(-a_j(\\theta - b_j)))

    Parameters
    ----------
    theta
        Abilities, shape (n_theta,).
    items
        Item parameters ``a``, ``b``, ``c``, each shape (n_items,).

    Returns
    -------
    FloatArray
        Shape (n_theta, n_items), values in :math:`[c_j, 1]`.

    References
    ----------
    Birnbaum, A. (1968). Some latent trait models. In Lord & Novick, *Statistical Theories of Mental
    Test Scores*. Addison-Wesley.
    """
    t = _theta(theta)
    it = check_items(items)
    c = it.c[None, :]
    out: FloatArray = c + (1.0 - c) * _logistic(t, it)
    return out


def probability_derivative(theta: FloatArray, items: ItemSet) -> FloatArray:
    """Return :math:`\\partial P_j / \\partial \\theta` for each ability and item.

    .. math:: P'_j(\\theta) = a_j (1 - c_j) L_j (1 - L_j) = a_j\\,\\frac{(P_j - c_j)(1 - P_j)}{1 - c_j}

    with :math:`L_j` the logistic part. Shapes as :func:`probability`.

    References
    ----------
    Baker, F. B. & Kim, S.-H. (2004). *Item Response Theory: Parameter Estimation Techniques*, ch. 2.
    """
    t = _theta(theta)
    it = check_items(items)
    ell = _logistic(t, it)
    out: FloatArray = it.a[None, :] * (1.0 - it.c[None, :]) * ell * (1.0 - ell)
    return out


def item_information(theta: FloatArray, items: ItemSet) -> FloatArray:
    """Return the Fisher information of each item at each ability.

    .. math:: I_j(\\theta) = \\frac{P_j'(\\theta)^2}{P_j Q_j}
       = a_j^2\\,\\frac{Q_j}{P_j}\\left(\\frac{P_j - c_j}{1 - c_j}\\right)^2,

    which is :math:`a_j^2 P_j Q_j` when :math:`c_j = 0`. Computed through the logistic part
    :math:`L_j` as :math:`a_j^2 (1 - c_j) L_j^2 (1 - L_j) / (c_j + (1 - c_j) L_j)`, which stays finite
    far from the item.

    Parameters
    ----------
    theta
        Abilities, shape (n_theta,).
    items
        Item parameters, each shape (n_items,).

    Returns
    -------
    FloatArray
        Shape (n_theta, n_items), non-negative.

    References
    ----------
    Lord, F. M. (1980). *Applications of Item Response Theory to Practical Testing Problems*, eq. 5-6.
    """
    t = _theta(theta)
    it = check_items(items)
    ell = _logistic(t, it)
    c = it.c[None, :]
    p = c + (1.0 - c) * ell
    # Far below an item with c = 0 both ell and p underflow to 0, where the information is 0 too.
    out: FloatArray = it.a[None, :] ** 2 * (1.0 - c) * ell**2 * (1.0 - ell) / np.maximum(p, 1e-300)
    return out


def test_information(theta: FloatArray, items: ItemSet) -> FloatArray:
    """Return the test information, the sum of the item informations, at each ability.

    .. math:: I(\\theta) = \\sum_j I_j(\\theta)

    Returns
    -------
    FloatArray
        Shape (n_theta,). The standard error of a maximum-likelihood ability near :math:`\\theta` is
        about :math:`1/\\sqrt{I(\\theta)}`.

    References
    ----------
    Lord, F. M. (1980). *Applications of Item Response Theory to Practical Testing Problems*, ch. 5.
    """
    out: FloatArray = item_information(theta, items).sum(axis=1)
    return out


def normal_quadrature(
    n_points: int = 61, *, mean: float = 0.0, sd: float = 1.0, bound: float = 6.0
) -> tuple[FloatArray, FloatArray]:
    """Return equally spaced quadrature points and normal weights for integrating over ability.

    The points are ``mean + sd * linspace(-bound, bound, n_points)``; the weights are the normal density
    :math:`\\phi((x - \\mu)/\\sigma)` at the points, scaled to sum to 1 (a rectangular rule, the
    default grid of R mirt for one dimension: 61 points on [-6, 6]).

    Returns
    -------
    tuple of FloatArray
        ``(points, weights)``, each shape (n_points,).

    References
    ----------
    Bock, R. D. & Aitkin, M. (1981). Marginal maximum likelihood estimation of item parameters:
    application of an EM algorithm. *Psychometrika*, 46, 443-459.
    """
    if n_points < 3:
        raise ValueError(f"need at least 3 quadrature points, got {n_points}")
    if not (sd > 0 and bound > 0 and np.isfinite(mean)):
        raise ValueError("need a finite mean, sd > 0 and bound > 0")
    z = np.linspace(-bound, bound, n_points)
    w = np.exp(-0.5 * z**2)
    return mean + sd * z, w / w.sum()
