from __future__ import annotations

from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "wrenchmark.practice"
    label = "practice"
    verbose_name = "Practice and preparation"
