"""``manage.py exams_finalize_overdue``: finalise attempts whose time ran out, at their deadlines.

Run it every minute from a scheduler; attempts are also finalised the moment anyone touches them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wrenchmark.exams.services import attempts_finalize_overdue


class Command(BaseCommand):
    help = "Finalise every attempt past its deadline (finish time = deadline). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Finalised {attempts_finalize_overdue()} overdue attempts.")
