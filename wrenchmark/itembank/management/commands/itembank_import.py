"""``manage.py itembank_import IN [--author EMAIL]``: import a QTI package or a JSON export as drafts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrenchmark.accounts.models import Role, User
from wrenchmark.catalog.selectors import edition_in_force
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.itembank.exchange import bank_import


class Command(BaseCommand):
    help = "Import items from a QTI 3.0 / 2.1 content package or a Wrenchmark JSON export, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="IN")
        parser.add_argument(
            "--author",
            help="e-mail of the item writer the new items belong to (default: the program administrator)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if options["author"]:
            author = User.objects.filter(email__iexact=options["author"]).first()
            if author is None:
                raise CommandError(f"no account has the e-mail {options['author']}")
        else:
            author = (
                User.objects.filter(role_grants__role=Role.PROGRAM_ADMIN, is_active=True)
                .order_by("pk")
                .first()
            )
            if author is None:
                raise CommandError(
                    "no program administrator exists to own the imported items; give --author EMAIL"
                )
        try:
            result = bank_import(path=path, edition=edition_in_force(), acting_user=author)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Imported {path.name}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        )
