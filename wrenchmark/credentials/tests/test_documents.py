from __future__ import annotations

import dataclasses
import datetime as dt
import io
from typing import Any

import cv2
import pypdfium2 as pdfium
import pytest
import time_machine
from django.utils import translation
from django.utils.formats import date_format
from pypdf import PdfReader

from wrenchmark.credentials.documents import (
    WALLET_CARD,
    certificate_pdf,
    holder_sheet,
    transcript_pdf,
    wallet_card_pdf,
)
from wrenchmark.credentials.models import Credential, CredentialStatus, DesignationHolding
from wrenchmark.credentials.qr import qr_svg
from wrenchmark.credentials.services import credential_withdraw
from wrenchmark.credentials.tests.test_credentials_sync import TODAY, approve_experience, record
from wrenchmark.exams.tests.test_report_and_accommodation import sit

pytestmark = pytest.mark.django_db

VERIFY_URL = "https://verify.wrenchmark.example/c/k7Qp2xVd9LmZ4rT8sW1yB6nH3jF5gA0e"
MASTER_TESTS = ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"]


@pytest.fixture(autouse=True)
def frozen_today() -> Any:
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(15), tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def holder(candidate_alice: Any, program_admin_paula: Any, auto_area: Any, catalog: Any) -> Any:
    """Alice: A1-A8 current (so Master Automobile Technician), A4 failed once before, A9 long expired."""
    approve_experience(candidate_alice, program_admin_paula, auto_area, years=12)
    record(candidate_alice, catalog, "A9", TODAY - dt.timedelta(days=365 * 6), source="import")
    record(candidate_alice, catalog, "A4", TODAY - dt.timedelta(days=90), outcome="fail", source="import")
    for code in MASTER_TESTS:
        record(candidate_alice, catalog, code, TODAY - dt.timedelta(days=20), source="import")
    statuses = dict(Credential.objects.filter(holder=candidate_alice).values_list("test_code", "status"))
    assert statuses == {
        **dict.fromkeys(MASTER_TESTS, CredentialStatus.CERTIFIED),
        "A9": CredentialStatus.EXPIRED,
    }
    assert DesignationHolding.objects.get(holder=candidate_alice, code="master-auto").status == "held"
    return candidate_alice


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def scan_qr(content: bytes, page: int = 0) -> str:
    """Render ``page`` as a camera would see a print of it, and read the QR code on it.

    OpenCV's classic detector misses the finder patterns of some valid symbols, so its ArUco-based
    detector has a second look; a code that neither reads decodes to "".
    """
    document = pdfium.PdfDocument(content)
    try:
        image = document[page].render(scale=3).to_numpy()
    finally:
        document.close()
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        text, _points, _straight = detector.detectAndDecode(gray)
        if text:
            return str(text)
    return ""


def in_language(language: str, day: dt.date, fmt: str = "DATE_FORMAT") -> str:
    with translation.override(language):
        return date_format(day, fmt)


def a5(holder: Any) -> Credential:
    return Credential.objects.get(holder=holder, test_code="A5")


def master_name(holder: Any) -> str:
    return DesignationHolding.objects.get(holder=holder, code="master-auto").name


def test_the_sheet_holds_current_and_expired_certifications_never_withdrawn_ones(
    holder: Any, program_admin_paula: Any
) -> None:
    sheet = holder_sheet(holder, verify_url=VERIFY_URL, on=TODAY)
    assert (sheet.name, sheet.program_id, sheet.issued_on) == ("Alice Archer", holder.program_id, TODAY)
    assert [line.test_code for line in sheet.credentials] == [*MASTER_TESTS, "A9"]
    assert [line.test_code for line in sheet.current] == MASTER_TESTS
    held = DesignationHolding.objects.filter(holder=holder, status__in=["held", "at_risk"])
    assert [name for name, _label in sheet.designations] == [d.name for d in held]
    assert master_name(holder) in [name for name, _label in sheet.designations]

    credential_withdraw(
        credential=Credential.objects.get(holder=holder, test_code="A9"),
        status=CredentialStatus.REVOKED,
        reason="Record found to be falsified.",
        acting_user=program_admin_paula,
        notify=False,
    )
    assert "A9" not in [line.test_code for line in holder_sheet(holder, verify_url=VERIFY_URL).credentials]


def test_the_certificate_names_the_holder_and_current_certifications_and_its_qr_code_scans(
    holder: Any,
) -> None:
    content = certificate_pdf(holder_sheet(holder, verify_url=VERIFY_URL, on=TODAY), language="en")
    page = PdfReader(io.BytesIO(content)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    text = pdf_text(content)
    for fact in ["Alice Archer", holder.program_id, "A5", "Brakes", master_name(holder), VERIFY_URL]:
        assert fact in text
    assert in_language("en", a5(holder).expires_on) in text
    assert in_language("en", TODAY) in text  # issued on
    assert "Light Vehicle Diesel Engines" not in text  # A9 expired: not on the certificate
    assert scan_qr(content) == VERIFY_URL


def test_the_wallet_card_is_card_sized_front_and_back_with_a_qr_code_that_scans(holder: Any) -> None:
    content = wallet_card_pdf(holder_sheet(holder, verify_url=VERIFY_URL, on=TODAY), language="en")
    pages = PdfReader(io.BytesIO(content)).pages
    assert len(pages) == 2
    for page in pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(WALLET_CARD)
    front, back = page_texts(content)
    for fact in ["Alice Archer", holder.program_id, master_name(holder)]:
        assert fact in front
    assert scan_qr(content, page=0) == VERIFY_URL
    assert "A5" in back
    assert in_language("en", a5(holder).expires_on, "SHORT_DATE_FORMAT") in back
    assert "A9" not in back
    assert VERIFY_URL in back


def test_the_wallet_card_of_a_long_list_still_fits_every_current_certification(holder: Any) -> None:
    sheet = holder_sheet(holder, verify_url=VERIFY_URL, on=TODAY)
    many = [*sheet.credentials] * 3  # more lines than the back holds at full size
    crowded = dataclasses.replace(sheet, credentials=many)
    back = page_texts(wallet_card_pdf(crowded, language="en"))[1]
    assert back.count("A5") == 3


def test_the_transcript_lists_every_result_and_the_credential_history_with_withdrawals(
    holder: Any, program_admin_paula: Any
) -> None:
    credential_withdraw(
        credential=Credential.objects.get(holder=holder, test_code="A9"),
        status=CredentialStatus.REVOKED,
        reason="Record found to be falsified.",
        acting_user=program_admin_paula,
        notify=False,
    )
    credential_withdraw(
        credential=Credential.objects.get(holder=holder, test_code="A8"),
        status=CredentialStatus.SUSPENDED,
        reason="Under review.",
        acting_user=program_admin_paula,
        notify=False,
    )
    text = pdf_text(transcript_pdf(holder, language="en", on=TODAY))
    assert "Alice Archer" in text
    assert holder.program_id in text
    assert in_language("en", TODAY) in text  # generated on
    lines = text.splitlines()
    failed_on = in_language("en", TODAY - dt.timedelta(days=90))
    assert "\n".join([failed_on, "A4 Suspension and Steering", "Fail"]) in text
    assert "\n".join([in_language("en", TODAY - dt.timedelta(days=20)), "A5 Brakes", "Pass"]) in text
    assert (lines.count("Pass"), lines.count("Fail")) == (9, 1)
    withdrawn_on = in_language("en", TODAY, "SHORT_DATE_FORMAT")
    assert "\n".join(["A9 Light Vehicle Diesel Engines", f"Revoked on {withdrawn_on}"]) in text
    assert "\n".join(["A8 Engine Performance", f"Suspended on {withdrawn_on}"]) in text
    assert "\n".join(["A5 Brakes", "Certified"]) in text
    assert "\n".join([master_name(holder), "Lapsed"]) in text  # A8 suspended


def test_the_transcript_shows_the_scaled_score_of_a_sitting(
    published_form: Any, candidate_alice: Any
) -> None:
    attempt = sit(candidate_alice, published_form, correct=5)
    report = attempt.score_report
    text = pdf_text(transcript_pdf(candidate_alice, language="en", on=TODAY))
    taken_on = in_language("en", report.result.taken_on)
    assert "\n".join([taken_on, "A5 Brakes", "Fail", str(report.scaled)]) in text


def test_the_certificate_in_spanish_translates_labels_and_dates(holder: Any) -> None:
    sheet = holder_sheet(holder, verify_url=VERIFY_URL, on=TODAY)
    text = pdf_text(certificate_pdf(sheet, language="es"))
    assert f"ID del programa: {holder.program_id}" in text
    assert "Designaciones" in text
    expires = a5(holder).expires_on
    assert in_language("es", expires) in text
    assert in_language("en", expires) not in text
    assert "Alice Archer" in text


def test_the_inline_qr_code_is_named_for_screen_readers_and_escapes_what_it_is_given() -> None:
    svg = qr_svg("https://verify.example/c/x?a=<script>&b=1")
    assert svg.startswith('<svg role="img"')
    assert "<title>" in svg
    assert "viewBox" in svg
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
