from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from wrenchmark.accounts.models import Role
from wrenchmark.catalog.models import Test
from wrenchmark.exams.services import form_assemble, form_publish, form_set_cut
from wrenchmark.itembank.models import Item, ItemState
from wrenchmark.itembank.services import ItemContent, OptionInput, item_create, tech_ab_content_options


@pytest.fixture
def psychometrician(make_user: Callable[..., Any]) -> Any:
    return make_user("Pia", "Metrics", roles=(Role.PSYCHOMETRICIAN,))


@pytest.fixture
def stocked_a5(catalog: Any, make_user: Callable[..., Any]) -> Test:
    """A5 with one spare operational item per area (the first of each is tech A/B) and 12 pretest items."""
    writer = make_user("Wes", "Writer", roles=(Role.ITEM_WRITER,))
    test = Test.objects.get(edition=catalog, code="A5")
    for area in test.content_areas.all():
        for n in range((area.question_count or 0) + 4):
            if n == 0:
                options = tech_ab_content_options(
                    "both", {"a_only": "a", "b_only": "b", "both": "c", "neither": "d"}
                )
                stem, style = (
                    f"Technician A says {area.letter}{n}. Technician B says so too. Who is correct?",
                    "tech_ab",
                )
            else:
                options = [
                    OptionInput(f"Option {i} for {area.letter}{n}", "why", i == n % 4) for i in range(4)
                ]
                stem, style = (
                    f"Scenario {area.letter} number {n}: which is the MOST likely cause?",
                    "most_likely",
                )
            item = item_create(
                test=test,
                pool="operational",
                content=ItemContent(area=area, style=style, stem=stem, options=options),
                acting_user=writer,
            )
            state = ItemState.OPERATIONAL if n <= (area.question_count or 0) else ItemState.APPROVED
            Item.objects.filter(pk=item.pk).update(state=state)
    return test


@pytest.fixture
def published_form(stocked_a5: Test, psychometrician: Any) -> Any:
    form = form_assemble(test=stocked_a5, acting_user=psychometrician, seed=7)
    form_set_cut(form=form, acting_user=psychometrician, raw=32)
    return form_publish(form=form, acting_user=psychometrician)
