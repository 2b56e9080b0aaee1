"""Practice and preparation: practice tests from the practice pool, feedback, study plans, progress."""

from __future__ import annotations
