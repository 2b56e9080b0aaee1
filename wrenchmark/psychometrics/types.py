"""Shared types and input checks of the psychometrics package.

Orientation, everywhere in this package: **persons in rows, items in columns** (as in R mirt and in the
reference data). A response matrix holds 1.0 (right), 0.0 (wrong) or NaN (not presented / missing).
Choice matrices (for distractor analysis) hold the option index chosen (0, 1, 2, ...) or -1 for none.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

__all__ = ["FloatArray", "IntArray", "ResponseMatrix", "check_responses"]

FloatArray: TypeAlias = NDArray[np.float64]
IntArray: TypeAlias = NDArray[np.int64]
#: persons x items; 1.0 right, 0.0 wrong, NaN missing.
ResponseMatrix: TypeAlias = NDArray[np.float64]


def check_responses(responses: object, *, allow_missing: bool = True, min_persons: int = 2) -> ResponseMatrix:
    """Validate and convert a persons x items matrix of 0/1 (and NaN) to float64.

    Raises
    ------
    ValueError
        If it is not two-dimensional, has fewer than ``min_persons`` rows or no column, or holds a value
        other than 0, 1 (or NaN when ``allow_missing``).
    """
    x = np.asarray(responses, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"responses must be a 2-D persons x items matrix, got {x.ndim} dimension(s)")
    if x.shape[0] < min_persons or x.shape[1] < 1:
        raise ValueError(f"responses need at least {min_persons} persons and 1 item, got shape {x.shape}")
    finite = ~np.isnan(x)
    if not allow_missing and not finite.all():
        raise ValueError("responses must not have missing values (NaN) here")
    if not np.isin(x[finite], (0.0, 1.0)).all():
        raise ValueError("responses must be 0 (wrong) or 1 (right), or NaN for missing")
    return x
