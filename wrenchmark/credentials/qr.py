"""QR codes that point to a holder's verification page: inline SVG for web pages, vector art for PDFs.

Both come from the same ``segno`` symbol, so a page and a printed certificate carry the same code. The
symbol is always a full QR code (never a Micro QR, which phone cameras rarely read), at error correction
M or better (segno raises the level when it costs no extra size), with the standard four-module quiet
zone kept white around it so it scans on any background.
"""

from __future__ import annotations

import segno
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Path, Rect
from reportlab.lib import colors

#: The blank margin the QR specification asks for, in modules.
QUIET_ZONE = 4


def _symbol(url: str) -> segno.QRCode:
    return segno.make_qr(url, error="m", boost_error=True)


def qr_svg(url: str, *, title: str | None = None, scale: int = 4) -> str:
    """Inline ``<svg>`` markup of a QR code to ``url``, named for screen readers by a ``<title>``.

    The markup is built by segno, which escapes the title, and carries no other text, so it is safe to
    ``mark_safe``. It has a ``viewBox`` and an intrinsic size, so CSS may scale it (``max-width: 100%``).
    """
    symbol = _symbol(url)
    label = title if title is not None else _("QR code that opens %(url)s") % {"url": url}
    size = (symbol.symbol_size(scale=1, border=QUIET_ZONE)[0]) * scale
    svg: str = symbol.svg_inline(
        scale=scale,
        border=QUIET_ZONE,
        title=label,
        svgclass="qr-code",
        lineclass=None,
        omitsize=True,
        dark="#000",
        light="#fff",
    )
    return svg.replace("<svg ", f'<svg role="img" width="{size}" height="{size}" ', 1)


def qr_drawing(url: str, *, size: float) -> Drawing:
    """A QR code to ``url`` as vector art ``size`` points square (quiet zone included), for reportlab.

    The dark modules are one filled path (each row's runs merged), so the code stays sharp at any zoom or
    print resolution and shows no seams between modules when rasterised. A ``Drawing`` is a platypus
    flowable, and ``reportlab.graphics.renderPDF.draw`` places it on a canvas.
    """
    rows = [list(row) for row in _symbol(url).matrix_iter(scale=1, border=QUIET_ZONE)]
    module = size / len(rows)
    drawing = Drawing(size, size)
    drawing.add(Rect(0, 0, size, size, fillColor=colors.white, strokeColor=None))
    dark = Path(fillColor=colors.black, strokeColor=None, strokeWidth=0)
    for r, row in enumerate(rows):
        y = size - (r + 1) * module
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            x0, x1 = start * module, c * module
            dark.moveTo(x0, y)
            dark.lineTo(x1, y)
            dark.lineTo(x1, y + module)
            dark.lineTo(x0, y + module)
            dark.closePath()
    drawing.add(dark)
    return drawing
