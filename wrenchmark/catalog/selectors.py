"""Reads of the catalog, already prefetched for the pages and the API that show them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from wrenchmark.catalog.models import ContentArea, Designation, Edition, Program, Series, Test
from wrenchmark.core import clock
from wrenchmark.core.exceptions import NotFound


def program_default() -> Program:
    """Return the program this deployment runs (settings.WRENCHMARK_PROGRAM)."""
    program = Program.objects.filter(code=settings.WRENCHMARK_PROGRAM).first()
    if program is None:
        raise NotFound(
            f"No catalog is loaded for program {settings.WRENCHMARK_PROGRAM!r}; run manage.py catalog_load.",
            code="catalog_not_loaded",
        )
    return program


def edition_in_force(*, program: Program | None = None, on: dt.date | None = None) -> Edition:
    """Return the edition of ``program`` in force on ``on`` (today by default).

    Before the first edition starts, the earliest edition answers; after the last one ends, the latest.
    """
    program = program or program_default()
    on = on or clock.today()
    editions = list(Edition.objects.filter(program=program).order_by("effective_from"))
    if not editions:
        raise NotFound(f"Program {program.code!r} has no catalog edition loaded.", code="catalog_not_loaded")
    for edition in editions:
        if edition.is_in_force_on(on):
            return edition
    return editions[0] if on < editions[0].effective_from else editions[-1]


def _tests_prefetched() -> QuerySet[Test]:
    return Test.objects.select_related("series", "recertifies", "experience_requirement").prefetch_related(
        Prefetch("content_areas", queryset=ContentArea.objects.order_by("position")),
        "designations_all_of",
        "designations_any_of",
        "recertification",
        "experience_requirement__areas",
    )


def series_list(*, edition: Edition) -> QuerySet[Series]:
    """Series of ``edition`` with their tests (initial and recertification) and blueprints."""
    return edition.series.prefetch_related(
        Prefetch("tests", queryset=_tests_prefetched().order_by("position"))
    )


def catalog_test_list(*, edition: Edition, series_code: str | None = None) -> QuerySet[Test]:
    tests = _tests_prefetched().filter(edition=edition).order_by("position")
    if series_code:
        tests = tests.filter(series__code=series_code)
    return tests


def catalog_test_get(*, edition: Edition, code: str) -> Test:
    """Return one test of ``edition`` by code (case-insensitive), or raise NotFound."""
    test = _tests_prefetched().filter(edition=edition, code__iexact=code).first()
    if test is None:
        raise NotFound(f"There is no test {code!r} in catalog edition {edition.code}.", code="test_not_found")
    return test


def designation_list(*, edition: Edition) -> QuerySet[Designation]:
    return edition.designations.prefetch_related(
        Prefetch("all_of", queryset=Test.objects.order_by("position")),
        Prefetch("any_of", queryset=Test.objects.order_by("position")),
    )
