"""``manage.py appointments_no_shows``: record No Shows for appointments nobody was admitted to.

Run it every few minutes from a scheduler; running it again changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wrenchmark.appointments.services import NO_SHOW_GRACE, appointments_mark_no_shows


class Command(BaseCommand):
    help = (
        f"Mark appointments with nobody admitted {int(NO_SHOW_GRACE.total_seconds() // 60)} minutes after "
        "their start as No Show (registration forfeited, No Show result recorded). Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Marked {appointments_mark_no_shows()} appointments as No Show.")
