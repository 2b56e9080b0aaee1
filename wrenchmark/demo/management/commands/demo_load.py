"""``manage.py demo_load``: add the demo people and histories (once) and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wrenchmark.analysis.demo import demo_analysis_load
from wrenchmark.appointments.demo import demo_appointment_load, demo_sites_load
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.demo.loading import (
    DEMO_PASSWORD,
    demo_bank_promote,
    demo_forms_publish,
    demo_load,
    demo_logins,
)
from wrenchmark.practice.demo import demo_class_load
from wrenchmark.registrations.demo import demo_registrations_load
from wrenchmark.shops.demo import demo_shop_load


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
        if demo_registrations_load():
            self.stdout.write(
                "Demo orders: James has bought A2; Riverside Auto Service bought him an L1 voucher."
            )
        demo_sites_load()
        appointment = demo_appointment_load()
        if appointment is not None:
            local = timezone.localtime(
                appointment.starts_at, appointment.site.zone if appointment.site else None
            )
            self.stdout.write(
                f"Demo appointment: James Carter, A2, {appointment.site} at {local:%Y-%m-%d %H:%M %Z}; "
                "bob.proctor checks him in on the roster from an hour before."
            )
        if demo_shop_load() is not None:
            self.stdout.write(
                "Demo shop: Riverside Auto Service has 2 consenting technicians and meets the Blue Seal; "
                "Priya has an open invitation."
            )
        classroom = demo_class_load()
        if classroom is not None:
            self.stdout.write(
                f"Demo class: Ines Castillo's {classroom.name} (code {classroom.join_code}) has James and "
                "Priya, three A6 assignments, and James's first practice."
            )
        analysed = demo_analysis_load()
        if analysed is not None:
            self.stdout.write(
                f"Demo analysis (SIMULATED): {analysed.persons} simulated candidates practised and sat A5; see "
                '/analysis/ as sam.psychometrics. A5 practice is adaptive (Practice, "A5 adaptive practice").'
            )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}) — DEMO DATA, not real people:")
        for login in demo_logins():
            self.stdout.write(f"  {login.email:<42} {login.role:<24} {login.note}")
        self.stdout.write("")
