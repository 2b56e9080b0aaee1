"""Permission-checked fetches of experience and training entries.

An entry that exists but is not the caller's to see raises the same NotFound as one that does not
exist, so ids cannot be probed.
"""

from __future__ import annotations

from wrenchmark.accounts.models import Role, User
from wrenchmark.core.exceptions import NotFound
from wrenchmark.employers.selectors import employers_administered_by
from wrenchmark.experience.models import ExperienceEntry, TrainingEntry

KINDS: dict[str, type[ExperienceEntry] | type[TrainingEntry]] = {
    "experience": ExperienceEntry,
    "training": TrainingEntry,
}


def access_entry_for_candidate(user: User, kind: str, entry_id: int) -> ExperienceEntry | TrainingEntry:
    """Return the candidate's own entry of ``kind`` ("experience" or "training")."""
    model = KINDS.get(kind)
    if model is None:
        raise NotFound("No such entry.", code="entry_not_found")
    entry = model.objects.filter(pk=entry_id, candidate=user).first()
    if entry is None:
        raise NotFound("No such entry.", code="entry_not_found")
    return entry


def access_entry_for_review(user: User, kind: str, entry_id: int) -> ExperienceEntry | TrainingEntry:
    """Return an entry ``user`` may review.

    A program administrator reviews any entry. An employer administrator reviews employment entries
    that name an employer they administer. Training is reviewed by program administrators only.
    """
    model = KINDS.get(kind)
    if model is None or not user.is_authenticated:
        raise NotFound("No such entry.", code="entry_not_found")
    entry = model.objects.select_related("candidate").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound("No such entry.", code="entry_not_found")
    if user.has_role(Role.PROGRAM_ADMIN):
        return entry
    if (
        isinstance(entry, ExperienceEntry)
        and user.has_role(Role.EMPLOYER_ADMIN)
        and entry.employer_id is not None
        and employers_administered_by(user).filter(pk=entry.employer_id).exists()
    ):
        return entry
    raise NotFound("No such entry.", code="entry_not_found")
