"""The shop pages through the web client: who may see them, the matrix, the CSV, the Blue Seal panel."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail

from conftest import client_for
from wrenchmark.core.audit import audit_events_for
from wrenchmark.employers.models import EmployerInvitation, EmployerMembership
from wrenchmark.employers.services import employer_admin_add, employer_create, invitation_create
from wrenchmark.shops.tests.conftest import travel_to

pytestmark = pytest.mark.django_db


def page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def section(html: str, testid: str) -> str:
    """The element carrying ``data-testid`` (up to the end of its table, list or section)."""
    start = html.index(f'data-testid="{testid}"')
    ends = [html.find(tag, start) for tag in ("</table>", "</ul>", "</section>", "</p>")]
    return html[start : min(e for e in ends if e != -1)]


def cell(html: str, program_id: str, code: str) -> str:
    row = html[html.index(f'data-technician="{program_id}"') :]
    row = row[: row.index("</tr>")]
    match = re.search(rf'data-test="{code}" data-status="(\w+)">(.*?)</td>', row, re.S)
    assert match is not None, code
    return f"{match.group(1)}|{' '.join(re.sub(r'<[^>]+>', ' ', match.group(2)).split())}"


# --- Who may see what ------------------------------------------------------------------------------


def test_only_the_employers_admins_reach_its_pages(
    staff: dict[str, Any], carols_garage: Any, outsider_dave: Any, program_admin_paula: Any, make_user: Any
) -> None:
    other_shop = employer_create(name="Other Shop", acting_user=program_admin_paula)
    other_admin = make_user("Olga", "Other")
    employer_admin_add(employer=other_shop, user=other_admin, acting_user=program_admin_paula)
    urls = [f"/shops/{carols_garage.pk}/", f"/shops/{carols_garage.pk}/matrix.csv"]
    posts = [
        f"/shops/{carols_garage.pk}/settings/",
        f"/shops/{carols_garage.pk}/invite/",
        f"/shops/{carols_garage.pk}/technicians/{staff['ted'].pk}/remove/",
    ]
    for user in (outsider_dave, other_admin, staff["alice"]):  # Alice is a technician there, not an admin
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        for url in posts:
            assert client.post(url, {"email": "x@example.test", "areas": ["A5"]}).status_code == 404
    assert EmployerMembership.objects.get(user=staff["ted"]).left_at is None
    assert not EmployerInvitation.objects.filter(email="x@example.test").exists()
    anonymous = client_for(outsider_dave)
    anonymous.logout()
    assert anonymous.get(f"/shops/{carols_garage.pk}/").status_code == 302
    assert client_for(outsider_dave).get("/shops/999999/").status_code == 404


def test_the_shops_list_goes_straight_to_a_single_shop_and_lists_several(
    now: Any, carols_garage: Any, employer_carol: Any, program_admin_paula: Any, outsider_dave: Any
) -> None:
    response = client_for(employer_carol).get("/shops/")
    assert response.status_code == 302
    assert response["Location"] == f"/shops/{carols_garage.pk}/"
    second = employer_create(name="Carol's Second Garage", acting_user=program_admin_paula)
    employer_admin_add(employer=second, user=employer_carol, acting_user=program_admin_paula)
    html = page(client_for(employer_carol), "/shops/")
    assert f'href="/shops/{carols_garage.pk}/"' in html
    assert f'href="/shops/{second.pk}/"' in html
    assert "You do not administer any shop" in page(client_for(outsider_dave), "/shops/")


# --- The matrix ------------------------------------------------------------------------------------


def test_the_matrix_shows_each_consenting_technician_with_status_in_text_and_expiry(
    staff: dict[str, Any], carols_garage: Any, employer_carol: Any, make_user: Any, give: Any
) -> None:
    # Invited but not yet accepted: not on the matrix, whatever they hold.
    waiting = make_user("Wes", "Waiting")
    give(waiting, "A8", dt.date(2030, 1, 1))
    invitation_create(employer=carols_garage, email=waiting.email, acting_user=employer_carol, notify=False)

    html = page(client_for(employer_carol), f"/shops/{carols_garage.pk}/")
    matrix = section(html, "matrix")
    for person in staff.values():
        assert f'data-technician="{person.program_id}"' in matrix
        assert person.get_full_name() in matrix
    assert waiting.get_full_name() not in matrix
    # Columns: the tests any of them hold, plus the offered areas, in catalog order.
    columns = re.findall(r'data-column="(\w+)"', matrix)
    assert columns == ["A1", "A4", "A5", "A6", "G1"]
    assert 'data-column="A8"' not in matrix
    assert re.search(
        r'data-column="A1"><abbr title="Engine Repair">A1</abbr><span class="help">offered', matrix
    )

    alice, ted, uma, vic = (staff[k].program_id for k in ("alice", "ted", "uma", "vic"))
    assert cell(matrix, alice, "A5") == "certified|Certified to 2029-06-30"
    assert cell(matrix, alice, "A1") == "expiring|Expiring to 2027-01-10"
    assert cell(matrix, alice, "A4") == "none|— Not held"
    assert cell(matrix, uma, "A5") == "expiring|Expiring to 2027-02-01"  # within the notice period
    assert (
        cell(matrix, uma, "A6") == "awaiting_experience|Passed, awaiting experience pass valid to 2031-06-01"
    )
    assert cell(matrix, vic, "G1") == "expired|Expired ended 2026-10-01"
    assert cell(matrix, ted, "A4") == "certified|Certified to 2030-03-01"
    assert (
        'data-designation="auto-technician">Automobile Technician: <span class="badge status-held">Held'
        in matrix
    )

    expiring = section(html, "expiring")
    assert expiring.index("Alice Archer") < expiring.index("Uma Underwood")  # earliest first
    assert "2027-01-10" in expiring
    assert "2027-02-01" in expiring
    assert "Ted Torres" not in expiring
    assert "Vic Vance" not in expiring  # already expired


def test_suspended_and_revoked_show_as_such(
    staff: dict[str, Any], carols_garage: Any, employer_carol: Any
) -> None:
    from wrenchmark.credentials.models import Credential

    Credential.objects.filter(holder=staff["ted"], test_code="A4").update(status="suspended")
    Credential.objects.filter(holder=staff["alice"], test_code="A5").update(status="revoked")
    html = page(client_for(employer_carol), f"/shops/{carols_garage.pk}/")
    assert cell(html, staff["ted"].program_id, "A4") == "suspended|Suspended to 2030-03-01"
    assert cell(html, staff["alice"].program_id, "A5") == "revoked|Revoked to 2029-06-30"


def test_the_csv_has_one_row_per_technician_and_credential(
    staff: dict[str, Any], carols_garage: Any, employer_carol: Any, make_user: Any, join: Any
) -> None:
    newcomer = make_user("Nina", "Zimmer")
    newcomer.first_name = "=SUM(A1)"  # a name a spreadsheet would run as a formula
    newcomer.save(update_fields=["first_name"])
    join(carols_garage, newcomer, employer_carol)
    response = client_for(employer_carol).get(f"/shops/{carols_garage.pk}/matrix.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        f'filename="{carols_garage.program_id}-staff-credentials-2026-11-28.csv"'
        in response["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["program_id", "name", "test_code", "status", "certified_on", "expires_on"]
    alice, ted, uma, vic = (staff[k] for k in ("alice", "ted", "uma", "vic"))
    assert rows[1:] == [
        [alice.program_id, "Alice Archer", "A1", "expiring", "2022-01-10", "2027-01-10"],
        [alice.program_id, "Alice Archer", "A5", "certified", "2024-01-01", "2029-06-30"],
        [ted.program_id, "Ted Torres", "A4", "certified", "2024-01-01", "2030-03-01"],
        [uma.program_id, "Uma Underwood", "A5", "expiring", "2022-02-01", "2027-02-01"],
        [uma.program_id, "Uma Underwood", "A6", "awaiting_experience", "", "2031-06-01"],
        [vic.program_id, "Vic Vance", "G1", "expired", "2021-10-01", "2026-10-01"],
        [newcomer.program_id, "'=SUM(A1) Zimmer", "", "none", "", ""],
    ]


# --- The Blue Seal panel ---------------------------------------------------------------------------


def test_the_blue_seal_panel_follows_the_clock_as_certifications_expire(
    staff: dict[str, Any], carols_garage: Any, employer_carol: Any, now: Any
) -> None:
    url = f"/shops/{carols_garage.pk}/"
    html = page(client_for(employer_carol), url)
    assert "meets the recognition today (2026-11-28)" in section(html, "seal-holds")
    assert "3 of 4 technicians certified (75 %)" in section(html, "seal-share")
    assert "meets the 75 % rule" in section(html, "seal-share")
    areas = section(html, "seal-areas")
    assert re.search(
        r'data-area="A1">\s*<th scope="row">A1 Engine Repair</th>\s*<td>Alice Archer</td>', areas
    )
    assert re.search(r'data-area="A5">.*?<td>Alice Archer, Uma Underwood</td>', areas, re.S)
    lapses = section(html, "seal-lapses")
    assert re.search(
        r'data-lapse="area-A1"><strong>2027-01-11</strong>:\s*A1 Engine Repair would no longer be covered',
        lapses,
    )
    assert "Alice Archer\u2019s A1 ends 2027-01-10" in lapses
    assert re.search(r'data-lapse="share"><strong>2027-02-02</strong>:\s*only 2 of 4 technicians', lapses)
    assert "Uma Underwood\u2019s A5 ends 2027-02-01" in lapses
    assert "stops holding on 2027-01-11" in section(html, "seal-stops")

    travel_to(now, dt.date(2027, 1, 10))  # the last day of Alice's A1 still counts
    html = page(client_for(employer_carol), url)
    assert "meets the recognition today (2027-01-10)" in html

    travel_to(now, dt.date(2027, 1, 11))
    html = page(client_for(employer_carol), url)
    assert "does not meet the recognition today (2027-01-11)" in section(html, "seal-holds")
    assert "3 of 4 technicians certified (75 %)" in section(html, "seal-share")
    assert re.search(r'data-area="A1">.*?Not covered', section(html, "seal-areas"), re.S)
    assert "Missing: no current certification in A1 Engine Repair." in html
    assert cell(html, staff["alice"].program_id, "A1") == "expired|Expired ended 2027-01-10"

    travel_to(now, dt.date(2027, 2, 2))
    html = page(client_for(employer_carol), url)
    assert "2 of 4 technicians certified (50 %)" in section(html, "seal-share")
    assert "below 75 %" in section(html, "seal-share")


def test_the_panel_follows_a_status_set_by_the_daily_refresh(
    staff: dict[str, Any], carols_garage: Any, employer_carol: Any
) -> None:
    from wrenchmark.credentials.models import Credential

    url = f"/shops/{carols_garage.pk}/"
    assert "3 of 4 technicians certified" in page(client_for(employer_carol), url)
    Credential.objects.filter(holder=staff["ted"]).update(status="suspended")
    html = page(client_for(employer_carol), url)
    assert "2 of 4 technicians certified (50 %)" in html
    assert re.search(r'data-area="A4">.*?Not covered', section(html, "seal-areas"), re.S)


def test_a_shop_without_technicians_or_areas_is_told_what_is_missing(
    now: Any, carols_garage: Any, employer_carol: Any
) -> None:
    html = page(client_for(employer_carol), f"/shops/{carols_garage.pk}/")
    assert "No technician shares their certifications with you yet" in html
    assert "0 of 0 technicians certified (0 %)" in html
    assert "no technicians yet" in html
    assert "Choose the service areas you offer below" in html
    assert "does not meet the recognition today" in html


def test_settings_save_areas_and_the_public_page_and_refuse_unknown_tests(
    staff: dict[str, Any], carols_garage: Any, employer_carol: Any
) -> None:
    client = client_for(employer_carol)
    url = f"/shops/{carols_garage.pk}/settings/"
    response = client.post(url, {"areas": ["A5", "A4"], "public_page": "on"})
    assert response.status_code == 302
    carols_garage.refresh_from_db()
    assert carols_garage.offered_areas == ["A4", "A5"]
    assert carols_garage.public_page
    html = page(client, f"/shops/{carols_garage.pk}/")
    assert '<input type="checkbox" name="areas" value="A4" id="area-A4" checked>' in html
    assert '<input type="checkbox" name="areas" value="A1" id="area-A1">' in html
    assert '<label for="area-A1">A1 Engine Repair</label>' in html

    response = client.post(url, {"areas": ["A5", "A5R", "ZZ9"]})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select a valid choice" in body
    assert 'value="A5" id="area-A5" checked' in body  # what was ticked is kept
    carols_garage.refresh_from_db()
    assert carols_garage.offered_areas == ["A4", "A5"]


def test_inviting_from_the_page_emails_the_link_and_bad_input_re_renders(
    now: Any, carols_garage: Any, employer_carol: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(employer_carol)
    url = f"/shops/{carols_garage.pk}/invite/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "new.tech@example.test"})
    assert response.status_code == 302
    invitation = EmployerInvitation.objects.get(email="new.tech@example.test")
    assert [m.to for m in mail.outbox] == [["new.tech@example.test"]]
    assert f"/shops/join/{invitation.token}/" in mail.outbox[0].body
    html = page(client, f"/shops/{carols_garage.pk}/")
    assert "new.tech@example.test" in section(html, "invitations")

    response = client.post(url, {"email": "new.tech@example.test"})
    assert response.status_code == 400
    assert "already has an open invitation" in response.content.decode()
    response = client.post(url, {"email": "not an address"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()

    response = client.post(f"/shops/{carols_garage.pk}/invitations/{invitation.pk}/withdraw/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    assert client.post(f"/shops/{carols_garage.pk}/invitations/{invitation.pk}/withdraw/").status_code == 404


def test_removing_a_technician_takes_them_off_the_matrix_and_the_share(
    staff: dict[str, Any], carols_garage: Any, employer_carol: Any
) -> None:
    client = client_for(employer_carol)
    response = client.post(f"/shops/{carols_garage.pk}/technicians/{staff['vic'].pk}/remove/")
    assert response.status_code == 302
    html = page(client, f"/shops/{carols_garage.pk}/")
    assert staff["vic"].program_id not in section(html, "matrix")
    assert "3 of 3 technicians certified (100 %)" in html
    assert audit_events_for(carols_garage).filter(action="employer.technician_removed").count() == 1


# --- The technician's side -------------------------------------------------------------------------


def test_the_invitee_sees_who_invites_and_exactly_what_would_be_shared_then_accepts(
    now: Any, carols_garage: Any, employer_carol: Any, make_user: Any, give: Any
) -> None:
    tess = make_user("Tess", "Tran")
    give(tess, "A5", dt.date(2029, 5, 1))
    invitation = invitation_create(
        employer=carols_garage, email=tess.email, acting_user=employer_carol, notify=False
    )
    client = client_for(tess)
    html = page(client, f"/shops/join/{invitation.token}/")
    assert "Carol Cole invites you to join the technicians of Carol&#x27;s Garage." in html
    shared = section(html, "shared")
    assert "A5 Brakes" in shared
    assert "2029-05-01" in shared
    assert tess.program_id in html
    assert "open until 2026-12-12" in html
    assert "Invitations waiting for your answer" in page(client, "/shops/mine/")

    response = client.post(f"/shops/join/{invitation.token}/", {"answer": "accept"})
    assert response.status_code == 302
    assert response["Location"] == "/shops/mine/"
    membership = EmployerMembership.objects.get(employer=carols_garage, user=tess)
    assert membership.consented_at is not None
    mine = page(client, "/shops/mine/")
    assert "Carol&#x27;s Garage" in section(mine, "memberships")
    assert "A5 Brakes" in section(mine, "shared")
    assert "Tess Tran" in section(page(client_for(employer_carol), f"/shops/{carols_garage.pk}/"), "matrix")

    response = client.post(f"/shops/mine/{carols_garage.pk}/leave/")
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_at is not None
    assert "No employer sees your certifications" in page(client, "/shops/mine/")
    assert client.post(f"/shops/mine/{carols_garage.pk}/leave/").status_code == 404


def test_the_wrong_account_gets_a_clear_message_and_cannot_answer(
    now: Any, carols_garage: Any, employer_carol: Any, candidate_alice: Any, outsider_dave: Any
) -> None:
    invitation = invitation_create(
        employer=carols_garage, email=candidate_alice.email, acting_user=employer_carol, notify=False
    )
    client = client_for(outsider_dave)
    response = client.get(f"/shops/join/{invitation.token}/")
    assert response.status_code == 403
    html = response.content.decode()
    assert (
        "This invitation was sent to a***@example.test, and you are signed in as dave.dunn@example.test"
        in html
    )
    assert 'data-testid="shared"' not in html  # Dave's record is not the subject here
    response = client.post(f"/shops/join/{invitation.token}/", {"answer": "accept"})
    assert response.status_code == 403
    assert not EmployerMembership.objects.filter(user=outsider_dave).exists()


def test_declining_expired_and_unknown_invitations(
    now: Any, carols_garage: Any, employer_carol: Any, candidate_alice: Any
) -> None:
    invitation = invitation_create(
        employer=carols_garage, email=candidate_alice.email, acting_user=employer_carol, notify=False
    )
    client = client_for(candidate_alice)
    assert client.post(f"/shops/join/{invitation.token}/", {"answer": "maybe"}).status_code == 400
    response = client.post(f"/shops/join/{invitation.token}/", {"answer": "decline"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.declined_at is not None
    assert "This invitation was declined." in page(client, f"/shops/join/{invitation.token}/")

    second = invitation_create(
        employer=carols_garage, email=candidate_alice.email, acting_user=employer_carol, notify=False
    )
    travel_to(now, dt.date(2026, 12, 13))
    client = client_for(candidate_alice)
    assert "This invitation has expired" in page(client, f"/shops/join/{second.token}/")
    assert client.post(f"/shops/join/{second.token}/", {"answer": "accept"}).status_code == 409
    assert not EmployerMembership.objects.filter(user=candidate_alice).exists()
    assert client.get("/shops/join/not-a-token/").status_code == 404
    client.logout()
    assert client.get(f"/shops/join/{second.token}/").status_code == 302  # to the login page


# --- The public page -------------------------------------------------------------------------------


def test_the_public_page_shows_the_recognition_only_while_it_holds_and_is_switched_on(
    staff: dict[str, Any], carols_garage: Any, employer_carol: Any, now: Any
) -> None:
    from django.test import Client

    from wrenchmark.employers.services import employer_public_page_set

    url = f"/shops/public/{carols_garage.program_id}/"
    html = page(Client(), url)  # off by default
    assert "Carol&#x27;s Garage holds no current Blue Seal of Excellence recognition." in html
    assert "at least 75 %" in html
    assert "computed today, 2026-11-28" in html

    employer_public_page_set(employer=carols_garage, public=True, acting_user=employer_carol)
    html = page(Client(), url)
    assert "holds the recognition today (2026-11-28)" in section(html, "recognised")
    assert section(html, "areas").count("<li>") == 3
    assert "A1 Engine Repair" in section(html, "areas")
    assert "Alice" not in html  # no staff names in public

    travel_to(now, dt.date(2027, 1, 11))  # A1 no longer covered
    html = page(Client(), url)
    assert 'data-testid="recognised"' not in html
    assert "holds no current Blue Seal of Excellence recognition" in html
    assert Client().get("/shops/public/900000000/").status_code == 404


# --- Markup basics ---------------------------------------------------------------------------------


class _Audit(HTMLParser):
    """Collect what an automated audit checks first: header cells' scope and form controls' labels."""

    def __init__(self) -> None:
        super().__init__()
        self.th_without_scope = 0
        self.labels: set[str] = set()
        self.controls: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "th" and attributes.get("scope") not in {"col", "row"}:
            self.th_without_scope += 1
        if tag == "label" and attributes.get("for"):
            self.labels.add(str(attributes["for"]))
        if tag in {"input", "select", "textarea"} and attributes.get("type") not in {"hidden", "submit"}:
            self.controls.append((str(attributes.get("id") or ""), str(attributes.get("aria-label") or "")))

    def unlabelled(self) -> list[str]:
        return [id_ for id_, aria in self.controls if id_ not in self.labels and not aria]


def test_the_pages_give_header_cells_a_scope_and_every_control_a_label(
    staff: dict[str, Any], carols_garage: Any, employer_carol: Any, make_user: Callable[..., Any]
) -> None:
    tess = make_user("Tess", "Tran")
    invitation = invitation_create(
        employer=carols_garage, email=tess.email, acting_user=employer_carol, notify=False
    )
    pages = [
        page(client_for(employer_carol), f"/shops/{carols_garage.pk}/"),
        page(client_for(tess), f"/shops/join/{invitation.token}/"),
        page(client_for(staff["alice"]), "/shops/mine/"),
        page(client_for(staff["alice"]), f"/shops/public/{carols_garage.program_id}/"),
    ]
    for html in pages:
        audit = _Audit()
        audit.feed(html)
        assert audit.th_without_scope == 0
        assert audit.unlabelled() == []
        assert html.count("<h1") == 1
    assert len(_controls(pages[0])) > 40  # the catalog's tests as checkboxes, each labelled


def _controls(html: str) -> list[tuple[str, str]]:
    audit = _Audit()
    audit.feed(html)
    return audit.controls


def test_credentials_issued_by_the_program_appear_as_issued(
    now: Any,
    carols_garage: Any,
    employer_carol: Any,
    candidate_alice: Any,
    program_admin_paula: Any,
    auto_area: Any,
    catalog: Any,
    join: Any,
) -> None:
    from wrenchmark.catalog.models import Test
    from wrenchmark.experience.services import entry_review, experience_entry_save
    from wrenchmark.scoring.services import result_record

    entry = experience_entry_save(
        candidate=candidate_alice,
        employer=carols_garage,
        employer_name="",
        role="Technician",
        start_date=dt.date(2022, 1, 1),
        end_date=None,
        employment_type="full_time",
        areas=[auto_area],
    )
    entry_review(entry=entry, approve=True, reason="", acting_user=program_admin_paula)
    result_record(
        candidate=candidate_alice,
        test=Test.objects.get(edition=catalog, code="A5"),
        taken_on=dt.date(2026, 11, 2),
        outcome="pass",
        source="import",
        acting_user=program_admin_paula,
    )
    join(carols_garage, candidate_alice, employer_carol)
    html = page(client_for(employer_carol), f"/shops/{carols_garage.pk}/")
    assert cell(html, candidate_alice.program_id, "A5") == "certified|Certified to 2031-11-02"
    assert "1 of 1 technician certified (100 %)" in html
