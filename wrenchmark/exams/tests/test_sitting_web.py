"""The sitting through its pages and API: no key ever reaches the candidate (G8), one session (G7)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from conftest import admit, client_for
from wrenchmark.accounts.models import User
from wrenchmark.core.models import AuditEvent
from wrenchmark.exams.models import Attempt
from wrenchmark.itembank.models import ItemOption, ItemTranslation

pytestmark = pytest.mark.django_db
CANARY = "ZQXCANARY"


def start(client: Client, form: Any) -> Attempt:
    admit(User.objects.get(pk=client.session["_auth_user_id"]), form.test)
    response = client.post(f"/exams/forms/{form.pk}/start/")
    assert response.status_code == 302
    return Attempt.objects.latest("pk")


def save(client: Client, attempt: Attempt, **fields: Any) -> Any:
    return client.post(
        f"/api/v1/attempts/{attempt.pk}/responses", data=json.dumps(fields), content_type="application/json"
    )


def test_no_page_or_endpoint_a_candidate_reaches_during_a_sitting_carries_a_key_or_rationale(
    published_form: Any, candidate_alice: Any
) -> None:
    # Plant a unique marker in every rationale, and mark the key's text, on every item of the form.
    versions = [fi.version for fi in published_form.form_items.select_related("version")]
    for version in versions:
        for option in version.options.all():
            ItemOption.objects.filter(pk=option.pk).update(
                rationale=f"{CANARY}-rationale-{option.pk}",
                text=option.text + (f" {CANARY}KEY" if option.is_key else ""),
            )
    client = client_for(candidate_alice)
    attempt = start(client, published_form)
    bodies = [
        client.get(f"/exams/attempts/{attempt.pk}/").content.decode(),
        client.get("/exams/").content.decode(),
    ]
    bodies.append(client.get(f"/api/v1/attempts/{attempt.pk}").content.decode())
    for position in range(len(attempt.item_order)):
        bodies.append(client.get(f"/api/v1/attempts/{attempt.pk}/questions/{position}").content.decode())
    ack = save(client, attempt, form_item=attempt.item_order[0], choice="A", seq=1)
    bodies.append(ack.content.decode())
    for url in ("/dashboard/", "/catalog/tests/A5/", "/api/v1/openapi.json", "/items/", "/api/v1/items"):
        bodies.append(client.get(url).content.decode())
    leaks = [body for body in bodies if "-rationale-" in body]
    assert leaks == []
    # The key's own text is shown (it is an option), but nothing marks which option it is.
    # (The OpenAPI document names the bank's fields for staff; it carries no item data.)
    data_bodies = [body for body in bodies if '"openapi"' not in body]
    assert all(not re.search(r'"is_key"|"rationale"|"key":|"correct_response"', body) for body in data_bodies)
    assert any(f"{CANARY}KEY" in body for body in bodies), "the canary was planted where the candidate looks"


def test_saves_are_ordered_and_a_late_or_foreign_save_is_refused(
    published_form: Any, candidate_alice: Any, outsider_dave: Any
) -> None:
    client = client_for(candidate_alice)
    attempt = start(client, published_form)
    item = attempt.item_order[3]
    assert save(client, attempt, form_item=item, choice="B", seq=5).json()["applied"]
    stale = save(client, attempt, form_item=item, choice="C", seq=4).json()
    assert (stale["applied"], stale["seq"]) == (False, 5)
    assert save(client, attempt, form_item=item, choice="E", seq=6).status_code == 400
    assert client_for(outsider_dave).get(f"/api/v1/attempts/{attempt.pk}").status_code == 404
    assert save(client_for(outsider_dave), attempt, form_item=item, choice="A", seq=9).status_code == 404
    state = client.get(f"/api/v1/attempts/{attempt.pk}").json()
    assert 0 < state["remaining_ms"] <= 75 * 60 * 1000
    assert [c["answered"] for c in state["navigator"]][3]


def test_a_second_browser_is_refused_until_it_takes_over_and_the_takeover_is_audited(
    published_form: Any, candidate_alice: Any
) -> None:
    first = client_for(candidate_alice)
    attempt = start(first, published_form)
    second = client_for(candidate_alice)
    assert second.get(f"/exams/attempts/{attempt.pk}/").status_code == 409
    refused = save(second, attempt, form_item=attempt.item_order[0], choice="A", seq=1)
    assert (refused.status_code, refused.json()["code"]) == (409, "other_session")
    assert second.post(f"/exams/attempts/{attempt.pk}/takeover/").status_code == 302
    assert save(second, attempt, form_item=attempt.item_order[0], choice="A", seq=1).status_code == 200
    assert (
        save(first, attempt, form_item=attempt.item_order[0], choice="B", seq=2).json()["code"]
        == "other_session"
    )
    assert AuditEvent.objects.filter(action="attempt.taken_over", target_id=str(attempt.pk)).exists()


def test_the_report_page_shows_the_result_and_areas_after_submitting(
    published_form: Any, candidate_alice: Any
) -> None:
    client = client_for(candidate_alice)
    attempt = start(client, published_form)
    submitted = client.post(f"/api/v1/attempts/{attempt.pk}/submit", content_type="application/json").json()
    assert submitted["status"] == "submitted"
    page = client.get(submitted["report_url"]).content.decode()
    assert "Fail" in page
    assert "Study these first" in page
    assert "0 / 19" in page
    again = client.get(f"/exams/attempts/{attempt.pk}/")
    assert again.status_code == 302
    assert again["Location"].endswith("/report/")


def test_a_spanish_candidate_reads_approved_translations(published_form: Any, candidate_alice: Any) -> None:
    form_item = published_form.form_items.select_related("version").first()
    options = [{"text": f"Opción {i}", "rationale": "r"} for i in range(4)]
    ItemTranslation.objects.create(
        version=form_item.version,
        language="es",
        status="approved",
        stem="Enunciado en español.",
        options=options,
    )
    client = client_for(candidate_alice)
    attempt = start(client, published_form)
    position = attempt.item_order.index(form_item.pk)
    question = client.get(f"/api/v1/attempts/{attempt.pk}/questions/{position}?language=es").json()
    assert question["language"] == "es"
    assert "Enunciado en español." in question["html"]
    assert question["languages"] == ["en", "es"]


@pytest.mark.django_db(transaction=True)
def test_a_locked_database_answers_503_to_retry_and_the_retry_lands(
    published_form: Any, candidate_alice: Any
) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("holds SQLite's single write lock from a second connection")
    import sqlite3

    client = client_for(candidate_alice)
    attempt = start(client, published_form)
    item = attempt.item_order[0]
    blocker = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        blocker.execute("BEGIN EXCLUSIVE")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout=50")
        busy = save(client, attempt, form_item=item, choice="B", seq=1)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout=20000")
    assert busy.status_code == 503
    assert busy.json()["code"] == "database_busy"
    assert busy["Retry-After"] == "1"
    assert not attempt.responses.exists()
    assert save(client, attempt, form_item=item, choice="B", seq=1).json()["applied"]


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_answers_503_before_any_view_runs(
    published_form: Any, candidate_alice: Any
) -> None:
    from django.db import OperationalError

    from wrenchmark.accounts.models import User as UserModel

    client = client_for(candidate_alice)
    attempt = start(client, published_form)
    original = UserModel.objects.get_queryset

    def unreachable(self: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    UserModel.objects.get_queryset = unreachable.__get__(UserModel.objects)  # type: ignore[method-assign]
    try:
        api = client.get(f"/api/v1/attempts/{attempt.pk}")
        page = client.get(f"/exams/attempts/{attempt.pk}/")
    finally:
        UserModel.objects.get_queryset = original  # type: ignore[method-assign]
    assert (api.status_code, api.json()["code"], api["Retry-After"]) == (503, "database_busy", "1")
    assert page.status_code == 503
    assert client.get(f"/api/v1/attempts/{attempt.pk}").status_code == 200
