"""Items made for tests that need a pool of them (renewal, practice): approved by default, key ``n % 4``."""

from __future__ import annotations

from typing import Any

from wrenchmark.catalog.models import Test
from wrenchmark.itembank.models import Item, ItemState
from wrenchmark.itembank.services import ItemContent, OptionInput, TranslationInput, item_create

ID_PREFIX = {"renewal": "R", "practice": "P", "operational": "9"}


def pool_items(
    *,
    test: Test,
    count: int,
    writer: Any,
    pool: str,
    state: str = ItemState.APPROVED,
    area: str | None = None,
    start: int = 1,
    spanish: bool = False,
) -> list[Item]:
    """``count`` items of ``test`` in ``pool`` numbered from ``start`` (ids like A5-R001), in content area
    ``area`` (a letter; the first area when None), put straight into ``state``."""
    content_area = (
        test.content_areas.get(letter=area) if area else test.content_areas.order_by("position").first()
    )
    items = []
    for n in range(start, start + count):
        key = n % 4
        content = ItemContent(
            area=content_area,  # type: ignore[arg-type]
            style="most_likely",
            stem=f"{test.code} {pool} case {n}: a vehicle shows symptom {n}. Which of these is the MOST likely cause?",
            options=[
                OptionInput(
                    f"Cause {i} of case {n}",
                    f"Rationale {i} for case {n}: {'this is why' if i == key else 'not this'}.",
                    i == key,
                )
                for i in range(4)
            ],
            references=[f"Service information topic {n}"],
        )
        if spanish:
            content.translations = [
                TranslationInput(
                    language="es",
                    stem=f"{test.code} caso {n}: ¿cuál es la causa MÁS probable?",
                    options=[{"text": f"Causa {i}", "rationale": f"Razón {i}"} for i in range(4)],
                    status="approved",
                )
            ]
        item = item_create(
            test=test,
            pool=pool,
            content=content,
            acting_user=writer,
            external_id=f"{test.code}-{ID_PREFIX[pool]}{n:03d}",
        )
        Item.objects.filter(pk=item.pk).update(state=state)
        item.refresh_from_db()
        items.append(item)
    return items
