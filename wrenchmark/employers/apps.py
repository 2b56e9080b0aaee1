from __future__ import annotations

from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "wrenchmark.employers"
    label = "employers"
    verbose_name = "Employers"
