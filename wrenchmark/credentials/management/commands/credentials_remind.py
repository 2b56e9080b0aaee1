"""``manage.py credentials_remind [--on YYYY-MM-DD]``: e-mail the expiry reminders due (run daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrenchmark.credentials.models import ReminderKind
from wrenchmark.credentials.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "E-mail the expiry reminders due today (or --on): 180, 90 and 30 days before expiry, and on expiry."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", help="the day to send as of (YYYY-MM-DD); today by default")

    def handle(self, *args: Any, **options: Any) -> None:
        on = None
        if options["on"]:
            try:
                on = dt.date.fromisoformat(options["on"])
            except ValueError:
                raise CommandError("--on must be a date written YYYY-MM-DD") from None
        counts = reminders_send(on=on)
        parts = ", ".join(f"{counts[kind.value]} {kind.label}" for kind in ReminderKind)
        self.stdout.write(f"Reminders sent: {parts}.")
