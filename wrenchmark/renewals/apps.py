from __future__ import annotations

from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    name = "wrenchmark.renewals"
    label = "renewals"
    verbose_name = "Renewal program"

    def ready(self) -> None:
        from wrenchmark.credentials.reminders import reminder_context_provider
        from wrenchmark.renewals.selectors import reminder_renewal_context

        reminder_context_provider(reminder_renewal_context)
