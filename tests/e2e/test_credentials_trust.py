"""A credential anyone can check, end to end: a technician passes, downloads the certificate, the QR code
opens the public page; the digital badge passes both JSON Schemas and the independent verifier; a program
administrator revokes it and the verifier, the page and the API all say so; the shop sees its matrix and
the Blue Seal change when another technician's certification expires."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, axe_findings
from tests.e2e.test_experience_approval import ARTIFACTS, log_in
from wrenchmark.core import clock
from wrenchmark.credentials.models import Credential, CredentialStatus
from wrenchmark.credentials.services import credentials_refresh
from wrenchmark.credentials.tests.test_credentials_sync import approve_experience, record
from wrenchmark.credentials.tests.test_documents import scan_qr
from wrenchmark.employers.services import employer_areas_set, invitation_accept, invitation_create
from wrenchmark.rules import add_years
from wrenchmark.vc.tests.factories import validators_or_skip
from wrenchmark.vc.tests.test_dcc_interop import NODE, VERIFIER, dcc_verify, steps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_page(open_page: Callable[..., Any]) -> Callable[[Any], Any]:
    """The shared ``open_page``, on a desktop that accepts downloads (the certificate PDF)."""
    return lambda user: open_page(user, **DESKTOP, accept_downloads=True)


def join(employer: Any, admin: Any, technician: Any) -> None:
    invitation = invitation_create(employer=employer, email=technician.email, acting_user=admin)
    invitation_accept(token=invitation.token, user=technician)


def lookup(program_id: str, last_name: str) -> dict[str, Any]:
    response = Client().get("/api/v1/verify/lookup", {"program_id": program_id, "last_name": last_name})
    assert response.status_code == 200
    return response.json()


def test_a_credential_checked_by_a_person_a_machine_and_an_independent_verifier(
    open_page: Callable[[Any], Any],
    live_server: Any,
    settings: Any,
    published_form: Any,
    candidate_alice: Any,
    employer_carol: Any,
    carols_garage: Any,
    program_admin_paula: Any,
    make_user: Callable[..., Any],
    auto_area: Any,
    catalog: Any,
) -> None:
    if NODE is None or not VERIFIER.is_dir():
        pytest.skip("needs node and the npm test tools (npm ci)")
    validators = validators_or_skip()
    settings.SITE_URL = live_server.url
    today = clock.today()

    # The shop offers A5; Tom's A5 ends today, Maria's runs for years.
    tom, maria = make_user("Tom", "Reyes"), make_user("Maria", "Lopez")
    for technician, passed_on in ((tom, add_years(today, -5)), (maria, today - dt.timedelta(days=30))):
        approve_experience(technician, program_admin_paula, auto_area, years=8)
        record(technician, catalog, "A5", passed_on, source="import")
        join(carols_garage, employer_carol, technician)
    assert Credential.objects.get(holder=tom, test_code="A5").expires_on == today
    employer_areas_set(employer=carols_garage, codes=["A5"], acting_user=employer_carol)

    # Alice passes A5 through the sitting services (demo_sit), with her experience approved.
    approve_experience(candidate_alice, program_admin_paula, auto_area)
    call_command(
        "demo_sit",
        "--test",
        "A5",
        "--candidate",
        candidate_alice.email,
        "--answers",
        "correct",
        "--json",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    assert Credential.objects.get(holder=candidate_alice, test_code="A5").status == CredentialStatus.CERTIFIED

    # She downloads the certificate; its QR code opens the public page, which shows the credential.
    alice = open_page(candidate_alice)
    alice.get_by_role("link", name="Credentials", exact=True).click()
    with alice.expect_download() as pdf:
        alice.get_by_test_id("certificate-pdf").click()
    target = scan_qr(Path(pdf.value.path()).read_bytes())
    assert target.startswith(live_server.url + "/verify/s/")
    stranger = open_page(None)
    stranger.goto(target)
    row = stranger.get_by_test_id("verified-credentials").locator("tr", has_text="A5")
    expect(row).to_contain_text("Certified")
    stranger.screenshot(path=str(ARTIFACTS / "trust-public-page.png"), full_page=True)
    assert axe_findings(stranger) == []

    # Her badge passes both JSON Schemas and the independent verifier, status list included.
    with alice.expect_download() as download:
        alice.get_by_test_id("badge-json-A5").click()
    badge = json.loads(Path(download.value.path()).read_text())
    ob = json.loads((validators / "openbadges/schema/achievementcredential.json").read_text())
    vc2 = json.loads((validators / "vc/schema/verifiable-credential-schema.json").read_text())
    assert list(jsonschema.Draft201909Validator(ob).iter_errors(badge)) == []
    assert list(jsonschema.Draft202012Validator(vc2).iter_errors(badge)) == []
    accepted = steps(dcc_verify(badge))
    assert (accepted["valid_signature"], accepted["revocation_status"]) == (True, True)
    tampered = json.loads(json.dumps(badge))
    tampered["credentialSubject"]["achievement"]["name"] += "."
    assert "errors" in dcc_verify(tampered)

    # A program administrator revokes it; the verifier, the page and the API all say revoked.
    paula = open_page(program_admin_paula)
    paula.goto("/credentials/admin/")
    paula.get_by_label("Holder's program ID").fill(candidate_alice.program_id)
    paula.get_by_role("button", name="Find").click()
    card = paula.get_by_test_id("credential-A5")
    card.get_by_label("Reason").fill("Identity fraud at the test centre")
    card.get_by_role("button", name="Revoke (final)").click()
    expect(paula.get_by_test_id("credential-A5")).to_contain_text("Revoked")
    paula.screenshot(path=str(ARTIFACTS / "trust-revoked-admin.png"), full_page=True)

    assert steps(dcc_verify(badge))["revocation_status"] is False
    stranger.reload()
    expect(stranger.get_by_test_id("verified-credentials").locator("tr", has_text="A5")).to_contain_text(
        "Revoked"
    )
    statuses = {
        c["test_code"]: c["status"]
        for c in lookup(candidate_alice.program_id, candidate_alice.last_name)["credentials"]
    }
    assert statuses["A5"] == "revoked"
    checked = Client().post("/api/v1/verify", data=json.dumps(badge), content_type="application/json").json()
    assert (checked["verified"], checked["status"]) == (False, "revoked")

    # The shop: today both technicians are certified and A5 is covered, so the seal holds.
    carol = open_page(employer_carol)
    carol.goto(f"/shops/{carols_garage.pk}/")
    matrix = carol.get_by_test_id("matrix")
    expect(matrix.locator("tr", has_text="Tom Reyes")).to_contain_text("Expiring")
    expect(matrix.locator("tr", has_text="Maria Lopez")).to_contain_text("Certified")
    expect(carol.get_by_test_id("seal-share")).to_contain_text("2 of 2 technicians certified")
    expect(carol.get_by_test_id("seal-holds")).to_contain_text("meets the recognition")
    expect(carol.get_by_test_id("seal-stops")).to_contain_text((today + dt.timedelta(days=1)).isoformat())
    carol.screenshot(path=str(ARTIFACTS / "trust-shop-before.png"), full_page=True)
    assert axe_findings(carol) == []

    # Tomorrow Tom's certification has expired: one of two is below 75 %, and the seal no longer holds.
    # A full day on, whatever the hour now: the program's date is tomorrow and her 12-hour session is over.
    tomorrow = clock.now() + dt.timedelta(days=1)
    assert timezone.localdate(tomorrow) == today + dt.timedelta(days=1)
    with time_machine.travel(tomorrow, tick=True):
        credentials_refresh()
        log_in(carol, employer_carol.email, PASSWORD)  # a day later her 12-hour session has ended
        carol.goto(f"/shops/{carols_garage.pk}/")
        expect(carol.get_by_test_id("matrix").locator("tr", has_text="Tom Reyes")).to_contain_text("Expired")
        expect(carol.get_by_test_id("seal-share")).to_contain_text("1 of 2 technicians certified")
        expect(carol.get_by_test_id("seal-holds")).to_contain_text("does not meet")
        carol.screenshot(path=str(ARTIFACTS / "trust-shop-after.png"), full_page=True)
        with carol.expect_download() as csv_download:
            carol.get_by_role("link", name="Download as CSV").click()
        rows = Path(csv_download.value.path()).read_text()
        assert tom.program_id in rows
        assert "expired" in rows
