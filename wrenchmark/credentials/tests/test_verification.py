from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from conftest import client_for
from wrenchmark.accounts.models import User
from wrenchmark.accounts.program_ids import format_program_id
from wrenchmark.catalog.models import Test
from wrenchmark.core.audit import audit_events_for
from wrenchmark.credentials.models import (
    Credential,
    CredentialStatus,
    DesignationHolding,
    DesignationStatus,
    ShareLink,
    SharingPreference,
    VerificationEvent,
    Visibility,
)
from wrenchmark.credentials.verification import (
    client_network,
    credential_verify_url,
    share_link_create,
    share_link_revoke,
    sharing_visibility_set,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 28)
IP = "203.0.113.45"
USER_AGENT = "Mozilla/5.0 " + "x" * 300


@pytest.fixture(autouse=True)
def frozen_today() -> Any:
    with time_machine.travel(dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def grant(
    holder: Any, catalog: Any, code: str, status: str = CredentialStatus.CERTIFIED, **dates: Any
) -> Any:
    certified_on = dates.get("certified_on", dt.date(2024, 3, 1))
    return Credential.objects.create(
        holder=holder,
        test_code=code,
        test=Test.objects.get(edition=catalog, code=code),
        status=status,
        passed_on=dates.get("passed_on", certified_on or dt.date(2024, 3, 1)),
        certified_on=certified_on,
        expires_on=dates.get("expires_on", dt.date(2029, 3, 1)),
    )


@pytest.fixture
def holder(make_user: Callable[..., Any], catalog: Any) -> Any:
    """Inés Núñez: A5 certified, A1 suspended, A4 revoked, A8 expired, A6 awaiting experience, and one
    designation held and one lapsed."""
    ines = make_user("Ines", "Nunez")
    ines.first_name, ines.last_name = "Inés", "Núñez"
    ines.save(update_fields=["first_name", "last_name"])
    grant(ines, catalog, "A5")
    grant(ines, catalog, "A1", CredentialStatus.SUSPENDED)
    grant(ines, catalog, "A4", CredentialStatus.REVOKED)
    grant(
        ines,
        catalog,
        "A8",
        CredentialStatus.EXPIRED,
        certified_on=dt.date(2020, 1, 5),
        expires_on=dt.date(2025, 1, 5),
    )
    grant(
        ines,
        catalog,
        "A6",
        CredentialStatus.AWAITING_EXPERIENCE,
        certified_on=None,
        passed_on=dt.date(2026, 10, 1),
    )
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    DesignationHolding.objects.create(
        holder=ines,
        code="auto-technician",
        name="Automobile Technician",
        status=DesignationStatus.HELD,
        held_since=dt.date(2024, 3, 1),
        achieved_at=now,
    )
    DesignationHolding.objects.create(
        holder=ines,
        code="master-auto",
        name="Master Automobile Technician",
        status=DesignationStatus.LAPSED,
        achieved_at=now,
    )
    return ines


def lookup_page(client: Client, program_id: str, last_name: str, ip: str = IP) -> Any:
    return client.post(
        "/verify/",
        {"program_id": program_id, "last_name": last_name},
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT=USER_AGENT,
    )


def lookup_api(client: Client, program_id: str, last_name: str, ip: str = IP) -> Any:
    return client.get(
        "/api/v1/verify/lookup",
        {"program_id": program_id, "last_name": last_name},
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT=USER_AGENT,
    )


def result_section(response: Any) -> str:
    match = re.search(r'<section id="verify-result".*?</section>', response.content.decode(), re.S)
    assert match, "the page shows a result"
    return match.group(0)


def unknown_id(holder: Any) -> str:
    """A well-formed program ID (valid check digit) that nobody holds."""
    prefix = holder.program_id.split("-")[0]
    for body in ("1234567", "7654321", "2345678"):
        candidate = format_program_id(prefix, body)
        if not User.objects.filter(program_id=candidate).exists():
            return candidate
    raise AssertionError("no unused program ID")


# --- Lookup: match ------------------------------------------------------------------------------------


def test_a_lookup_shows_the_name_and_every_certification_as_it_stands_and_logs_the_check(holder: Any) -> None:
    response = lookup_page(Client(), holder.program_id.lower().replace("-", ""), "  NUNEZ ")

    assert response.status_code == 200
    section = result_section(response)
    assert 'data-outcome="match"' in section
    assert "Inés Núñez" in section
    rows = dict(re.findall(r'<th scope="row">(A\d) [^<]*</th>\s*<td><span[^>]*>([^<]+)</span>', section))
    assert rows == {"A1": "Suspended", "A4": "Revoked", "A5": "Certified", "A8": "Expired"}
    assert "A6" not in section, "a pass awaiting experience is not a certification"
    assert "2024-03-01" in section
    assert "2029-03-01" in section
    assert "Automobile Technician" in section
    assert "Master Automobile Technician" not in section, "a lapsed designation is not held"
    assert "Checked on 2026-11-28" in section
    html = response.content.decode()
    assert holder.email not in html

    event = VerificationEvent.objects.get(holder=holder)
    assert event.channel == "lookup"
    assert event.credential is None
    assert event.network == "203.0.113.0/24"
    assert event.user_agent == USER_AGENT[:200]
    assert event.verifier is None


def test_a_credential_past_its_expiry_shows_expired_even_before_the_daily_refresh(
    holder: Any, catalog: Any
) -> None:
    Credential.objects.filter(holder=holder, test_code="A5").update(expires_on=TODAY - dt.timedelta(days=1))
    Credential.objects.filter(holder=holder, test_code="A1").update(
        status=CredentialStatus.CERTIFIED, expires_on=TODAY + dt.timedelta(days=30)
    )

    body = lookup_api(Client(), holder.program_id, "Núñez").json()

    statuses = {c["test_code"]: c["status"] for c in body["credentials"]}
    assert statuses["A5"] == "expired"
    assert statuses["A1"] == "expiring"


def test_the_api_answers_a_match_with_the_public_shape_and_logs_it_as_an_api_check(
    holder: Any, employer_carol: Any
) -> None:
    client = client_for(employer_carol)
    response = lookup_api(client, holder.program_id, "nunez", ip="2001:db8:abcd:12:1::7")

    assert response.status_code == 200
    body = response.json()
    assert body["result"] == "match"
    assert body["holder"] == {"name": "Inés Núñez", "program_id": holder.program_id}
    assert body["checked_on"] == "2026-11-28"
    assert [(c["test_code"], c["status"]) for c in body["credentials"]] == [
        ("A1", "suspended"),
        ("A4", "revoked"),
        ("A5", "certified"),
        ("A8", "expired"),
    ]
    a5 = next(c for c in body["credentials"] if c["test_code"] == "A5")
    assert set(a5) == {"test_code", "name", "status", "status_label", "certified_on", "expires_on"}
    assert (a5["certified_on"], a5["expires_on"], a5["status_label"]) == (
        "2024-03-01",
        "2029-03-01",
        "Certified",
    )
    assert body["designations"] == [
        {"code": "auto-technician", "name": "Automobile Technician", "held_since": "2024-03-01"}
    ]
    assert "email" not in response.content.decode()

    event = VerificationEvent.objects.get(holder=holder)
    assert event.channel == "api"
    assert event.network == "2001:db8:abcd::/48"
    assert event.verifier == employer_carol
    assert event.verifier_label == "Carol's Garage"


# --- Lookup: no match and missing information ----------------------------------------------------------


def test_no_match_is_one_answer_for_an_unknown_id_a_wrong_last_name_and_a_hidden_holder(
    holder: Any, make_user: Callable[..., Any], catalog: Any
) -> None:
    hidden = make_user("Hana", "Hidden")
    grant(hidden, catalog, "A5")
    sharing_visibility_set(holder=hidden, visibility=Visibility.HIDDEN, acting_user=hidden)
    attempts = [(unknown_id(holder), "Núñez"), (holder.program_id, "Nunes"), (hidden.program_id, "Hidden")]

    pages = [lookup_page(Client(), program_id, last_name) for program_id, last_name in attempts]
    answers = [lookup_api(Client(), program_id, last_name) for program_id, last_name in attempts]

    assert {page.status_code for page in pages} == {200}
    sections = {result_section(page) for page in pages}
    assert len(sections) == 1
    assert 'data-outcome="no_match"' in sections.pop()
    for page in pages:
        assert "Hana" not in page.content.decode()
        assert "Inés" not in page.content.decode()
    assert {answer.status_code for answer in answers} == {200}
    assert [answer.json() for answer in answers] == [{"result": "no_match"}] * 3
    assert not VerificationEvent.objects.exists()


def test_a_malformed_program_id_is_no_match_too(holder: Any) -> None:
    assert lookup_api(Client(), "WM-not-an-id", "Núñez").json() == {"result": "no_match"}
    page = lookup_page(Client(), "x" * 500, "Núñez")
    assert 'data-outcome="no_match"' in result_section(page)


def test_a_missing_field_asks_for_it_on_the_page_and_in_the_api(holder: Any) -> None:
    page = lookup_page(Client(), holder.program_id, "   ")
    assert page.status_code == 400
    section = result_section(page)
    assert 'data-outcome="missing"' in section
    assert "Enter the last name." in page.content.decode()
    assert holder.program_id in page.content.decode(), "what was typed is kept"

    answer = lookup_api(Client(), "", "Núñez")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "missing_information"
    assert body["details"] == {"missing": ["program_id"]}
    assert lookup_api(Client(), holder.program_id, "").json()["details"] == {"missing": ["last_name"]}
    assert not VerificationEvent.objects.exists()


def test_the_lookup_page_shows_an_empty_form_with_labels(db: None) -> None:
    page = Client().get("/verify/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<label for="id_program_id"' in html
    assert '<label for="id_last_name"' in html
    assert "verify-result" not in html


# --- Rate limit ---------------------------------------------------------------------------------------


def test_lookups_over_the_limit_are_refused_on_page_and_api_together_until_the_window_passes(
    holder: Any, settings: Any, frozen_today: Any
) -> None:
    settings.VERIFY_RATE_LIMIT = 3
    settings.VERIFY_RATE_WINDOW = 600
    client = Client()
    assert lookup_page(client, unknown_id(holder), "Núñez").status_code == 200, "no match counts"
    assert lookup_api(client, holder.program_id, "Wrong").status_code == 200
    assert lookup_page(client, holder.program_id, "Núñez").status_code == 200

    page = lookup_page(client, holder.program_id, "Núñez")
    assert page.status_code == 429
    assert 'data-outcome="rate_limited"' in result_section(page)
    assert "Too many lookups" in page.content.decode()
    assert "Inés" not in page.content.decode()
    assert 0 < int(page["Retry-After"]) <= 600

    answer = lookup_api(client, holder.program_id, "Núñez")
    assert answer.status_code == 429
    assert answer.json()["code"] == "rate_limited"
    assert 0 < int(answer["Retry-After"]) <= 600
    assert VerificationEvent.objects.count() == 1, "only the one match before the limit was logged"

    assert lookup_api(client, holder.program_id, "Núñez", ip="198.51.100.9").status_code == 200, "per client"

    frozen_today.shift(dt.timedelta(seconds=600))
    assert lookup_page(client, holder.program_id, "Núñez").status_code == 200


# --- Share links --------------------------------------------------------------------------------------


def test_a_hidden_holder_is_no_match_by_lookup_but_their_share_link_still_shows_everything(
    holder: Any, employer_carol: Any
) -> None:
    sharing_visibility_set(holder=holder, visibility=Visibility.HIDDEN, acting_user=holder)
    link = share_link_create(holder=holder, acting_user=holder, label="Carol's Garage")

    assert lookup_api(Client(), holder.program_id, "Núñez").json() == {"result": "no_match"}
    page = client_for(employer_carol).get(f"/verify/s/{link.token}/", REMOTE_ADDR=IP)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Inés Núñez" in html
    assert "Suspended" in html
    assert "Revoked" in html
    assert "Automobile Technician" in html
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    api = Client().get(f"/api/v1/verify/links/{link.token}")
    assert api.status_code == 200
    assert len(api.json()["credentials"]) == 4

    page_event, api_event = VerificationEvent.objects.order_by("pk")
    assert (page_event.channel, page_event.share_link, page_event.verifier) == ("link", link, employer_carol)
    assert page_event.verifier_label == "Carol's Garage"
    assert page_event.network == "203.0.113.0/24"
    assert (api_event.channel, api_event.share_link, api_event.verifier) == ("api", link, None)


def test_a_link_for_one_credential_shows_only_that_one(holder: Any) -> None:
    a1 = Credential.objects.get(holder=holder, test_code="A1")
    link = share_link_create(holder=holder, acting_user=holder, credential=a1)

    body = Client().get(f"/api/v1/verify/links/{link.token}").json()

    assert [(c["test_code"], c["status"]) for c in body["credentials"]] == [("A1", "suspended")]
    assert body["designations"] == []
    assert VerificationEvent.objects.get().credential == a1


def test_a_revoked_or_unknown_link_is_no_longer_active(holder: Any) -> None:
    link = share_link_create(holder=holder, acting_user=holder)
    share_link_revoke(link=link, acting_user=holder)

    for token in (link.token, "no-such-token", "x" * 80):
        page = Client().get(f"/verify/s/{token}/")
        assert page.status_code == 404
        html = page.content.decode()
        assert "This link is no longer active" in html
        assert "Núñez" not in html
        api = Client().get(f"/api/v1/verify/links/{token}")
        assert api.status_code == 404
        assert api.json()["code"] == "link_inactive"
    active = share_link_create(holder=holder, acting_user=holder)
    assert Client().get(f"/api/v1/verify/links/{active.token}%0A").status_code == 404, "the token, exactly"
    assert not VerificationEvent.objects.exists()


def test_the_certificate_link_is_made_once_records_qr_checks_and_is_remade_after_revocation(
    holder: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://verify.example.test/"
    url = credential_verify_url(holder)
    assert credential_verify_url(holder) == url
    match = re.fullmatch(r"https://verify\.example\.test/verify/s/([A-Za-z0-9_-]+)/", url)
    assert match
    link = ShareLink.objects.get(token=match.group(1))
    assert link.kind == ShareLink.Kind.CERTIFICATE
    assert [e.action for e in audit_events_for(link)] == ["share_link.created"]

    assert Client().get(f"/verify/s/{link.token}/").status_code == 200
    assert VerificationEvent.objects.get().channel == "qr"

    share_link_revoke(link=link, acting_user=holder)
    assert credential_verify_url(holder) != url
    assert ShareLink.objects.filter(holder=holder, kind="certificate", revoked_at__isnull=True).count() == 1


def test_client_networks_are_truncated() -> None:
    assert client_network("192.0.2.200") == "192.0.2.0/24"
    assert client_network("2001:db8:1:2:3::4") == "2001:db8:1::/48"
    assert client_network("::ffff:192.0.2.7") == "192.0.2.0/24"
    assert client_network("not an address") == ""


# --- The holder's sharing page ------------------------------------------------------------------------


def test_the_holder_hides_their_lookup_and_the_change_is_audited_and_previewed(holder: Any) -> None:
    client = client_for(holder)
    page = client.get("/credentials/sharing/")
    assert page.status_code == 200
    preview = re.search(r'data-testid="lookup-preview">.*?</div>\s*</section>', page.content.decode(), re.S)
    assert preview
    assert "Inés Núñez" in preview.group(0)
    assert "Suspended" in preview.group(0)

    response = client.post("/credentials/sharing/", {"visibility": "hidden"})
    assert response.status_code == 302
    preference = SharingPreference.objects.get(holder=holder)
    assert preference.lookup_visibility == Visibility.HIDDEN
    [event] = audit_events_for(preference)
    assert event.action == "sharing.visibility_changed"
    assert event.data == {"holder": holder.program_id, "from": "public", "to": "hidden"}
    assert event.actor == holder

    page = client.get("/credentials/sharing/")
    preview = re.search(r'data-testid="lookup-preview">.*?</div>\s*</section>', page.content.decode(), re.S)
    assert preview
    assert "No match" in preview.group(0)
    assert "Suspended" not in preview.group(0)
    assert lookup_api(Client(), holder.program_id, "Núñez").json() == {"result": "no_match"}

    client.post("/credentials/sharing/", {"visibility": "hidden"})
    assert len(audit_events_for(preference)) == 1, "no change, nothing audited"
    assert client.post("/credentials/sharing/", {"visibility": "everything"}).status_code == 400


def test_the_holder_creates_copies_and_revokes_a_link_audited(holder: Any, settings: Any) -> None:
    settings.SITE_URL = "https://wrenchmark.example.test"
    client = client_for(holder)
    a5 = Credential.objects.get(holder=holder, test_code="A5")
    response = client.post("/credentials/sharing/links/", {"credential": str(a5.pk), "label": "Dealer job"})
    assert response.status_code == 302
    link = ShareLink.objects.get(holder=holder)
    assert (link.credential, link.label, link.kind) == (a5, "Dealer job", "link")
    assert [e.action for e in audit_events_for(link)] == ["share_link.created"]

    page = client.get("/credentials/sharing/").content.decode()
    assert f'value="https://wrenchmark.example.test/verify/s/{link.token}/"' in page
    assert "Dealer job" in page

    own_view = client.get(f"/verify/s/{link.token}/")
    assert own_view.status_code == 200
    assert not VerificationEvent.objects.exists(), "a holder looking at their own link is not a check"

    response = client.post(f"/credentials/sharing/links/{link.pk}/revoke/")
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert [e.action for e in audit_events_for(link).order_by("pk")] == [
        "share_link.created",
        "share_link.revoked",
    ]
    assert Client().get(f"/verify/s/{link.token}/").status_code == 404


def test_a_link_cannot_be_made_for_a_pass_awaiting_experience_or_someone_elses_credential(
    holder: Any, candidate_alice: Any, catalog: Any
) -> None:
    client = client_for(holder)
    waiting = Credential.objects.get(holder=holder, test_code="A6")
    theirs = grant(candidate_alice, catalog, "A5")
    for credential in (waiting, theirs):
        response = client.post("/credentials/sharing/links/", {"credential": str(credential.pk)})
        assert response.status_code == 400
    assert not ShareLink.objects.exists()


def test_another_user_cannot_revoke_someone_elses_link(holder: Any, outsider_dave: Any) -> None:
    link = share_link_create(holder=holder, acting_user=holder)

    response = client_for(outsider_dave).post(f"/credentials/sharing/links/{link.pk}/revoke/")

    assert response.status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None
    assert Client().get(f"/verify/s/{link.token}/").status_code == 200


def test_the_sharing_page_needs_a_login(db: None) -> None:
    response = Client().get("/credentials/sharing/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_log_shows_who_what_how_and_when_in_the_holders_time_zone(
    holder: Any, employer_carol: Any
) -> None:
    link = share_link_create(holder=holder, acting_user=holder)
    Client().get(f"/verify/s/{link.token}/")
    lookup_api(client_for(employer_carol), holder.program_id, "Núñez")

    page = client_for(holder).get("/credentials/sharing/").content.decode()
    log = re.search(r'<table data-testid="verification-log">.*?</table>', page, re.S)
    assert log
    rows = re.findall(
        r"<tr>\s*<th scope=\"row\">(.*?)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>",
        log.group(0),
        re.S,
    )
    assert len(rows) == 2
    # 15:00 UTC is 10:00 in New York (EST, the program's time zone) on this November day.
    assert rows[0][0].startswith("Carol Cole")
    assert "Carol&#x27;s Garage" in rows[0][0]
    assert rows[0][1:] == ("All credentials", "Verification API", "2026-11-28 10:00")
    assert rows[1][0] == "Someone"
    assert rows[1][2] == "Share link"


# --- OpenAPI ------------------------------------------------------------------------------------------


def test_the_verification_api_is_documented_with_its_responses(db: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    lookup = schema["paths"]["/api/v1/verify/lookup"]["get"]
    assert set(lookup["responses"]) >= {"200", "400", "429"}
    assert {p["name"] for p in lookup["parameters"]} == {"program_id", "last_name"}
    link = schema["paths"]["/api/v1/verify/links/{token}"]["get"]
    assert set(link["responses"]) >= {"200", "404"}
    assert "VerificationOut" in schema["components"]["schemas"]
    assert "NoMatchOut" in schema["components"]["schemas"]
