"""Printable credentials: the certificate, the wallet card and the transcript, as PDFs.

The certificate and the wallet card are drawn from a ``HolderSheet``, a plain snapshot of what a holder
holds on a day, so they render the same facts as the pages and are easy to test. Every word is translated
and every date formatted in the language asked for; all text is real text in the PDF (searchable, read by
screen readers), and the QR codes are vector art that stays sharp when printed.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepInFrame,
    PageTemplate,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from wrenchmark.accounts.models import User
from wrenchmark.core import clock
from wrenchmark.credentials.models import (
    CredentialStatus,
    DesignationHolding,
    DesignationStatus,
)
from wrenchmark.credentials.qr import qr_drawing
from wrenchmark.credentials.selectors import credential_list_for
from wrenchmark.scoring.selectors import result_list_for_candidate

INK = colors.HexColor("#1d2733")
RULE = colors.HexColor("#b8c2cc")
WALLET_CARD = (3.375 * inch, 2.125 * inch)  # ISO/IEC 7810 ID-1, the size of a credit card

#: On the certificate and the wallet card: what a holder holds, or held. Suspended and revoked
#: credentials appear only on the transcript, labelled; a passed test still awaiting experience is not
#: yet a credential.
SHEET_STATUSES = (CredentialStatus.CERTIFIED, CredentialStatus.EXPIRING, CredentialStatus.EXPIRED)
HELD_DESIGNATIONS = (DesignationStatus.HELD, DesignationStatus.AT_RISK)

#: A status label: a lazy translation, so it reads in the language active when it is rendered.
Label = str | Promise


@dataclass(frozen=True)
class CredentialLine:
    """One certification as printed."""

    test_code: str
    test_name: str
    status_label: Label
    certified_on: dt.date | None
    expires_on: dt.date
    renewed_on: dt.date | None

    def is_valid_on(self, day: dt.date) -> bool:
        return self.certified_on is not None and self.certified_on <= day <= self.expires_on


@dataclass(frozen=True)
class HolderSheet:
    """What a holder holds on ``issued_on``: current and expired certifications (never suspended or
    revoked ones) and the designations held, as (name, status label)."""

    name: str
    program_id: str
    credentials: list[CredentialLine]
    designations: list[tuple[str, Label]]
    verify_url: str
    issued_on: dt.date

    @property
    def current(self) -> list[CredentialLine]:
        """The certifications valid on the issue date: the ones a certificate or a card vouches for."""
        return [line for line in self.credentials if line.is_valid_on(self.issued_on)]


def holder_sheet(holder: User, *, verify_url: str, on: dt.date | None = None) -> HolderSheet:
    """Snapshot ``holder``'s certifications and held designations for a certificate or a wallet card."""
    lines = [
        CredentialLine(
            test_code=credential.test_code,
            test_name=credential.test.name,
            status_label=CredentialStatus(credential.status).label,
            certified_on=credential.certified_on,
            expires_on=credential.expires_on,
            renewed_on=credential.renewed_on,
        )
        for credential in credential_list_for(holder).filter(status__in=SHEET_STATUSES)
    ]
    designations: list[tuple[str, Label]] = [
        (holding.name, DesignationStatus(holding.status).label)
        for holding in DesignationHolding.objects.filter(holder=holder, status__in=HELD_DESIGNATIONS)
    ]
    return HolderSheet(
        name=holder.get_full_name(),
        program_id=holder.program_id,
        credentials=lines,
        designations=designations,
        verify_url=verify_url,
        issued_on=on or clock.today(),
    )


# --- Shared helpers ----------------------------------------------------------------------------------


def product_name() -> str:
    return str(getattr(settings, "PRODUCT_NAME", "Wrenchmark"))


def _long_date(day: dt.date | None) -> str:
    return date_format(day, "DATE_FORMAT") if day else "—"


def _short_date(day: dt.date | None) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else "—"


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _style(name: str, **kwargs: Any) -> ParagraphStyle:
    kwargs.setdefault("fontName", "Helvetica")
    kwargs.setdefault("textColor", INK)
    return ParagraphStyle(name, **kwargs)


def _verify_text(url: str) -> str:
    """Paragraph markup of "Scan or visit <url> to verify.", the URL in bold."""
    return escape(_("Scan or visit %(url)s to verify.")) % {"url": f"<b>{escape(url)}</b>"}


# --- Certificate -------------------------------------------------------------------------------------


def certificate_pdf(sheet: HolderSheet, *, language: str) -> bytes:
    """A letter-size landscape certificate of ``sheet``'s current certifications, with a QR code to verify
    them. A long list continues on further pages, each carrying the QR code."""
    width, height = landscape(LETTER)
    margin = 0.85 * inch
    qr_size = 1.25 * inch
    frame_bottom = 0.55 * inch + qr_size + 0.45 * inch
    buffer = io.BytesIO()
    with translation.override(language):
        product = product_name()
        issued = _("Issued on %(date)s") % {"date": _long_date(sheet.issued_on)}
        verify = Paragraph(
            _verify_text(sheet.verify_url), _style("verify", fontSize=8, leading=10, alignment=TA_RIGHT)
        )
        continued = _("%(name)s, continued") % {"name": sheet.name}

        def decorate(canvas: Canvas, doc: BaseDocTemplate) -> None:
            canvas.saveState()
            canvas.setStrokeColor(INK)
            canvas.setLineWidth(2.5)
            canvas.rect(0.35 * inch, 0.35 * inch, width - 0.7 * inch, height - 0.7 * inch)
            canvas.setLineWidth(0.6)
            canvas.rect(0.45 * inch, 0.45 * inch, width - 0.9 * inch, height - 0.9 * inch)
            canvas.setFillColor(INK)
            canvas.setFont("Helvetica-Bold", 13)
            canvas.drawCentredString(width / 2, height - 0.85 * inch, product.upper())
            if doc.page > 1:
                canvas.setFont("Helvetica", 10)
                canvas.drawCentredString(width / 2, height - 1.1 * inch, continued)
            canvas.setFont("Helvetica", 10)
            canvas.drawString(margin, 0.55 * inch + qr_size / 2, issued)
            qr_x = width - margin - qr_size
            renderPDF.draw(
                qr_drawing(sheet.verify_url, size=qr_size), canvas, qr_x, 0.55 * inch + 0.25 * inch
            )
            text_width = 5.2 * inch
            _w, text_height = verify.wrap(text_width, 0.5 * inch)
            verify.drawOn(canvas, width - margin - text_width, 0.55 * inch + 0.2 * inch - text_height)
            canvas.restoreState()

        doc = BaseDocTemplate(
            buffer,
            pagesize=(width, height),
            title=_("Certificate") + f": {sheet.name}",
            author=product,
            subject=product,
            lang=language,
            displayDocTitle=True,
        )
        frame = Frame(
            margin, frame_bottom, width - 2 * margin, height - 1.2 * inch - frame_bottom, showBoundary=0
        )
        doc.addPageTemplates([PageTemplate(id="certificate", frames=[frame], onPage=decorate)])
        doc.build(_certificate_story(sheet))
    return buffer.getvalue()


def _certificate_story(sheet: HolderSheet) -> list[Any]:
    centred = _style("centred", fontSize=12, leading=16, alignment=TA_CENTER)
    story: list[Any] = [
        _p(
            _("Certificate of certification"),
            _style("title", fontName="Times-Bold", fontSize=26, leading=32, alignment=TA_CENTER),
        ),
        Spacer(1, 0.12 * inch),
        _p(_("This certifies that"), centred),
        Spacer(1, 0.06 * inch),
        _p(sheet.name, _style("name", fontName="Times-Bold", fontSize=32, leading=38, alignment=TA_CENTER)),
        _p(_("Program ID: %(id)s") % {"id": sheet.program_id}, centred),
        Spacer(1, 0.08 * inch),
    ]
    current = sheet.current
    if current:
        story.append(
            _p(
                _(
                    "has met the testing and work-experience requirements for the certifications listed below."
                ),
                centred,
            )
        )
    else:
        story.append(_p(_("holds no current certification."), centred))
    if sheet.designations:
        names = ", ".join(name for name, _label in sheet.designations)
        story += [
            Spacer(1, 0.1 * inch),
            Paragraph(
                f"{escape(_('Designations'))}: <b>{escape(names)}</b>",
                _style("designations", fontSize=12, leading=16, alignment=TA_CENTER),
            ),
        ]
    if current:
        cell = _style("cell", fontSize=10, leading=12)
        rows: list[list[Any]] = [[_("Test"), _("Certification"), _("Certified on"), _("Expires on")]]
        rows += [
            [
                line.test_code,
                _p(line.test_name, cell),
                _long_date(line.certified_on),
                _long_date(line.expires_on),
            ]
            for line in current
        ]
        table = Table(rows, colWidths=[0.8 * inch, 4.6 * inch, 1.7 * inch, 1.7 * inch], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONTNAME", (0, 1), (0, -1), "Helvetica-Bold"),
                    ("FONTSIZE", (0, 0), (-1, -1), 10),
                    ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        story += [Spacer(1, 0.2 * inch), table]
    return story


# --- Wallet card -------------------------------------------------------------------------------------


def wallet_card_pdf(sheet: HolderSheet, *, language: str) -> bytes:
    """A credit-card-size card in two pages, to print and cut out: the front has the holder, program ID,
    designations and a QR code to verify; the back lists each current certification with its expiry."""
    width, height = WALLET_CARD
    pad = 0.11 * inch
    band = 0.26 * inch
    qr_size = 1.15 * inch
    buffer = io.BytesIO()
    with translation.override(language):
        product = product_name()
        canvas = Canvas(buffer, pagesize=WALLET_CARD, lang=language)
        canvas.setTitle(_("Wallet card") + f": {sheet.name}")
        canvas.setAuthor(product)
        canvas.setSubject(product)

        def header(title: str) -> None:
            canvas.setStrokeColor(RULE)  # the cutting line, when printed at actual size
            canvas.setLineWidth(0.5)
            canvas.roundRect(0.25, 0.25, width - 0.5, height - 0.5, 0.125 * inch, stroke=1, fill=0)
            canvas.setFillColor(INK)
            canvas.rect(0, height - band, width, band, stroke=0, fill=1)
            canvas.setFillColor(colors.white)
            canvas.setFont("Helvetica-Bold", 8)
            canvas.drawString(pad, height - band + 0.09 * inch, product.upper())
            room = width - 2 * pad - stringWidth(product.upper(), "Helvetica-Bold", 8) - 8
            size = 7.0
            while size > 4.5 and stringWidth(title, "Helvetica", size) > room:
                size -= 0.25
            canvas.setFont("Helvetica", size)
            canvas.drawRightString(width - pad, height - band + 0.09 * inch, title)
            canvas.setFillColor(INK)

        # Front
        header(_("Certification card"))
        qr_y = (height - band - qr_size) / 2 - 0.02 * inch
        renderPDF.draw(qr_drawing(sheet.verify_url, size=qr_size), canvas, width - pad / 2 - qr_size, qr_y)
        canvas.setFont("Helvetica", 5.5)
        canvas.drawCentredString(width - pad / 2 - qr_size / 2, qr_y - 6, _("Scan to verify"))
        label = _style("label", fontSize=6, leading=7, textColor=colors.HexColor("#4a5563"))
        front: list[Any] = [
            _p(sheet.name, _style("name", fontName="Helvetica-Bold", fontSize=12, leading=14)),
            Spacer(1, 2),
            _p(_("Program ID: %(id)s") % {"id": sheet.program_id}, _style("id", fontSize=8, leading=10)),
        ]
        if sheet.designations:
            front += [Spacer(1, 4), _p(_("Designations"), label)]
            front += [
                _p(name, _style("designation", fontName="Helvetica-Bold", fontSize=7, leading=8.5))
                for name, _label in sheet.designations
            ]
        front += [
            Spacer(1, 4),
            _p(_("Issued on %(date)s") % {"date": _short_date(sheet.issued_on)}, label),
        ]
        left_width = width - pad - qr_size - 0.04 * inch
        _draw_fitted(canvas, front, pad, pad, left_width - pad, height - band - 2 * pad)
        canvas.showPage()

        # Back
        header(sheet.name)
        back = _wallet_back(sheet)
        verify_style = _style("verify", fontSize=5, leading=6)
        verify = Paragraph(_verify_text(sheet.verify_url), verify_style)
        _w, verify_height = verify.wrap(width - 2 * pad, 0.3 * inch)
        verify.drawOn(canvas, pad, pad * 0.7)
        bottom = pad * 0.7 + verify_height + 3
        _draw_fitted(canvas, back, pad, bottom, width - 2 * pad, height - band - pad / 2 - bottom)
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()


def _wallet_back(sheet: HolderSheet) -> list[Any]:
    current = sheet.current
    heading = _style("heading", fontName="Helvetica-Bold", fontSize=7, leading=9)
    if not current:
        return [_p(_("No current certifications."), heading)]
    cell = _style("cell", fontSize=6, leading=7)
    if len(current) <= 8:
        rows: list[list[Any]] = [[_("Test"), _("Certification"), _("Expires")]]
        rows += [[line.test_code, _p(line.test_name, cell), _short_date(line.expires_on)] for line in current]
        widths = [0.32 * inch, 1.88 * inch, 0.9 * inch]
    else:
        # Many certifications: code and expiry only, in three pairs of columns.
        per_row = 3
        rows = [[_("Test"), _("Expires")] * per_row]
        for start in range(0, len(current), per_row):
            chunk = current[start : start + per_row]
            row: list[Any] = []
            for line in chunk:
                row += [line.test_code, _short_date(line.expires_on)]
            rows.append(row + ["", ""] * (per_row - len(chunk)))
        widths = [0.3 * inch, 0.7 * inch] * per_row
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 6),
                ("LEADING", (0, 0), (-1, -1), 7),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, INK),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
            ]
        )
    )
    return [_p(_("Current certifications"), heading), table]


def _draw_fitted(canvas: Canvas, story: list[Any], x: float, y: float, w: float, h: float) -> None:
    """Draw ``story`` in the box, shrunk (never clipped) when it would not fit."""
    Frame(x, y, w, h, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0).addFromList(
        [KeepInFrame(w, h, story, mode="shrink")], canvas
    )


# --- Transcript --------------------------------------------------------------------------------------


def transcript_pdf(holder: User, *, language: str, on: dt.date | None = None) -> bytes:
    """Every result ``holder`` has on record and the history of every credential (suspended and revoked
    ones included, with the date), with the designations; dated ``on``."""
    day = on or clock.today()
    results = list(
        result_list_for_candidate(holder).select_related("score_report").order_by("taken_on", "id")
    )
    credentials = list(credential_list_for(holder))
    designations = list(DesignationHolding.objects.filter(holder=holder))
    styles = getSampleStyleSheet()
    cell = _style("cell", fontSize=9, leading=11)
    heading = ParagraphStyle("section", parent=styles["Heading2"], keepWithNext=1)
    buffer = io.BytesIO()
    with translation.override(language):
        product = product_name()
        footer = _("%(product)s transcript for %(name)s, program ID %(id)s, generated on %(date)s") % {
            "product": product,
            "name": holder.get_full_name(),
            "id": holder.program_id,
            "date": _long_date(day),
        }

        def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
            canvas.saveState()
            canvas.setFont("Helvetica", 8)
            canvas.setFillColor(INK)
            canvas.drawString(doc.leftMargin, 0.5 * inch, footer)
            canvas.drawRightString(
                LETTER[0] - doc.rightMargin, 0.5 * inch, _("Page %(number)s") % {"number": doc.page}
            )
            canvas.restoreState()

        doc = SimpleDocTemplate(
            buffer,
            pagesize=LETTER,
            title=_("Transcript") + f": {holder.get_full_name()}",
            author=product,
            subject=product,
            lang=language,
            displayDocTitle=True,
            leftMargin=0.8 * inch,
            rightMargin=0.8 * inch,
        )
        facts = Table(
            [
                [_("Name"), holder.get_full_name()],
                [_("Program ID"), holder.program_id],
                [_("Generated on"), _long_date(day)],
            ],
            colWidths=[1.6 * inch, 5.2 * inch],
            hAlign="LEFT",
        )
        facts.setStyle(
            TableStyle(
                [("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"), ("TEXTCOLOR", (0, 0), (-1, -1), INK)]
            )
        )
        story: list[Any] = [
            _p(_("%(product)s transcript") % {"product": product}, styles["Title"]),
            facts,
            Spacer(1, 0.25 * inch),
            _p(_("Test results"), heading),
        ]
        if results:
            rows: list[list[Any]] = [[_("Date"), _("Test"), _("Result"), _("Scaled score")]]
            for result in results:
                report = getattr(result, "score_report", None)
                rows.append(
                    [
                        _long_date(result.taken_on),
                        _p(f"{result.test.code} {result.test.name}", cell),
                        result.get_outcome_display(),
                        str(report.scaled) if report is not None else "—",
                    ]
                )
            story.append(_table(rows, [1.9 * inch, 2.7 * inch, 1.0 * inch, 1.3 * inch]))
            story.append(
                _p(
                    _(
                        "Scaled scores run from 100 to 500; 300 passes. A dash means no scaled score is on "
                        "record, as for imported results."
                    ),
                    styles["Italic"],
                )
            )
        else:
            story.append(_p(_("No test results on record."), styles["Normal"]))

        story += [Spacer(1, 0.2 * inch), _p(_("Credential history"), heading)]
        if credentials:
            rows = [[_("Certification"), _("Status"), _("Certified on"), _("Renewed on"), _("Expires on")]]
            for credential in credentials:
                rows.append(
                    [
                        _p(f"{credential.test_code} {credential.test.name}", cell),
                        _p(_credential_status(credential.status, credential.withdrawn_at), cell),
                        _short_date(credential.certified_on),
                        _short_date(credential.renewed_on),
                        _short_date(credential.expires_on),
                    ]
                )
            story.append(_table(rows, [2.3 * inch, 1.75 * inch, 0.95 * inch, 0.95 * inch, 0.95 * inch]))
        else:
            story.append(_p(_("No credentials on record."), styles["Normal"]))

        if designations:
            story += [Spacer(1, 0.2 * inch), _p(_("Designations"), heading)]
            rows = [[_("Designation"), _("Status"), _("Held since")]]
            rows += [
                [_p(holding.name, cell), holding.get_status_display(), _short_date(holding.held_since)]
                for holding in designations
            ]
            story.append(_table(rows, [3.6 * inch, 1.6 * inch, 1.6 * inch]))
        doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def _credential_status(status: str, withdrawn_at: dt.datetime | None) -> str:
    if withdrawn_at is not None and status == CredentialStatus.SUSPENDED:
        return _("Suspended on %(date)s") % {"date": _short_date(timezone.localdate(withdrawn_at))}
    if withdrawn_at is not None and status == CredentialStatus.REVOKED:
        return _("Revoked on %(date)s") % {"date": _short_date(timezone.localdate(withdrawn_at))}
    return str(CredentialStatus(status).label)


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
