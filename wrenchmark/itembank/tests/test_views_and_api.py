from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import client_for
from wrenchmark.itembank.models import Item, ItemState

pytestmark = pytest.mark.django_db

WIRING = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100"><line x1="10" y1="50" x2="290" y2="50" stroke="#000"/>'
    b'<text x="20" y="40">B+ 12.6 V</text><script>alert(1)</script></svg>'
)


def editor_data(a5: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "test": a5.pk,
        "pool": "operational",
        "area": a5.content_areas.get(letter="D").pk,
        "task": "",
        "style": "most_likely",
        "stem": "A wheel speed sensor reads 0 km/h at 30 km/h. Refer to the diagram. Which of these is the MOST likely cause?",
        "option_0": "An open sensor signal circuit",
        "rationale_0": "No signal reaches the module.",
        "option_1": "A low brake fluid level",
        "rationale_1": "Fluid level does not affect speed signals.",
        "option_2": "A worn front brake pad",
        "rationale_2": "Pad wear has no effect on the sensor.",
        "option_3": "A weak battery",
        "rationale_3": "12.6 V is normal; other sensors work.",
        "key": "0",
        "exhibit_choice": "svg",
        "exhibit_title": "Sensor circuit",
        "exhibit_alt": "Wiring diagram: B+ 12.6 volts on the feed; the signal wire to the module is open.",
        "references": "ABS wheel speed sensor diagnosis",
        "keywords": "abs, sensor",
    }
    data.update(overrides)
    return data


def test_candidates_and_strangers_never_reach_the_bank(candidate_alice: Any, make_item: Any) -> None:
    item = make_item()
    client = client_for(candidate_alice)
    for url in ("/items/", "/items/new/", f"/items/{item.pk}/", f"/items/{item.pk}/diff/", "/items/review/"):
        assert client.get(url).status_code == 404, url
    assert client.post("/items/preview/", {"stem": "x"}).status_code == 404
    assert client.get("/api/v1/items").status_code == 404
    assert client.get(f"/api/v1/items/{item.external_id}").status_code == 404
    anonymous = Client().get("/api/v1/items")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "unauthenticated"
    assert Client().get("/items/").status_code == 302


def test_a_writer_saves_an_item_with_an_uploaded_diagram_that_is_sanitised(writer_walt: Any, a5: Any) -> None:
    client = client_for(writer_walt)
    data = editor_data(a5, exhibit_file=SimpleUploadedFile("circuit.svg", WIRING, "image/svg+xml"))
    response = client.post("/items/new/", data)
    assert response.status_code == 302
    item = Item.objects.get()
    svg = item.current_version.exhibit.svg
    assert "B+ 12.6 V" in svg
    assert "script" not in svg
    page = client.get(response["Location"]).content.decode()
    assert "B+ 12.6 V" in page
    assert "An open sensor signal circuit" in page


def test_a_bad_draft_re_renders_with_messages_and_keeps_the_text(writer_walt: Any, a5: Any) -> None:
    client = client_for(writer_walt)
    response = client.post("/items/new/", editor_data(a5, key="", exhibit_choice="svg", rationale_2=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Mark the key." in page
    assert "Every option needs a rationale." in page
    assert "Choose the file to upload." in page
    assert "An open sensor signal circuit" in page
    assert not Item.objects.exists()


def test_the_preview_uses_the_exam_template_and_shows_the_linter(writer_walt: Any, a5: Any) -> None:
    client = client_for(writer_walt)
    data = editor_data(a5, exhibit_choice="table", table_columns="Wheel | km/h", table_rows="LF | 0\nRF | 30")
    html = client.post("/items/preview/", data).content.decode()
    assert 'class="item-display"' in html
    assert "<td>30</td>" in html
    assert "The linter finds nothing to fix." in html
    html = client.post(
        "/items/preview/", {**data, "stem": "Which of these is least likely?"}
    ).content.decode()
    assert "in capitals" in html


def test_two_reviewers_approve_through_the_pages_and_history_shows_the_diff(
    writer_walt: Any, reviewer_rita: Any, reviewer_rob: Any, make_item: Any, a5: Any
) -> None:
    item = make_item()
    writer = client_for(writer_walt)
    assert writer.post(f"/items/{item.pk}/submit/").status_code == 302
    for reviewer in (reviewer_rita, reviewer_rob):
        client = client_for(reviewer)
        assert item.external_id in client.get("/items/review/").content.decode()
        client.post(
            f"/items/{item.pk}/review/", {"decision": "approve", "comment": "Checked the runout figures."}
        )
    item.refresh_from_db()
    assert item.state == ItemState.APPROVED
    edit = writer.post(
        f"/items/{item.pk}/edit/",
        editor_data(
            a5,
            exhibit_choice="none",
            stem="A new stem about wheel speed. Which of these is the MOST likely cause?",
            change_note="Reworded",
        ),
    )
    assert edit.status_code == 302
    item.refresh_from_db()
    assert item.state == ItemState.DRAFT
    diff = writer.get(f"/items/{item.pk}/diff/?a=1&b=2").content.decode()
    assert "<del" in diff
    assert "<ins" in diff
    assert "A new stem about wheel speed" in diff


def test_the_api_lists_creates_and_reviews_for_bank_roles(
    writer_walt: Any, reviewer_rita: Any, make_item: Any
) -> None:
    make_item()
    writer = client_for(writer_walt)
    listed = writer.get("/api/v1/items?test=A5").json()
    assert [i["id"] for i in listed] == ["A5-0001"]
    detail = writer.get("/api/v1/items/A5-0001").json()
    assert [o["is_key"] for o in detail["options"]] == [True, False, False, False]
    created = writer.post(
        "/api/v1/items",
        data=json.dumps(
            {
                "test": "A5",
                "area": "A",
                "style": "tech_ab",
                "tech_ab_key": "neither",
                "tech_ab_rationales": {"a_only": "a", "b_only": "b", "both": "c", "neither": "d"},
                "stem": "Technician A says X.\\n\\nTechnician B says Y.\\n\\nWho is correct?",
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["options"][3]["text"] == "Neither A nor B"
    refused = client_for(reviewer_rita).post(
        "/api/v1/items/A5-0001/reviews",
        data=json.dumps({"decision": "approve", "comment": "ok"}),
        content_type="application/json",
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_in_review"


def test_a_spanish_translation_keeps_the_key_and_shows_to_spanish_readers(
    writer_walt: Any, make_item: Any
) -> None:
    item = make_item()
    client = client_for(writer_walt)
    form = {
        "status": "in_review",
        "stem": "Un sedán tiene el pedal pulsante. ¿Cuál es la causa MÁS probable?",
        **{f"option_{i}": f"Opción {i}" for i in range(4)},
        **{f"rationale_{i}": f"Porque {i}" for i in range(4)},
    }
    missing = client.post(f"/items/{item.pk}/translate/es/", {**form, "rationale_2": ""})
    assert missing.status_code == 400
    saved = client.post(f"/items/{item.pk}/translate/es/", form)
    assert saved.status_code == 302
    item.refresh_from_db()
    translation = item.current_version.translations.get(language="es")
    assert translation.status == "in_review"
    assert [o["text"] for o in translation.options] == [f"Opción {i}" for i in range(4)]
    assert item.current_version.number == 2
    page = client.get(f"/items/{item.pk}/?language=es").content.decode()
    assert "Un sedán tiene el pedal pulsante." in page
    assert 'lang="es"' in page
