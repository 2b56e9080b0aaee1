from __future__ import annotations

from django.contrib import admin

from wrenchmark.scoring.models import TestResult


@admin.register(TestResult)
class TestResultAdmin(admin.ModelAdmin):
    list_display = ("candidate", "test", "taken_on", "outcome", "source")
    list_filter = ("outcome", "source")
    raw_id_fields = ("candidate", "recorded_by")
