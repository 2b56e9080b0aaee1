from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wrenchmark.registrations.services import registrations_expire


class Command(BaseCommand):
    help = "Expire open or scheduled registrations past their take-by date (fee forfeited). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        count = registrations_expire()
        self.stdout.write(f"Expired {count} registration{'' if count == 1 else 's'} past their take-by date.")
