"""The score report as a PDF: the same facts as the page, for the candidate's records."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from wrenchmark.credentials.models import Credential
from wrenchmark.exams.models import ScoreReport

INK = colors.HexColor("#1d2733")
PASS_HEX, FAIL_HEX = "#1b6e3a", "#a12b1f"


def _bar(percent: int) -> Table:
    """A horizontal bar of ``percent`` width, drawn as a two-cell table."""
    width = 1.8 * inch
    filled = max(0.01, width * percent / 100)
    bar = Table([["", ""]], colWidths=[filled, max(0.01, width - filled)], rowHeights=[0.14 * inch])
    bar.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (0, 0), INK),
                ("BACKGROUND", (1, 0), (1, 0), colors.HexColor("#dde3ea")),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return bar


def _credential_line(credential: Credential | None) -> str:
    if credential is None:
        return ""
    expires = date_format(credential.expires_on, "Y-m-d")
    if credential.status == "awaiting_experience":
        return _(
            "Passed, awaiting experience: the certification is issued when your work experience is approved."
        )
    if credential.status in ("certified", "expiring"):
        return _("Certified through %(date)s.") % {"date": expires}
    return _("Expired on %(date)s.") % {"date": expires}


def score_report_pdf(
    *,
    report: ScoreReport,
    subscores: list[dict[str, Any]],
    study_first: list[dict[str, Any]],
    credential: Credential | None,
) -> bytes:
    """Render ``report`` as a one-page PDF in the candidate's language."""
    attempt = report.attempt
    candidate, test = attempt.candidate, attempt.form.test
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    with translation.override(candidate.preferred_language):
        doc = SimpleDocTemplate(
            buffer,
            pagesize=LETTER,
            title=_("Score report") + f" {test.code}",
            author="Wrenchmark",
            leftMargin=0.8 * inch,
            rightMargin=0.8 * inch,
        )
        outcome = _("Pass") if report.passed else _("Fail")
        story: list[Any] = [
            Paragraph(
                escape(_("%(code)s %(name)s: score report") % {"code": test.code, "name": test.name}),
                styles["Title"],
            ),
            Paragraph(
                f'<font size="20" color="{PASS_HEX if report.passed else FAIL_HEX}"><b>{escape(outcome)}</b></font>',
                styles["Normal"],
            ),
            Spacer(1, 0.25 * inch),
        ]
        finished = attempt.finished_at
        facts = [
            [_("Candidate"), f"{candidate.get_full_name()} ({candidate.program_id})"],
            [_("Scaled score"), f"{report.scaled} " + _("(100–500; 300 passes on every form)")],  # noqa: RUF001
            [_("Scored questions answered correctly"), f"{report.raw} / {report.scored_total}"],
            [_("Form"), attempt.form.code],
            [_("Finished"), date_format(timezone.localtime(finished), "Y-m-d H:i") if finished else ""],
        ]
        credential_line = _credential_line(credential)
        if credential_line:
            facts.append([_("Credential"), Paragraph(escape(credential_line), styles["Normal"])])
        table = Table(facts, colWidths=[2.6 * inch, 4.2 * inch], hAlign="LEFT")
        table.setStyle(
            TableStyle([("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"), ("VALIGN", (0, 0), (-1, -1), "TOP")])
        )
        story += [table, Spacer(1, 0.3 * inch), Paragraph(escape(_("By content area")), styles["Heading2"])]
        rows: list[list[Any]] = [[_("Area"), _("Correct"), "%", ""]]
        for s in subscores:
            rows.append(
                [
                    Paragraph(escape(f"{s['letter']}. {s['name']}"), styles["Normal"]),
                    f"{s['correct']} / {s['total']}",
                    str(s["percent"]),
                    _bar(s["percent"]),
                ]
            )
        areas = Table(
            rows, colWidths=[3.0 * inch, 0.9 * inch, 0.5 * inch, 1.9 * inch], hAlign="LEFT", repeatRows=1
        )
        areas.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                    ("ALIGN", (1, 0), (2, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story.append(areas)
        if study_first:
            story += [Spacer(1, 0.2 * inch), Paragraph(escape(_("Study these first")), styles["Heading2"])]
            story += [
                Paragraph(escape(f"• {s['letter']}. {s['name']}"), styles["Normal"]) for s in study_first
            ]
        story += [
            Spacer(1, 0.3 * inch),
            Paragraph(
                escape(_("Unscored pretest questions do not count toward your score.")), styles["Italic"]
            ),
        ]
        doc.build(story)
    return buffer.getvalue()
