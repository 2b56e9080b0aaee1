from __future__ import annotations

from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "wrenchmark.registrations"
    label = "registrations"
    verbose_name = "Orders and registrations"
