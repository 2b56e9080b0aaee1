"""Read a modified-Angoff rating sheet: one row per rater, one column per scored item.

The sheet is CSV with a header row: ``rater`` and then the external ids of the form's scored items, in
any order. Each cell is the rater's estimate of the probability that a minimally qualified candidate
answers the item correctly, written as 0.65 or as 65 (percent) — one convention per sheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from wrenchmark.core.exceptions import ApplicationError


def angoff_parse(text: str, *, item_ids: Sequence[str]) -> list[list[float]]:
    """Return ratings as raters x items, items in the order of ``item_ids``; a clear error otherwise."""
    rows = [row for row in csv.reader(io.StringIO(text.strip())) if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise ApplicationError("The sheet needs a header row and at least one rater.", code="angoff_empty")
    header = [cell.strip() for cell in rows[0]]
    if not header or header[0].lower() != "rater":
        raise ApplicationError('The first column must be headed "rater".', code="angoff_header")
    columns = header[1:]
    missing = [item for item in item_ids if item not in columns]
    if missing:
        raise ApplicationError(
            f"No ratings for {len(missing)} scored item(s), e.g. {', '.join(missing[:3])}.",
            code="angoff_missing",
        )
    unknown = [c for c in columns if c not in item_ids]
    if unknown:
        raise ApplicationError(
            f"Column(s) not among the form's scored items: {', '.join(unknown[:3])}.", code="angoff_unknown"
        )
    index = {item: columns.index(item) + 1 for item in item_ids}
    values: list[list[float]] = []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ApplicationError(
                f"Line {line}: {len(row)} cells, expected {len(header)}.", code="angoff_shape"
            )
        try:
            values.append([float(row[index[item]]) for item in item_ids])
        except ValueError:
            raise ApplicationError(
                f"Line {line}: every rating must be a number.", code="angoff_number"
            ) from None
    flat = [v for row in values for v in row]
    if all(0 <= v <= 1 for v in flat):
        return values
    if all(0 <= v <= 100 for v in flat):
        return [[v / 100 for v in row] for row in values]
    raise ApplicationError("Ratings are probabilities (0-1) or percentages (0-100).", code="angoff_range")
