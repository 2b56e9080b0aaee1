"""``manage.py credentials_refresh [--on YYYY-MM-DD]``: move credentials across dates (run daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrenchmark.credentials.services import credentials_refresh


class Command(BaseCommand):
    help = "Mark credentials expiring or expired as of today (or --on) and recompute their holders' designations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", help="the day to refresh as of (YYYY-MM-DD); today by default")

    def handle(self, *args: Any, **options: Any) -> None:
        on = None
        if options["on"]:
            try:
                on = dt.date.fromisoformat(options["on"])
            except ValueError:
                raise CommandError("--on must be a date written YYYY-MM-DD") from None
        outcome = credentials_refresh(on=on)
        self.stdout.write(
            f"Credentials refreshed: {outcome.expiring} now expiring, {outcome.expired} now expired; "
            f"{outcome.holders} holders' designations recomputed."
        )
