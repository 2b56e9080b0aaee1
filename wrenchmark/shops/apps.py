from __future__ import annotations

from django.apps import AppConfig


class ShopsConfig(AppConfig):
    name = "wrenchmark.shops"
    label = "shops"
    verbose_name = "Shops: staff credentials and Blue Seal"
