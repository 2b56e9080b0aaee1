"""Public catalog pages: no account needed."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from wrenchmark.catalog import selectors
from wrenchmark.core.exceptions import NotFound


def series_list(request: HttpRequest) -> HttpResponse:
    try:
        edition = selectors.edition_in_force()
    except NotFound as exc:
        return render(request, "catalog/not_loaded.html", {"message": exc.message}, status=503)
    return render(
        request,
        "catalog/series_list.html",
        {
            "edition": edition,
            "series_list": selectors.series_list(edition=edition),
            "designations": selectors.designation_list(edition=edition),
        },
    )


def test_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        edition = selectors.edition_in_force()
        test = selectors.catalog_test_get(edition=edition, code=code)
    except NotFound as exc:
        raise Http404(exc.message) from None
    designations = sorted(
        {*test.designations_all_of.all(), *test.designations_any_of.all()}, key=lambda d: d.position
    )
    prerequisite_groups = test.prerequisites
    return render(
        request,
        "catalog/test_detail.html",
        {
            "edition": edition,
            "test": test,
            "designations": designations,
            "prerequisite_groups": prerequisite_groups,
            "sources": edition.sources,
            "blueprint_total": sum(a.question_count or 0 for a in test.content_areas.all()),
        },
    )


def designation_list(request: HttpRequest) -> HttpResponse:
    try:
        edition = selectors.edition_in_force()
    except NotFound as exc:
        return render(request, "catalog/not_loaded.html", {"message": exc.message}, status=503)
    return render(
        request,
        "catalog/designation_list.html",
        {"edition": edition, "designations": selectors.designation_list(edition=edition)},
    )
