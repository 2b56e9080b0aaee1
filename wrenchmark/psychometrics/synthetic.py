"""Simulated populations, item parameters and responses, for the tests, the benchmarks and
``psychometrics_simulate``.

Model (logistic, no 1.7 scaling, as in the reference data):

.. math:: P(x_{ij} = 1 \\mid \\theta_i) = c_j + (1 - c_j) / (1 + \\exp(-a_j(\\theta_i - b_j)))

Persons in rows, items in columns. Every function takes the random generator it draws from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wrenchmark.psychometrics.types import FloatArray, ResponseMatrix

__all__ = ["ItemParameters", "abilities", "item_parameters", "probabilities", "responses"]


@dataclass(frozen=True, slots=True)
class ItemParameters:
    """Per item (length n_items): discrimination ``a``, difficulty ``b``, lower asymptote ``c``."""

    a: FloatArray
    b: FloatArray
    c: FloatArray

    def __post_init__(self) -> None:
        if not (self.a.shape == self.b.shape == self.c.shape) or self.a.ndim != 1:
            raise ValueError("a, b and c must be 1-D arrays of the same length")

    @property
    def n_items(self) -> int:
        return int(self.a.shape[0])


def abilities(rng: np.random.Generator, n: int, *, mean: float = 0.0, sd: float = 1.0) -> FloatArray:
    """``n`` abilities drawn from N(mean, sd^2)."""
    if n < 1 or sd <= 0:
        raise ValueError("need n >= 1 and sd > 0")
    return rng.normal(mean, sd, size=n)


def item_parameters(rng: np.random.Generator, n: int, *, model: str = "2pl") -> ItemParameters:
    """Item parameters drawn as the reference data were: a ~ lognormal(0, 0.3) clipped to [0.4, 2.5]
    (1 for ``rasch``), b ~ N(0, 1) clipped to [-2.5, 2.5], c ~ U(0.10, 0.25) for ``3pl`` (else 0)."""
    if model not in ("rasch", "2pl", "3pl"):
        raise ValueError("model must be 'rasch', '2pl' or '3pl'")
    if n < 1:
        raise ValueError("need n >= 1")
    a = np.ones(n) if model == "rasch" else np.clip(rng.lognormal(0.0, 0.3, size=n), 0.4, 2.5)
    b = np.clip(rng.normal(0.0, 1.0, size=n), -2.5, 2.5)
    c = rng.uniform(0.10, 0.25, size=n) if model == "3pl" else np.zeros(n)
    return ItemParameters(a=a, b=b, c=c)


def probabilities(theta: FloatArray, items: ItemParameters) -> FloatArray:
    """P(right) for each person (rows) and item (columns)."""
    z = items.a[None, :] * (np.asarray(theta, dtype=np.float64)[:, None] - items.b[None, :])
    return items.c[None, :] + (1.0 - items.c[None, :]) / (1.0 + np.exp(-z))


def responses(rng: np.random.Generator, theta: FloatArray, items: ItemParameters) -> ResponseMatrix:
    """Simulated 0/1 responses, persons x items."""
    p = probabilities(theta, items)
    return (rng.random(p.shape) < p).astype(np.float64)
