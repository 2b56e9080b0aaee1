from __future__ import annotations

from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "wrenchmark.scoring"
    label = "scoring"
    verbose_name = "Scoring"
