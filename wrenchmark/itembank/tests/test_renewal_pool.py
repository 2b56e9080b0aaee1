"""The renewal pool: items for the monthly renewal questions, kept apart from the forms and from practice."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from wrenchmark.catalog.models import Test
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.exams.services import form_assemble
from wrenchmark.itembank.check import CONTENT, check_files, summary
from wrenchmark.itembank.content import parse_bank_file
from wrenchmark.itembank.loading import bank_files, bank_load
from wrenchmark.itembank.models import Item, ItemPool, ItemState
from wrenchmark.itembank.services import item_create
from wrenchmark.itembank.tests.conftest import brake_content

RENEWAL_FILE = """format: wrenchmark-items/1
test: A5
items:
  - id: A5-R001
    pool: renewal
    area: D
    style: most_likely
    stem: |
      A 2021 SUV stays stopped after the brake pedal is released at a light and moves only when the
      accelerator is pressed. There are no lamps or DTCs. Which of these is the MOST likely cause?
    options:
      - {text: A dragging caliper, rationale: It would also drag while moving.}
      - {text: A stuck brake pedal switch, rationale: The stop lamps would stay on.}
      - {text: Automatic brake hold switched on, key: true, rationale: Auto hold keeps pressure until the driver accelerates.}
      - {text: A self-applying parking brake, rationale: The parking brake lamp would come on.}
    references: [Electronic brake control — automatic brake hold]
    author: writer-chassis
    reviews:
      - {reviewer: reviewer-1, decision: approve, comment: Key checked against auto hold operation.}
      - {reviewer: reviewer-3, decision: approve, comment: Distractors each give another symptom.}
"""


def write_bank(folder: Path, text: str = RENEWAL_FILE, name: str = "renewal-A5.yaml") -> Path:
    shutil.copy(CONTENT / "panel.yaml", folder / "panel.yaml")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_renewal_file_is_picked_up_and_its_item_loads_into_the_renewal_pool(
    tmp_path: Path, catalog: Any
) -> None:
    path = write_bank(tmp_path)
    bank = parse_bank_file(path)
    assert bank.problems == []
    assert [(i.external_id, i.pool) for i in bank.items] == [("A5-R001", "renewal")]
    assert bank_files(tmp_path) == [path]

    result = bank_load(edition=catalog, folder=tmp_path)

    assert result.created == 1
    item = Item.objects.get(external_id="A5-R001")
    assert (item.pool, item.state) == (ItemPool.RENEWAL, ItemState.APPROVED)


@pytest.mark.parametrize(
    ("external_id", "pool"),
    [
        ("A5-0001", "renewal"),
        ("A5-P001", "renewal"),
        ("A5-R001", "operational"),
        ("A5-R001", "practice"),
        ("A5-P001", "operational"),
        ("A5-0001", "practice"),
    ],
)
def test_an_id_that_does_not_fit_its_pool_is_a_problem(tmp_path: Path, external_id: str, pool: str) -> None:
    text = RENEWAL_FILE.replace("id: A5-R001", f"id: {external_id}").replace("pool: renewal", f"pool: {pool}")
    problems = parse_bank_file(write_bank(tmp_path, text)).problems
    assert [(p.item, p.severity) for p in problems] == [(external_id, "error")]
    assert "does not fit its pool" in problems[0].message


def test_the_checker_counts_the_renewal_pool_apart_from_operational_and_practice(tmp_path: Path) -> None:
    report = check_files([write_bank(tmp_path)])
    lines = summary(report.items)
    assert "  area D: operational 0/12 SHORT; practice 0; renewal 1" in lines
    assert "  practice pool: 0/23 SHORT" in lines
    assert "  renewal pool: 1/12 SHORT" in lines


def add_renewal_items(test: Test, writer: Any, per_area: dict[str, tuple[int, str]]) -> list[Item]:
    """Renewal items in the given areas and states (the states form assembly draws from)."""
    items = []
    for letter, (count, state) in per_area.items():
        for _ in range(count):
            number = Item.objects.filter(pool=ItemPool.RENEWAL).count() + 1
            item = item_create(
                test=test,
                pool=ItemPool.RENEWAL,
                content=brake_content(
                    test, area=letter, stem=f"Renewal scenario {letter} {number}: MOST likely?"
                ),
                acting_user=writer,
                external_id=f"{test.code}-R{number:03d}",
            )
            Item.objects.filter(pk=item.pk).update(state=state)
            items.append(item)
    return items


def test_form_assembly_never_picks_a_renewal_item(
    stocked_a5: Test, psychometrician: Any, writer_walt: Any
) -> None:
    renewal = add_renewal_items(
        stocked_a5,
        writer_walt,
        {
            "A": (20, ItemState.OPERATIONAL),
            "B": (20, ItemState.OPERATIONAL),
            "C": (10, ItemState.APPROVED),
            "D": (10, ItemState.PRETEST),
        },
    )
    renewal_ids = {item.pk for item in renewal}
    for seed in range(4):
        form = form_assemble(test=stocked_a5, acting_user=psychometrician, seed=seed)
        chosen = {fi.item_id for fi in form.form_items.all()}
        assert len(chosen) == stocked_a5.scored_count + stocked_a5.unscored_count
        assert chosen.isdisjoint(renewal_ids), seed


def test_renewal_items_cannot_make_up_an_area_short_of_operational_items(
    stocked_a5: Test, psychometrician: Any, writer_walt: Any
) -> None:
    area = stocked_a5.content_areas.get(letter="B")
    need = area.question_count or 0
    operational = Item.objects.filter(
        test_code="A5", pool=ItemPool.OPERATIONAL, state=ItemState.OPERATIONAL, current_version__area=area
    )
    spare = operational.count() - need + 1
    Item.objects.filter(pk__in=list(operational.values_list("pk", flat=True)[:spare])).update(
        state=ItemState.RETIRED
    )
    add_renewal_items(stocked_a5, writer_walt, {"B": (need, ItemState.OPERATIONAL)})

    with pytest.raises(ApplicationError) as refused:
        form_assemble(test=stocked_a5, acting_user=psychometrician, seed=1)

    assert refused.value.code == "not_enough_items"
    assert f"only {need - 1} can be used" in refused.value.message
