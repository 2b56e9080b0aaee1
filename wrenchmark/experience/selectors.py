"""Reads of experience: a candidate's entries, review queues, and qualifying months per requirement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from wrenchmark.accounts.models import Role, User
from wrenchmark.catalog.models import Edition, ExperienceRequirement, Test
from wrenchmark.employers.selectors import employers_administered_by
from wrenchmark.experience.models import ExperienceEntry, ReviewStatus, TrainingEntry
from wrenchmark.rules import Employment, ExperienceProgress, ExperienceRule, Training, qualifying_months


def experience_entries_for(candidate: User) -> QuerySet[ExperienceEntry]:
    return (
        ExperienceEntry.objects.filter(candidate=candidate)
        .select_related("employer", "reviewed_by")
        .prefetch_related("areas")
    )


def training_entries_for(candidate: User) -> QuerySet[TrainingEntry]:
    return (
        TrainingEntry.objects.filter(candidate=candidate)
        .select_related("reviewed_by")
        .prefetch_related("areas")
    )


def review_queue(
    user: User, *, status: str = ReviewStatus.PENDING
) -> tuple[QuerySet[ExperienceEntry], QuerySet[TrainingEntry]]:
    """Entries ``user`` may review, oldest first: everything for a program administrator, their
    employers' employment entries for an employer administrator."""
    experience = ExperienceEntry.objects.filter(status=status).exclude(candidate=user)
    training = TrainingEntry.objects.filter(status=status).exclude(candidate=user)
    if not user.has_role(Role.PROGRAM_ADMIN):
        if user.has_role(Role.EMPLOYER_ADMIN):
            experience = experience.filter(employer__in=employers_administered_by(user))
        else:
            experience = experience.none()
        training = training.none()
    related = ("candidate", "employer")
    return (
        experience.select_related(*related).prefetch_related("areas").order_by("created_at", "id"),
        training.select_related("candidate").prefetch_related("areas").order_by("created_at", "id"),
    )


def rule_for(requirement: ExperienceRequirement) -> ExperienceRule:
    return ExperienceRule(
        code=requirement.code,
        months_required=requirement.months,
        training_max_months=requirement.training_max_months,
        areas=frozenset(area.code for area in requirement.areas.all()),
    )


def approved_history(candidate: User) -> tuple[list[Employment], list[Training]]:
    """The candidate's approved employment and training as plain rule inputs."""
    employment = [
        Employment(
            start=entry.start_date,
            end=entry.end_date,
            full_time=entry.full_time,
            areas=frozenset(area.code for area in entry.areas.all()),
        )
        for entry in experience_entries_for(candidate).filter(status=ReviewStatus.APPROVED)
    ]
    training = [
        Training(
            start=entry.start_date,
            end=entry.end_date,
            months=entry.months_claimed,
            areas=frozenset(area.code for area in entry.areas.all()),
        )
        for entry in training_entries_for(candidate).filter(status=ReviewStatus.APPROVED)
    ]
    return employment, training


@dataclass(frozen=True, slots=True)
class RequirementStanding:
    requirement: ExperienceRequirement
    progress: ExperienceProgress
    tests: list[Test]

    @property
    def percent(self) -> int:
        required = self.progress.months_required or 1
        return min(100, round(100 * self.progress.total_months / required))


def experience_standing(*, candidate: User, edition: Edition, on: dt.date) -> list[RequirementStanding]:
    """Qualifying months toward each experience requirement of ``edition`` on ``on``, with its tests.

    Only approved entries count. Requirements are listed in the order of their first test.
    """
    employment, training = approved_history(candidate)
    requirements = edition.experience_requirements.prefetch_related(
        "areas",
        Prefetch("tests", queryset=Test.objects.filter(recertifies__isnull=True).order_by("position")),
    )
    standings = [
        RequirementStanding(
            requirement=req,
            progress=qualifying_months(rule=rule_for(req), employment=employment, training=training, on=on),
            tests=list(req.tests.all()),
        )
        for req in requirements
    ]
    standings = [s for s in standings if s.tests]
    standings.sort(key=lambda s: s.tests[0].position)
    return standings


def experience_progress_by_rule(
    *, candidate: User, edition: Edition, on: dt.date
) -> dict[str, ExperienceProgress]:
    employment, training = approved_history(candidate)
    return {
        req.code: qualifying_months(rule=rule_for(req), employment=employment, training=training, on=on)
        for req in edition.experience_requirements.prefetch_related("areas")
    }


def pending_count(candidate: User) -> int:
    pending = Q(status=ReviewStatus.PENDING)
    return (
        ExperienceEntry.objects.filter(pending, candidate=candidate).count()
        + TrainingEntry.objects.filter(pending, candidate=candidate).count()
    )
