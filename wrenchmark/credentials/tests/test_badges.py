"""The program's digital badges: issued per certification period, valid by both JSON Schemas, checked by
``POST /api/v1/verify``, revoked and suspended through the status lists, and the signing key never shown."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from conftest import client_for
from wrenchmark.credentials import badging
from wrenchmark.credentials.models import Badge, Credential
from wrenchmark.credentials.services import credential_extend, credential_reinstate, credential_withdraw
from wrenchmark.credentials.tests.test_credentials_sync import TODAY, approve_experience, record
from wrenchmark.vc import decode_bitstring, set_bits
from wrenchmark.vc.multibase import base58btc_encode
from wrenchmark.vc.tests.factories import DCC_VECTORS, load_json, validators_or_skip
from wrenchmark.vc.tests.test_vectors import EXPIRED, VALID

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today() -> Any:
    cache.clear()  # the verification rate limit counts per network, across tests too
    with time_machine.travel(dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def a5(candidate_alice: Any, program_admin_paula: Any, auto_area: Any, catalog: Any) -> Credential:
    approve_experience(candidate_alice, program_admin_paula, auto_area)
    record(candidate_alice, catalog, "A5", TODAY, source="import")
    return Credential.objects.get(holder=candidate_alice, test_code="A5")


def download(holder: Any, code: str = "A5", form: str = "json") -> Any:
    response = client_for(holder).get(f"/credentials/{code}/badge.{form}")
    assert response.status_code == 200, response.content[:200]
    return json.loads(response.content) if form == "json" else response.content.decode()


def check(badge: Any) -> dict[str, Any]:
    payload = {"jwt": badge} if isinstance(badge, str) else badge
    response = Client().post("/api/v1/verify", data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_a_certified_holder_downloads_a_badge_valid_by_both_schemas_and_our_verifier(a5: Credential) -> None:
    validators = validators_or_skip()
    document = download(a5.holder)

    ob_schema = json.loads((validators / "openbadges/schema/achievementcredential.json").read_text())
    vc_schema = json.loads((validators / "vc/schema/verifiable-credential-schema.json").read_text())
    assert list(jsonschema.Draft201909Validator(ob_schema).iter_errors(document)) == []
    assert list(jsonschema.Draft202012Validator(vc_schema).iter_errors(document)) == []
    assert document["issuer"]["id"].startswith("did:key:z6Mk")
    assert document["validUntil"].startswith(a5.expires_on.isoformat())
    assert document["credentialStatus"]["statusPurpose"] == "revocation"
    assert a5.holder.email not in json.dumps(document), "the recipient is a salted hash, not the e-mail"

    answer = check(document)
    assert (answer["verified"], answer["status"], answer["issued_by_this_program"]) == (True, "valid", True)
    assert {c["name"]: c["ok"] for c in answer["checks"]} == {
        "signature": True,
        "schema": True,
        "issuer": True,
        "expiry": True,
        "status": True,
    }
    assert check(download(a5.holder, form="jwt"))["status"] == "valid"
    assert download(a5.holder) == document, "the same badge until the period changes"


def test_any_one_character_change_is_refused(a5: Credential) -> None:
    document = download(a5.holder)
    for path in (("credentialSubject", "achievement", "name"), ("validUntil",), ("issuer", "name")):
        changed = copy.deepcopy(document)
        node = changed
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = node[path[-1]][:-1] + ("X" if node[path[-1]][-1] != "X" else "Y")
        assert check(changed)["status"] == "invalid_signature", path
    token = download(a5.holder, form="jwt")
    assert check(token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB"))["verified"] is False


def test_revocation_and_suspension_show_in_the_status_list_and_the_check(
    a5: Credential, program_admin_paula: Any
) -> None:
    document = download(a5.holder)
    badge = Badge.objects.get(credential=a5)
    entry = document["credentialStatus"]
    listed = Client().get(entry["statusListCredential"].removeprefix(settings.SITE_URL.rstrip("/")))
    assert listed.status_code == 200
    assert badge.status_index not in set_bits(
        decode_bitstring(listed.json()["credentialSubject"]["encodedList"])
    )

    credential_withdraw(credential=a5, status="suspended", reason="Review", acting_user=program_admin_paula)
    assert check(document)["status"] == "suspended"
    suspension = Client().get(f"/credentials/status/{badge.status_list.number}/suspension")
    assert badge.status_index in set_bits(
        decode_bitstring(suspension.json()["credentialSubject"]["encodedList"])
    )

    credential_reinstate(credential=a5, reason="Cleared", acting_user=program_admin_paula)
    assert check(document)["status"] == "valid"

    credential_withdraw(credential=a5, status="revoked", reason="Misconduct", acting_user=program_admin_paula)
    answer = check(document)
    assert (answer["verified"], answer["status"]) == (False, "revoked")
    revoked = Client().get(entry["statusListCredential"].removeprefix(settings.SITE_URL.rstrip("/")))
    assert badge.status_index in set_bits(
        decode_bitstring(revoked.json()["credentialSubject"]["encodedList"])
    )
    assert client_for(a5.holder).get("/credentials/A5/badge.json").status_code == 404


def test_an_extension_issues_a_new_badge_for_the_new_period(a5: Credential) -> None:
    first = download(a5.holder)
    credential_extend(credential=a5, source="renewal program", acting_user=None)
    second = download(a5.holder)
    assert second["id"] != first["id"]
    assert second["validUntil"] > first["validUntil"]
    assert Badge.objects.filter(credential=a5, superseded_at__isnull=False).count() == 1
    assert check(first)["status"] == "valid", "the earlier badge stays verifiable for its period"


def test_a_badge_of_someone_else_or_without_certification_is_not_found(
    a5: Credential, outsider_dave: Any
) -> None:
    assert client_for(outsider_dave).get("/credentials/A5/badge.json").status_code == 404
    assert Client().get("/credentials/A5/badge.json").status_code == 302


def test_the_verify_endpoint_explains_bad_input_and_foreign_badges() -> None:
    client = Client()
    bad = client.post("/api/v1/verify", data="{}", content_type="application/json")
    assert (bad.status_code, bad.json()["code"]) == (400, "not_a_credential")
    validators = validators_or_skip()
    vector = json.loads(
        (validators / "vc/vectors/dcc-verifier-core/eddsa/v2/v2EddsaWithValidStatus.json").read_text()
    )
    answer = check(vector)
    checks = {c["name"]: c["ok"] for c in answer["checks"]}
    assert checks["signature"] is True
    assert checks["issuer"] is False
    assert answer["status"] == "unknown_issuer"
    assert checks["status"] is None, "a foreign status list is never fetched"
    assert answer["issued_by_this_program"] is False


def test_the_signing_key_never_appears_in_any_response(
    a5: Credential, program_admin_paula: Any, settings: Any
) -> None:
    seed = bytes.fromhex(settings.BADGE_SIGNING_KEY)
    forms = {
        seed.hex(),
        seed.hex().upper(),
        base64.b64encode(seed).decode().rstrip("="),
        base64.urlsafe_b64encode(seed).decode().rstrip("="),
        base58btc_encode(seed),
    }
    holder = client_for(a5.holder)
    bodies = [
        holder.get("/credentials/").content,
        holder.get("/credentials/A5/badge.json").content,
        holder.get("/credentials/A5/badge.jwt").content,
        Client()
        .get(f"/credentials/status/{Badge.objects.get(credential=a5).status_list.number}/revocation")
        .content,
        Client()
        .post(
            "/api/v1/verify",
            data=holder.get("/credentials/A5/badge.json").content,
            content_type="application/json",
        )
        .content,
    ]
    settings.BADGE_DID_WEB_DOMAIN = "credentials.example.org"
    did = Client().get("/.well-known/did.json")
    assert did.status_code == 200
    assert did.json()["id"] == "did:web:credentials.example.org"
    bodies.append(did.content)
    for body in bodies:
        text = body.decode("latin-1")
        assert not any(form in text for form in forms)


def test_without_a_configured_key_one_is_made_once_readable_by_the_owner_only(
    settings: Any, tmp_path: Path
) -> None:
    settings.BADGE_SIGNING_KEY = ""
    settings.BADGE_SIGNING_KEY_PATH = tmp_path / "badge-signing.key"
    first = badging.issuer().did
    assert settings.BADGE_SIGNING_KEY_PATH.stat().st_mode & 0o777 == 0o600
    assert badging.issuer().did == first
    assert Client().get("/.well-known/did.json").status_code == 404, (
        "a did:key issuer has no did:web document"
    )


def test_the_holder_page_shows_the_whole_life_of_each_credential_and_the_qr_code(
    a5: Credential, program_admin_paula: Any
) -> None:
    credential_extend(credential=a5, source="renewal program", acting_user=None)
    credential_withdraw(
        credential=a5, status="suspended", reason="Under review", acting_user=program_admin_paula
    )
    page = client_for(a5.holder).get("/credentials/").content.decode()
    assert "<svg" in page
    assert "/verify/s/" in page
    history = page[page.index("History") :]
    for step in ("certified", "extended by the renewal program", "suspended"):
        assert step in history
    assert (
        history.index("certified")
        < history.index("extended by the renewal program")
        < history.index("suspended")
    )
    assert "Under review" in page
    assert 'data-testid="badge-json-A5"' not in page, "no badge download while suspended"


@pytest.mark.parametrize("name", [*VALID, *EXPIRED, "eddsa/v2/safeModeBreaker.json"])
def test_the_verify_endpoint_reads_the_published_signed_vectors(name: str) -> None:
    """The other way round: credentials signed by others, checked by our endpoint. Their issuer is not
    this program and their status lists are remote, so none is "valid" here; the signature and the
    validity period are judged on their own."""
    answer = check(load_json(DCC_VECTORS / name))
    checks = {c["name"]: c["ok"] for c in answer["checks"]}
    assert answer["verified"] is False
    if name.endswith("safeModeBreaker.json"):
        assert answer["status"] == "invalid_signature"
        return
    assert checks["signature"] is True
    assert checks["issuer"] is False
    assert checks["expiry"] is (name not in EXPIRED)
    assert checks["status"] is None or "credentialStatus" not in load_json(DCC_VECTORS / name)


@pytest.mark.parametrize(
    "payload",
    [
        {"@context": 5},
        {"@context": [], "proof": "x"},
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "credentialSubject": None, "issuer": 7},
        {"@context": ["https://example.org/evil"], "type": ["VerifiableCredential"], "proof": {"type": 1}},
        {"jwt": "a.b.c"},
        {"jwt": "x"},
    ],
)
def test_malformed_badges_are_answered_not_crashed_on(payload: dict[str, Any]) -> None:
    answer = check(payload)
    assert answer["verified"] is False
    assert answer["status"] in {"malformed", "invalid_signature", "schema_invalid"}
