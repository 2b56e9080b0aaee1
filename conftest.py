"""Shared fixtures: the catalogs, and named personas whose permission tests read like sentences.

- candidate_alice: a candidate with no history
- employer_carol: administers Carol's Garage
- program_admin_paula: a program administrator
- proctor_bob: a proctor
- outsider_dave: signed up, no special role, employed nowhere
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent
ASE_CATALOG = ROOT / "wrenchmark" / "catalog" / "data" / "ase-2026-07.yaml"
NMC_CATALOG = ROOT / "wrenchmark" / "catalog" / "data" / "northwind-2026.yaml"
SHARED = ROOT.parent / "shared"
PASSWORD = "a-long-test-password-1"


@pytest.fixture(autouse=True)
def _english_between_tests() -> Iterator[None]:
    """A request made in Spanish must not leave Spanish active for the next test, nor one test's
    verification lookups count against the next one's rate limit."""
    from django.core.cache import cache
    from django.utils import translation

    translation.deactivate()
    cache.clear()
    yield
    translation.deactivate()


def admit(candidate: Any, test: Any) -> Any:
    """Check ``candidate`` in for ``test`` as the suite's proctor: what lets an attempt start."""
    from wrenchmark.accounts.models import Role, User
    from wrenchmark.accounts.services import user_create
    from wrenchmark.exams.services import admission_grant

    proctor = User.objects.filter(email="check-in.proctor@example.test").first() or user_create(
        email="check-in.proctor@example.test",
        password=PASSWORD,
        first_name="Check-in",
        last_name="Proctor",
        roles=(Role.PROCTOR,),
    )
    return admission_grant(candidate=candidate, test=test, acting_user=proctor)


def start_admitted(**kwargs: Any) -> Any:
    """``exams.services.attempt_start`` for a candidate the proctor has just admitted."""
    from wrenchmark.exams.services import attempt_start

    admit(kwargs["candidate"], kwargs["form"].test)
    return attempt_start(**kwargs)


def client_for(user: Any) -> Any:
    """A test client signed in as ``user`` (made by ``make_user``, so with ``PASSWORD``)."""
    from django.test import Client

    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    from wrenchmark.catalog.services import catalog_load

    with django_db_blocker.unblock():
        catalog_load(path=ASE_CATALOG)
        catalog_load(path=NMC_CATALOG)


@pytest.fixture
def catalog(db: None) -> Any:
    """The ASE edition, loaded (again, if a transactional test flushed the database)."""
    from wrenchmark.catalog.models import Edition
    from wrenchmark.catalog.services import catalog_load

    edition = Edition.objects.filter(program__code="ase").first()
    if edition is None:
        edition, _ = catalog_load(path=ASE_CATALOG)
        catalog_load(path=NMC_CATALOG)
    return edition


@pytest.fixture
def make_user(catalog: Any) -> Callable[..., Any]:
    from wrenchmark.accounts.models import Role
    from wrenchmark.accounts.services import user_create

    def make(first: str, last: str, roles: tuple[str, ...] = (Role.CANDIDATE,), **extra: Any) -> Any:
        return user_create(
            email=f"{first.lower()}.{last.lower()}@example.test",
            password=PASSWORD,
            first_name=first,
            last_name=last,
            roles=roles,
            **extra,
        )

    return make


@pytest.fixture
def candidate_alice(make_user: Callable[..., Any]) -> Any:
    return make_user("Alice", "Archer")


@pytest.fixture
def outsider_dave(make_user: Callable[..., Any]) -> Any:
    return make_user("Dave", "Dunn")


@pytest.fixture
def program_admin_paula(make_user: Callable[..., Any]) -> Any:
    from wrenchmark.accounts.models import Role

    return make_user("Paula", "Price", roles=(Role.PROGRAM_ADMIN,))


@pytest.fixture
def proctor_bob(make_user: Callable[..., Any]) -> Any:
    from wrenchmark.accounts.models import Role

    return make_user("Bob", "Baker", roles=(Role.PROCTOR,))


@pytest.fixture
def carols_garage(program_admin_paula: Any) -> Any:
    from wrenchmark.employers.services import employer_create

    return employer_create(name="Carol's Garage", city="Dayton", acting_user=program_admin_paula)


@pytest.fixture
def employer_carol(make_user: Callable[..., Any], carols_garage: Any, program_admin_paula: Any) -> Any:
    from wrenchmark.accounts.models import Role
    from wrenchmark.employers.services import employer_admin_add

    carol = make_user("Carol", "Cole", roles=(Role.CANDIDATE,))
    employer_admin_add(employer=carols_garage, user=carol, acting_user=program_admin_paula)
    carol.refresh_from_db()
    assert carol.has_role(Role.EMPLOYER_ADMIN)
    return carol


@pytest.fixture
def auto_area(catalog: Any) -> Any:
    from wrenchmark.catalog.models import ExperienceArea

    return ExperienceArea.objects.get(program__code="ase", code="auto")


# --- Exams: a stocked test and a published form (used by the exams and demo tests) -----------------


@pytest.fixture
def psychometrician(make_user: Callable[..., Any]) -> Any:
    from wrenchmark.accounts.models import Role

    return make_user("Pia", "Metrics", roles=(Role.PSYCHOMETRICIAN,))


@pytest.fixture
def stocked_a5(catalog: Any, make_user: Callable[..., Any]) -> Any:
    """A5 with one spare operational item per area (the first of each is tech A/B) and 12 pretest items."""
    from wrenchmark.accounts.models import Role
    from wrenchmark.catalog.models import Test
    from wrenchmark.itembank.models import Item, ItemState
    from wrenchmark.itembank.services import ItemContent, OptionInput, item_create, tech_ab_content_options

    writer = make_user("Wes", "Writer", roles=(Role.ITEM_WRITER,))
    test = Test.objects.get(edition=catalog, code="A5")
    for area in test.content_areas.all():
        for n in range((area.question_count or 0) + 4):
            if n == 0:
                options = tech_ab_content_options(
                    "both", {"a_only": "a", "b_only": "b", "both": "c", "neither": "d"}
                )
                stem, style = (
                    f"Technician A says {area.letter}{n}. Technician B says so too. Who is correct?",
                    "tech_ab",
                )
            else:
                options = [
                    OptionInput(f"Option {i} for {area.letter}{n}", "why", i == n % 4) for i in range(4)
                ]
                stem, style = (
                    f"Scenario {area.letter} number {n}: which is the MOST likely cause?",
                    "most_likely",
                )
            content = ItemContent(area=area, style=style, stem=stem, options=options)
            item = item_create(test=test, pool="operational", content=content, acting_user=writer)
            state = ItemState.OPERATIONAL if n <= (area.question_count or 0) else ItemState.APPROVED
            Item.objects.filter(pk=item.pk).update(state=state)
    return test


@pytest.fixture
def published_form(stocked_a5: Any, psychometrician: Any) -> Any:
    from wrenchmark.exams.services import form_assemble, form_publish, form_set_cut

    form = form_assemble(test=stocked_a5, acting_user=psychometrician, seed=7)
    form_set_cut(form=form, acting_user=psychometrician, raw=32)
    return form_publish(form=form, acting_user=psychometrician)
