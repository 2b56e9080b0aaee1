from __future__ import annotations

from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    name = "wrenchmark.renewals"
    label = "renewals"
    verbose_name = "Renewal program"
