"""Check bank files without a database: ``python -m wrenchmark.itembank.check FILE [FILE ...]``.

Prints every problem (parse, panel rule, SVG safety, linter) as ``PATH:LINE: ITEM: message``, then per
test the counts per content area against the targets (1.2 x the blueprint for operational items, half
the scored count for the practice pool, twelve items for a renewal pool where the test has one), the
style mix, the exhibit share and the key balance. Each pool is counted apart: practice and renewal items
never count towards the operational figures.
Exits 1 when there is any error.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from wrenchmark.catalog.loading import parse_catalog
from wrenchmark.itembank.content import SHIPPED_STATES, ItemSpec, Problem, parse_bank_file
from wrenchmark.itembank.linting import ERROR, key_balance, lint_bank
from wrenchmark.itembank.svg import SvgRefused, sanitise_svg

ROOT = Path(__file__).resolve().parent
CONTENT = ROOT / "content"
CATALOG = ROOT.parent / "catalog" / "data" / "ase-2026-07.yaml"
OPERATIONAL_FACTOR = 1.2
PRACTICE_FACTOR = 0.5
RENEWAL_TARGET = 12  # one renewal question a month per certified area for a subscription year


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    items: list[ItemSpec] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


def load_panel(path: Path = CONTENT / "panel.yaml") -> dict[str, tuple[str, set[str]]]:
    """The content panel: handle -> (name, roles)."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        entry["handle"]: (entry.get("name", entry["handle"]), set(entry.get("roles", [])))
        for entry in data.get("panel", [])
    }


def panel_problems(item: ItemSpec, panel: dict[str, tuple[str, set[str]]]) -> list[str]:
    """The panel rule: shipped items carry two approvals by two reviewers other than the author."""
    problems = []
    if panel and item.author not in panel:
        problems.append(f"author {item.author!r} is not in panel.yaml")
    for review in item.reviews:
        if panel and "reviewer" not in panel.get(review.reviewer, ("", set()))[1]:
            problems.append(f"reviewer {review.reviewer!r} is not a reviewer in panel.yaml")
        if review.reviewer == item.author:
            problems.append("the author cannot review their own item")
        if not review.comment:
            problems.append(f"the review by {review.reviewer} has no comment")
    if item.state in SHIPPED_STATES:
        last_two = item.reviews[-2:]
        if (
            len(last_two) < 2
            or any(r.decision != "approve" for r in last_two)
            or (last_two[0].reviewer == last_two[1].reviewer)
        ):
            problems.append("an approved item's last two reviews are approvals by two different reviewers")
    return problems


def check_files(paths: list[Path]) -> Report:
    report = Report()
    panel = load_panel()
    seen: dict[str, str] = {}
    for path in paths:
        bank = parse_bank_file(path)
        report.problems.extend(bank.problems)
        for item in bank.items:
            if item.external_id in seen:
                report.problems.append(
                    Problem(
                        bank.path, item.line, item.external_id, f"id also used in {seen[item.external_id]}"
                    )
                )
            seen[item.external_id] = bank.path
            for message in panel_problems(item, panel):
                report.problems.append(Problem(bank.path, item.line, item.external_id, message))
            if (
                item.exhibit is not None
                and item.exhibit.kind == "svg"
                and item.exhibit.path
                and item.exhibit.path.is_file()
            ):
                try:
                    svg = sanitise_svg(item.exhibit.path.read_bytes())
                except SvgRefused as exc:
                    report.problems.append(Problem(bank.path, item.line, item.external_id, f"exhibit: {exc}"))
                else:
                    if svg.removed:
                        report.problems.append(
                            Problem(
                                bank.path,
                                item.line,
                                item.external_id,
                                f"exhibit SVG uses what is not allowed: {', '.join(sorted(set(svg.removed)))}",
                            )
                        )
                    if not svg.has_viewbox:
                        report.problems.append(
                            Problem(bank.path, item.line, item.external_id, "exhibit SVG has no viewBox")
                        )
        report.items.extend(bank.items)
    by_id = {item.external_id: item for item in report.items}
    for item in report.items:
        for enemy in item.enemies:
            if enemy not in by_id:
                report.problems.append(
                    Problem(item.path, item.line, item.external_id, f"enemy {enemy!r} is not an item")
                )
    for finding in lint_bank(report.items):
        owner = by_id.get(finding.item)
        report.problems.append(
            Problem(
                owner.path if owner else "-",
                owner.line if owner else None,
                finding.item,
                f"{finding.message} [{finding.code}]",
                finding.severity,
            )
        )
    return report


def summary(items: list[ItemSpec], catalog_path: Path = CATALOG) -> list[str]:
    spec = parse_catalog(catalog_path)
    tests = {test.code: test for test in spec.tests}
    lines: list[str] = []
    for code in sorted({item.test for item in items}):
        test = tests.get(code)
        mine = [item for item in items if item.test == code]
        lines.append(f"{code}: {len(mine)} items")
        if test is None:
            lines.append("  (not a test of the catalog)")
            continue
        for area in test.content_areas:
            operational = sum(
                1
                for i in mine
                if i.area == area.letter and i.pool == "operational" and i.state in SHIPPED_STATES
            )
            practice = sum(1 for i in mine if i.area == area.letter and i.pool == "practice")
            renewal = sum(1 for i in mine if i.area == area.letter and i.pool == "renewal")
            target = math.ceil(OPERATIONAL_FACTOR * (area.questions or 0))
            flag = "ok" if operational >= target else "SHORT"
            lines.append(
                f"  area {area.letter}: operational {operational}/{target} {flag}; practice {practice}"
                + (f"; renewal {renewal}" if any(i.pool == "renewal" for i in mine) else "")
            )
        practice_total = sum(1 for i in mine if i.pool == "practice")
        practice_target = math.ceil(PRACTICE_FACTOR * test.scored)
        lines.append(
            f"  practice pool: {practice_total}/{practice_target} {'ok' if practice_total >= practice_target else 'SHORT'}"
        )
        renewal_total = sum(1 for i in mine if i.pool == "renewal" and i.state in SHIPPED_STATES)
        if any(i.pool == "renewal" for i in mine):
            lines.append(
                f"  renewal pool: {renewal_total}/{RENEWAL_TARGET} "
                f"{'ok' if renewal_total >= RENEWAL_TARGET else 'SHORT'}"
            )
        styles = Counter(i.style for i in mine)
        share = {style: count / len(mine) for style, count in styles.items()}
        negative = share.get("except", 0) + share.get("least_likely", 0)
        lines.append(
            "  styles: "
            + ", ".join(f"{s} {c}" for s, c in sorted(styles.items()))
            + f" | tech_ab {share.get('tech_ab', 0):.0%} (>=25%), except+least {negative:.0%} (10-15%)"
        )
        exhibits = sum(1 for i in mine if i.exhibit is not None)
        lines.append(f"  exhibits: {exhibits} ({exhibits / len(mine):.0%}, >=15%)")
        balance = key_balance(mine)[code]
        lines.append("  keys: " + ", ".join(f"{k} {v:.0%}" for k, v in balance.items()) + " (each 20-30%)")
        spanish = sum(1 for i in mine if i.translations)
        lines.append(f"  Spanish: {spanish}/{len(mine)}")
    return lines


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or sorted(CONTENT.glob("*.yaml"))
    paths = [p for p in paths if p.name != "panel.yaml"]
    report = check_files(paths)
    for problem in report.problems:
        print(f"{problem} ({problem.severity})")  # noqa: T201
    for line in summary(report.items):
        print(line)  # noqa: T201
    warnings = len(report.problems) - len(report.errors)
    print(f"{len(report.items)} items, {len(report.errors)} errors, {warnings} warnings")  # noqa: T201
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
