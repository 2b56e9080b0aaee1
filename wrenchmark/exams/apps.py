from __future__ import annotations

from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "wrenchmark.exams"
    label = "exams"
    verbose_name = "Exams"
