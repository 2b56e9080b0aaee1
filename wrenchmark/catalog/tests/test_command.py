"""``manage.py catalog_load PATH [PATH ...]``."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from wrenchmark.catalog.models import Edition
from wrenchmark.catalog.tests.minimal import MINIMAL, line_of, mutate, write

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "wrenchmark" / "catalog" / "data"
BROKEN_BLUEPRINT = mutate(MINIMAL, "questions: 4}", "questions: 5}")


def run(*paths: Path) -> str:
    out = StringIO()
    call_command("catalog_load", *map(str, paths), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_says_loaded_then_unchanged_for_the_same_file(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)

    first = run(path)
    second = run(path)

    assert first == "Loaded TST edition tst-2030 (4 tests, 1 designations)\n"
    assert second == "Unchanged: TST edition tst-2030 (4 tests, 1 designations)\n"
    assert Edition.objects.filter(program__code="tst").count() == 1


@pytest.mark.django_db
def test_it_reports_each_of_several_files_in_turn(tmp_path: Path, catalog: Edition) -> None:
    output = run(DATA / "ase-2026-07.yaml", write(tmp_path, MINIMAL))

    unchanged, loaded = output.splitlines()
    assert unchanged.startswith(f"Unchanged: ASE edition ase-2026-07 ({catalog.tests.count()} tests, ")
    assert loaded.startswith("Loaded TST edition tst-2030 ")


@pytest.mark.django_db
def test_a_bad_file_raises_a_command_error_of_one_line_naming_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, BROKEN_BLUEPRINT)

    with pytest.raises(CommandError) as caught:
        run(path)

    line = line_of(BROKEN_BLUEPRINT, "content_areas:")
    assert str(caught.value) == f"{path}:{line}: test Q1: content areas sum to 11 questions but scored is 10"
    assert not Edition.objects.filter(program__code="tst").exists()


@pytest.mark.django_db
def test_a_later_file_that_fails_does_not_undo_an_earlier_one(tmp_path: Path) -> None:
    good = write(tmp_path, MINIMAL, "good.yaml")
    bad = write(tmp_path, BROKEN_BLUEPRINT, "bad.yaml")

    with pytest.raises(CommandError, match=r"bad\.yaml:\d+: "):
        run(good, bad)

    assert Edition.objects.filter(program__code="tst").count() == 1


def test_the_real_command_line_refuses_a_bad_file_before_touching_the_database(tmp_path: Path) -> None:
    # The test settings use a fresh in-memory SQLite database with no tables: if the command touched the
    # database before validating the file, this would fail with "no such table" instead.
    path = write(tmp_path, BROKEN_BLUEPRINT)
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

    done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "manage.py", "catalog_load", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    line = line_of(BROKEN_BLUEPRINT, "content_areas:")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"CommandError: {path}:{line}: test Q1: content areas sum to 11 questions but scored is 10"
    ]
