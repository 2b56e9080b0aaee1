"""Read and validate a catalog file (docs/catalog-format.md) into plain data, with line numbers.

Nothing here touches the database: ``parse_catalog`` either returns a ``CatalogSpec`` that is
internally consistent, or raises ``CatalogFileError`` naming the file, the line and the problem.
Checks that need the database (overlapping editions) are made by ``services.catalog_load``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FORMAT = "wrenchmark-catalog/1"
CONFIDENCES = ("A", "B", "C", "policy")
PREREQUISITE_KINDS = ("passed", "current", "held")
BLUEPRINT_STATUSES = ("complete", "partial", "provisional")
DESIGNATION_KINDS = ("master", "technician", "specialist")
POLICY_KEYS = (
    "validity_years",
    "retake_wait_days",
    "purchase_window_days",
    "expiring_notice_days",
    "reschedule_cutoff_days",
)
#: Policies a program may leave out; whoever reads them has a default (the renewal program's figures).
OPTIONAL_POLICY_KEYS = ("renewal_credits_needed", "renewal_extension_years")
FEE_KEYS = ("registration_per_order", "test", "advanced_test", "recertification_cap")
LANGUAGES = ("en", "es", "fr")


class CatalogFileError(Exception):
    """A catalog file that cannot be loaded; ``str()`` is ``path:line: problem``."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        super().__init__(f"{path}:{line if line is not None else '?'}: {problem}")


class Located(dict[str, Any]):
    """A YAML mapping that remembers the line it starts on and the line of each key."""

    line: int
    key_lines: dict[str, int]


class LocatedList(list[Any]):
    line: int


@dataclass(frozen=True, slots=True)
class Figure:
    value: Any
    source: tuple[str, ...]
    confidence: str
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        value = str(self.value) if isinstance(self.value, decimal.Decimal | dt.date) else self.value
        return {"value": value, "source": list(self.source), "confidence": self.confidence, "note": self.note}


@dataclass(slots=True)
class AreaSpec:
    letter: str
    name: str
    questions: int | None


@dataclass(slots=True)
class TestSpec:
    __test__ = False  # not a pytest test class

    code: str
    name: str
    series_code: str
    scored: int
    unscored: int
    minutes: int
    languages: list[str]
    advanced: bool
    remote: bool
    experience: str | None
    blueprint_status: str
    note: str
    figures: dict[str, Figure]
    content_areas: list[AreaSpec] = field(default_factory=list)
    prerequisites: list[dict[str, Any]] = field(default_factory=list)
    recertifies: str | None = None


@dataclass(slots=True)
class RequirementSpec:
    code: str
    name: str
    months: int
    training_max_months: int
    areas: list[str]
    figures: dict[str, Figure]


@dataclass(slots=True)
class SeriesSpec:
    code: str
    name: str
    figures: dict[str, Figure]
    tests: list[TestSpec]


@dataclass(slots=True)
class DesignationSpec:
    code: str
    name: str
    kind: str
    all_of: list[str]
    any_of: list[str]
    min_any: int
    figures: dict[str, Figure]


@dataclass(slots=True)
class CatalogSpec:
    path: str
    sha256: str
    program_code: str
    program_name: str
    program_short_name: str
    experience_areas: list[tuple[str, str]]
    edition_code: str
    edition_title: str
    effective_from: dt.date
    effective_to: dt.date | None
    sources: dict[str, dict[str, Any]]
    policies: dict[str, Figure]
    fees: dict[str, Figure]
    currency: str
    requirements: list[RequirementSpec]
    series: list[SeriesSpec]
    designations: list[DesignationSpec]

    @property
    def tests(self) -> list[TestSpec]:
        return [test for series in self.series for test in series.tests]


def _to_python(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        result = Located()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            if not isinstance(key, str):
                raise CatalogFileError("", key_node.start_mark.line + 1, f"key {key!r} must be text")
            if key in result:
                raise CatalogFileError("", key_node.start_mark.line + 1, f"duplicate key {key!r}")
            result[key] = _to_python(loader, value_node)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        items = LocatedList(_to_python(loader, child) for child in node.value)
        items.line = node.start_mark.line + 1
        return items
    try:
        return loader.construct_object(node)
    except ValueError as exc:  # e.g. an impossible date such as 2026-02-30
        raise CatalogFileError("", node.start_mark.line + 1, f"{node.value!r} is not valid: {exc}") from None


class _Reader:
    """Typed access to the parsed mappings that turns every mistake into a CatalogFileError."""

    def __init__(self, path: str, sources: set[str] | None = None) -> None:
        self.path = path
        self.sources = sources or set()

    def fail(self, line: int | None, problem: str) -> CatalogFileError:
        return CatalogFileError(self.path, line, problem)

    def line_of(self, mapping: Any, key: str | None = None) -> int | None:
        if isinstance(mapping, Located):
            if key is not None and key in mapping.key_lines:
                return mapping.key_lines[key]
            return mapping.line
        return getattr(mapping, "line", None)

    def mapping(
        self, value: Any, where: str, line: int | None, allowed: set[str], required: set[str]
    ) -> Located:
        if not isinstance(value, Located):
            raise self.fail(line, f"{where} must be a mapping")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(value.key_lines[unknown[0]], f"{where}: unknown key {unknown[0]!r}")
        missing = sorted(required - set(value))
        if missing:
            raise self.fail(value.line, f"{where}: missing {missing[0]!r}")
        return value

    def seq(self, mapping: Located, key: str, where: str) -> list[Any]:
        value = mapping.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(self.line_of(mapping, key), f"{where}: {key} must be a list")
        return value

    def text(self, mapping: Located, key: str, where: str, *, optional: bool = False) -> str:
        value = mapping.get(key)
        if value is None and optional:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(self.line_of(mapping, key), f"{where}: {key} must be non-empty text")
        return value.strip()

    def code_list(self, mapping: Located, key: str, where: str) -> list[str]:
        values = self.seq(mapping, key, where)
        if not all(isinstance(v, str) and v for v in values):
            raise self.fail(self.line_of(mapping, key), f"{where}: {key} must be a list of codes")
        return [str(v) for v in values]

    def sources_of(self, mapping: Located, where: str, inherited: tuple[str, ...]) -> tuple[str, ...]:
        if "source" not in mapping:
            return inherited
        raw = mapping["source"]
        if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
            raise self.fail(self.line_of(mapping, "source"), f"{where}: source must be a list of source keys")
        for key in raw:
            if key not in self.sources:
                raise self.fail(self.line_of(mapping, "source"), f"{where}: unknown source {key!r}")
        return tuple(raw)

    def confidence_of(self, mapping: Located, where: str, inherited: str | None) -> str:
        value = mapping.get("confidence", inherited)
        if value not in CONFIDENCES:
            raise self.fail(
                self.line_of(mapping, "confidence"),
                f"{where}: confidence must be one of {', '.join(CONFIDENCES)}, not {value!r}",
            )
        return str(value)

    def figure(
        self,
        mapping: Located,
        key: str,
        where: str,
        kind: type | tuple[type, ...],
        source: tuple[str, ...],
        confidence: str | None,
        *,
        nullable: bool = False,
    ) -> Figure:
        if key not in mapping:
            raise self.fail(self.line_of(mapping), f"{where}: missing {key!r}")
        raw = mapping[key]
        line = self.line_of(mapping, key)
        note = ""
        if isinstance(raw, Located):
            self.mapping(raw, f"{where}.{key}", line, {"value", "source", "confidence", "note"}, {"value"})
            source = self.sources_of(raw, f"{where}.{key}", source)
            confidence = self.confidence_of(raw, f"{where}.{key}", confidence)
            note = self.text(raw, "note", f"{where}.{key}", optional=True)
            raw = raw["value"]
        if confidence is None:
            raise self.fail(line, f"{where}.{key}: no confidence given")
        if raw is None and nullable:
            return Figure(None, source, confidence, note)
        if isinstance(raw, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.fail(line, f"{where}: {key} must be a number")
        if not isinstance(raw, kind):
            raise self.fail(line, f"{where}: {key} has the wrong type ({type(raw).__name__})")
        if isinstance(raw, int) and not isinstance(raw, bool) and raw < 0:
            raise self.fail(line, f"{where}: {key} must not be negative")
        return Figure(raw, source, confidence, note)

    def money(
        self, mapping: Located, key: str, where: str, source: tuple[str, ...], conf: str | None
    ) -> Figure:
        fig = self.figure(mapping, key, where, (str, int, float), source, conf)
        try:
            amount = decimal.Decimal(str(fig.value))
        except decimal.InvalidOperation:
            raise self.fail(
                self.line_of(mapping, key), f'{where}: {key} must be an amount like "36.00"'
            ) from None
        if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise self.fail(self.line_of(mapping, key), f'{where}: {key} must be an amount like "36.00"')
        return Figure(amount.quantize(decimal.Decimal("0.01")), fig.source, fig.confidence, fig.note)


def parse_catalog(path: str | Path) -> CatalogSpec:
    """Parse and validate the catalog file at ``path``; raise ``CatalogFileError`` on the first problem."""
    path_str = str(path)
    try:
        raw_bytes = Path(path).read_bytes()
    except OSError as exc:
        raise CatalogFileError(path_str, None, f"cannot read the file ({exc.strerror})") from None
    try:
        text = raw_bytes.decode("utf-8")
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = _to_python(loader, node) if node is not None else None
        finally:
            loader.dispose()
    except UnicodeDecodeError:
        raise CatalogFileError(path_str, None, "the file is not UTF-8 text") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise CatalogFileError(
            path_str, line, f"not valid YAML: unacceptable character #x{exc.character:04x}"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark_line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise CatalogFileError(path_str, mark_line, f"not valid YAML: {exc.problem}") from None
    except CatalogFileError as exc:
        raise CatalogFileError(path_str, exc.line, exc.problem) from None
    return _build(path_str, hashlib.sha256(raw_bytes).hexdigest(), data)


def _build(path: str, sha256: str, data: Any) -> CatalogSpec:
    r = _Reader(path)
    top = r.mapping(
        data,
        "catalog",
        1,
        {
            "format",
            "program",
            "edition",
            "sources",
            "policies",
            "fees",
            "experience_requirements",
            "series",
            "designations",
        },
        {"format", "program", "edition", "sources", "policies", "fees", "series", "designations"},
    )
    if top["format"] != FORMAT:
        raise r.fail(r.line_of(top, "format"), f"format must be {FORMAT!r}")

    sources = r.mapping(
        top["sources"],
        "sources",
        r.line_of(top, "sources"),
        set(top["sources"]) if isinstance(top["sources"], dict) else set(),
        set(),
    )
    for key, entry in sources.items():
        r.mapping(
            entry,
            f"sources.{key}",
            sources.key_lines[key],
            {"title", "url", "grade", "note"},
            {"title", "grade"},
        )
        if entry["grade"] not in ("A", "B", "C", "policy"):
            raise r.fail(entry.line, f"sources.{key}: grade must be A, B, C or policy")
    r.sources = set(sources)

    program = r.mapping(
        top["program"],
        "program",
        r.line_of(top, "program"),
        {"code", "name", "short_name", "experience_areas"},
        {"code", "name", "short_name"},
    )
    areas: list[tuple[str, str]] = []
    for entry in r.seq(program, "experience_areas", "program"):
        entry = r.mapping(entry, "experience area", program.line, {"code", "name"}, {"code", "name"})
        code = r.text(entry, "code", "experience area")
        if code in dict(areas):
            raise r.fail(entry.line, f"experience area {code!r} is listed twice")
        areas.append((code, r.text(entry, "name", f"experience area {code}")))

    edition = r.mapping(
        top["edition"],
        "edition",
        r.line_of(top, "edition"),
        {"code", "title", "effective_from", "effective_to"},
        {"code", "title", "effective_from"},
    )
    effective_from = edition["effective_from"]
    effective_to = edition.get("effective_to")
    if not isinstance(effective_from, dt.date):
        raise r.fail(
            r.line_of(edition, "effective_from"), "edition: effective_from must be a date (YYYY-MM-DD)"
        )
    if effective_to is not None and not isinstance(effective_to, dt.date):
        raise r.fail(r.line_of(edition, "effective_to"), "edition: effective_to must be a date or null")
    if effective_to is not None and effective_to <= effective_from:
        raise r.fail(r.line_of(edition, "effective_to"), "edition: effective_to must be after effective_from")

    policies_map = r.mapping(
        top["policies"],
        "policies",
        r.line_of(top, "policies"),
        {*POLICY_KEYS, *OPTIONAL_POLICY_KEYS},
        set(POLICY_KEYS),
    )
    policies = {
        key: r.figure(policies_map, key, "policies", int, (), None)
        for key in (*POLICY_KEYS, *(k for k in OPTIONAL_POLICY_KEYS if k in policies_map))
    }
    if policies["validity_years"].value < 1:
        raise r.fail(r.line_of(policies_map, "validity_years"), "policies: validity_years must be at least 1")

    fees_map = r.mapping(
        top["fees"], "fees", r.line_of(top, "fees"), {*FEE_KEYS, "currency"}, {*FEE_KEYS, "currency"}
    )
    currency = r.text(fees_map, "currency", "fees")
    if len(currency) != 3 or not currency.isupper():
        raise r.fail(r.line_of(fees_map, "currency"), "fees: currency must be a three-letter code like USD")
    fees = {key: r.money(fees_map, key, "fees", (), None) for key in FEE_KEYS}

    area_codes = {code for code, _ in areas}
    requirements: list[RequirementSpec] = []
    for entry in r.seq(top, "experience_requirements", "catalog"):
        entry = r.mapping(
            entry,
            "experience requirement",
            r.line_of(top, "experience_requirements"),
            {"code", "name", "months", "training_max_months", "areas", "source", "confidence", "note"},
            {"code", "name", "months", "training_max_months", "areas"},
        )
        code = r.text(entry, "code", "experience requirement")
        where = f"experience requirement {code}"
        src = r.sources_of(entry, where, ())
        conf = r.confidence_of(entry, where, None) if "confidence" in entry else None
        months = r.figure(entry, "months", where, int, src, conf)
        training = r.figure(entry, "training_max_months", where, int, src, conf)
        if training.value > months.value:
            raise r.fail(
                r.line_of(entry, "training_max_months"), f"{where}: training_max_months exceeds months"
            )
        req_areas = r.code_list(entry, "areas", where)
        for area in req_areas:
            if area not in area_codes:
                raise r.fail(r.line_of(entry, "areas"), f"{where}: unknown experience area {area!r}")
        if any(req.code == code for req in requirements):
            raise r.fail(entry.line, f"experience requirement {code!r} is listed twice")
        figures = {"months": months, "training_max_months": training}
        if "note" in entry:
            figures["note"] = Figure(r.text(entry, "note", where), src, conf or "policy")
        requirements.append(
            RequirementSpec(
                code, r.text(entry, "name", where), months.value, training.value, req_areas, figures
            )
        )
    requirement_codes = {req.code for req in requirements}

    series_list: list[SeriesSpec] = []
    seen_tests: dict[str, int] = {}
    for entry in r.seq(top, "series", "catalog"):
        entry = r.mapping(
            entry,
            "series",
            r.line_of(top, "series"),
            {"code", "name", "source", "confidence", "note", "tests"},
            {"code", "name", "tests"},
        )
        code = r.text(entry, "code", "series")
        where = f"series {code}"
        if any(s.code == code for s in series_list):
            raise r.fail(entry.line, f"series {code!r} is listed twice")
        src = r.sources_of(entry, where, ())
        conf = r.confidence_of(entry, where, None) if "confidence" in entry else None
        tests = [
            test
            for raw_test in r.seq(entry, "tests", where)
            for test in _build_test(r, raw_test, code, src, conf, requirement_codes, seen_tests, entry.line)
        ]
        figures = {"name": Figure(entry["name"], src, conf or "policy")}
        series_list.append(SeriesSpec(code, r.text(entry, "name", where), figures, tests))

    all_tests = {test.code: test for series in series_list for test in series.tests}
    for test in all_tests.values():
        for group in test.prerequisites:
            for ref in group["any_of"]:
                if ref not in all_tests:
                    raise r.fail(
                        group["line"], f"test {test.code}: prerequisite {ref!r} is not a test in this catalog"
                    )
                if ref == test.code:
                    raise r.fail(group["line"], f"test {test.code}: a test cannot be its own prerequisite")

    designations: list[DesignationSpec] = []
    for entry in r.seq(top, "designations", "catalog"):
        entry = r.mapping(
            entry,
            "designation",
            r.line_of(top, "designations"),
            {"code", "name", "kind", "all_of", "any_of", "min_any", "source", "confidence", "note"},
            {"code", "name", "kind"},
        )
        code = r.text(entry, "code", "designation")
        where = f"designation {code}"
        if any(d.code == code for d in designations):
            raise r.fail(entry.line, f"designation {code!r} is listed twice")
        if entry["kind"] not in DESIGNATION_KINDS:
            raise r.fail(
                r.line_of(entry, "kind"), f"{where}: kind must be one of {', '.join(DESIGNATION_KINDS)}"
            )
        src = r.sources_of(entry, where, ())
        conf = r.confidence_of(entry, where, None)
        all_of = r.code_list(entry, "all_of", where)
        any_of = r.code_list(entry, "any_of", where)
        min_any = entry.get("min_any", 0)
        if not isinstance(min_any, int) or isinstance(min_any, bool) or min_any < 0 or min_any > len(any_of):
            raise r.fail(
                r.line_of(entry, "min_any"), f"{where}: min_any must be between 0 and the size of any_of"
            )
        if not all_of and not min_any:
            raise r.fail(entry.line, f"{where}: needs all_of tests or any_of with min_any of at least 1")
        for ref in [*all_of, *any_of]:
            if ref not in all_tests:
                raise r.fail(entry.line, f"{where}: {ref!r} is not a test in this catalog")
            if all_tests[ref].recertifies:
                raise r.fail(
                    entry.line, f"{where}: {ref!r} is a recertification test; name the test it renews"
                )
        figures = {"rule": Figure(None, src, conf)}
        if "note" in entry:
            figures["rule"] = Figure(None, src, conf, r.text(entry, "note", where))
        designations.append(
            DesignationSpec(
                code, r.text(entry, "name", where), entry["kind"], all_of, any_of, min_any, figures
            )
        )

    return CatalogSpec(
        path=path,
        sha256=sha256,
        program_code=r.text(program, "code", "program"),
        program_name=r.text(program, "name", "program"),
        program_short_name=r.text(program, "short_name", "program"),
        experience_areas=areas,
        edition_code=r.text(edition, "code", "edition"),
        edition_title=r.text(edition, "title", "edition"),
        effective_from=effective_from,
        effective_to=effective_to,
        sources={key: dict(value) for key, value in sources.items()},
        policies=policies,
        fees=fees,
        currency=currency,
        requirements=requirements,
        series=series_list,
        designations=designations,
    )


_TEST_KEYS = {
    "code",
    "name",
    "scored",
    "unscored",
    "minutes",
    "languages",
    "advanced",
    "experience",
    "blueprint_status",
    "source",
    "confidence",
    "note",
    "content_areas",
    "prerequisites",
    "recertification",
    "remote",
}


def _build_test(
    r: _Reader,
    raw: Any,
    series_code: str,
    src: tuple[str, ...],
    conf: str | None,
    requirement_codes: set[str],
    seen: dict[str, int],
    parent_line: int,
    recertifies: TestSpec | None = None,
) -> list[TestSpec]:
    required = {"code", "name", "scored", "unscored", "minutes"}
    if recertifies is None:
        required |= {"languages", "blueprint_status"}
    entry = r.mapping(raw, f"a test in series {series_code}", parent_line, _TEST_KEYS, required)
    code = r.text(entry, "code", "test")
    where = f"test {code}"
    if code in seen:
        raise r.fail(entry.line, f"test {code!r} is listed twice (first on line {seen[code]})")
    seen[code] = entry.line
    src = r.sources_of(entry, where, src)
    conf = r.confidence_of(entry, where, conf) if ("confidence" in entry or conf) else None
    figures = {key: r.figure(entry, key, where, int, src, conf) for key in ("scored", "unscored", "minutes")}
    if figures["scored"].value < 1 or figures["minutes"].value < 1:
        raise r.fail(r.line_of(entry, "scored"), f"{where}: scored and minutes must be at least 1")

    languages = (
        r.code_list(entry, "languages", where)
        if "languages" in entry
        else (list(recertifies.languages) if recertifies else [])
    )
    if not languages:
        raise r.fail(r.line_of(entry, "languages"), f"{where}: languages must list at least one language")
    for language in languages:
        if language not in LANGUAGES:
            raise r.fail(r.line_of(entry, "languages"), f"{where}: unsupported language {language!r}")

    experience = entry.get("experience", recertifies.experience if recertifies else None)
    if experience is not None and (not isinstance(experience, str) or experience not in requirement_codes):
        raise r.fail(
            r.line_of(entry, "experience"), f"{where}: unknown experience requirement {experience!r}"
        )

    status = entry.get("blueprint_status", "provisional" if recertifies else None)
    if status not in BLUEPRINT_STATUSES:
        raise r.fail(
            r.line_of(entry, "blueprint_status"),
            f"{where}: blueprint_status must be one of {', '.join(BLUEPRINT_STATUSES)}",
        )

    areas: list[AreaSpec] = []
    for raw_area in r.seq(entry, "content_areas", where):
        area = r.mapping(
            raw_area,
            f"{where} content area",
            r.line_of(entry, "content_areas"),
            {"letter", "name", "questions"},
            {"letter", "name"},
        )
        letter = str(area["letter"]).strip()
        if any(a.letter == letter for a in areas):
            raise r.fail(area.line, f"{where}: content area {letter!r} is listed twice")
        questions = area.get("questions")
        if questions is not None and (
            not isinstance(questions, int) or isinstance(questions, bool) or questions < 0
        ):
            raise r.fail(
                area.line, f"{where}: content area {letter} questions must be a whole number or null"
            )
        areas.append(AreaSpec(letter, r.text(area, "name", f"{where} content area {letter}"), questions))
    if status == "complete":
        if not areas:
            raise r.fail(entry.line, f"{where}: a complete blueprint needs content areas")
        if any(a.questions is None for a in areas):
            raise r.fail(
                r.line_of(entry, "content_areas"), f"{where}: a complete blueprint needs every area's count"
            )
        total = sum(a.questions or 0 for a in areas)
        if total != figures["scored"].value:
            raise r.fail(
                r.line_of(entry, "content_areas"),
                f"{where}: content areas sum to {total} questions but scored is {figures['scored'].value}",
            )

    prerequisites: list[dict[str, Any]] = []
    for raw_group in r.seq(entry, "prerequisites", where):
        group = r.mapping(
            raw_group,
            f"{where} prerequisite",
            r.line_of(entry, "prerequisites"),
            {"kind", "any_of", "source", "confidence", "note"},
            {"kind", "any_of"},
        )
        if group["kind"] not in PREREQUISITE_KINDS:
            raise r.fail(
                group.line, f"{where}: prerequisite kind must be one of {', '.join(PREREQUISITE_KINDS)}"
            )
        codes = r.code_list(group, "any_of", f"{where} prerequisite")
        if not codes:
            raise r.fail(group.line, f"{where}: a prerequisite needs at least one test in any_of")
        group_src = r.sources_of(group, f"{where} prerequisite", src)
        group_conf = r.confidence_of(group, f"{where} prerequisite", conf)
        prerequisites.append(
            {
                "kind": group["kind"],
                "any_of": codes,
                "line": group.line,
                "source": list(group_src),
                "confidence": group_conf,
                "note": r.text(group, "note", where, optional=True),
            }
        )

    advanced = entry.get("advanced", recertifies.advanced if recertifies else False)
    remote = entry.get("remote", False)
    if not isinstance(advanced, bool) or not isinstance(remote, bool):
        raise r.fail(entry.line, f"{where}: advanced and remote must be true or false")
    if conf is not None:
        figures["name"] = Figure(entry["name"], src, conf)

    test = TestSpec(
        code=code,
        name=r.text(entry, "name", where),
        series_code=series_code,
        scored=figures["scored"].value,
        unscored=figures["unscored"].value,
        minutes=figures["minutes"].value,
        languages=languages,
        advanced=advanced,
        remote=remote,
        experience=experience,
        blueprint_status=status,
        note=r.text(entry, "note", where, optional=True),
        figures=figures,
        content_areas=areas,
        prerequisites=prerequisites,
        recertifies=recertifies.code if recertifies else None,
    )
    result = [test]
    if "recertification" in entry:
        if recertifies is not None:
            raise r.fail(
                r.line_of(entry, "recertification"), f"{where}: a recertification test cannot have its own"
            )
        result += _build_test(
            r,
            entry["recertification"],
            series_code,
            src,
            conf,
            requirement_codes,
            seen,
            r.line_of(entry, "recertification") or entry.line,
            recertifies=test,
        )
    return result
