from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from wrenchmark.accounts.models import Role
from wrenchmark.catalog.models import Test
from wrenchmark.itembank.check import CONTENT
from wrenchmark.itembank.loading import bank_load
from wrenchmark.itembank.models import Item, ItemState
from wrenchmark.itembank.tests.factories import pool_items
from wrenchmark.practice.models import PracticeQuestion

NOW = dt.datetime(2026, 11, 28, 17, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def writer(make_user: Callable[..., Any]) -> Any:
    return make_user("Wynn", "Writer", roles=(Role.ITEM_WRITER,))


@pytest.fixture
def a5(catalog: Any) -> Test:
    return Test.objects.get(edition=catalog, code="A5")


@pytest.fixture
def a6(catalog: Any) -> Test:
    return Test.objects.get(edition=catalog, code="A6")


@pytest.fixture
def shipped_a6(a6: Test) -> Test:
    """The shipped A6 bank (operational and practice items) and its renewal items, loaded as shipped."""
    bank_load(edition=a6.edition, folder=CONTENT, paths=[CONTENT / "A6.yaml", CONTENT / "renewal-A6.yaml"])
    return a6


@pytest.fixture
def make_items(writer: Any) -> Callable[..., list[Item]]:
    """``make_items(test, "C", 4, pool="practice")``: items in area C, key ``n % 4``, approved."""
    counter = iter(range(1, 1000))

    def make(
        test: Test, area: str, count: int, *, pool: str = "practice", state: str = ItemState.APPROVED
    ) -> list[Item]:
        start = next(counter)
        for _ in range(count - 1):
            next(counter)
        return pool_items(
            test=test, count=count, writer=writer, pool=pool, state=state, area=area, start=start
        )

    return make


def key_letter(question: PracticeQuestion) -> str:
    options = list(question.item_version.options.order_by("position"))
    return "ABCD"[next(i for i, o in enumerate(options) if o.is_key)]


def wrong_letter(question: PracticeQuestion) -> str:
    return next(letter for letter in "ABCD" if letter != key_letter(question))


def publish_form(test: Test, author: Any, cut_share: float = 0.7) -> Any:
    """A published form of ``test`` made of its operational-pool items, the blueprint's count per area,
    with the cut at ``cut_share`` of its scored questions."""
    import math

    from wrenchmark.exams.models import ExamForm, FormItem, FormStatus
    from wrenchmark.itembank.models import ItemPool

    form = ExamForm.objects.create(
        test=test,
        code=f"{test.code}-T001",
        status=FormStatus.PUBLISHED,
        assembly_seed=1,
        created_by=author,
        published_at=NOW,
    )
    position = 0
    for area in test.content_areas.order_by("position"):
        items = Item.objects.filter(
            test_code=test.code, pool=ItemPool.OPERATIONAL, current_version__area__letter=area.letter
        ).order_by("external_id")[: area.question_count or 0]
        for item in items:
            position += 1
            FormItem.objects.create(
                form=form, item=item, version=item.current_version, position=position, area_letter=area.letter
            )
    form.cut_raw = math.ceil(cut_share * position)
    form.save(update_fields=["cut_raw"])
    return form


@pytest.fixture
def a6_form(shipped_a6: Test, writer: Any) -> Any:
    """A published A6 form of the shipped operational items, cut at 70%."""
    return publish_form(shipped_a6, writer)


def answer_all(session: Any, right: Callable[[PracticeQuestion], bool]) -> None:
    """Answer every question of ``session`` (right where ``right(question)``) and finish it."""
    from wrenchmark.practice.services import practice_answer, practice_finish

    for q in session.questions.select_related("item_version").order_by("position"):
        practice_answer(
            question=q, choice=key_letter(q) if right(q) else wrong_letter(q), candidate=session.candidate
        )
    practice_finish(session=session)
