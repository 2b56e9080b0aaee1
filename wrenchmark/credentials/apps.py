from __future__ import annotations

from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "wrenchmark.credentials"
    label = "credentials"
    verbose_name = "Credentials"

    def ready(self) -> None:
        from wrenchmark.core import events
        from wrenchmark.credentials.services import on_record_changed

        events.subscribe(on_record_changed)
