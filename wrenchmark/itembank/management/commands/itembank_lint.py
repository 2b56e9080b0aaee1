"""``manage.py itembank_lint [--test CODE]``: lint the stored bank; exits non-zero on errors."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrenchmark.itembank.conversion import version_to_spec
from wrenchmark.itembank.linting import ERROR, lint_bank
from wrenchmark.itembank.selectors import item_queryset


class Command(BaseCommand):
    help = "Lint every item's current version (and the bank: near-duplicates, key balance per test)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--test", help="only this test code")
        parser.add_argument("--quiet", action="store_true", help="print errors only")

    def handle(self, *args: Any, **options: Any) -> None:
        items = item_queryset().exclude(state="retired")
        if options["test"]:
            items = items.filter(test_code=options["test"].upper())
        specs = [version_to_spec(item.current_version, item) for item in items if item.current_version]
        findings = lint_bank(specs)
        errors = [f for f in findings if f.severity == ERROR]
        for finding in findings:
            if finding.severity == ERROR or not options["quiet"]:
                self.stdout.write(str(finding))
        self.stdout.write(f"{len(specs)} items: {len(errors)} errors, {len(findings) - len(errors)} warnings")
        if errors:
            raise CommandError(f"the linter found {len(errors)} errors; fix them and run itembank_lint again")
