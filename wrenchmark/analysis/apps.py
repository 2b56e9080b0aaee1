from __future__ import annotations

from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "wrenchmark.analysis"
    label = "analysis"
    verbose_name = "Item and form analysis"
