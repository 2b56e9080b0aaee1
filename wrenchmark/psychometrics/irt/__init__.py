"""Item response theory for dichotomous items: Rasch, 2PL and 3PL (logistic, no 1.7 constant).

Persons in rows, items in columns; NaN marks a response not given.

* :mod:`models`: :func:`probability`, :func:`probability_derivative`, :func:`item_information`,
  :func:`test_information` and the quadrature grid :func:`normal_quadrature`.
* :mod:`estimation`: :func:`calibrate`, marginal maximum likelihood by EM (Bock & Aitkin, 1981), with an
  optional prior on the 3PL lower asymptote and fixed-parameter calibration of pretest items.
* :mod:`ability`: :func:`eap`, :func:`map_` and :func:`ml` ability estimates with standard errors.
* :mod:`fit`: :func:`s_x2`, Orlando and Thissen's (2000) summed-score item-fit statistic.
"""

from __future__ import annotations

from wrenchmark.psychometrics.irt.ability import Abilities, eap, map_, ml
from wrenchmark.psychometrics.irt.estimation import Calibration, calibrate
from wrenchmark.psychometrics.irt.fit import ItemFit, s_x2, summed_score_likelihoods
from wrenchmark.psychometrics.irt.models import (
    MODELS,
    ItemSet,
    Model,
    item_information,
    normal_quadrature,
    probability,
    probability_derivative,
    test_information,
)

__all__ = [
    "MODELS",
    "Abilities",
    "Calibration",
    "ItemFit",
    "ItemSet",
    "Model",
    "calibrate",
    "eap",
    "item_information",
    "map_",
    "ml",
    "normal_quadrature",
    "probability",
    "probability_derivative",
    "s_x2",
    "summed_score_likelihoods",
    "test_information",
]
