"""Reading and validating catalog files (docs/catalog-format.md) without touching the database."""

from __future__ import annotations

import decimal
import hashlib
from pathlib import Path

import pytest

from wrenchmark.catalog.loading import CONFIDENCES, CatalogFileError, CatalogSpec, Figure, parse_catalog
from wrenchmark.catalog.tests.minimal import MINIMAL, line_of, mutate, write

DATA = Path(__file__).resolve().parent.parent / "data"
ASE = DATA / "ase-2026-07.yaml"
NORTHWIND = DATA / "northwind-2026.yaml"

ASE_CODES = {
    *(f"A{n}" for n in range(1, 10)),
    "G1",
    "C1",
    "F1",
    "X1",
    *(f"L{n}" for n in range(1, 5)),
    *(f"B{n}" for n in range(2, 7)),
    *(f"T{n}" for n in range(1, 9)),
    *(f"S{n}" for n in range(1, 8)),
    *(f"H{n}" for n in range(1, 9)),
    *(f"E{n}" for n in range(1, 4)),
    "P1",
    "P2",
    "P4",
}


@pytest.fixture(scope="module")
def ase() -> CatalogSpec:
    return parse_catalog(ASE)


@pytest.fixture(scope="module")
def northwind() -> CatalogSpec:
    return parse_catalog(NORTHWIND)


def every_figure(spec: CatalogSpec) -> list[tuple[str, Figure]]:
    found = [(f"policies.{key}", fig) for key, fig in spec.policies.items()]
    found += [(f"fees.{key}", fig) for key, fig in spec.fees.items()]
    for req in spec.requirements:
        found += [(f"requirement {req.code}.{key}", fig) for key, fig in req.figures.items()]
    for series in spec.series:
        found += [(f"series {series.code}.{key}", fig) for key, fig in series.figures.items()]
    for test in spec.tests:
        found += [(f"test {test.code}.{key}", fig) for key, fig in test.figures.items()]
    for designation in spec.designations:
        found += [(f"designation {designation.code}.{key}", fig) for key, fig in designation.figures.items()]
    return found


# --- the shipped files ------------------------------------------------------------------------------


def test_the_ase_edition_lists_every_test_of_the_program(ase: CatalogSpec) -> None:
    codes = [test.code for test in ase.tests]

    assert (ase.program_code, ase.edition_code, ase.currency) == ("ase", "ase-2026-07", "USD")
    assert sorted(ASE_CODES - set(codes)) == []
    assert len(codes) == len(set(codes))
    assert [s.code for s in ase.series] == ["A", "G", "C", "F", "X", "L", "B", "T", "S", "H", "E", "P"]
    assert ase.sha256 == hashlib.sha256(ASE.read_bytes()).hexdigest()


@pytest.mark.parametrize("code", [*(f"A{n}" for n in range(1, 10)), "G1"])
def test_the_ase_automobile_blueprints_are_complete_and_sum_to_the_scored_count(
    ase: CatalogSpec, code: str
) -> None:
    test = next(t for t in ase.tests if t.code == code)

    assert test.blueprint_status == "complete"
    assert test.content_areas
    assert all(area.questions is not None for area in test.content_areas)
    assert sum(area.questions or 0 for area in test.content_areas) == test.scored


def test_a5_is_brakes_with_four_areas_and_a_remote_recertification(ase: CatalogSpec) -> None:
    tests = {t.code: t for t in ase.tests}
    a5, a5r = tests["A5"], tests["A5R"]

    assert (a5.name, a5.scored, a5.unscored, a5.minutes) == ("Brakes", 45, 10, 75)
    assert [(a.letter, a.questions) for a in a5.content_areas] == [("A", 19), ("B", 5), ("C", 11), ("D", 10)]
    assert (a5r.recertifies, a5r.scored, a5r.remote, a5r.languages) == ("A5", 25, True, ["en", "es"])
    assert a5r.experience == "auto-2y"  # inherited from the test it renews
    assert a5.recertifies is None


def test_l1_needs_a_pass_in_a8_and_is_an_advanced_test(ase: CatalogSpec) -> None:
    l1 = next(t for t in ase.tests if t.code == "L1")

    assert l1.advanced is True
    assert [(g["kind"], g["any_of"], g["confidence"]) for g in l1.prerequisites] == [("passed", ["A8"], "A")]


def test_master_auto_is_a1_to_a8_without_a9(ase: CatalogSpec) -> None:
    master = next(d for d in ase.designations if d.code == "master-auto")

    assert master.kind == "master"
    assert master.all_of == [f"A{n}" for n in range(1, 9)]
    assert "A9" not in master.all_of
    assert (master.any_of, master.min_any) == ([], 0)


@pytest.mark.parametrize("path", [ASE, NORTHWIND], ids=["ase", "northwind"])
def test_every_figure_in_a_shipped_file_has_a_confidence_and_known_sources(path: Path) -> None:
    spec = parse_catalog(path)
    figures = every_figure(spec)

    assert len(figures) > 20
    for where, figure in figures:
        assert figure.confidence in CONFIDENCES, where
        assert set(figure.source) <= set(spec.sources), where
    for test in spec.tests:
        for group in test.prerequisites:
            assert group["confidence"] in CONFIDENCES, test.code


def test_ase_marks_placeholder_figures_as_unverified_policy_values(ase: CatalogSpec) -> None:
    a6 = next(t for t in ase.tests if t.code == "A6")

    assert a6.figures["minutes"] == Figure(75, (), "policy", "unverified placeholder")
    assert ase.policies["validity_years"].value == 5
    assert ase.policies["expiring_notice_days"].confidence == "policy"
    assert ase.fees["recertification_cap"].value == decimal.Decimal("99.00")


def test_northwind_is_a_separate_program_with_its_own_policies_and_currency(
    northwind: CatalogSpec, ase: CatalogSpec
) -> None:
    policies = {key: fig.value for key, fig in northwind.policies.items()}

    assert (northwind.program_code, northwind.edition_code, northwind.currency) == ("nmc", "nmc-2026", "CAD")
    assert policies == {
        "validity_years": 3,
        "retake_wait_days": 14,
        "purchase_window_days": 60,
        "expiring_notice_days": 60,
        "reschedule_cutoff_days": 2,
    }
    assert northwind.fees["test"].value == decimal.Decimal("45.00")
    assert [t.code for t in northwind.tests] == ["O1", "O1R", "O2", "O3", "M1", "M2"]
    assert not {t.code for t in northwind.tests} & {t.code for t in ase.tests}
    assert {d.code for d in northwind.designations} == {"master-outboard", "marine-technician"}


# --- the minimal catalog ----------------------------------------------------------------------------


def test_the_minimal_catalog_parses_with_inherited_and_overridden_figures(tmp_path: Path) -> None:
    spec = parse_catalog(write(tmp_path, MINIMAL))
    tests = {t.code: t for t in spec.tests}

    assert list(tests) == ["Q1", "Q1R", "Q2", "Z1"]
    assert tests["Q2"].figures["scored"] == Figure(8, ("T2",), "C", "prep site")
    assert tests["Q2"].figures["unscored"] == Figure(0, ("T1",), "A", "")
    assert tests["Z1"].figures["minutes"] == Figure(60, ("T1",), "B", "")
    q1r = tests["Q1R"]
    assert (q1r.recertifies, q1r.languages, q1r.experience, q1r.blueprint_status, q1r.remote) == (
        "Q1",
        ["en", "es"],
        "shop-2y",
        "provisional",
        True,
    )
    assert tests["Q2"].prerequisites[0]["line"] == line_of(MINIMAL, "any_of: [Q1]")
    assert spec.fees["test"].value == decimal.Decimal("33.00")


BAD_FILES = [
    pytest.param(
        "  name: Test Program",
        "\tname: Test Program",
        "\tname: Test Program",
        "not valid YAML: found character '\\t' that cannot start any token",
        id="tab",
    ),
    pytest.param(
        "  short_name: TST",
        " short_name: TST",
        "short_name",
        "not valid YAML: expected <block end>",
        id="indent",
    ),
    pytest.param(
        "format: wrenchmark-catalog/1",
        "format: wrenchmark-catalog/2",
        "format:",
        "format must be 'wrenchmark-catalog/1'",
        id="wrong-format",
    ),
    pytest.param(
        "        advanced: true\n",
        "        advanced: true\n        colour: red\n",
        "colour: red",
        "a test in series Z: unknown key 'colour'",
        id="unknown-key",
    ),
    pytest.param(
        "        minutes: 30\n", "", "- code: Q1", "a test in series Q: missing 'minutes'", id="missing-key"
    ),
    pytest.param(
        "questions: 4}",
        "questions: 5}",
        "content_areas:",
        "test Q1: content areas sum to 11 questions but scored is 10",
        id="blueprint-sum",
    ),
    pytest.param(
        "questions: 4}",
        "questions: null}",
        "content_areas:",
        "test Q1: a complete blueprint needs every area's count",
        id="complete-blueprint-null-count",
    ),
    pytest.param(
        "{kind: passed, any_of: [Q1]}",
        "{kind: passed, any_of: [Q9]}",
        "any_of: [Q9]",
        "test Q2: prerequisite 'Q9' is not a test in this catalog",
        id="unknown-prerequisite",
    ),
    pytest.param(
        "all_of: [Q1, Q2]",
        "all_of: [Q1, Q9]",
        "- code: master-tst",
        "designation master-tst: 'Q9' is not a test in this catalog",
        id="designation-unknown-test",
    ),
    pytest.param(
        "all_of: [Q1, Q2]",
        "all_of: [Q1R, Q2]",
        "- code: master-tst",
        "designation master-tst: 'Q1R' is a recertification test; name the test it renews",
        id="designation-recertification-test",
    ),
    pytest.param(
        "advanced: true\n        experience: shop-2y",
        "advanced: true\n        experience: shop-9y",
        "experience: shop-9y",
        "test Z1: unknown experience requirement 'shop-9y'",
        id="unknown-experience-requirement",
    ),
    pytest.param(
        "experience: shop-2y\n        blueprint_status: complete",
        "experience: [shop-2y]\n        blueprint_status: complete",
        "experience: [shop-2y]",
        "test Q1: unknown experience requirement ['shop-2y']",
        id="experience-requirement-as-a-list",
    ),
    pytest.param(
        "areas: [shop]",
        "areas: [shop, yard]",
        "areas: [shop, yard]",
        "experience requirement shop-2y: unknown experience area 'yard'",
        id="unknown-experience-area",
    ),
    pytest.param(
        "source: [T2]",
        "source: [T7]",
        "source: [T7]",
        "test Q2.scored: unknown source 'T7'",
        id="unknown-source",
    ),
    pytest.param(
        "confidence: B",
        "confidence: D",
        "confidence: D",
        "series Z: confidence must be one of A, B, C, policy, not 'D'",
        id="bad-confidence",
    ),
    pytest.param(
        "effective_to: 2031-01-01",
        "effective_to: 2029-06-01",
        "effective_to:",
        "edition: effective_to must be after effective_from",
        id="effective-to-before-effective-from",
    ),
    pytest.param(
        "effective_to: 2031-01-01",
        "effective_to: 2030-01-01",
        "effective_to:",
        "edition: effective_to must be after effective_from",
        id="effective-to-equal-to-effective-from",
    ),
    pytest.param(
        "effective_from: 2030-01-01",
        "effective_from: 2030-02-30",
        "effective_from:",
        "'2030-02-30' is not valid",
        id="impossible-date",
    ),
    pytest.param(
        "unscored: 2",
        "unscored: -2",
        "unscored: -2",
        "test Q1: unscored must not be negative",
        id="negative-count",
    ),
    pytest.param(
        '"33.00"', '"33,00"', "  test: {value", 'fees: test must be an amount like "36.00"', id="money-comma"
    ),
    pytest.param(
        '"33.00"', '"33.005"', "  test: {value", 'fees: test must be an amount like "36.00"', id="money-cents"
    ),
    pytest.param(
        '"33.00"',
        '"-1.00"',
        "  test: {value",
        'fees: test must be an amount like "36.00"',
        id="money-negative",
    ),
    pytest.param(
        '"33.00"', '"NaN"', "  test: {value", 'fees: test must be an amount like "36.00"', id="money-nan"
    ),
    pytest.param(
        '"33.00"',
        '"Infinity"',
        "  test: {value",
        'fees: test must be an amount like "36.00"',
        id="money-infinity",
    ),
    pytest.param(
        "min_any: 1",
        "min_any: 2",
        "min_any: 2",
        "designation master-tst: min_any must be between 0 and the size of any_of",
        id="min-any-larger-than-any-of",
    ),
    pytest.param(
        "  short_name: TST\n",
        "  short_name: TST\n  name: Again\n",
        "name: Again",
        "duplicate key 'name'",
        id="duplicate-yaml-key",
    ),
    pytest.param(
        "languages: [en]\n        blueprint_status: partial",
        "languages: [en, de]\n        blueprint_status: partial",
        "languages: [en, de]",
        "test Q2: unsupported language 'de'",
        id="unsupported-language",
    ),
    pytest.param(
        "Shop repair",
        "Shop\x07repair",
        "Shop\x07repair",
        "not valid YAML: unacceptable character #x0007",
        id="control-character",
    ),
    pytest.param(
        'sources:\n  T1: {title: "Invented for tests", url: null, grade: A}\n  T2: {title: "A prep site", grade: C}\n',
        "sources:\n  - {key: T1, title: Invented}\n",
        "sources:",
        "sources must be a mapping",
        id="sources-as-a-list",
    ),
]


@pytest.mark.parametrize(("old", "new", "marker", "problem"), BAD_FILES)
def test_it_refuses_a_bad_file_naming_the_line_and_the_problem(
    tmp_path: Path, old: str, new: str, marker: str, problem: str
) -> None:
    text = mutate(MINIMAL, old, new)
    path = write(tmp_path, text)

    with pytest.raises(CatalogFileError) as caught:
        parse_catalog(path)

    error = caught.value
    assert problem in error.problem
    assert error.line == line_of(text, marker)
    assert error.path == str(path)
    assert str(error) == f"{path}:{error.line}: {error.problem}"
    assert "\n" not in str(error)


def test_it_refuses_a_test_code_listed_twice_and_says_where_it_first_appeared(tmp_path: Path) -> None:
    text = mutate(MINIMAL, "      - code: Q2", "      - code: Q1")

    with pytest.raises(CatalogFileError) as caught:
        parse_catalog(write(tmp_path, text))

    first, second = line_of(text, "- code: Q1"), line_of(text, "- code: Q1", occurrence=2)
    assert (caught.value.line, caught.value.problem) == (
        second,
        f"test 'Q1' is listed twice (first on line {first})",
    )


def test_it_refuses_a_test_whose_code_collides_with_a_recertification_code(tmp_path: Path) -> None:
    text = mutate(MINIMAL, "      - code: Z1", "      - code: Q1R")

    with pytest.raises(CatalogFileError) as caught:
        parse_catalog(write(tmp_path, text))

    first, second = line_of(text, "code: Q1R"), line_of(text, "- code: Q1R")
    assert first < second
    assert (caught.value.line, caught.value.problem) == (
        second,
        f"test 'Q1R' is listed twice (first on line {first})",
    )


def test_an_error_message_is_exactly_path_line_problem_on_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, mutate(MINIMAL, "format: wrenchmark-catalog/1", "format: wrenchmark-catalog/9"))

    with pytest.raises(CatalogFileError) as caught:
        parse_catalog(path)

    assert str(caught.value) == f"{path}:1: format must be 'wrenchmark-catalog/1'"
    assert str(caught.value).splitlines() == [str(caught.value)]


def test_a_missing_file_is_refused_without_a_line_number(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"

    with pytest.raises(CatalogFileError) as caught:
        parse_catalog(path)

    assert caught.value.line is None
    assert str(caught.value).startswith(f"{path}:?: cannot read the file")
