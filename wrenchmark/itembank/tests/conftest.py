from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from wrenchmark.accounts.models import Role
from wrenchmark.catalog.models import Test
from wrenchmark.itembank.services import ItemContent, OptionInput, item_create


@pytest.fixture
def writer_walt(make_user: Callable[..., Any]) -> Any:
    return make_user("Walt", "Writer", roles=(Role.ITEM_WRITER,))


@pytest.fixture
def reviewer_rita(make_user: Callable[..., Any]) -> Any:
    return make_user("Rita", "Reviewer", roles=(Role.ITEM_REVIEWER,))


@pytest.fixture
def reviewer_rob(make_user: Callable[..., Any]) -> Any:
    return make_user("Rob", "Reviewer", roles=(Role.ITEM_REVIEWER,))


@pytest.fixture
def psychometrician_sam(make_user: Callable[..., Any]) -> Any:
    return make_user("Sam", "Stats", roles=(Role.PSYCHOMETRICIAN,))


@pytest.fixture
def a5(catalog: Any) -> Test:
    return Test.objects.get(edition=catalog, code="A5")


def brake_content(test: Test, *, stem: str | None = None, key: int = 0, area: str = "C") -> ItemContent:
    texts = [
        "Excessive rotor thickness variation",
        "Glazed brake pads",
        "Air in the front brake lines",
        "A weak vacuum brake booster",
    ]
    return ItemContent(
        area=test.content_areas.get(letter=area),
        style="most_likely",
        stem=stem
        or (
            "A sedan has a pulsating brake pedal during hard stops from highway speed. The front rotors "
            "measure 0.4 mm thicker at one point than opposite it. Which of these is the MOST likely cause?"
        ),
        options=[
            OptionInput(text, f"Why {text.lower()} is {'right' if i == key else 'wrong'}.", i == key)
            for i, text in enumerate(texts)
        ],
        references=["Disc brake rotor inspection and measurement"],
        keywords=["rotor", "pulsation"],
    )


@pytest.fixture
def make_item(a5: Test, writer_walt: Any) -> Callable[..., Any]:
    def make(**overrides: Any) -> Any:
        return item_create(
            test=a5,
            pool=overrides.pop("pool", "operational"),
            content=brake_content(a5, **overrides),
            acting_user=writer_walt,
        )

    return make
