"""``/api/v1/items``: the item bank for its authorised roles (session sign-in). Others get 401 or 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.security import django_auth

from wrenchmark.accounts.models import User
from wrenchmark.api.errors import ErrorOut
from wrenchmark.catalog.selectors import edition_in_force
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.itembank import services
from wrenchmark.itembank.access import access_bank
from wrenchmark.itembank.models import Item
from wrenchmark.itembank.schemas import ItemIn, ItemOut, ItemSummaryOut, ReviewIn
from wrenchmark.itembank.selectors import bank_stats, item_queryset, item_search
from wrenchmark.itembank.services import ItemContent, OptionInput, tech_ab_content_options

router = Router(tags=["items"], auth=django_auth)
MAX_PAGE = 200


class ItemFilters(Schema):
    test: str = ""
    area: str = ""
    state: str = ""
    style: str = ""
    pool: str = ""
    language: str = ""
    author: str = ""
    text: str = ""
    limit: int = 50
    offset: int = 0


def _summary(item: Item) -> dict[str, Any]:
    version = item.current_version
    assert version is not None
    return {
        "id": item.external_id,
        "test": item.test_code,
        "area": version.area.letter,
        "pool": item.pool,
        "style": version.style,
        "state": item.state,
        "version": version.number,
        "author": item.author.get_full_name(),
        "stem": version.stem,
        "has_exhibit": version.exhibit_id is not None,
        "languages": ["en", *(t.language for t in version.translations.all())],
    }


def _detail(item: Item) -> dict[str, Any]:
    version = item.current_version
    assert version is not None
    exhibit = version.exhibit
    return {
        **_summary(item),
        "task": version.task,
        "options": [
            {
                "letter": "ABCD"[o.position],
                "text": o.text,
                "rationale": o.rationale,
                "is_key": o.is_key,
                "locked": o.locked,
            }
            for o in version.options.all()
        ],
        "exhibit": None
        if exhibit is None
        else {
            "kind": exhibit.kind,
            "title": exhibit.title,
            "alt": exhibit.alt,
            "columns": exhibit.table.get("columns", []),
            "rows": exhibit.table.get("rows", []),
        },
        "references": version.references,
        "keywords": version.keywords,
        "enemies": [e.external_id for e in item.enemies.all()],
        "translations": [
            {
                "language": t.language,
                "status": t.status,
                "stem": t.stem,
                "options": [o.get("text", "") for o in t.options],
            }
            for t in version.translations.all()
        ],
        "reviews": [
            {
                "reviewer": r.reviewer.get_full_name(),
                "version": r.version.number,
                "decision": r.decision,
                "comment": r.comment,
                "changed": r.changed,
            }
            for r in item.reviews.select_related("reviewer", "version")
        ],
        "statistics": {
            "p_value": item.p_value,
            "point_biserial": item.point_biserial,
            "irt_a": item.irt_a,
            "irt_b": item.irt_b,
            "irt_c": item.irt_c,
            "exposure_count": item.exposure_count,
        },
    }


def _user(request: HttpRequest) -> User:
    access_bank(request.user)
    return request.user  # type: ignore[return-value]


def _get(request: HttpRequest, external_id: str) -> Item:
    access_bank(request.user)
    item = item_queryset().filter(external_id=external_id.upper()).first()
    if item is None:
        raise NotFound(f"There is no item {external_id}.", code="item_not_found")
    return item


@router.get("", response={200: list[ItemSummaryOut], 401: ErrorOut, 404: ErrorOut}, summary="Search the bank")
def item_list(request: HttpRequest, filters: Query[ItemFilters]) -> list[dict[str, Any]]:
    access_bank(request.user)
    if not 1 <= filters.limit <= MAX_PAGE or filters.offset < 0:
        raise ApplicationError(f"limit must be 1-{MAX_PAGE} and offset at least 0.", code="invalid_page")
    criteria = filters.dict(exclude={"limit", "offset"})
    items = item_search(**criteria)[filters.offset : filters.offset + filters.limit]
    return [_summary(item) for item in items]


@router.get(
    "/stats", response={200: dict[str, Any], 401: ErrorOut, 404: ErrorOut}, summary="Counts per test and area"
)
def item_stats(request: HttpRequest) -> dict[str, Any]:
    access_bank(request.user)
    return bank_stats(edition=edition_in_force())


@router.get(
    "/{external_id}",
    response={200: ItemOut, 401: ErrorOut, 404: ErrorOut},
    summary="One item, with key and rationales",
)
def item_detail(request: HttpRequest, external_id: str) -> dict[str, Any]:
    return _detail(_get(request, external_id))


@router.post(
    "",
    response={201: ItemOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Write a draft",
)
def item_create(request: HttpRequest, payload: ItemIn) -> tuple[int, dict[str, Any]]:
    access_bank(request.user)
    edition = edition_in_force()
    test = edition.tests.filter(code=payload.test.upper(), recertifies__isnull=True).first()
    if test is None:
        raise ApplicationError(f"There is no test {payload.test}.", code="unknown_test", field="test")
    area = test.content_areas.filter(letter=payload.area.upper()).first()
    if area is None:
        raise ApplicationError(
            f"{test.code} has no content area {payload.area}.", code="unknown_area", field="area"
        )
    if payload.style == "tech_ab":
        options = tech_ab_content_options(payload.tech_ab_key or "", payload.tech_ab_rationales)
    else:
        options = [OptionInput(o.text, o.rationale, o.is_key) for o in payload.options]
    content = ItemContent(
        area=area,
        style=payload.style,
        stem=payload.stem,
        task=payload.task,
        options=options,
        references=payload.references,
        keywords=payload.keywords,
    )
    item = services.item_create(test=test, pool=payload.pool, content=content, acting_user=_user(request))
    return 201, _detail(item_queryset().get(pk=item.pk))


@router.post(
    "/{external_id}/submit",
    response={200: ItemOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def item_submit(request: HttpRequest, external_id: str) -> dict[str, Any]:
    item = services.item_submit(item=_get(request, external_id), acting_user=_user(request))
    return _detail(item_queryset().get(pk=item.pk))


@router.post(
    "/{external_id}/reviews",
    response={201: ItemOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def item_review(request: HttpRequest, external_id: str, payload: ReviewIn) -> tuple[int, dict[str, Any]]:
    item = _get(request, external_id)
    services.item_review(
        item=item, decision=payload.decision, comment=payload.comment, acting_user=_user(request)
    )
    return 201, _detail(item_queryset().get(pk=item.pk))
