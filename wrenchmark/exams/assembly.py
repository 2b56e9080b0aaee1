"""Choosing a form's items. Replaceable: anything that returns a ``FormPlan`` will do.

The default assembly draws, per content area, exactly the blueprint's scored count from operational
items, then the test's unscored count from approved or pretest items (the pretest pool), never two
enemies together, and spreads the pretest items evenly among the scored ones so they cannot be told
apart by position.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Protocol

from wrenchmark.catalog.models import Test
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.itembank.models import Item, ItemPool, ItemState


@dataclass(frozen=True)
class PlannedItem:
    item: Item
    scored: bool


@dataclass(frozen=True)
class FormPlan:
    items: list[PlannedItem]
    method: str


class Assembler(Protocol):
    def __call__(self, *, test: Test, rng: random.Random) -> FormPlan: ...


def _enemy_ids(item: Item) -> set[int]:
    return {enemy.pk for enemy in item.enemies.all()}


ATTEMPTS = 200  # shuffles tried before concluding the bank cannot fill the form without enemy pairs


def stratified_random(*, test: Test, rng: random.Random) -> FormPlan:
    """Blueprint counts from operational items per area, plus pretest items, with no enemy pairs.

    Greedy on a random order; when enemies leave an area short it reshuffles, up to ``ATTEMPTS`` times.
    """
    last: ApplicationError | None = None
    for _ in range(ATTEMPTS):
        try:
            return _draw(test=test, rng=rng)
        except ApplicationError as exc:
            last = exc
    assert last is not None
    raise last


def _draw(*, test: Test, rng: random.Random) -> FormPlan:
    blocked: set[int] = set()
    candidates = (
        Item.objects.filter(test_code=test.code, pool=ItemPool.OPERATIONAL)
        .select_related("current_version__area")
        .prefetch_related("enemies")
    )
    operational = [i for i in candidates if i.state == ItemState.OPERATIONAL]
    scored: list[Item] = []
    areas = list(test.content_areas.all())
    available = {
        area.pk: [i for i in operational if i.current_version and i.current_version.area_id == area.pk]
        for area in areas
    }
    # Tightest areas first; within an area, items without enemies first (in random order).
    areas.sort(key=lambda area: len(available[area.pk]) - (area.question_count or 0))
    for area in areas:
        need = area.question_count or 0
        pool = available[area.pk]
        rng.shuffle(pool)
        pool.sort(key=lambda item: len(_enemy_ids(item)))
        picked: list[Item] = []
        for item in pool:
            if len(picked) == need:
                break
            if item.pk in blocked:
                continue
            picked.append(item)
            blocked |= _enemy_ids(item) | {item.pk}
        if len(picked) < need:
            raise ApplicationError(
                f"{test.code} area {area.letter} needs {need} operational items without enemies together; "
                f"only {len(picked)} can be used.",
                code="not_enough_items",
            )
        scored += picked
    return with_pretest(test=test, scored=scored, rng=rng, method="stratified-random")


def with_pretest(*, test: Test, scored: list[Item], rng: random.Random, method: str) -> FormPlan:
    """A form plan of the ``scored`` items (in random order) with the test's unscored slots filled by
    approved or pretest items that have no enemy on the form, spread evenly through it."""
    blocked: set[int] = set()
    for item in scored:
        blocked |= _enemy_ids(item) | {item.pk}
    pretest_pool = list(
        Item.objects.filter(
            test_code=test.code, pool=ItemPool.OPERATIONAL, state__in=(ItemState.APPROVED, ItemState.PRETEST)
        )
        .select_related("current_version__area")
        .prefetch_related("enemies")
        .order_by("pk")
    )
    scored = list(scored)
    rng.shuffle(scored)
    rng.shuffle(pretest_pool)
    pretest: list[Item] = []
    for item in pretest_pool:
        if len(pretest) == test.unscored_count:
            break
        if item.pk not in blocked:
            pretest.append(item)
            blocked |= _enemy_ids(item) | {item.pk}
    chosen = [*scored]
    # Spread pretest items evenly through the form.
    step = (len(scored) + len(pretest)) / max(1, len(pretest))
    for index, item in enumerate(pretest):
        chosen.insert(min(len(chosen), int(index * step + step / 2)), item)
    scored_ids = {item.pk for item in scored}
    return FormPlan([PlannedItem(item, item.pk in scored_ids) for item in chosen], method)
