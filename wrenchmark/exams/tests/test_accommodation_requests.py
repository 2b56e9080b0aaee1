from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import client_for, start_admitted
from wrenchmark.core.audit import audit_events_for
from wrenchmark.exams.models import Accommodation, AccommodationStatus

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.4\n% a letter from the clinic\n"


def pdf(name: str = "letter.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_candidate_asks_an_administrator_approves_and_the_extra_time_applies(
    published_form: Any, candidate_alice: Any, program_admin_paula: Any
) -> None:
    alice = client_for(candidate_alice)
    with time_machine.travel(START, tick=False):
        response = alice.post(
            "/exams/accommodations/",
            {
                "kind": "extra_time",
                "time_multiplier": "1.5",
                "note": "Dyslexia; report attached.",
                "document": pdf(),
            },
        )
        assert response.status_code == 302
        request = Accommodation.objects.get(candidate=candidate_alice)
        assert request.status == AccommodationStatus.REQUESTED
        assert request.document_name == "letter.pdf"

        paula = client_for(program_admin_paula)
        assert "Alice Archer" in paula.get("/exams/accommodations/review/").content.decode()
        document = paula.get(f"/exams/accommodations/{request.pk}/document/")
        assert b"".join(document.streaming_content) == PDF
        response = paula.post(
            f"/exams/accommodations/{request.pk}/",
            {
                "decision": "approve",
                "time_multiplier": "1.5",
                "valid_until": "2027-11-27",
                "reason": "Documented",
            },
        )
        assert response.status_code == 302
        attempt = start_admitted(candidate=candidate_alice, form=published_form, session_key="s1")
    assert attempt.deadline - attempt.started_at == dt.timedelta(minutes=published_form.test.minutes * 1.5)
    request.refresh_from_db()
    assert [e.action for e in audit_events_for(request).order_by("id")] == [
        "accommodation.requested",
        "accommodation.approved",
    ]
    assert "Approved" in alice.get("/exams/accommodations/").content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "extra_time", "time_multiplier": "1.5", "note": ""}, "This field is required"),
        (
            {"kind": "extra_time", "time_multiplier": "1.5", "note": "x", "document": "exe"},
            "PDF, PNG or JPEG",
        ),
        ({"kind": "extra_time", "time_multiplier": "1", "note": "x"}, "above 1 and at most 3"),
    ],
)
def test_a_bad_request_re_renders_with_the_reason_and_stores_nothing(
    candidate_alice: Any, fields: dict[str, Any], message: str
) -> None:
    data = dict(fields)
    data["document"] = pdf("tool.exe", b"MZ\x90\x00binary") if data.get("document") == "exe" else pdf()
    response = client_for(candidate_alice).post("/exams/accommodations/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Accommodation.objects.exists()


def test_a_denial_needs_a_reason_and_others_cannot_see_requests_or_documents(
    candidate_alice: Any, outsider_dave: Any, program_admin_paula: Any
) -> None:
    client_for(candidate_alice).post(
        "/exams/accommodations/", {"kind": "reader", "note": "Low vision.", "document": pdf()}
    )
    request = Accommodation.objects.get()
    paula = client_for(program_admin_paula)
    response = paula.post(f"/exams/accommodations/{request.pk}/", {"decision": "deny", "reason": ""})
    assert response.status_code == 400
    assert "Say why the request is denied." in response.content.decode()
    request.refresh_from_db()
    assert request.status == AccommodationStatus.REQUESTED
    dave = client_for(outsider_dave)
    assert dave.get("/exams/accommodations/review/").status_code == 404
    assert dave.get(f"/exams/accommodations/{request.pk}/").status_code == 404
    assert dave.get(f"/exams/accommodations/{request.pk}/document/").status_code == 404
    assert request.time_multiplier == Decimal("1.00")
