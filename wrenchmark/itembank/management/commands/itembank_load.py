"""``manage.py itembank_load [FILE ...]``: check the bank files and load them through the services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrenchmark.catalog.selectors import edition_in_force
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.itembank.check import CONTENT
from wrenchmark.itembank.loading import BankLoadError, bank_files, bank_load


class Command(BaseCommand):
    help = "Check the item bank files and load them as reviewed items (unchanged items are skipped)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="*", help="bank files (default: every file shipped in the product)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(f) for f in options["files"]] or bank_files(CONTENT)
        if not paths:
            self.stdout.write("No bank files to load.")
            return
        try:
            result = bank_load(edition=edition_in_force(), folder=paths[0].parent, paths=paths)
        except BankLoadError as exc:
            lines = str(exc).splitlines()
            raise CommandError(
                f"{lines[0]}" + (f" (and {len(lines) - 1} more problems)" if len(lines) > 1 else "")
            ) from None
        except (ApplicationError, NotFound) as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Item bank: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )
