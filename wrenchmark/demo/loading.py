"""Demo data: one person per role and a few candidates with a history, entered through the services.

Everything made here is marked ``is_demo`` and named on the dashboard as demo data. Dates are relative
to the day it is loaded, so "expiring soon" stays true on a fresh install. Loading twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from wrenchmark.accounts.models import Language, Role, User
from wrenchmark.accounts.services import user_create
from wrenchmark.catalog.models import ExperienceArea, Test
from wrenchmark.catalog.selectors import edition_in_force, program_default
from wrenchmark.core import clock
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.employers.models import Employer
from wrenchmark.employers.services import employer_admin_add, employer_create
from wrenchmark.exams.models import ExamForm, FormStatus
from wrenchmark.exams.services import accommodation_decide, form_assemble, form_publish, form_set_cut
from wrenchmark.experience.services import entry_review, experience_entry_save, training_entry_save
from wrenchmark.itembank.models import Item, ItemPool, ItemState
from wrenchmark.itembank.services import item_transition
from wrenchmark.rules import add_years
from wrenchmark.scoring.models import Outcome, ResultSource
from wrenchmark.scoring.services import result_record

DEMO_PASSWORD = "torque-spec-2026"  # printed for the demo; demo accounts are marked as such
DEMO_DOMAIN = "demo.wrenchmark.test"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    note: str


STAFF = [
    ("paula.admin", "Paula", "Okafor", (Role.PROGRAM_ADMIN,), "runs the program; approves any entry"),
    ("carol.shop", "Carol", "Whitfield", (Role.EMPLOYER_ADMIN,), "administers Riverside Auto Service"),
    ("walter.writer", "Walter", "Nguyen", (Role.ITEM_WRITER,), "writes items"),
    ("rita.reviewer", "Rita", "Alvarez", (Role.ITEM_REVIEWER,), "reviews items in panels"),
    ("sam.psychometrics", "Sam", "Lindqvist", (Role.PSYCHOMETRICIAN,), "assembles forms and calibrates"),
    ("bob.proctor", "Bob", "Mensah", (Role.PROCTOR,), "checks candidates in at a test site"),
    (
        "ines.instructor",
        "Ines",
        "Castillo",
        (Role.INSTRUCTOR,),
        "teaches a class; sees its practice progress",
    ),
]


def _email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def _person(
    local: str, first: str, last: str, roles: tuple[str, ...], language: str = Language.ENGLISH
) -> User:
    user = User.objects.filter(email=_email(local)).first()
    if user is None:
        user = user_create(
            email=_email(local),
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            preferred_language=language,
            roles=roles,
            is_demo=True,
        )
    return user


def demo_logins() -> list[DemoLogin]:
    logins = [
        DemoLogin(_email(local), ", ".join(str(Role(r).label) for r in roles), note)
        for local, *_, roles, note in STAFF
    ]
    logins += [
        DemoLogin(
            _email("maria.gonzalez"),
            "Candidate",
            "Master Automobile Technician, one component expiring; Spanish",
        ),
        DemoLogin(_email("james.carter"), "Candidate", "5 of 8 toward Master; A7 retake locked"),
        DemoLogin(
            _email("priya.nair"), "Candidate", "passed A5 and G1, awaiting experience (entry to approve)"
        ),
        DemoLogin(_email("tom.becker"), "Candidate", "an expired certification and a renewal"),
    ]
    return logins


def _pretest_reserve(test: Test, approved: list[Item]) -> set[int]:
    """Items kept approved for pretesting, one per unscored slot: items without enemies (so no form item
    blocks them), from the areas with most to spare once each enemy pair touching the area has cost it
    one item (so the operational items can still fill a form without enemy pairs)."""
    pool = list(
        Item.objects.filter(
            test_code=test.code,
            pool=ItemPool.OPERATIONAL,
            state__in=[ItemState.APPROVED, ItemState.OPERATIONAL],
        )
        .select_related("current_version")
        .prefetch_related("enemies")
    )
    area_of = {item.pk: item.current_version.area_id for item in pool if item.current_version}
    enemies = {item.pk: {e.pk for e in item.enemies.all() if e.pk in area_of} for item in pool}
    need = {area.pk: area.question_count or 0 for area in test.content_areas.all()}
    pairs = {frozenset((pk, other)) for pk, others in enemies.items() for other in others}
    spare = {
        area: sum(1 for a in area_of.values() if a == area)
        - need[area]
        - sum(1 for pair in pairs if area in {area_of[pk] for pk in pair})
        for area in need
    }
    reserve: set[int] = set()
    candidates = [item for item in approved if item.pk in area_of and not enemies[item.pk]]
    while len(reserve) < test.unscored_count:
        usable = [item for item in candidates if item.pk not in reserve and spare[area_of[item.pk]] > 0]
        if not usable:
            break
        choice = max(usable, key=lambda item: spare[area_of[item.pk]])
        reserve.add(choice.pk)
        spare[area_of[choice.pk]] -= 1
    return reserve


@transaction.atomic
def demo_bank_promote() -> int:
    """Put the demo bank in use: for each test, all approved operational-pool items become operational
    (as if calibrated) except a reserve of approved items, one per unscored slot, kept for pretesting.

    Done by the demo psychometrician through the life-cycle service; returns how many items moved.
    """
    psychometrician = User.objects.filter(email=_email("sam.psychometrics")).first()
    if psychometrician is None:
        return 0
    moved = 0
    for test in Test.objects.filter(edition=edition_in_force(), recertifies__isnull=True):
        approved = list(
            Item.objects.filter(test_code=test.code, pool=ItemPool.OPERATIONAL, state=ItemState.APPROVED)
            .select_related("current_version__area")
            .order_by("-external_id")
        )
        reserve = _pretest_reserve(test, approved)
        for item in (i for i in approved if i.pk not in reserve):
            item_transition(
                item=item,
                to_state=ItemState.OPERATIONAL,
                acting_user=psychometrician,
                reason="Demo data: in use on the demo forms",
            )
            moved += 1
    return moved


DEMO_CUT_SHARE = 0.7  # a placeholder standard for the demo forms; real cuts come from a standard setting


@transaction.atomic
def demo_forms_publish() -> list[str]:
    """Publish one demo form per test whose bank can fill one, so candidates can try a sitting.

    Assembled, cut and published by the demo psychometrician through the services; tests that already
    have a published form are left alone. Returns the codes of the forms published now.
    """
    psychometrician = User.objects.filter(email=_email("sam.psychometrics")).first()
    if psychometrician is None:
        return []
    published = []
    for test in Test.objects.filter(
        edition=edition_in_force(), recertifies__isnull=True, blueprint_status="complete"
    ):
        if ExamForm.objects.filter(test=test, status=FormStatus.PUBLISHED).exists():
            continue
        if not Item.objects.filter(test_code=test.code, state=ItemState.OPERATIONAL).exists():
            continue
        try:
            form = form_assemble(test=test, acting_user=psychometrician, seed=2026)
        except ApplicationError:
            continue
        cut = math.ceil(DEMO_CUT_SHARE * test.scored_count)
        form_set_cut(form=form, acting_user=psychometrician, raw=cut)
        form.cut_note = f"Demo data: placeholder cut at {DEMO_CUT_SHARE:.0%} of the scored items"
        form.save(update_fields=["cut_note"])
        form_publish(form=form, acting_user=psychometrician)
        published.append(form.code)
    return published


@transaction.atomic
def demo_load() -> bool:
    """Create the demo people, employer and histories; return False if they were already there."""
    if User.objects.filter(email=_email("paula.admin")).exists():
        return False
    today = clock.today()
    program = program_default()
    edition = edition_in_force(on=today)
    tests = {t.code: t for t in Test.objects.filter(edition=edition)}
    auto = list(ExperienceArea.objects.filter(program=program, code="auto"))

    people = {local: _person(local, first, last, roles) for local, first, last, roles, _ in STAFF}
    admin = people["paula.admin"]
    shop = Employer.objects.filter(name="Riverside Auto Service", is_demo=True).first() or employer_create(
        name="Riverside Auto Service", city="Dayton", region="OH", is_demo=True, acting_user=admin
    )
    employer_admin_add(employer=shop, user=people["carol.shop"], acting_user=admin)
    fleet = Employer.objects.filter(name="Lakeside Fleet Services", is_demo=True).first() or employer_create(
        name="Lakeside Fleet Services", city="Toledo", region="OH", is_demo=True, acting_user=admin
    )

    def years_ago(years: float, days: int = 0) -> dt.date:
        return today - dt.timedelta(days=round(365.25 * years) + days)

    def record(candidate: User, code: str, taken_on: dt.date, outcome: str = Outcome.PASS) -> None:
        result_record(
            candidate=candidate,
            test=tests[code],
            taken_on=taken_on,
            outcome=outcome,
            source=ResultSource.DEMO,
            acting_user=admin,
        )

    def employment(
        candidate: User,
        employer: Employer | None,
        start: dt.date,
        end: dt.date | None,
        approve_by: User | None,
        name: str = "",
        role: str = "Automotive technician",
    ) -> None:
        entry = experience_entry_save(
            candidate=candidate,
            employer=employer,
            employer_name=name,
            role=role,
            start_date=start,
            end_date=end,
            employment_type="full_time",
            areas=auto,
        )
        if approve_by is not None:
            entry_review(
                entry=entry, approve=True, reason="Confirmed with payroll records.", acting_user=approve_by
            )

    maria = _person("maria.gonzalez", "María", "González", (Role.CANDIDATE,), Language.SPANISH)
    employment(maria, shop, years_ago(9), None, people["carol.shop"], role="Lead technician")
    # A1 passed just under five years ago: expires within 90 days, so Master shows "at risk".
    record(maria, "A1", add_years(today, -5) + dt.timedelta(days=40))
    for offset, code in enumerate(["A2", "A3", "A4", "A5", "A6", "A7", "A8"]):
        record(maria, code, years_ago(3, offset * 20))
    record(maria, "A9", years_ago(1), Outcome.FAIL)

    james = _person("james.carter", "James", "Carter", (Role.CANDIDATE,))
    employment(james, fleet, years_ago(4), None, admin, role="Fleet technician")
    for offset, code in enumerate(["A1", "A4", "A5", "A6", "A8"]):
        record(james, code, years_ago(2, offset * 30))
    record(james, "A7", today - dt.timedelta(days=12), Outcome.FAIL)

    priya = _person("priya.nair", "Priya", "Nair", (Role.CANDIDATE,))
    training_entry = training_entry_save(
        candidate=priya,
        kind="vocational",
        institution="Miami Valley Career Technology Center",
        program_name="Automotive Technology",
        start_date=years_ago(2),
        end_date=years_ago(1, 10),
        months_claimed=12,
        areas=auto,
    )
    entry_review(entry=training_entry, approve=True, reason="Transcript received.", acting_user=admin)
    # Waiting for Carol, the shop's administrator, to confirm: the end-to-end demo path.
    employment(priya, shop, years_ago(0.8), None, None, role="Apprentice technician")
    record(priya, "A5", today - dt.timedelta(days=60))
    record(priya, "G1", today - dt.timedelta(days=45))
    accommodation_decide(
        candidate=priya,
        kind="extra_time",
        approve=True,
        acting_user=admin,
        time_multiplier=Decimal("1.5"),
        valid_until=add_years(today, 1),
        reason="Documented learning disability; time and a half.",
    )

    tom = _person("tom.becker", "Tom", "Becker", (Role.CANDIDATE,))
    employment(
        tom, None, years_ago(14), years_ago(2), admin, name="Becker & Sons Garage", role="Owner-technician"
    )
    record(tom, "A1", years_ago(6))  # expired a year ago
    record(tom, "A4", years_ago(6, -30))
    record(tom, "A4R", years_ago(1))  # renewed: same lineage, new expiry
    return True
