"""Loading catalog files into the database: all or nothing, in place, audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from wrenchmark.catalog.loading import CatalogFileError
from wrenchmark.catalog.models import (
    ContentArea,
    Designation,
    Edition,
    ExperienceArea,
    ExperienceRequirement,
    Program,
    Series,
    Test,
)
from wrenchmark.catalog.services import catalog_load
from wrenchmark.catalog.tests.minimal import MINIMAL, mutate, write
from wrenchmark.core import clock
from wrenchmark.core.models import AuditEvent

pytestmark = pytest.mark.django_db

MODELS = (Program, ExperienceArea, Edition, ExperienceRequirement, Series, Test, ContentArea, Designation)

# The minimal catalog without Z1 (and so without series Z and the designation's any_of).
WITHOUT_Z1 = mutate(
    mutate(
        MINIMAL,
        MINIMAL[MINIMAL.index("  - code: Z\n") : MINIMAL.index("designations:\n")],
        "",
    ),
    "    any_of: [Z1]\n    min_any: 1\n",
    "    any_of: []\n    min_any: 0\n",
)


def snapshot() -> dict[str, Any]:
    """Every catalog row (as values) and the audit trail: equal snapshots mean nothing was written."""
    rows: dict[str, Any] = {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}
    rows["AuditEvent"] = AuditEvent.objects.count()
    return rows


def load_events(edition: Edition) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action="catalog.edition_loaded", target_type="catalog.edition", target_id=str(edition.pk)
        ).order_by("id")
    )


def edition_file(tmp_path: Path, *, code: str, effective_from: str, effective_to: str, name: str) -> Path:
    text = mutate(MINIMAL, "code: tst-2030", f"code: {code}")
    text = mutate(text, "effective_from: 2030-01-01", f"effective_from: {effective_from}")
    text = mutate(text, "effective_to: 2031-01-01", f"effective_to: {effective_to}")
    return write(tmp_path, text, name)


def test_it_loads_an_edition_with_its_series_tests_areas_and_designations(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL, "tst.yaml")

    edition, changed = catalog_load(path=path)

    assert changed is True
    assert (edition.program.code, edition.program.short_name, edition.code) == ("tst", "TST", "tst-2030")
    assert (edition.effective_from, edition.effective_to) == (dt.date(2030, 1, 1), dt.date(2031, 1, 1))
    assert edition.source_file == "tst.yaml"
    assert edition.policy("validity_years") == 5
    assert edition.fees["currency"] == "USD"
    assert edition.fees["test"] == {"value": "33.00", "source": ["T1"], "confidence": "A", "note": ""}
    assert list(edition.series.values_list("code", flat=True)) == ["Q", "Z"]
    assert list(edition.tests.values_list("code", flat=True)) == ["Q1", "Q1R", "Q2", "Z1"]
    q1 = edition.tests.get(code="Q1")
    assert [(a.letter, a.question_count) for a in q1.content_areas.all()] == [("A", 6), ("B", 4)]
    assert q1.recertification.code == "Q1R"
    assert q1.experience_requirement.code == "shop-2y"
    assert list(q1.experience_requirement.areas.values_list("code", flat=True)) == ["shop"]
    q2 = edition.tests.get(code="Q2")
    assert q2.prerequisites == [
        {"kind": "passed", "any_of": ["Q1"], "source": ["T1"], "confidence": "A", "note": ""}
    ]
    assert q2.figures["scored"] == {"value": 8, "source": ["T2"], "confidence": "C", "note": "prep site"}
    assert edition.tests.get(code="Z1").advanced is True
    master = edition.designations.get()
    assert (master.code, master.kind, master.min_any) == ("master-tst", "master", 1)
    assert list(master.all_of.order_by("position").values_list("code", flat=True)) == ["Q1", "Q2"]
    assert list(master.any_of.values_list("code", flat=True)) == ["Z1"]
    [event] = load_events(edition)
    assert event.summary == "Loaded tst-2030 from tst.yaml"
    assert event.data["created"] is True
    assert event.data["tests"] == 4


def test_loading_the_same_file_again_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    first, _ = catalog_load(path=path)
    before = snapshot()

    again, changed = catalog_load(path=path)

    assert changed is False
    assert again.pk == first.pk
    assert snapshot() == before
    assert len(load_events(first)) == 1


def test_a_changed_file_updates_the_edition_in_place_keeping_row_ids(tmp_path: Path) -> None:
    edition, _ = catalog_load(path=write(tmp_path, MINIMAL, "v1.yaml"))
    ids = dict(edition.tests.values_list("code", "pk"))
    area_a = ContentArea.objects.get(test__pk=ids["Q1"], letter="A")
    changed_text = mutate(MINIMAL, "name: Engines\n", "name: Engine Repair\n")
    changed_text = mutate(
        changed_text,
        "          - {letter: A, name: Diagnosis, questions: 6}\n          - {letter: B, name: Repair, questions: 4}\n",
        "          - {letter: A, name: Diagnosis, questions: 10}\n",
    )

    reloaded, changed = catalog_load(path=write(tmp_path, changed_text, "v2.yaml"))

    assert changed is True
    assert reloaded.pk == edition.pk
    assert reloaded.source_file == "v2.yaml"
    assert dict(reloaded.tests.values_list("code", "pk")) == ids
    q1 = Test.objects.get(pk=ids["Q1"])
    assert q1.name == "Engine Repair"
    assert [(a.pk, a.letter, a.question_count) for a in q1.content_areas.all()] == [(area_a.pk, "A", 10)]
    assert not ContentArea.objects.filter(test=q1, letter="B").exists()
    events = load_events(edition)
    assert [e.data["created"] for e in events] == [True, False]
    assert events[-1].summary == "Reloaded tst-2030 from v2.yaml"


def test_a_file_that_fails_validation_leaves_the_database_untouched(tmp_path: Path) -> None:
    catalog_load(path=write(tmp_path, MINIMAL, "good.yaml"))
    before = snapshot()
    broken = mutate(MINIMAL, "name: Engines\n", "name: Engine Repair\n")
    broken = mutate(broken, "questions: 4}", "questions: 5}")

    with pytest.raises(CatalogFileError, match="content areas sum to 11 questions but scored is 10"):
        catalog_load(path=write(tmp_path, broken, "bad.yaml"))

    assert snapshot() == before


@pytest.mark.parametrize(
    ("effective_from", "effective_to"),
    [("2030-06-01", "null"), ("2029-01-01", "2030-01-02"), ("2030-03-01", "2030-04-01")],
    ids=["open-ended-inside", "ends-a-day-in", "wholly-inside"],
)
def test_it_refuses_an_edition_that_overlaps_another_of_the_same_program(
    tmp_path: Path, effective_from: str, effective_to: str
) -> None:
    catalog_load(path=write(tmp_path, MINIMAL, "first.yaml"))
    before = snapshot()
    second = edition_file(
        tmp_path,
        code="tst-2030b",
        effective_from=effective_from,
        effective_to=effective_to,
        name="second.yaml",
    )
    second.write_text(second.read_text().replace("name: Test Program", "name: Renamed Program"))

    with pytest.raises(CatalogFileError) as caught:
        catalog_load(path=second)

    message = str(caught.value)
    assert message.startswith(f"{second}:?: edition tst-2030b ({effective_from} to ")
    assert "overlaps edition tst-2030 (2030-01-01 to 2031-01-01)" in message
    assert "\n" not in message
    assert snapshot() == before
    assert Program.objects.get(code="tst").name == "Test Program"


@pytest.mark.parametrize(
    ("effective_from", "effective_to"),
    [("2031-01-01", "null"), ("2029-01-01", "2030-01-01")],
    ids=["later-open-ended", "earlier-closed"],
)
def test_it_loads_an_edition_that_starts_when_the_other_ends(
    tmp_path: Path, effective_from: str, effective_to: str
) -> None:
    first, _ = catalog_load(path=write(tmp_path, MINIMAL, "first.yaml"))
    second_path = edition_file(
        tmp_path, code="tst-next", effective_from=effective_from, effective_to=effective_to, name="next.yaml"
    )

    second, changed = catalog_load(path=second_path)

    assert changed is True
    assert second.pk != first.pk
    assert second.program_id == first.program_id
    assert second.tests.count() == first.tests.count() == 4
    assert set(Edition.objects.filter(program__code="tst").values_list("code", flat=True)) == {
        "tst-2030",
        "tst-next",
    }


def test_it_removes_a_test_that_no_record_uses(tmp_path: Path) -> None:
    edition, _ = catalog_load(path=write(tmp_path, MINIMAL, "v1.yaml"))

    catalog_load(path=write(tmp_path, WITHOUT_Z1, "v2.yaml"))

    assert list(edition.tests.values_list("code", flat=True)) == ["Q1", "Q1R", "Q2"]
    assert list(edition.series.values_list("code", flat=True)) == ["Q"]
    assert not edition.designations.get().any_of.exists()


def test_it_refuses_to_remove_a_test_that_a_result_references(tmp_path: Path, candidate_alice: Any) -> None:
    from wrenchmark.scoring.models import TestResult
    from wrenchmark.scoring.services import result_record

    edition, _ = catalog_load(path=write(tmp_path, MINIMAL, "v1.yaml"))
    z1 = edition.tests.get(code="Z1")
    result_record(
        candidate=candidate_alice,
        test=z1,
        taken_on=clock.today(),
        outcome="pass",
        source="import",
        acting_user=None,
    )
    before = snapshot()
    renamed_without_z1 = mutate(WITHOUT_Z1, "name: Engines\n", "name: Engine Repair\n")

    with pytest.raises(CatalogFileError) as caught:
        catalog_load(path=write(tmp_path, renamed_without_z1, "v2.yaml"))

    assert caught.value.problem == "test 'Z1' is no longer in the file but records use it"
    assert snapshot() == before
    assert edition.tests.get(code="Q1").name == "Engines"
    assert TestResult.objects.get(candidate=candidate_alice).test_id == z1.pk


def test_it_renames_a_recertification_test_in_place_of_the_old_one(tmp_path: Path) -> None:
    edition, _ = catalog_load(path=write(tmp_path, MINIMAL, "v1.yaml"))
    q1 = edition.tests.get(code="Q1")

    catalog_load(path=write(tmp_path, mutate(MINIMAL, "code: Q1R", "code: Q1X"), "v2.yaml"))

    q1.refresh_from_db()
    assert q1.recertification.code == "Q1X"
    assert not edition.tests.filter(code="Q1R").exists()


def test_it_refuses_to_rename_a_recertification_test_that_a_result_references(
    tmp_path: Path, candidate_alice: Any
) -> None:
    from wrenchmark.scoring.services import result_record

    edition, _ = catalog_load(path=write(tmp_path, MINIMAL, "v1.yaml"))
    result_record(
        candidate=candidate_alice,
        test=edition.tests.get(code="Q1R"),
        taken_on=clock.today(),
        outcome="fail",
        source="import",
        acting_user=None,
    )
    before = snapshot()

    with pytest.raises(CatalogFileError, match="test 'Q1R' is no longer in the file but records use it"):
        catalog_load(path=write(tmp_path, mutate(MINIMAL, "code: Q1R", "code: Q1X"), "v2.yaml"))

    assert snapshot() == before


def test_the_shipped_editions_are_loaded_once_for_the_session(catalog: Edition) -> None:
    ase_path = Path(__file__).resolve().parent.parent / "data" / "ase-2026-07.yaml"

    edition, changed = catalog_load(path=ase_path)

    assert changed is False
    assert edition.pk == catalog.pk
    assert Edition.objects.filter(program__code="ase").count() == 1
    assert Edition.objects.filter(program__code="nmc").count() == 1
