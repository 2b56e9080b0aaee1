"""``manage.py catalog_load PATH [PATH ...]``: validate and load catalog editions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrenchmark.catalog.loading import CatalogFileError
from wrenchmark.catalog.services import catalog_load


class Command(BaseCommand):
    help = "Validate catalog files (docs/catalog-format.md) and load each as an edition, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")

    def handle(self, *args: Any, **options: Any) -> None:
        for path in options["paths"]:
            try:
                edition, changed = catalog_load(path=path)
            except CatalogFileError as exc:
                raise CommandError(str(exc)) from None
            verb = "Loaded" if changed else "Unchanged:"
            self.stdout.write(
                f"{verb} {edition.program.short_name} edition {edition.code} "
                f"({edition.tests.count()} tests, {edition.designations.count()} designations)"
            )
