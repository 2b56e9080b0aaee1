from __future__ import annotations

from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "wrenchmark.appointments"
    label = "appointments"
    verbose_name = "Test sites, appointments and check-in"

    def ready(self) -> None:
        from wrenchmark.appointments.services import on_record_changed
        from wrenchmark.core import events

        events.subscribe(on_record_changed)
