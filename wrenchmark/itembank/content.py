"""Read item bank files (docs/item-format.md) into plain item specs, with every problem located.

Framework-free: the checker (``python -m wrenchmark.itembank.check``) and the loader both use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wrenchmark.itembank.markup import markup_problems, normalise_stem

FORMAT = "wrenchmark-items/1"
STYLES = ("direct", "most_likely", "tech_ab", "except", "least_likely")
POOLS = ("operational", "practice", "renewal")
# The id of an item says its pool: TEST-0001 operational (forms), TEST-P001 practice, TEST-R001 renewal.
ID_PREFIXES = {"operational": "", "practice": "P", "renewal": "R"}
STATES = ("draft", "in_review", "needs_rework", "approved", "pretest", "operational", "retired")
SHIPPED_STATES = ("approved", "operational", "pretest")
EXHIBIT_KINDS = ("svg", "image", "table")
TECH_AB_KEYS = ("a_only", "b_only", "both", "neither")
TECH_AB_TEXT = {
    "en": {"a_only": "A only", "b_only": "B only", "both": "Both A and B", "neither": "Neither A nor B"},
    "es": {"a_only": "Solo A", "b_only": "Solo B", "both": "Tanto A como B", "neither": "Ni A ni B"},
}
TRANSLATION_STATUSES = ("draft", "in_review", "approved")
ID_PATTERN = re.compile(r"^(?P<test>[A-Z]+\d*)-(?P<prefix>[PR]?)\d{3,4}$")

_ITEM_KEYS = {
    "id",
    "pool",
    "area",
    "task",
    "style",
    "stem",
    "options",
    "tech_ab_key",
    "tech_ab_rationales",
    "exhibit",
    "references",
    "keywords",
    "enemies",
    "author",
    "reviews",
    "es",
    "state",
}


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int | None
    item: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line if self.line is not None else '?'}: {self.item}: {self.message}"


@dataclass(slots=True)
class OptionSpec:
    text: str
    rationale: str
    is_key: bool = False
    locked: bool = False


@dataclass(slots=True)
class ExhibitSpec:
    kind: str
    title: str
    alt: str
    file: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    path: Path | None = None
    content: bytes | None = None
    media_type: str = ""

    def data(self) -> bytes:
        """The exhibit file's bytes (SVG or image); empty for tables."""
        if self.content is not None:
            return self.content
        return self.path.read_bytes() if self.path is not None and self.path.is_file() else b""


@dataclass(slots=True)
class ReviewSpec:
    reviewer: str
    decision: str
    comment: str
    changed: str = ""


@dataclass(slots=True)
class TranslationSpec:
    language: str
    status: str
    stem: str
    options: list[OptionSpec]
    exhibit_title: str = ""
    exhibit_alt: str = ""


@dataclass(slots=True)
class ItemSpec:
    external_id: str
    test: str
    pool: str
    area: str
    task: str
    style: str
    stem: str
    options: list[OptionSpec]
    exhibit: ExhibitSpec | None
    references: list[str]
    keywords: list[str]
    enemies: list[str]
    author: str
    reviews: list[ReviewSpec]
    translations: list[TranslationSpec]
    state: str
    line: int
    path: str

    @property
    def key_index(self) -> int:
        keys = [i for i, option in enumerate(self.options) if option.is_key]
        return keys[0] if len(keys) == 1 else -1

    @property
    def key_letter(self) -> str:
        return "ABCD"[self.key_index] if self.key_index >= 0 else "?"


@dataclass(slots=True)
class BankFile:
    path: str
    test: str
    items: list[ItemSpec]
    problems: list[Problem]


class _Lines(yaml.SafeLoader):
    """A YAML loader that records the line each mapping starts on under the key ``__line__``."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def tech_ab_options(key: str, rationales: dict[str, str], language: str = "en") -> list[OptionSpec]:
    """The four fixed, locked Technician A/B options with the writer's rationales."""
    return [
        OptionSpec(
            text=TECH_AB_TEXT[language][code],
            rationale=rationales.get(code, ""),
            is_key=code == key,
            locked=True,
        )
        for code in TECH_AB_KEYS
    ]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _raw_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(v).strip() for v in value if str(v).strip()]


def parse_bank_file(path: str | Path) -> BankFile:
    """Parse one bank file; every problem found is returned, none raised (except for unreadable files)."""
    path = Path(path)
    problems: list[Problem] = []
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Lines)  # noqa: S506 - a SafeLoader subclass
    except (OSError, UnicodeDecodeError) as exc:
        return BankFile(str(path), "", [], [Problem(str(path), None, "-", f"cannot read the file: {exc}")])
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        return BankFile(str(path), "", [], [Problem(str(path), line, "-", f"not valid YAML: {exc.problem}")])
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return BankFile(str(path), "", [], [Problem(str(path), 1, "-", f"format must be {FORMAT!r}")])
    test = _text(data.get("test"))
    raw_items = data.get("items")
    if not test or not isinstance(raw_items, list):
        return BankFile(
            str(path), test, [], [Problem(str(path), 1, "-", "the file needs `test` and a list of `items`")]
        )
    items = [_parse_item(path, test, raw, problems) for raw in raw_items if isinstance(raw, dict)]
    return BankFile(str(path), test, [item for item in items if item is not None], problems)


def _parse_item(path: Path, test: str, raw: dict[str, Any], problems: list[Problem]) -> ItemSpec | None:
    line = raw.get("__line__", 0)
    external_id = _text(raw.get("id")) or f"(item at line {line})"

    def problem(message: str, severity: str = "error") -> None:
        problems.append(Problem(str(path), line, external_id, message, severity))

    unknown = sorted(set(raw) - _ITEM_KEYS - {"__line__"})
    for key in unknown:
        problem(f"unknown key {key!r}")
    match = ID_PATTERN.match(external_id)
    if not match or match.group("test") != test:
        problem(
            f"id must look like {test}-0001 (operational), {test}-P001 (practice) or {test}-R001 (renewal)"
        )
    pool = _text(raw.get("pool"))
    if pool not in POOLS:
        problem(f"pool must be one of {', '.join(POOLS)}")
    elif match and match.group("prefix") != ID_PREFIXES[pool]:
        problem(
            f"a {pool} item's id does not fit its pool: operational items are {test}-0001, "
            f"practice {test}-P001, renewal {test}-R001"
        )
    style = _text(raw.get("style"))
    if style not in STYLES:
        problem(f"style must be one of {', '.join(STYLES)}")
    state = _text(raw.get("state")) or "approved"
    if state not in STATES:
        problem(f"state must be one of {', '.join(STATES)}")
    stem = _raw_text(raw.get("stem"))
    if not stem.strip():
        problem("the stem is empty")
    for message in markup_problems(stem):
        problem(f"stem: {message}")

    if style == "tech_ab":
        if raw.get("options"):
            problem("a tech_ab item does not write options; give tech_ab_key and tech_ab_rationales")
        key = _text(raw.get("tech_ab_key"))
        rationales = _mapping(raw.get("tech_ab_rationales"))
        if key not in TECH_AB_KEYS:
            problem(f"tech_ab_key must be one of {', '.join(TECH_AB_KEYS)}")
        for code in TECH_AB_KEYS:
            if not _text(rationales.get(code)):
                problem(f"tech_ab_rationales.{code} is missing")
        options = tech_ab_options(key, {k: _text(v) for k, v in rationales.items() if k != "__line__"})
    else:
        if "tech_ab_key" in raw or "tech_ab_rationales" in raw:
            problem("tech_ab_key and tech_ab_rationales belong to tech_ab items only")
        options = []
        for option in raw.get("options") or []:
            if not isinstance(option, dict):
                problem("each option is a mapping with text, rationale and (for one) key: true")
                continue
            for message in markup_problems(str(option.get("text", ""))):
                problem(f"option: {message}")
            if option.get("key") not in (None, True, False):
                problem("an option's key is true or false")
            options.append(
                OptionSpec(
                    text=_text(option.get("text")),
                    rationale=_text(option.get("rationale")),
                    is_key=option.get("key") is True,
                    locked=option.get("locked") is True,
                )
            )

    exhibit = _parse_exhibit(path, test, raw.get("exhibit"), problem)
    reviews = []
    for review in raw.get("reviews") or []:
        if not isinstance(review, dict) or review.get("decision") not in ("approve", "rework"):
            problem("each review needs reviewer, decision (approve or rework) and comment")
            continue
        reviews.append(
            ReviewSpec(
                reviewer=_text(review.get("reviewer")),
                decision=review["decision"],
                comment=_text(review.get("comment")),
                changed=_text(review.get("changed")),
            )
        )
    translations = []
    if raw.get("es") is not None:
        translation = _parse_translation(
            raw["es"], style, _text(raw.get("tech_ab_key")), options, exhibit, problem
        )
        if translation is not None:
            translations.append(translation)
    area = str(raw.get("area") or "").strip()
    if not area:
        problem("area (the content-area letter) is missing")
    author = _text(raw.get("author"))
    if not author:
        problem("author is missing")
    return ItemSpec(
        external_id=external_id,
        test=test,
        pool=pool,
        area=area,
        task=_text(raw.get("task")),
        style=style,
        stem=normalise_stem(stem, style),
        options=options,
        exhibit=exhibit,
        references=_strings(raw.get("references")),
        keywords=_strings(raw.get("keywords")),
        enemies=_strings(raw.get("enemies")),
        author=author,
        reviews=reviews,
        translations=translations,
        state=state,
        line=line,
        path=str(path),
    )


def _parse_exhibit(path: Path, test: str, raw: Any, problem: Any) -> ExhibitSpec | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problem("exhibit must be a mapping (kind, title, alt, and file or columns/rows)")
        return None
    kind = _text(raw.get("kind"))
    if kind not in EXHIBIT_KINDS:
        problem(f"exhibit kind must be one of {', '.join(EXHIBIT_KINDS)}")
        return None
    exhibit = ExhibitSpec(kind=kind, title=_text(raw.get("title")), alt=_text(raw.get("alt")))
    if kind in ("svg", "image"):
        exhibit.file = _text(raw.get("file"))
        exhibit.path = path.parent / "exhibits" / test / exhibit.file
        if not exhibit.file or not exhibit.path.is_file():
            problem(f"exhibit file {exhibit.file!r} is not in exhibits/{test}/")
    else:
        exhibit.columns = _strings(raw.get("columns"))
        rows = raw.get("rows")
        if not exhibit.columns or not isinstance(rows, list) or not rows:
            problem("a table exhibit needs columns and rows")
        else:
            for row in rows:
                if not isinstance(row, list) or len(row) != len(exhibit.columns):
                    problem(f"every table row needs {len(exhibit.columns)} cells")
                    break
                exhibit.rows.append(["" if cell is None else str(cell) for cell in row])
    return exhibit


def _parse_translation(
    raw: Any,
    style: str,
    tech_ab_key: str,
    english: list[OptionSpec],
    exhibit: ExhibitSpec | None,
    problem: Any,
) -> TranslationSpec | None:
    if not isinstance(raw, dict):
        problem("es must be a mapping")
        return None
    status = _text(raw.get("status")) or "draft"
    if status not in TRANSLATION_STATUSES:
        problem(f"es.status must be one of {', '.join(TRANSLATION_STATUSES)}")
    stem = _raw_text(raw.get("stem"))
    if not stem.strip():
        problem("es.stem is empty")
    if style == "tech_ab":
        rationales = _mapping(raw.get("tech_ab_rationales"))
        for code in TECH_AB_KEYS:
            if not _text(rationales.get(code)):
                problem(f"es.tech_ab_rationales.{code} is missing")
        options = tech_ab_options(
            tech_ab_key, {k: _text(v) for k, v in rationales.items() if k != "__line__"}, "es"
        )
    else:
        raw_options = raw.get("options") or []
        if len(raw_options) != len(english):
            problem(f"es has {len(raw_options)} options; the English item has {len(english)}")
        options = [
            OptionSpec(
                text=_text(option.get("text")) if isinstance(option, dict) else "",
                rationale=_text(option.get("rationale")) if isinstance(option, dict) else "",
                is_key=english[index].is_key if index < len(english) else False,
                locked=english[index].locked if index < len(english) else False,
            )
            for index, option in enumerate(raw_options)
        ]
        for index, option in enumerate(raw_options):
            if (
                isinstance(option, dict)
                and "key" in option
                and bool(option["key"]) != (index < len(english) and english[index].is_key)
            ):
                problem("es: the key must be the same option as in English")
    translation = TranslationSpec(
        language="es",
        status=status,
        stem=normalise_stem(stem, style),
        options=options,
        exhibit_title=_text(raw.get("exhibit_title")),
        exhibit_alt=_text(raw.get("exhibit_alt")),
    )
    if exhibit is not None and not translation.exhibit_alt:
        problem("es.exhibit_alt is missing (the item has an exhibit)")
    return translation
