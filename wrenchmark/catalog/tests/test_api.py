"""The public catalog API at /api/v1/catalog/: open to everyone, read-only, described by OpenAPI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from wrenchmark.catalog.models import Edition

pytestmark = pytest.mark.django_db

API = "/api/v1/catalog"
A_SERIES = [code for n in range(1, 10) for code in (f"A{n}", f"A{n}R")]


@pytest.fixture
def api(catalog: Edition) -> Client:
    return Client()


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    from wrenchmark.api.api import api as ninja_api

    return json.loads(json.dumps(ninja_api.get_openapi_schema(path_prefix="/api/v1/")))


def conforms(openapi: dict[str, Any], body: Any, schema: str, *, many: bool = False) -> None:
    """Validate ``body`` against a component schema of the OpenAPI document, when jsonschema is installed."""
    jsonschema = pytest.importorskip("jsonschema")
    ref: dict[str, Any] = {"$ref": f"#/components/schemas/{schema}"}
    document = {**({"type": "array", "items": ref} if many else ref), "components": openapi["components"]}
    jsonschema.Draft202012Validator(document).validate(body)


def get_json(client: Client, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_series_lists_the_a_series_with_its_recertification_tests(
    api: Client, openapi: dict[str, Any]
) -> None:
    body = get_json(api, f"{API}/series")

    conforms(openapi, body, "SeriesOut", many=True)
    series = {s["code"]: s for s in body}
    assert series["A"] == {"code": "A", "name": "Automobile & Light Truck", "tests": A_SERIES}
    assert [s["code"] for s in body][:3] == ["A", "G", "C"]
    assert series["L"]["tests"] == ["L1", "L1R", "L2", "L2R", "L3", "L4"]


def test_tests_lists_every_test_of_the_edition_in_order(
    api: Client, catalog: Edition, openapi: dict[str, Any]
) -> None:
    body = get_json(api, f"{API}/tests")

    conforms(openapi, body, "TestSummaryOut", many=True)
    assert [t["code"] for t in body] == list(
        catalog.tests.order_by("position").values_list("code", flat=True)
    )
    tests = {t["code"]: t for t in body}
    assert {"A1", "G1", "L4", "P4", "H8"} <= set(tests)
    assert tests["A5"]["recertification"] == "A5R"
    assert tests["A5R"]["recertification_of"] == "A5"
    assert tests["A5R"]["remote_allowed"] is True
    assert tests["L1"]["advanced"] is True
    assert tests["A5"]["url"] == f"{API}/tests/A5"


def test_tests_can_be_filtered_to_one_series(api: Client) -> None:
    body = get_json(api, f"{API}/tests?series=A")

    assert [t["code"] for t in body] == A_SERIES
    assert {t["series"] for t in body} == {"A"}


def test_a5_has_four_content_areas_summing_to_its_scored_count(api: Client, openapi: dict[str, Any]) -> None:
    body = get_json(api, f"{API}/tests/A5")

    conforms(openapi, body, "TestOut")
    assert (body["code"], body["name"], body["scored"], body["blueprint_status"]) == (
        "A5",
        "Brakes",
        45,
        "complete",
    )
    areas = body["content_areas"]
    assert [a["letter"] for a in areas] == ["A", "B", "C", "D"]
    assert sum(a["questions"] for a in areas) == body["scored"] == 45
    assert [a["percentage"] for a in areas] == [42.2, 11.1, 24.4, 22.2]
    assert body["experience_requirement"]["code"] == "auto-2y"
    assert body["designations"] == ["master-auto", "auto-technician"]
    assert body["sources"]["scored"]["confidence"] == "C"


def test_a_test_code_is_matched_without_regard_to_case(api: Client) -> None:
    assert get_json(api, f"{API}/tests/a5")["code"] == "A5"


def test_an_unknown_test_is_a_404_with_a_machine_readable_code(api: Client, openapi: dict[str, Any]) -> None:
    body = get_json(api, f"{API}/tests/NOPE", status=404)

    conforms(openapi, body, "ErrorOut")
    assert body["code"] == "test_not_found"
    assert "NOPE" in body["message"]
    assert "ase-2026-07" in body["message"]


def test_master_auto_needs_exactly_a1_to_a8_and_not_a9(api: Client, openapi: dict[str, Any]) -> None:
    body = get_json(api, f"{API}/designations")

    conforms(openapi, body, "DesignationOut", many=True)
    designations = {d["code"]: d for d in body}
    master = designations["master-auto"]
    assert master["all_of"] == [f"A{n}" for n in range(1, 9)]
    assert "A9" not in master["all_of"] + master["any_of"]
    assert (master["kind"], master["min_any"], master["confidence"]) == ("master", 0, "A")
    assert designations["auto-technician"]["any_of"] == [f"A{n}" for n in range(1, 10)]
    assert designations["auto-technician"]["min_any"] == 1


def test_l1_needs_a_pass_in_a8(api: Client) -> None:
    body = get_json(api, f"{API}/tests/L1")

    assert [(g["kind"], g["any_of"], g["confidence"]) for g in body["prerequisites"]] == [
        ("passed", ["A8"], "A")
    ]
    assert body["designations"] == ["advanced-specialist"]


def test_the_on_parameter_picks_the_edition_in_force_that_day(api: Client) -> None:
    body = get_json(api, f"{API}/edition?on=2026-07-01")

    assert (body["program"], body["code"], body["effective_from"], body["effective_to"]) == (
        "ase",
        "ase-2026-07",
        "2026-07-01",
        None,
    )


@pytest.mark.parametrize("on", ["2026-13-01", "yesterday"])
def test_an_invalid_on_date_is_a_422_invalid_request(api: Client, on: str, openapi: dict[str, Any]) -> None:
    body = get_json(api, f"{API}/tests?on={on}", status=422)

    conforms(openapi, body, "ErrorOut")
    assert body["code"] == "invalid_request"
    assert body["details"]["errors"][0]["loc"] == ["query", "on"]


def test_the_schema_check_catches_a_response_of_the_wrong_shape(openapi: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")

    with pytest.raises(jsonschema.ValidationError):
        conforms(openapi, {"code": "A", "name": "Automobile", "tests": "A1"}, "SeriesOut")
    with pytest.raises(jsonschema.ValidationError):
        conforms(openapi, {"code": "test_not_found"}, "ErrorOut")


def test_the_openapi_document_lists_the_catalog_paths(api: Client, openapi: dict[str, Any]) -> None:
    body = get_json(api, "/api/v1/openapi.json")

    assert body["components"] == openapi["components"]

    assert body["openapi"].startswith("3.")
    assert {
        "/api/v1/catalog/series",
        "/api/v1/catalog/tests",
        "/api/v1/catalog/tests/{code}",
        "/api/v1/catalog/designations",
    } <= set(body["paths"])
    detail = body["paths"]["/api/v1/catalog/tests/{code}"]["get"]["responses"]
    assert detail["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/TestOut"}
    assert detail["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}


def test_the_api_docs_page_is_served(api: Client) -> None:
    response = api.get("/api/v1/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"Wrenchmark API" in response.content
