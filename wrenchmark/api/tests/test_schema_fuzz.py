"""Schemathesis drives every documented operation with generated input: no 5xx, responses match the schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.django_db


def test_every_operation_honours_its_schema_for_generated_input(catalog: Any) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def honours_schema(case: Any) -> None:
            case.call_and_validate()

        honours_schema()
        checked.append(operation.label)
    assert "GET /api/v1/catalog/tests/{code}" in checked
    assert len(checked) >= 5
