"""``manage.py demo_load``: add the demo people and histories (once) and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.demo.loading import (
    DEMO_PASSWORD,
    demo_bank_promote,
    demo_forms_publish,
    demo_load,
    demo_logins,
)


class Command(BaseCommand):
    help = "Load the demo data (one user per role, candidates with a history) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = demo_load()
        except ApplicationError as exc:
            raise CommandError(f"demo data not loaded: {exc.message}") from None
        self.stdout.write("Demo data loaded." if created else "Demo data already present.")
        moved = demo_bank_promote()
        if moved:
            self.stdout.write(f"Demo item bank: {moved} approved items put in operational use.")
        forms = demo_forms_publish()
        if forms:
            self.stdout.write(f"Demo forms published: {', '.join(forms)}.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}) — DEMO DATA, not real people:")
        for login in demo_logins():
            self.stdout.write(f"  {login.email:<42} {login.role:<24} {login.note}")
        self.stdout.write("")
