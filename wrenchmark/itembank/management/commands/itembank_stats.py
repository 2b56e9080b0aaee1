"""``manage.py itembank_stats [--json]``: counts per test, content area, state, style and language."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wrenchmark.catalog.selectors import edition_in_force
from wrenchmark.itembank.selectors import bank_stats


class Command(BaseCommand):
    help = "Print the item bank's counts per test, content area (against 1.2 x the blueprint), state, style and language."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args: Any, **options: Any) -> None:
        stats = bank_stats(edition=edition_in_force())
        if options["json"]:
            self.stdout.write(json.dumps(stats, indent=2, sort_keys=True))
            return
        for code, entry in stats.items():
            self.stdout.write(
                f"{code}: {entry['items']} items; states {entry['states']}; styles {entry['styles']}"
            )
            for letter, area in entry["areas"].items():
                mark = "ok" if area["meets_target"] else "SHORT"
                self.stdout.write(
                    f"  {letter}: {area['usable_operational']}/{area['target']} operational ({mark}), {area['practice']} practice"
                )
