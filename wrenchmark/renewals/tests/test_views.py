"""The renewal pages through the test client: subscribe, answer on the phone-sized page, see the result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.template.loader import render_to_string

from conftest import client_for
from wrenchmark.credentials.models import Credential
from wrenchmark.credentials.services import credentials_sync
from wrenchmark.renewals.models import RenewalQuestion, RenewalSubscription
from wrenchmark.renewals.tests.conftest import at, key_letter, wrong_letter

pytestmark = pytest.mark.django_db


@pytest.fixture
def a5(candidate_alice: Any, certify: Callable[..., Credential], make_items: Any) -> Credential:
    make_items("A5", 5)
    return certify(candidate_alice, "A5")


def _rationales(question: RenewalQuestion) -> list[str]:
    return [o.rationale for o in question.item_version.options.all()]


def test_a_holder_subscribes_answers_and_sees_the_key_only_afterwards(a5: Credential) -> None:
    client = client_for(a5.holder)
    home = client.get("/renewal/")
    assert home.status_code == 200
    page = home.content.decode()
    assert "Subscribe" in page
    assert "A5 Brakes" in page
    assert "price is not modelled" in page

    subscribed = client.post("/renewal/subscribe/", follow=True)
    assert subscribed.status_code == 200
    subscription = RenewalSubscription.objects.get(holder=a5.holder)
    question = subscription.questions.get()
    page = subscribed.content.decode()
    assert "0 of 8 credits" in page
    assert f"/renewal/questions/{question.pk}/" in page
    assert "not answered yet" in page

    before = client.get(f"/renewal/questions/{question.pk}/")
    assert before.status_code == 200
    html = before.content.decode()
    assert html.count('type="radio" name="choice"') == 4
    assert "Submit answer" in html
    assert question.item_version.stem.split(":")[0] in html
    for rationale in _rationales(question):
        assert rationale not in html, "no rationale before the answer"
    assert "Correct answer" not in html

    empty = client.post(f"/renewal/questions/{question.pk}/", {})
    assert empty.status_code == 400
    assert "Choose an answer" in empty.content.decode()
    question.refresh_from_db()
    assert question.answered_at is None

    answered = client.post(
        f"/renewal/questions/{question.pk}/", {"choice": key_letter(question)}, follow=True
    )
    assert answered.status_code == 200
    html = answered.content.decode()
    assert "Correct: one credit" in html
    assert "1 of 8 credits" in html
    assert "Correct answer" in html
    for rationale in _rationales(question):
        assert rationale in html
    assert "Back to the renewal program" in html

    again = client.post(f"/renewal/questions/{question.pk}/", {"choice": wrong_letter(question)})
    assert again.status_code == 409
    assert "already answered" in again.content.decode()
    question.refresh_from_db()
    assert question.correct is True


def test_the_overview_shows_progress_history_and_cancels(a5: Credential) -> None:
    client = client_for(a5.holder)
    client.post("/renewal/subscribe/")
    subscription = RenewalSubscription.objects.get(holder=a5.holder)
    november = subscription.questions.get()
    client.post(f"/renewal/questions/{november.pk}/", {"choice": wrong_letter(november)})

    with at(dt.date(2026, 12, 5)):
        client = client_for(a5.holder)  # a new day, a new session
        page = client.get("/renewal/").content.decode()
        december = subscription.questions.get(month=dt.date(2026, 12, 1))
        assert "Past months" in page
        assert "Not correct" in page
        assert f"/renewal/questions/{december.pk}/" in page
        late = client.post(f"/renewal/questions/{november.pk}/", {"choice": key_letter(november)})
        assert late.status_code == 409
        stale = client.get(f"/renewal/questions/{december.pk}/")
        assert 'type="radio" name="choice"' in stale.content.decode()

        cancelled = client.post(f"/renewal/{subscription.pk}/cancel/", follow=True)
        assert "Your subscription is cancelled" in cancelled.content.decode()
        subscription.refresh_from_db()
        assert subscription.cancelled_at is not None
        closed = client.get(f"/renewal/questions/{december.pk}/").content.decode()
        assert "Submit answer" not in closed
        assert "cancelled" in closed
        assert "Earlier subscriptions" in client.get("/renewal/").content.decode()


def test_someone_else_cannot_see_or_answer_a_question(a5: Credential, outsider_dave: Any) -> None:
    client_for(a5.holder).post("/renewal/subscribe/")
    question = RenewalQuestion.objects.get()
    dave = client_for(outsider_dave)
    assert dave.get(f"/renewal/questions/{question.pk}/").status_code == 404
    assert dave.post(f"/renewal/questions/{question.pk}/", {"choice": "A"}).status_code == 404
    assert dave.post(f"/renewal/{question.subscription_id}/cancel/").status_code == 404
    refused = dave.post("/renewal/subscribe/", follow=True).content.decode()
    assert "needs at least one current certification" in refused
    assert "You need a current certification" in dave.get("/renewal/").content.decode()
    question.refresh_from_db()
    assert question.answered_at is None


def test_the_pages_need_a_signed_in_user(client: Any) -> None:
    response = client.get("/renewal/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_spanish_holder_sees_the_approved_translation(
    candidate_alice: Any, certify: Callable[..., Credential], make_items: Any
) -> None:
    make_items("A5", 2, spanish=True)
    certify(candidate_alice, "A5")
    candidate_alice.preferred_language = "es"
    candidate_alice.save(update_fields=["preferred_language"])
    client = client_for(candidate_alice)
    client.post("/renewal/subscribe/")
    question = RenewalQuestion.objects.get()
    html = client.get(f"/renewal/questions/{question.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "¿cuál es la causa MÁS probable?" in html
    assert "Razón" not in html


@pytest.mark.parametrize(
    ("days_left", "expected", "links"),
    [
        (400, "Expires in 400 days", False),
        (181, "Expires in 181 days", False),
        (180, "Expires in 180 days", True),
        (87, "Expires in 87 days", True),
        (1, "Expires in 1 day", True),
        (0, "Expires today", True),
        (-3, "Expired 3 days ago", True),
    ],
)
def test_the_countdown_counts_down_and_offers_renewal_within_180_days(
    a5: Credential, days_left: int, expected: str, links: bool
) -> None:
    with at(a5.expires_on - dt.timedelta(days=days_left)):
        if days_left < 0:
            credentials_sync(candidate=a5.holder, reason="test")
            a5.refresh_from_db()
        html = render_to_string("renewals/countdown.html", {"credential": a5})
    assert expected in " ".join(html.split())
    assert ("Buy the A5R recertification test" in html) is links
    assert ('href="/tests/"' in html) is links
    assert ('href="/renewal/"' in html) is (links and days_left >= 0)


def test_the_countdown_says_nothing_for_a_suspended_certification(
    a5: Credential, program_admin_paula: Any
) -> None:
    from wrenchmark.credentials.services import credential_withdraw

    credential_withdraw(credential=a5, status="suspended", reason="Review", acting_user=program_admin_paula)
    a5.refresh_from_db()
    assert render_to_string("renewals/countdown.html", {"credential": a5}).strip() == ""
