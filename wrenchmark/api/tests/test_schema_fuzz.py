"""Schemathesis drives every documented operation with generated input: no 5xx, responses match the schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def wsgi_keeps_the_test_connection() -> Any:
    """Like Django's test client: a request must not close the connection the test transaction lives in."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_honours_its_schema_for_generated_input(
    catalog: Any, wsgi_keeps_the_test_connection: Any
) -> None:
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
