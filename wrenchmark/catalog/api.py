"""Catalog endpoints: open to everyone, read-only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router

from wrenchmark.api.errors import ErrorOut
from wrenchmark.catalog import selectors
from wrenchmark.catalog.models import Designation, Edition, Test
from wrenchmark.catalog.schemas import DesignationOut, EditionOut, SeriesOut, TestOut, TestSummaryOut

router = Router(tags=["catalog"])


def _edition(on: dt.date | None) -> Edition:
    return selectors.edition_in_force(on=on)


def _summary(test: Test) -> dict[str, Any]:
    recert = getattr(test, "recertification", None) if not test.recertifies_id else None
    return {
        "code": test.code,
        "name": test.name,
        "series": test.series.code,
        "scored": test.scored_count,
        "unscored": test.unscored_count,
        "minutes": test.minutes,
        "languages": test.languages,
        "advanced": test.advanced,
        "remote_allowed": test.remote_allowed,
        "recertification_of": test.recertifies.code if test.recertifies else None,
        "recertification": recert.code if recert else None,
        "blueprint_status": test.blueprint_status,
        "url": reverse("api-v1:catalog_test", kwargs={"code": test.code}),
    }


@router.get("/edition", response={200: EditionOut, 404: ErrorOut}, summary="The catalog edition in force")
def edition(request: HttpRequest, on: dt.date | None = None) -> dict[str, Any]:
    current = _edition(on)
    return {
        "program": current.program.code,
        "code": current.code,
        "title": current.title,
        "effective_from": current.effective_from,
        "effective_to": current.effective_to,
    }


@router.get("/series", response={200: list[SeriesOut], 404: ErrorOut}, summary="Series and their tests")
def series(request: HttpRequest, on: dt.date | None = None) -> list[dict[str, Any]]:
    return [
        {"code": s.code, "name": s.name, "tests": [t.code for t in s.tests.all()]}
        for s in selectors.series_list(edition=_edition(on))
    ]


@router.get("/tests", response={200: list[TestSummaryOut], 404: ErrorOut}, summary="Every test")
def catalog_tests(
    request: HttpRequest, series: str | None = None, on: dt.date | None = None
) -> list[dict[str, Any]]:
    return [_summary(t) for t in selectors.catalog_test_list(edition=_edition(on), series_code=series)]


@router.get(
    "/tests/{code}",
    response={200: TestOut, 404: ErrorOut},
    url_name="catalog_test",
    summary="One test with its blueprint, prerequisites, experience requirement and designations",
)
def catalog_test_detail(request: HttpRequest, code: str, on: dt.date | None = None) -> dict[str, Any]:
    test = selectors.catalog_test_get(edition=_edition(on), code=code)
    requirement = test.experience_requirement
    designations: list[Designation] = sorted(
        {*test.designations_all_of.all(), *test.designations_any_of.all()}, key=lambda d: d.position
    )
    return {
        **_summary(test),
        "content_areas": [
            {"letter": a.letter, "name": a.name, "questions": a.question_count, "percentage": a.percentage}
            for a in test.content_areas.all()
        ],
        "prerequisites": [
            {
                "kind": g["kind"],
                "any_of": g["any_of"],
                "confidence": g.get("confidence", ""),
                "note": g.get("note", ""),
            }
            for g in test.prerequisites
        ],
        "experience_requirement": {
            "code": requirement.code,
            "name": requirement.name,
            "months": requirement.months,
            "training_max_months": requirement.training_max_months,
            "areas": [a.code for a in requirement.areas.all()],
        }
        if requirement
        else None,
        "designations": [d.code for d in designations],
        "note": test.note,
        "sources": {
            key: {"source": fig["source"], "confidence": fig["confidence"], "note": fig.get("note", "")}
            for key, fig in test.figures.items()
        },
    }


@router.get(
    "/designations",
    response={200: list[DesignationOut], 404: ErrorOut},
    summary="Designations and their rules",
)
def designations(request: HttpRequest, on: dt.date | None = None) -> list[dict[str, Any]]:
    return [
        {
            "code": d.code,
            "name": d.name,
            "kind": d.kind,
            "all_of": [t.code for t in d.all_of.all()],
            "any_of": [t.code for t in d.any_of.all()],
            "min_any": d.min_any,
            "confidence": d.figures.get("rule", {}).get("confidence", ""),
            "note": d.figures.get("rule", {}).get("note", ""),
        }
        for d in selectors.designation_list(edition=_edition(on))
    ]
