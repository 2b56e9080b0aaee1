"""The accuracy chart of the practice home page: one line per content area over the finished sessions.

Drawn on the server as inline SVG (no script), with a <title> and a <desc>; the page puts the same
figures in a table next to it (``accuracy_table``) for those who cannot see the chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from wrenchmark.practice.selectors import AccuracyPoint, AreaAccuracy

# Okabe-Ito colours (told apart with colour-blindness) and dash patterns, so lines differ without colour.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3")

WIDTH, HEIGHT = 360, 230
LEFT, RIGHT, TOP, PLOT_BOTTOM = 40, 14, 12, 170


@dataclass(frozen=True, slots=True)
class TableRow:
    """One finished session: its date and each area's point (or ``None`` when it had no question)."""

    number: int
    finished_at: dt.datetime
    cells: list[AccuracyPoint | None]


def accuracy_table(areas: list[AreaAccuracy]) -> list[TableRow]:
    """The sessions that count in any area, in date order, with each area's figures in that session."""
    sessions: dict[int, dt.datetime] = {}
    for area in areas:
        for point in area.points:
            sessions.setdefault(point.session, point.finished_at)
    order = sorted(sessions, key=lambda pk: (sessions[pk], pk))
    by_area = [{p.session: p for p in area.points} for area in areas]
    return [
        TableRow(number=n, finished_at=sessions[pk], cells=[points.get(pk) for points in by_area])
        for n, pk in enumerate(order, start=1)
    ]


def _x(index: int, count: int) -> float:
    if count <= 1:
        return (LEFT + WIDTH - RIGHT) / 2
    return LEFT + index * (WIDTH - RIGHT - LEFT) / (count - 1)


def _y(proportion: float) -> float:
    return PLOT_BOTTOM - proportion * (PLOT_BOTTOM - TOP)


def accuracy_svg(areas: list[AreaAccuracy], *, identifier: str, title: str) -> SafeString:
    """An inline SVG line chart of accuracy (0-100 %) per area over the sessions of ``accuracy_table``."""
    rows = accuracy_table(areas)
    count = len(rows)
    desc = _("Accuracy from 0 to 100 percent, one line per content area, over %(n)d practice sessions.") % {
        "n": count
    }
    parts = [
        f'<svg class="practice-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="{identifier}-title {identifier}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'style="max-width:40rem;height:auto;background:#fff">',
        f'<title id="{identifier}-title">{escape(title)}</title>',
        f'<desc id="{identifier}-desc">{escape(desc)}</desc>',
    ]
    for percent in (0, 25, 50, 75, 100):
        y = _y(percent / 100)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#d0d5db" '
            f'stroke-width="1"/><text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#333">{percent}%</text>'
        )
    for index, row in enumerate(rows):
        parts.append(
            f'<text x="{_x(index, count):.1f}" y="{PLOT_BOTTOM + 15}" font-size="11" text-anchor="middle" '
            f'fill="#333">{row.number}</text>'
        )
    parts.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{PLOT_BOTTOM + 30}" font-size="11" '
        f'text-anchor="middle" fill="#333">{escape(_("Session"))}</text>'
    )
    for a in range(len(areas)):
        colour, dash = COLOURS[a % len(COLOURS)], DASHES[a % len(DASHES)]
        coords = [
            (_x(i, count), _y(cell.correct / cell.answered))
            for i, row in enumerate(rows)
            if (cell := row.cells[a]) is not None and cell.answered
        ]
        if len(coords) > 1:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
            )
        parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in coords)
    # Legend: a short sample of each line and the area's letter, wrapping onto a second row.
    per_row = 8
    for a, area in enumerate(areas):
        colour, dash = COLOURS[a % len(COLOURS)], DASHES[a % len(DASHES)]
        x = LEFT + (a % per_row) * 40
        y = PLOT_BOTTOM + 44 + (a // per_row) * 14
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{x}" y1="{y - 4}" x2="{x + 18}" y2="{y - 4}" stroke="{colour}" stroke-width="2"'
            f'{dash_attr}/><text x="{x + 21}" y="{y}" font-size="11" fill="#333">{escape(area.letter)}</text>'
        )
    parts.append("</svg>")
    # Every text above is escaped; the rest is numbers and fixed markup.
    return mark_safe("".join(parts))  # noqa: S308
