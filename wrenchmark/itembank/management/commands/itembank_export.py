"""``manage.py itembank_export --format qti3|qti21|json [--test CODE] OUT``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrenchmark.itembank.exchange import bank_export
from wrenchmark.itembank.interchange import FORMATS
from wrenchmark.itembank.selectors import item_search


class Command(BaseCommand):
    help = "Export the item bank as a QTI 3.0 or QTI 2.1 content package (zip), or as Wrenchmark JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", metavar="OUT", help="the file to write (.zip for QTI, .json for JSON)")
        parser.add_argument("--format", choices=FORMATS, default="qti3")
        parser.add_argument("--test", default="", help="only this test code")
        parser.add_argument("--state", default="", help="only items in this state")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if not out.parent.exists():
            raise CommandError(f"the folder {out.parent} does not exist")
        items = item_search(test=options["test"], state=options["state"])
        if not items.exists():
            raise CommandError("no items match; check --test and --state")
        count = bank_export(items=items, out=out, fmt=options["format"])
        self.stdout.write(f"Wrote {count} item files ({options['format']}) to {out}")
