"""Writes for work experience and training: recording, changing, withdrawing and reviewing entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import ExperienceArea
from wrenchmark.core import clock, events
from wrenchmark.core.audit import audit_record
from wrenchmark.core.events import CandidateRecordChanged
from wrenchmark.core.exceptions import ApplicationError, Conflict
from wrenchmark.employers.models import Employer
from wrenchmark.experience.models import (
    EmploymentType,
    ExperienceEntry,
    ReviewStatus,
    TrainingEntry,
    TrainingKind,
)

# Training counts for at most this many months, whatever is claimed: no program lets more than
# its whole requirement come from school.
MAX_TRAINING_MONTHS_CLAIM = 48


def _check_period(start: dt.date, end: dt.date | None, *, end_required: bool = False) -> None:
    today = clock.today()
    if start > today:
        raise ApplicationError(
            "The start date cannot be in the future.", code="start_in_future", field="start_date"
        )
    if end is None and end_required:
        raise ApplicationError("Enter the completion date.", code="end_required", field="end_date")
    if end is not None and end < start:
        raise ApplicationError(
            "The end date must be on or after the start date.", code="end_before_start", field="end_date"
        )
    if end is not None and end > today:
        raise ApplicationError(
            "The end date cannot be in the future.", code="end_in_future", field="end_date"
        )


def _check_areas(areas: Iterable[ExperienceArea]) -> list[ExperienceArea]:
    chosen = list(areas)
    if not chosen:
        raise ApplicationError("Tick at least one task area.", code="areas_required", field="areas")
    return chosen


def _locked_editable(entry: Any, candidate: User) -> Any:
    """Re-read ``entry`` under a row lock and check the candidate may still change it."""
    entry = type(entry).objects.select_for_update().get(pk=entry.pk)
    if entry.candidate_id != candidate.pk:
        raise ApplicationError("This entry is not yours.", code="not_owner")
    if entry.status == ReviewStatus.APPROVED:
        raise Conflict(
            "An approved entry cannot be changed; add a new entry for a new period.", code="entry_approved"
        )
    return entry


def _reopen_for_review(entry: ExperienceEntry | TrainingEntry) -> None:
    """Save a new or changed entry as waiting for review, clearing any earlier decision."""
    entry.status = ReviewStatus.PENDING
    entry.reviewed_by = None
    entry.reviewed_at = None
    entry.review_reason = ""
    entry.save()


@transaction.atomic
def experience_entry_save(
    *,
    candidate: User,
    employer: Employer | None,
    employer_name: str,
    role: str,
    start_date: dt.date,
    end_date: dt.date | None,
    employment_type: str,
    areas: Iterable[ExperienceArea],
    entry: ExperienceEntry | None = None,
) -> ExperienceEntry:
    """Record a new employment period, or change one that is not yet approved; it (re)enters review.

    Audited as ``experience.recorded`` or ``experience.changed``.
    """
    _check_period(start_date, end_date)
    chosen = _check_areas(areas)
    if employment_type not in EmploymentType.values:
        raise ApplicationError(
            "Choose full-time or part-time.", code="invalid_employment_type", field="employment_type"
        )
    name = employer.name if employer is not None else employer_name.strip()
    if not name:
        raise ApplicationError(
            "Choose your employer or type its name.", code="employer_required", field="employer_name"
        )
    if not role.strip():
        raise ApplicationError("Enter your job title.", code="role_required", field="role")
    creating = entry is None
    entry = ExperienceEntry(candidate=candidate) if entry is None else _locked_editable(entry, candidate)
    entry.employer = employer
    entry.employer_name = name
    entry.role = role.strip()
    entry.start_date = start_date
    entry.end_date = end_date
    entry.employment_type = employment_type
    _reopen_for_review(entry)
    entry.areas.set(chosen)
    audit_record(
        action="experience.recorded" if creating else "experience.changed",
        target=entry,
        actor=candidate,
        summary=f"{entry.role} at {entry.employer_name}",
        data={"start": str(start_date), "end": str(end_date) if end_date else None, "type": employment_type},
    )
    return entry


@transaction.atomic
def training_entry_save(
    *,
    candidate: User,
    kind: str,
    institution: str,
    program_name: str,
    start_date: dt.date,
    end_date: dt.date,
    months_claimed: int,
    areas: Iterable[ExperienceArea],
    entry: TrainingEntry | None = None,
) -> TrainingEntry:
    """Record formal training, or change training not yet approved; it (re)enters review. Audited."""
    _check_period(start_date, end_date, end_required=True)
    chosen = _check_areas(areas)
    if kind not in TrainingKind.values:
        raise ApplicationError("Choose the kind of training.", code="invalid_training_kind", field="kind")
    if not institution.strip():
        raise ApplicationError(
            "Enter the school or institution.", code="institution_required", field="institution"
        )
    if not 1 <= months_claimed <= MAX_TRAINING_MONTHS_CLAIM:
        raise ApplicationError(
            f"Months must be between 1 and {MAX_TRAINING_MONTHS_CLAIM}.",
            code="invalid_months",
            field="months_claimed",
        )
    creating = entry is None
    entry = TrainingEntry(candidate=candidate) if entry is None else _locked_editable(entry, candidate)
    entry.kind = kind
    entry.institution = institution.strip()
    entry.program_name = program_name.strip()
    entry.start_date = start_date
    entry.end_date = end_date
    entry.months_claimed = months_claimed
    _reopen_for_review(entry)
    entry.areas.set(chosen)
    audit_record(
        action="training.recorded" if creating else "training.changed",
        target=entry,
        actor=candidate,
        summary=str(entry),
        data={"months": months_claimed},
    )
    return entry


@transaction.atomic
def entry_withdraw(*, entry: ExperienceEntry | TrainingEntry, candidate: User) -> None:
    """Delete an entry that is not approved; audited on the candidate."""
    entry = _locked_editable(entry, candidate)
    description = str(entry)
    kind = "training" if isinstance(entry, TrainingEntry) else "experience"
    entry.delete()
    audit_record(action=f"{kind}.withdrawn", target=candidate, actor=candidate, summary=description)


@transaction.atomic
def entry_review(
    *, entry: ExperienceEntry | TrainingEntry, approve: bool, reason: str, acting_user: User
) -> ExperienceEntry | TrainingEntry:
    """Approve or reject an entry; a rejection needs a reason. Audited as ``<kind>.approved/rejected``.

    Callers fetch the entry through ``access.access_entry_for_review`` so only a permitted reviewer
    gets here. Reviewers cannot review their own entries.
    """
    if entry.candidate_id == acting_user.pk:
        raise ApplicationError("You cannot review your own entry.", code="own_entry")
    reason = reason.strip()
    if not approve and not reason:
        raise ApplicationError("Say why the entry is rejected.", code="reason_required", field="reason")
    locked: Any = type(entry).objects.select_for_update().get(pk=entry.pk)
    if locked.status != ReviewStatus.PENDING:
        raise Conflict(
            f"This entry was already {locked.get_status_display().lower()}.", code="already_reviewed"
        )
    locked.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    locked.reviewed_by = acting_user
    locked.reviewed_at = clock.now()
    locked.review_reason = reason
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason", "updated_at"])
    kind = "training" if isinstance(entry, TrainingEntry) else "experience"
    audit_record(
        action=f"{kind}.{locked.status}",
        target=locked,
        actor=acting_user,
        summary=reason[:300],
        data={"candidate": locked.candidate.program_id},
    )
    if locked.status == ReviewStatus.APPROVED:
        events.publish(
            CandidateRecordChanged(
                candidate_id=locked.candidate_id, reason=f"{kind} approved", actor_id=acting_user.pk
            )
        )
    return locked
