"""Simulated administrations, so a fresh install has statistics to show.

Simulated candidates (``User.is_simulated``, marked as demo data too, e-mail addresses at
``simulated.wrenchmark.test``) sit the test's published form through the sitting services: admitted,
started, every answer saved, submitted and scored, exactly as a real sitting. Their answers come from a
3PL model: each candidate's ability is drawn from N(0, 1), and each item's "true" parameters are drawn
once from the item's own seed (so every simulation of a bank agrees on them). Whatever the analysis then
computes from these responses is labelled simulated wherever it is shown.

With ``practice`` questions, each simulated candidate also takes a practice session of the test through
the practice services before sitting, answering from the same ability and the practice items' own "true"
parameters, so the practice items can be calibrated onto the bank's scale (``analysis.practice``).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from wrenchmark.accounts.models import Role, User
from wrenchmark.accounts.services import user_create
from wrenchmark.catalog.models import Test
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.exams.models import AdmissionSource, FormItem
from wrenchmark.exams.selectors import published_form_for
from wrenchmark.exams.services import admission_grant, attempt_start, attempt_submit, response_save
from wrenchmark.practice.models import FeedbackMode, PracticeLength
from wrenchmark.practice.selectors import LETTERS, practice_items
from wrenchmark.practice.services import practice_answer, practice_finish, practice_start
from wrenchmark.psychometrics import synthetic

SIMULATED_DOMAIN = "simulated.wrenchmark.test"
SESSION_KEY = "simulation"


@dataclass(frozen=True, slots=True)
class SimulationResult:
    test: str
    form: str
    candidates: int
    passed: int
    mean_raw: float
    practice_answers: int = 0


def _stable(key: str) -> int:
    """A number for ``key`` that is the same on every database and every run (not its row id)."""
    return zlib.crc32(key.encode())


def true_parameters(external_ids: list[str], seed: int) -> synthetic.ItemParameters:
    """The simulation's "true" 3PL parameters of each item, drawn from the item's own seed (its
    external id), so a simulation gives the same data whatever the database's row ids."""
    rows = [
        synthetic.item_parameters(np.random.default_rng([seed, _stable(key)]), 1, model="3pl")
        for key in external_ids
    ]
    return synthetic.ItemParameters(
        a=np.array([r.a[0] for r in rows]),
        b=np.array([r.b[0] for r in rows]),
        c=np.array([r.c[0] for r in rows]),
    )


def _proctor() -> User:
    proctor = (
        User.objects.filter(role_grants__role__in=[Role.PROCTOR, Role.PROGRAM_ADMIN], is_active=True)
        .order_by("-is_demo", "pk")
        .first()
    )
    if proctor is None:
        raise ApplicationError(
            "No proctor or program administrator to admit the simulated candidates.", code="no_proctor"
        )
    return proctor


def _practise(
    person: User,
    test: Test,
    theta: float,
    truth: dict[int, tuple[float, float, float]],
    keys: dict[int, int],
    rng: np.random.Generator,
) -> int:
    """One practice session of ``test`` for ``person``, answered from ``theta``; returns the answers."""
    session = practice_start(
        candidate=person,
        test=test,
        length=PracticeLength.SHORT,
        feedback=FeedbackMode.END,
        seed=int(rng.integers(2**31)),
    )
    questions = list(session.questions.order_by("position"))
    params = np.array([truth[q.item_id] for q in questions])
    chance = synthetic.probabilities(np.array([theta]), synthetic.ItemParameters(*params.T))[0]
    for question, p in zip(questions, chance, strict=True):
        right = rng.random() < p
        key = keys[question.item_id]
        letter = LETTERS[key] if right else LETTERS[int(rng.choice([o for o in range(4) if o != key]))]
        practice_answer(question=question, choice=letter, candidate=person)
    practice_finish(session=session)
    return len(questions)


def simulate_administrations(
    *, test: Test, candidates: int, seed: int = 2026, practice: bool = False
) -> SimulationResult:
    """Have ``candidates`` new simulated candidates sit ``test``'s published form through the sitting
    services (and, with ``practice``, first take a short practice session of it). Refused without a
    published form (``no_form``) or for fewer than 1 or more than 20,000."""
    if not 1 <= candidates <= 20_000:
        raise ApplicationError("Simulate between 1 and 20,000 candidates.", code="invalid_count")
    form = published_form_for(test)
    if form is None:
        raise ApplicationError(f"{test.code} has no published form to sit.", code="no_form")
    proctor = _proctor()
    form_items = list(
        FormItem.objects.filter(form=form)
        .select_related("item")
        .prefetch_related("version__options")
        .order_by("position")
    )
    keys = {fi.pk: next(o.position for o in fi.version.options.all() if o.is_key) for fi in form_items}
    options = {fi.pk: len(fi.version.options.all()) for fi in form_items}
    truth = true_parameters([fi.item.external_id for fi in form_items], seed)
    index = {fi.pk: n for n, fi in enumerate(form_items)}
    existing = User.objects.filter(is_simulated=True).count()
    rng = np.random.default_rng([seed, _stable(test.code), existing])
    theta = synthetic.abilities(rng, candidates)
    right = synthetic.responses(rng, theta, truth)
    practice_truth: dict[int, tuple[float, float, float]] = {}
    practice_keys: dict[int, int] = {}
    if practice:
        pool = list(
            practice_items(test=test).prefetch_related("current_version__options").order_by("external_id")
        )
        drawn = true_parameters([item.external_id for item in pool], seed)
        for n, item in enumerate(pool):
            version = item.current_version
            if version is None:  # practice_items serves only items with content
                continue
            practice_truth[item.pk] = (float(drawn.a[n]), float(drawn.b[n]), float(drawn.c[n]))
            practice_keys[item.pk] = next(o.position for o in version.options.all() if o.is_key)
    passed, raws, practised = 0, [], 0
    for n in range(candidates):
        with transaction.atomic():
            number = existing + n + 1
            person = user_create(
                email=f"candidate-{number:06d}@{SIMULATED_DOMAIN}",
                password=None,
                first_name="Simulated",
                last_name=f"Candidate {number:06d}",
                is_demo=True,
                is_simulated=True,
            )
            if practice_truth:
                practised += _practise(person, test, float(theta[n]), practice_truth, practice_keys, rng)
            admission_grant(
                candidate=person, test=test, acting_user=proctor, source=AdmissionSource.SIMULATION
            )
            attempt = attempt_start(candidate=person, form=form, session_key=SESSION_KEY)
            for seq, form_item in enumerate(attempt.item_order, start=1):
                if right[n, index[form_item]]:
                    choice = keys[form_item]
                else:
                    wrong = [o for o in range(options[form_item]) if o != keys[form_item]]
                    choice = int(rng.choice(wrong))
                response_save(
                    attempt_id=attempt.pk,
                    candidate=person,
                    session_key=SESSION_KEY,
                    form_item_id=form_item,
                    choice=choice,
                    flagged=False,
                    client_seq=seq,
                )
            report = attempt_submit(attempt_id=attempt.pk, candidate=person, session_key=SESSION_KEY)
        passed += report.passed
        raws.append(report.raw)
    return SimulationResult(
        test=test.code,
        form=form.code,
        candidates=candidates,
        passed=passed,
        mean_raw=float(np.mean(raws)),
        practice_answers=practised,
    )
