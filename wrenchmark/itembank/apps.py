from __future__ import annotations

from django.apps import AppConfig


class ItembankConfig(AppConfig):
    name = "wrenchmark.itembank"
    label = "itembank"
    verbose_name = "Item bank"
