from __future__ import annotations

import math
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import client_for
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.exams.angoff import angoff_parse
from wrenchmark.exams.models import CutMethod, ExamForm, FormStatus

pytestmark = pytest.mark.django_db


def test_angoff_sheets_in_percent_are_read_as_probabilities_in_item_order() -> None:
    sheet = "rater,I2,I1\nAna,80,60\nBen,70,50\n"
    assert angoff_parse(sheet, item_ids=["I1", "I2"]) == [[0.6, 0.8], [0.5, 0.7]]


@pytest.mark.parametrize(
    ("sheet", "code"),
    [
        ("rater,I1\nAna,0.5\n", "angoff_missing"),
        ("rater,I1,I2,I9\nAna,0.5,0.5,0.5\n", "angoff_unknown"),
        ("name,I1,I2\nAna,0.5,0.5\n", "angoff_header"),
        ("rater,I1,I2\nAna,0.5,high\n", "angoff_number"),
        ("rater,I1,I2\nAna,0.5\n", "angoff_shape"),
        ("rater,I1,I2\nAna,0.5,140\n", "angoff_range"),
        ("rater,I1,I2\n", "angoff_empty"),
    ],
)
def test_a_malformed_angoff_sheet_is_refused_with_its_reason(sheet: str, code: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        angoff_parse(sheet, item_ids=["I1", "I2"])
    assert refused.value.code == code


def test_a_psychometrician_assembles_sets_an_angoff_cut_and_publishes(
    stocked_a5: Any, psychometrician: Any
) -> None:
    client = client_for(psychometrician)
    response = client.post("/exams/forms/assemble/", {"test": "A5"})
    form = ExamForm.objects.get(test=stocked_a5)
    assert response.status_code == 302
    assert response["Location"] == f"/exams/forms/{form.pk}/"
    page = client.get(response["Location"]).content.decode()
    for area in stocked_a5.content_areas.all():
        assert f"{area.letter}. {area.name}" in page

    scored = [fi.item.external_id for fi in form.form_items.filter(scored=True).select_related("item")]
    rows = [
        "rater," + ",".join(scored),
        "R1," + ",".join("0.7" for _ in scored),
        "R2," + ",".join("0.6" for _ in scored),
    ]
    sheet = SimpleUploadedFile("ratings.csv", "\n".join(rows).encode(), content_type="text/csv")
    response = client.post(f"/exams/forms/{form.pk}/cut/", {"method": "angoff", "sheet": sheet})
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.cut_method == CutMethod.ANGOFF
    assert form.cut_raw == math.ceil(0.65 * len(scored) - 1e-9)
    assert "2 raters" in form.cut_note

    assert client.post(f"/exams/forms/{form.pk}/publish/").status_code == 302
    form.refresh_from_db()
    assert form.status == FormStatus.PUBLISHED


def test_a_bad_raw_cut_re_renders_with_the_reason_and_changes_nothing(
    stocked_a5: Any, psychometrician: Any
) -> None:
    client = client_for(psychometrician)
    client.post("/exams/forms/assemble/", {"test": "A5"})
    form = ExamForm.objects.get(test=stocked_a5)
    for raw, message in [("abc", "whole number"), ("999", "The cut must be between 1 and")]:
        response = client.post(f"/exams/forms/{form.pk}/cut/", {"method": "raw", "raw": raw})
        assert response.status_code == 400
        assert message in response.content.decode()
    form.refresh_from_db()
    assert form.cut_raw is None


def test_candidates_do_not_see_the_form_pages(published_form: Any, candidate_alice: Any) -> None:
    client = client_for(candidate_alice)
    assert client.get("/exams/forms/").status_code == 404
    assert client.get(f"/exams/forms/{published_form.pk}/").status_code == 404
    assert client.post(f"/exams/forms/{published_form.pk}/publish/").status_code == 404
