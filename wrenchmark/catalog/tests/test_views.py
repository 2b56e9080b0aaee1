"""The public catalog pages: no account needed, and every figure says how sure we are of it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from wrenchmark.catalog.models import Edition

pytestmark = pytest.mark.django_db

UNVERIFIED = '<span class="unverified">unverified</span>'


@pytest.fixture
def anonymous(catalog: Edition) -> Client:
    return Client()


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def fact(html: str, term: str) -> str:
    """The HTML of the ``<dd>`` that follows ``<dt>term</dt>`` on a test page."""
    match = re.search(rf"<dt>{re.escape(term)}</dt>\s*<dd>(.*?)</dd>", html, flags=re.DOTALL)
    assert match, f"no {term!r} on the page"
    return match.group(1)


def between(html: str, start: str, end: str) -> str:
    """The HTML after the first ``start`` up to the next ``end``."""
    begin = html.index(start) + len(start)
    return html[begin : html.index(end, begin)]


def text(html: str) -> str:
    """Visible text: inline tags dropped, other tags turned into spaces, whitespace collapsed."""
    inline_dropped = re.sub(r"</?(?:a|span)\b[^>]*>", "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", inline_dropped).split())


def test_the_catalog_lists_every_series_and_its_tests(anonymous: Client) -> None:
    html = page(anonymous, "/catalog/")

    assert "ASE catalog, July 2026" in html
    for series in ("A", "G", "L", "B", "T", "S", "H", "E", "P"):
        assert f'id="series-{series}"' in html
    assert (
        text(between(html, 'href="/catalog/tests/A5/">', "</tr>")) == "A5 Brakes 45 10 75 EN, ES A5R · remote"
    )
    assert 'href="/catalog/tests/A5R/"' not in html  # recertification tests are not rows of their own
    l1_row = between(html, 'href="/catalog/tests/L1/">', "</tr>")
    assert (
        text(l1_row)
        == "L1 Advanced Engine Performance Specialist partial blueprint 50 10 150 EN L1R · remote"
    )
    assert '<span class="unverified">partial blueprint</span>' in l1_row


def test_a5_shows_its_blueprint_with_counts_and_shares(anonymous: Client) -> None:
    html = page(anonymous, "/catalog/tests/A5/")
    content = text(between(html, "<h2>Content areas</h2>", "</table>"))

    assert "<h1>A5 Brakes</h1>" in html
    for row in (
        "A. Hydraulic, Power Assist, and Parking Brake Systems Diagnosis and Repair 19 42.2 %",
        "B. Drum Brake Diagnosis and Repair 5 11.1 %",
        "C. Disc Brake Diagnosis and Repair 11 24.4 %",
        "D. Electronic Brake Control Systems (ABS, TCS, ESC) Diagnosis and Repair 10 22.2 %",
    ):
        assert row in content
    assert "Total scored 45 100 %" in content
    assert "This blueprint is" not in content


def test_a5_marks_its_grade_c_figures_unverified(anonymous: Client) -> None:
    html = page(anonymous, "/catalog/tests/A5/")

    scored = fact(html, "Scored questions")
    assert text(scored).startswith("45 S1, S9, S10, S11, S12, S14")
    assert UNVERIFIED in scored
    assert UNVERIFIED not in fact(html, "Experience requirement")  # auto-2y is grade A


def test_l1_marks_only_its_unverified_figures_and_shows_its_prerequisite(anonymous: Client) -> None:
    html = page(anonymous, "/catalog/tests/L1/")

    assert UNVERIFIED not in fact(html, "Scored questions")  # 50 scored: official guide, grade A
    assert UNVERIFIED in fact(html, "Unscored (pretest) questions")  # prep site, grade C
    prerequisites = fact(html, "Prerequisites")
    assert text(prerequisites) == "A pass in A8"
    assert UNVERIFIED not in prerequisites
    assert "This blueprint is partial" in html
    assert text(fact(html, "Counts toward")) == "Advanced Level Specialist"


def test_an_unverified_prerequisite_is_marked(anonymous: Client) -> None:
    prerequisites = fact(page(anonymous, "/catalog/tests/L3/"), "Prerequisites")

    assert text(prerequisites) == "A pass in A6 unverified; A pass in A8 unverified"


def test_a5_counts_toward_master_automobile_technician(anonymous: Client) -> None:
    counts = fact(page(anonymous, "/catalog/tests/A5/"), "Counts toward")

    assert text(counts) == "Master Automobile Technician, Automobile Technician"
    assert 'href="/catalog/designations/#designation-master-auto"' in counts


def test_a5r_is_a_remote_recertification_that_renews_a5(anonymous: Client) -> None:
    html = page(anonymous, "/catalog/tests/A5R/")

    assert "<h1>A5R Brakes Recertification</h1>" in html
    assert text(fact(html, "Renews")) == "A5 Brakes"
    assert text(fact(html, "Remote testing")) == "Allowed"
    assert text(fact(html, "Prerequisites")) == "Having held the A5 certification"
    assert text(fact(html, "Counts toward")) == "No designation"
    assert UNVERIFIED in fact(html, "Scored questions")  # a policy value: sized like A1R
    assert "No content areas are published for this test yet." in html


def test_a_test_code_in_the_url_is_matched_without_regard_to_case(anonymous: Client) -> None:
    assert "<h1>A5 Brakes</h1>" in page(anonymous, "/catalog/tests/a5/")


def test_the_designations_page_lists_master_auto_as_a1_to_a8(anonymous: Client) -> None:
    html = page(anonymous, "/catalog/designations/")
    card = between(html, 'id="designation-master-auto" aria-labelledby="dh-master-auto">', "</section>")

    assert "Master Automobile Technician" in card
    assert text(card).startswith("Master Automobile Technician All of: A1, A2, A3, A4, A5, A6, A7, A8 ")
    assert "/catalog/tests/A9/" not in card
    assert 'id="designation-advanced-specialist"' in html
    assert "At least 1 of" in html


def test_an_unknown_test_is_a_404(anonymous: Client) -> None:
    assert anonymous.get("/catalog/tests/NOPE/").status_code == 404


def test_the_pages_follow_the_program_the_deployment_runs(anonymous: Client, settings: object) -> None:
    settings.WRENCHMARK_PROGRAM = "nmc"  # type: ignore[attr-defined]

    html = page(anonymous, "/catalog/")

    assert "Northwind catalog, 2026" in html
    assert 'href="/catalog/tests/O1/"' in html
    assert 'href="/catalog/tests/A5/"' not in html
    assert anonymous.get("/catalog/tests/A5/").status_code == 404


def test_the_catalog_says_so_when_no_catalog_is_loaded_for_the_program(
    anonymous: Client, settings: object
) -> None:
    settings.WRENCHMARK_PROGRAM = "nothing"  # type: ignore[attr-defined]

    response = anonymous.get("/catalog/")

    assert response.status_code == 503
    assert "No catalog is loaded for program &#x27;nothing&#x27;" in response.content.decode()
