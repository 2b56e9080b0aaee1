from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from wrenchmark.itembank.loading import BankLoadError, bank_load
from wrenchmark.itembank.models import Item, ItemReview, ItemState
from wrenchmark.itembank.tests.test_interchange import QTI3_XSD

pytestmark = pytest.mark.django_db

FILE = """format: wrenchmark-items/1
test: A5
items:
  - id: A5-0001
    pool: operational
    area: C
    style: most_likely
    stem: |
      A sedan has a pulsating brake pedal during hard stops. The front rotors vary 0.05 mm in
      thickness around the braking surface. Which of these is the MOST likely cause?
    options:
      - {text: Rotor thickness variation, key: true, rationale: The pads follow the uneven surface.}
      - {text: Glazed brake pads, rationale: Glazing lowers friction; it does not pulse.}
      - {text: Air in the brake lines, rationale: Air makes the pedal spongy.}
      - {text: A weak brake booster, rationale: A weak booster raises pedal effort.}
    exhibit:
      kind: svg
      file: A5-0001.svg
      title: Rotor measurement points
      alt: A rotor with eight measurement points; readings vary from 27.95 mm to 28.00 mm.
    references: [Disc brake rotor inspection]
    keywords: [rotor]
    enemies: [A5-P001]
    author: writer-chassis
    reviews:
      - {reviewer: reviewer-1, decision: rework, comment: Distractor D was a synonym of the key., changed: Replaced option D.}
      - {reviewer: reviewer-1, decision: approve, comment: Fixed.}
      - {reviewer: reviewer-2, decision: approve, comment: Checked against runout limits.}
  - id: A5-P001
    pool: practice
    area: A
    style: tech_ab
    stem: |
      A brake pedal slowly sinks while the vehicle is held stopped.
      Technician A says a master cylinder bypassing internally can cause this.
      Technician B says a leaking wheel cylinder can cause this.
      Who is correct?
    tech_ab_key: both
    tech_ab_rationales:
      a_only: B is also right; an external leak lets the pedal sink.
      b_only: A is also right; internal bypass lets the pedal sink.
      both: Both let fluid escape from the pressurised circuit.
      neither: Both are real causes.
    references: [Master cylinder diagnosis]
    author: writer-chassis
    reviews:
      - {reviewer: reviewer-1, decision: approve, comment: Correct.}
      - {reviewer: reviewer-3, decision: approve, comment: Correct and fair.}
    es:
      status: approved
      stem: |
        El pedal del freno baja lentamente con el vehículo detenido.
        Técnico A dice que un cilindro maestro con fuga interna puede causarlo.
        Técnico B dice que un cilindro de rueda con fuga puede causarlo.
        ¿Quién tiene razón?
      tech_ab_rationales:
        a_only: B también tiene razón.
        b_only: A también tiene razón.
        both: Ambas fallas dejan escapar presión.
        neither: Ambas son causas reales.
"""
SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 80"><circle cx="40" cy="40" r="30" fill="none" stroke="#000"/><text x="90" y="45">27.95-28.00 mm</text></svg>'


@pytest.fixture
def bank_folder(tmp_path: Path) -> Path:
    from wrenchmark.itembank.check import CONTENT

    (tmp_path / "exhibits" / "A5").mkdir(parents=True)
    (tmp_path / "exhibits" / "A5" / "A5-0001.svg").write_text(SVG)
    (tmp_path / "A5.yaml").write_text(FILE)
    shutil.copy(CONTENT / "panel.yaml", tmp_path / "panel.yaml")
    return tmp_path


def test_the_bank_loads_through_the_panel_and_loading_again_changes_nothing(
    bank_folder: Path, catalog: Any
) -> None:
    result = bank_load(edition=catalog, folder=bank_folder, paths=[bank_folder / "A5.yaml"])
    assert (result.created, result.updated) == (2, 0)
    first, second = Item.objects.get(external_id="A5-0001"), Item.objects.get(external_id="A5-P001")
    assert first.state == second.state == ItemState.APPROVED
    assert [r.decision for r in ItemReview.objects.filter(item=first)] == ["rework", "approve", "approve"]
    assert ItemReview.objects.filter(item=first).first().changed == "Replaced option D."
    assert list(first.enemies.all()) == [second]
    assert second.pool == "practice"
    assert second.current_version.translations.get().stem.startswith("El pedal")
    assert "<text" in first.current_version.exhibit.svg
    again = bank_load(edition=catalog, folder=bank_folder, paths=[bank_folder / "A5.yaml"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_bank_file_with_an_error_loads_nothing(bank_folder: Path, catalog: Any) -> None:
    (bank_folder / "A5.yaml").write_text(FILE.replace("key: true, ", "", 1))
    with pytest.raises(BankLoadError, match="A5-0001: an item needs exactly one key"):
        bank_load(edition=catalog, folder=bank_folder, paths=[bank_folder / "A5.yaml"])
    assert not Item.objects.exists()


def test_export_validates_and_import_recreates_the_items(
    bank_folder: Path, catalog: Any, tmp_path: Path
) -> None:
    call_command("itembank_load", str(bank_folder / "A5.yaml"), stdout=io.StringIO())
    out = tmp_path / "a5.zip"
    stdout = io.StringIO()
    call_command("itembank_export", str(out), "--format", "qti3", "--test", "A5", stdout=stdout)
    assert "Wrote 3 item files" in stdout.getvalue()
    schema = etree.XMLSchema(etree.parse(str(QTI3_XSD)))
    with zipfile.ZipFile(out) as package:
        for name in ("items/A5-0001.xml", "items/A5-P001.xml", "items/A5-P001.es.xml"):
            assert schema.validate(etree.parse(io.BytesIO(package.read(name)))), name
        assert "items/exhibits/A5-0001.svg" in package.namelist()

    json_out = tmp_path / "a5.json"
    call_command("itembank_export", str(json_out), "--format", "json", stdout=io.StringIO())
    assert {i["external_id"] for i in json.loads(json_out.read_text())["items"]} == {"A5-0001", "A5-P001"}

    stats = io.StringIO()
    call_command("itembank_stats", "--json", stdout=stats)
    a5 = json.loads(stats.getvalue())["A5"]
    assert a5["areas"]["C"]["usable_operational"] == 1
    assert a5["areas"]["C"]["target"] == 14
    assert a5["languages"] == {"en": 2, "es": 1}

    Item.objects.all().delete()
    writer = Item._meta.get_field("author").related_model.objects.get(
        email="writer-chassis@panel.wrenchmark.invalid"
    )
    call_command("itembank_import", str(out), "--author", writer.email, stdout=io.StringIO())
    imported = Item.objects.get(external_id="A5-P001")
    assert imported.state == ItemState.DRAFT
    assert [o.locked for o in imported.current_version.options.all()] == [True] * 4
    assert imported.current_version.translations.get().language == "es"


def test_a_broken_import_changes_nothing_and_says_where(
    catalog: Any, tmp_path: Path, writer_walt: Any
) -> None:
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("imsmanifest.xml", "<manifest/>")
        z.writestr(
            "items/A5-0009.xml",
            '<?xml version="1.0"?>\n<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="A5-0009">\n</qti-assessment-item>',
        )
    with pytest.raises(CommandError, match=r"bad.zip/items/A5-0009.xml:2: no correct response"):
        call_command("itembank_import", str(bad), "--author", writer_walt.email)
    assert not Item.objects.exists()


def test_the_linter_command_fails_on_errors(catalog: Any, make_item: Any) -> None:
    make_item()
    out = io.StringIO()
    call_command("itembank_lint", stdout=out)
    assert "1 items: 0 errors" in out.getvalue()
    make_item(stem="All of these cause a pulsating pedal except:")
    with pytest.raises(CommandError, match="the linter found"):
        call_command("itembank_lint", "--test", "A5", stdout=io.StringIO())


def test_an_import_without_author_belongs_to_the_program_administrator(
    bank_folder: Path, catalog: Any, tmp_path: Path, program_admin_paula: Any
) -> None:
    call_command("itembank_load", str(bank_folder / "A5.yaml"), stdout=io.StringIO())
    out = tmp_path / "a5.json"
    call_command("itembank_export", str(out), "--format", "json", stdout=io.StringIO())
    Item.objects.all().delete()
    call_command("itembank_import", str(out), stdout=io.StringIO())
    assert {item.author for item in Item.objects.all()} == {program_admin_paula}
