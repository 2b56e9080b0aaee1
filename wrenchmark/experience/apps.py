from __future__ import annotations

from django.apps import AppConfig


class ExperienceConfig(AppConfig):
    name = "wrenchmark.experience"
    label = "experience"
    verbose_name = "Experience"
