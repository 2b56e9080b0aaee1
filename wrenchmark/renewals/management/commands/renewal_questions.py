"""``manage.py renewal_questions [--on YYYY-MM-DD]``: serve the month's questions to every subscriber.

The pages serve them on the first visit of the month too; run this monthly (or daily: it is idempotent)
so the questions exist before anyone looks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrenchmark.core import clock
from wrenchmark.renewals.models import RenewalSubscription
from wrenchmark.renewals.services import questions_for_month


class Command(BaseCommand):
    help = "Create this month's renewal questions (or --on's month) for every running subscription."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", help="a day of the month to serve (YYYY-MM-DD); today by default")

    def handle(self, *args: Any, **options: Any) -> None:
        on = clock.today()
        if options["on"]:
            try:
                on = dt.date.fromisoformat(options["on"])
            except ValueError:
                raise CommandError("--on must be a date written YYYY-MM-DD") from None
        subscriptions = RenewalSubscription.objects.filter(
            cancelled_at__isnull=True, starts_on__lte=on, ends_on__gte=on
        ).order_by("pk")
        served = count = 0
        for subscription in subscriptions.iterator():
            questions = questions_for_month(subscription=subscription, on=on)
            if questions:
                count += 1
                served += len(questions)
        self.stdout.write(f"Renewal questions: {served} for the month across {count} subscriptions.")
