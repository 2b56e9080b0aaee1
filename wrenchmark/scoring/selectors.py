"""Reads of results."""

from __future__ import annotations

from django.db.models import QuerySet

from wrenchmark.accounts.models import User
from wrenchmark.scoring.models import TestResult


def result_list_for_candidate(candidate: User) -> QuerySet[TestResult]:
    return TestResult.objects.filter(candidate=candidate).select_related("test", "test__recertifies")
