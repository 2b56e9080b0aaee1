"""Line charts drawn on the server as inline SVG: no script, a <title> and a <desc> for screen readers,
colours told apart with colour-blindness (Okabe-Ito) and dash patterns so lines differ without colour.
Pages put the same figures in a table next to each chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3")
WIDTH, HEIGHT = 400, 250
LEFT, RIGHT, TOP, BOTTOM = 46, 14, 12, 190


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    points: Sequence[tuple[float, float]]
    emphasis: bool = False


def line_chart(
    series: Sequence[Series],
    *,
    identifier: str,
    title: str,
    desc: str,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    x_ticks: Sequence[tuple[float, str]],
    y_ticks: Sequence[tuple[float, str]],
    x_label: str,
    marker_x: float | None = None,
    marker_label: str = "",
) -> SafeString:
    """An SVG line chart of ``series`` in data coordinates, with an optional vertical marker."""
    (x0, x1), (y0, y1) = x_range, y_range

    def sx(x: float) -> float:
        return LEFT + (x - x0) / ((x1 - x0) or 1) * (WIDTH - RIGHT - LEFT)

    def sy(y: float) -> float:
        return BOTTOM - (min(max(y, y0), y1) - y0) / ((y1 - y0) or 1) * (BOTTOM - TOP)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 14 * ((len(series) - 1) // 4)}" width="100%" '
        f'role="img" aria-labelledby="{identifier}-title {identifier}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'style="max-width:40rem;height:auto;background:#fff">',
        f'<title id="{identifier}-title">{escape(title)}</title>',
        f'<desc id="{identifier}-desc">{escape(desc)}</desc>',
    ]
    for value, text in y_ticks:
        y = sy(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#d0d5db" stroke-width="1"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#333">{escape(text)}</text>'
        )
    for value, text in x_ticks:
        parts.append(
            f'<text x="{sx(value):.1f}" y="{BOTTOM + 15}" font-size="11" text-anchor="middle" fill="#333">'
            f"{escape(text)}</text>"
        )
    parts.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{BOTTOM + 30}" font-size="11" text-anchor="middle" '
        f'fill="#333">{escape(x_label)}</text>'
    )
    if marker_x is not None and x0 <= marker_x <= x1:
        x = sx(marker_x)
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{BOTTOM}" stroke="#333" stroke-width="1" '
            f'stroke-dasharray="4 3"/><text x="{x + 3:.1f}" y="{TOP + 10}" font-size="11" fill="#333">'
            f"{escape(marker_label)}</text>"
        )
    for n, line in enumerate(series):
        colour, dash = COLOURS[n % len(COLOURS)], DASHES[n % len(DASHES)]
        coords = [(sx(x), sy(y)) for x, y in line.points]
        width = 3 if line.emphasis else 2
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        if len(coords) > 1:
            joined = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(
                f'<polyline points="{joined}" fill="none" stroke="{colour}" stroke-width="{width}"{dash_attr}/>'
            )
        if len(coords) <= 12:
            parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in coords)
        lx, ly = LEFT + (n % 4) * 88, BOTTOM + 48 + (n // 4) * 14
        parts.append(
            f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 18}" y2="{ly - 4}" stroke="{colour}" stroke-width="{width}"'
            f'{dash_attr}/><text x="{lx + 21}" y="{ly}" font-size="11" fill="#333">{escape(line.label)}</text>'
        )
    parts.append("</svg>")
    # Every text above is escaped; the rest is numbers and fixed markup.
    return mark_safe("".join(parts))  # noqa: S308
