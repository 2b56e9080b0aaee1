"""Reads of the item bank, prefetched for lists, the linter and the exporters."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from wrenchmark.catalog.models import Edition, Test
from wrenchmark.itembank.models import Item, ItemPool, ItemState

# Items a form can be assembled from: approved by the panel, or already in use.
USABLE_STATES = (ItemState.APPROVED, ItemState.PRETEST, ItemState.OPERATIONAL)
OPERATIONAL_FACTOR = 1.2


def item_queryset() -> QuerySet[Item]:
    """Items with everything their current version needs to be shown, linted or exported."""
    return Item.objects.select_related(
        "author", "test", "current_version__area", "current_version__exhibit", "current_version__created_by"
    ).prefetch_related(
        "current_version__options", "current_version__translations", "enemies", "reviews__reviewer"
    )


def item_search(
    *,
    test: str = "",
    area: str = "",
    state: str = "",
    style: str = "",
    author: str = "",
    language: str = "",
    pool: str = "",
    text: str = "",
) -> QuerySet[Item]:
    """Filter the bank; every argument is optional and combined with AND."""
    items = item_queryset()
    if test:
        items = items.filter(test_code=test.upper())
    if area:
        items = items.filter(current_version__area__letter=area.upper())
    if state:
        items = items.filter(state=state)
    if style:
        items = items.filter(current_version__style=style)
    if author:
        items = items.filter(Q(author__username__icontains=author) | Q(author__last_name__icontains=author))
    if language and language != "en":
        items = items.filter(current_version__translations__language=language)
    if pool:
        items = items.filter(pool=pool)
    if text:
        items = items.filter(
            Q(external_id__icontains=text)
            | Q(current_version__stem__icontains=text)
            | Q(current_version__keywords__icontains=text)
        )
    return items.distinct().order_by("test_code", "external_id")


@dataclass(frozen=True, slots=True)
class AreaCount:
    letter: str
    name: str
    blueprint: int | None
    target: int | None
    usable: int
    practice: int
    by_state: dict[str, int]

    @property
    def short(self) -> int:
        return max(0, (self.target or 0) - self.usable)


def bank_counts(*, edition: Edition, test_code: str | None = None) -> dict[str, list[AreaCount]]:
    """Per test and content area: items by state, usable operational items against 1.2 x the blueprint."""
    tests = (
        Test.objects.filter(edition=edition, recertifies__isnull=True)
        .prefetch_related("content_areas")
        .order_by("position")
    )
    if test_code:
        tests = tests.filter(code=test_code.upper())
    rows = (
        Item.objects.filter(test__edition=edition)
        .values("test_code", "current_version__area__letter", "state", "pool")
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[str, str], Counter[str]] = {}
    for row in rows:
        key = (row["test_code"], row["current_version__area__letter"])
        bucket = counts.setdefault(key, Counter())
        bucket[f"{row['pool']}:{row['state']}"] += row["n"]
    result: dict[str, list[AreaCount]] = {}
    for test in tests:
        areas = []
        for area in test.content_areas.all():
            bucket = counts.get((test.code, area.letter), Counter())
            by_state: Counter[str] = Counter()
            for pool_state, n in bucket.items():
                by_state[pool_state.split(":")[1]] += n
            usable = sum(bucket[f"{ItemPool.OPERATIONAL}:{s}"] for s in USABLE_STATES)
            practice = sum(
                n
                for key, n in bucket.items()
                if key.startswith(ItemPool.PRACTICE) and key.split(":")[1] in USABLE_STATES
            )
            target = math.ceil(OPERATIONAL_FACTOR * area.question_count) if area.question_count else None
            areas.append(
                AreaCount(
                    area.letter, area.name, area.question_count, target, usable, practice, dict(by_state)
                )
            )
        if any(a.usable or a.practice or a.by_state for a in areas) or test_code:
            result[test.code] = areas
    return result


def _empty_stats() -> dict[str, Any]:
    counters = ("states", "styles", "languages", "pools")
    return {"items": 0, "areas": {}, **{name: Counter() for name in counters}}


def bank_stats(*, edition: Edition) -> dict[str, Any]:
    """Counts per test, content area, state, style and language, for ``itembank_stats --json``."""
    stats: dict[str, Any] = {}
    items = (
        Item.objects.filter(test__edition=edition)
        .select_related("current_version__area")
        .prefetch_related("current_version__translations")
    )
    for item in items:
        version = item.current_version
        if version is None:
            continue
        entry = stats.setdefault(item.test_code, _empty_stats())
        entry["items"] += 1
        entry["states"][item.state] += 1
        entry["styles"][version.style] += 1
        entry["pools"][item.pool] += 1
        entry["languages"]["en"] += 1
        for translation in version.translations.all():
            entry["languages"][translation.language] += 1
    counts = bank_counts(edition=edition)
    for code, areas in counts.items():
        entry = stats.setdefault(code, _empty_stats())
        entry["areas"] = {
            a.letter: {
                "blueprint": a.blueprint,
                "target": a.target,
                "usable_operational": a.usable,
                "practice": a.practice,
                "meets_target": a.target is None or a.usable >= a.target,
                "states": a.by_state,
            }
            for a in areas
        }
    return {
        code: {k: dict(v) if isinstance(v, Counter) else v for k, v in entry.items()}
        for code, entry in sorted(stats.items())
    }
