"""The account pages as a browser sees them: sign up, sign in and out, password reset, profile, language."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from wrenchmark.accounts.models import LoginFailure, User
from wrenchmark.accounts.program_ids import normalise_program_id

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"
PROFILE = "/accounts/profile/"
LANGUAGE = "/accounts/language/"
PASSWORD_RESET = "/accounts/password-reset/"
DASHBOARD = reverse("dashboard:home")
ALICE = "alice.archer@example.test"
NEW_PASSWORD = "another-long-password-2"


class _FormValues(HTMLParser):
    """What a browser would submit again: each input's value and each select's chosen option."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name") or ""
        if tag == "input" and name:
            self.values[name] = attributes.get("value") or ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.values[self._select] = attributes.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def form_values(response: Any) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(response.content.decode())
    return parser.values


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def log_in(client: Client, email: str = ALICE, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


# ------------------------------------------------------------------------------
# Sign up
# ------------------------------------------------------------------------------

SIGNUP_DATA = {
    "first_name": "Erin",
    "last_name": "East",
    "email": "erin.east@example.test",
    "password": PASSWORD,
    "preferred_language": "es",
}


def test_the_signup_page_shows_the_form(client: Client, catalog: Any) -> None:
    response = client.get(SIGNUP)
    assert response.status_code == 200
    assert set(form_values(response)) >= {
        "first_name",
        "last_name",
        "email",
        "password",
        "csrfmiddlewaretoken",
    }


def test_signing_up_creates_the_account_signs_in_and_shows_the_program_id(
    client: Client, catalog: Any
) -> None:
    response = client.post(SIGNUP, SIGNUP_DATA)
    assert response.status_code == 302
    assert response.url == DASHBOARD
    user = User.objects.get(email="erin.east@example.test")
    assert (user.first_name, user.last_name, user.preferred_language) == ("Erin", "East", "es")
    assert user.check_password(PASSWORD)
    assert signed_in_user_id(client) == str(user.pk)
    assert normalise_program_id(user.program_id) == user.program_id

    assert client.get(DASHBOARD).status_code == 200
    profile = client.get(PROFILE)
    assert profile.status_code == 200
    assert f'data-testid="program-id">{user.program_id}<' in profile.content.decode()


def test_a_signed_in_person_visiting_signup_goes_to_the_dashboard(
    client: Client, candidate_alice: User
) -> None:
    client.force_login(candidate_alice)
    response = client.get(SIGNUP)
    assert response.status_code == 302
    assert response.url == DASHBOARD


@pytest.mark.parametrize(
    ("change", "message", "kept"),
    [
        (
            {"email": "Alice.Archer@example.test"},
            "An account with this e-mail address already exists.",
            ("first_name", "last_name", "email", "preferred_language"),
        ),
        (
            {"password": "Sh0rt!pw"},
            "This password is too short. It must contain at least 10 characters.",
            ("first_name", "last_name", "email", "preferred_language"),
        ),
        (
            {"email": "not-an-address"},
            "Enter a valid email address.",
            ("first_name", "last_name", "email", "preferred_language"),
        ),
    ],
    ids=["taken e-mail", "short password", "malformed e-mail"],
)
def test_a_refused_signup_explains_why_and_keeps_what_was_typed(
    client: Client, candidate_alice: User, change: dict[str, str], message: str, kept: tuple[str, ...]
) -> None:
    users_before = User.objects.count()
    data = {**SIGNUP_DATA, **change}
    response = client.post(SIGNUP, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    values = form_values(response)
    for field in kept:
        assert values[field] == data[field], field
    # The password is the one thing a browser is never sent back.
    assert values["password"] == ""
    assert data["password"] not in response.content.decode()
    assert User.objects.count() == users_before
    assert signed_in_user_id(client) is None


def test_signup_without_a_csrf_token_is_forbidden(catalog: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(SIGNUP, SIGNUP_DATA)
    assert response.status_code == 403
    assert not User.objects.filter(email="erin.east@example.test").exists()


def test_signup_with_the_csrf_token_from_the_form_works(catalog: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    token = form_values(client.get(SIGNUP))["csrfmiddlewaretoken"]
    response = client.post(SIGNUP, {**SIGNUP_DATA, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert User.objects.filter(email="erin.east@example.test").exists()


# ------------------------------------------------------------------------------
# Sign in and out
# ------------------------------------------------------------------------------


def test_the_login_page_shows_the_form(client: Client, catalog: Any) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert {"username", "password"} <= set(form_values(response))


def test_logging_in_with_the_right_password_goes_to_the_dashboard(
    client: Client, candidate_alice: User
) -> None:
    response = log_in(client, email="Alice.Archer@EXAMPLE.test")
    assert response.status_code == 302
    assert response.url == DASHBOARD
    assert signed_in_user_id(client) == str(candidate_alice.pk)


def test_a_wrong_password_is_refused_with_400_and_recorded(client: Client, candidate_alice: User) -> None:
    response = log_in(client, password="not-the-password", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 400
    assert "Please enter a correct" in response.content.decode()
    assert signed_in_user_id(client) is None
    failure = LoginFailure.objects.get()
    assert (failure.email, failure.ip_address) == (ALICE, "203.0.113.9")


def test_after_five_failures_even_the_right_password_gets_429(client: Client, candidate_alice: User) -> None:
    assert settings.LOGIN_FAILURE_LIMIT == 5
    for _ in range(5):
        assert log_in(client, password="not-the-password").status_code == 400
    response = log_in(client)
    assert response.status_code == 429
    assert (
        "Too many failed sign-ins. Wait a few minutes, or reset your password." in response.content.decode()
    )
    assert signed_in_user_id(client) is None


def test_four_failures_then_the_right_password_signs_in_and_forgets_the_failures(
    client: Client, candidate_alice: User
) -> None:
    for _ in range(4):
        log_in(client, password="not-the-password")
    assert log_in(client).status_code == 302
    assert signed_in_user_id(client) == str(candidate_alice.pk)
    assert not LoginFailure.objects.filter(email=ALICE).exists()


def test_logging_out_takes_a_post(client: Client, candidate_alice: User) -> None:
    client.force_login(candidate_alice)
    assert client.get(LOGOUT).status_code == 405
    assert signed_in_user_id(client) == str(candidate_alice.pk)

    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response.url == reverse("catalog:series_list")
    assert signed_in_user_id(client) is None
    assert client.get(PROFILE).status_code == 302


# ------------------------------------------------------------------------------
# Password reset
# ------------------------------------------------------------------------------


def test_a_password_reset_mail_leads_to_a_new_password(client: Client, candidate_alice: User) -> None:
    LoginFailure.objects.create(occurred_at="2026-01-01T00:00Z", email=ALICE)
    response = client.post(PASSWORD_RESET, {"email": "Alice.Archer@example.test"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:password_reset_done")
    assert "Check your e-mail" in response.content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ALICE]
    assert candidate_alice.program_id in message.body
    link = re.search(r"https?://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert link is not None, message.body

    opened = client.get(link.group(1))
    assert opened.status_code == 302
    assert opened.url.endswith("/set-password/")
    form = client.get(opened.url)
    assert form.status_code == 200
    assert "Choose a new password" in form.content.decode()

    saved = client.post(opened.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert saved.status_code == 302
    assert saved.url == reverse("accounts:password_reset_complete")
    assert not LoginFailure.objects.filter(email=ALICE).exists()

    fresh = Client()
    assert log_in(fresh, password=PASSWORD).status_code == 400
    assert log_in(fresh, password=NEW_PASSWORD).status_code == 302
    assert signed_in_user_id(fresh) == str(candidate_alice.pk)

    # The link works once.
    again = Client().get(link.group(1), follow=True)
    assert "This link has expired" in again.content.decode()


def test_a_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    client: Client, candidate_alice: User
) -> None:
    response = client.post(PASSWORD_RESET, {"email": "nobody@example.test"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:password_reset_done")
    assert "Check your e-mail" in response.content.decode()
    assert mail.outbox == []


# ------------------------------------------------------------------------------
# Profile
# ------------------------------------------------------------------------------


def test_the_profile_needs_a_signed_in_person(client: Client, catalog: Any) -> None:
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_profile_form_changes_name_and_language(client: Client, candidate_alice: User) -> None:
    client.force_login(candidate_alice)
    page = client.get(PROFILE)
    assert form_values(page)["preferred_language"] == "en"

    response = client.post(
        PROFILE, {"first_name": "Alicia", "last_name": "Archer-Bell", "preferred_language": "es"}
    )
    assert response.status_code == 302
    assert response.url == PROFILE
    candidate_alice.refresh_from_db()
    assert (candidate_alice.first_name, candidate_alice.last_name) == ("Alicia", "Archer-Bell")
    assert candidate_alice.preferred_language == "es"
    after = client.get(PROFILE)
    assert after["Content-Language"] == "es"
    assert form_values(after)["first_name"] == "Alicia"


def test_a_profile_without_a_last_name_is_refused_and_keeps_the_rest(
    client: Client, candidate_alice: User
) -> None:
    client.force_login(candidate_alice)
    response = client.post(PROFILE, {"first_name": "Alicia", "last_name": "", "preferred_language": "es"})
    assert response.status_code == 400
    assert form_values(response)["first_name"] == "Alicia"
    assert form_values(response)["preferred_language"] == "es"
    candidate_alice.refresh_from_db()
    assert (candidate_alice.first_name, candidate_alice.preferred_language) == ("Alice", "en")


# ------------------------------------------------------------------------------
# Language
# ------------------------------------------------------------------------------


def test_switching_language_sets_the_cookie_and_goes_back(client: Client, catalog: Any) -> None:
    response = client.post(LANGUAGE, {"language": "es", "next": "/catalog/?page=2"})
    assert response.status_code == 302
    assert response.url == "/catalog/?page=2"
    assert response.cookies["django_language"].value == "es"
    assert client.get("/catalog/")["Content-Language"] == "es"


def test_a_signed_in_person_switching_language_keeps_it_on_the_profile(
    client: Client, candidate_alice: User
) -> None:
    client.force_login(candidate_alice)
    response = client.post(LANGUAGE, {"language": "es", "next": PROFILE})
    assert response.url == PROFILE
    assert response.cookies["django_language"].value == "es"
    candidate_alice.refresh_from_db()
    assert candidate_alice.preferred_language == "es"


@pytest.mark.parametrize(
    "unsafe",
    ["https://evil.example/", "//evil.example/path", "http:\\\\evil.example", "javascript:alert(1)"],
)
def test_switching_language_never_redirects_off_the_site(client: Client, catalog: Any, unsafe: str) -> None:
    response = client.post(LANGUAGE, {"language": "es", "next": unsafe})
    assert response.status_code == 302
    assert response.url == "/"


def test_an_unknown_language_is_not_set(client: Client, candidate_alice: User) -> None:
    client.force_login(candidate_alice)
    response = client.post(LANGUAGE, {"language": "fr", "next": PROFILE})
    assert response.url == PROFILE
    assert "django_language" not in response.cookies
    candidate_alice.refresh_from_db()
    assert candidate_alice.preferred_language == "en"


def test_switching_language_takes_a_post(client: Client, catalog: Any) -> None:
    assert client.get(LANGUAGE, {"language": "es"}).status_code == 405


def test_a_person_who_prefers_spanish_gets_spanish_pages(client: Client, make_user: Any) -> None:
    elena = make_user("Elena", "Estrada", preferred_language="es")
    client.force_login(elena)
    response = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in response.content.decode()


def test_a_person_who_prefers_english_gets_english_even_with_a_spanish_cookie(
    client: Client, candidate_alice: User
) -> None:
    client.force_login(candidate_alice)
    client.cookies["django_language"] = "es"
    assert client.get(PROFILE)["Content-Language"] == "en"


SPANISH_CATALOG = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES" / "django.mo"


@pytest.mark.skipif(not SPANISH_CATALOG.exists(), reason="the Spanish messages are not compiled yet")
def test_a_person_who_prefers_spanish_reads_spanish_text(client: Client, make_user: Any) -> None:
    client.force_login(make_user("Elena", "Estrada", preferred_language="es"))
    assert "Su perfil" in client.get(PROFILE).content.decode()
