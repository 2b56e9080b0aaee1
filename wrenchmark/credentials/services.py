"""Writes of credentials and designations: bring a holder's records in step with the rules, audited.

``credentials_sync`` is the one way a credential is issued, renewed or changes status. It runs in the
transaction of whatever changed the holder's record (a result, an experience approval), so the record
and the credential it grants commit together, and it is idempotent: running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from wrenchmark.accounts.models import User
from wrenchmark.catalog.selectors import edition_in_force
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_record
from wrenchmark.core.events import CandidateRecordChanged
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.core.models import AuditEvent
from wrenchmark.credentials.models import (
    CURRENT_STATUSES,
    Credential,
    CredentialExtension,
    CredentialStatus,
    DesignationHolding,
    DesignationStatus,
)
from wrenchmark.credentials.standing import CredentialRow, Standing, candidate_standing
from wrenchmark.rules import DesignationProgress, Outcome, add_years


@dataclass
class SyncOutcome:
    """What one sync changed: ``(action, code)`` pairs in the order they were audited."""

    changes: list[tuple[str, str]] = field(default_factory=list)

    def actions(self, code: str) -> list[str]:
        return [action for action, changed in self.changes if changed == code]


def _renewed_on(standing: Standing, row: CredentialRow) -> dt.date | None:
    if not row.state.renewed:
        return None
    codes = {code for code, rule in standing.rules.items() if rule.recertifies == row.test.code}
    dates = [
        r.taken_on
        for r in standing.results
        if r.test_code in codes and r.outcome is Outcome.PASS and r.taken_on <= standing.on
    ]
    return max(dates, default=None)


def _credential_action(existing: Credential | None, new: Credential) -> str | None:
    """The audited action that takes ``existing`` to ``new``, or ``None`` when nothing changed."""
    certified = new.certified_on is not None and new.status in CURRENT_STATUSES
    if existing is None:
        if certified:
            return "credential.issued"
        if new.status == CredentialStatus.AWAITING_EXPERIENCE:
            return "credential.awaiting_experience"
        return "credential.recorded"
    if existing.passed_on != new.passed_on or (existing.certified_on is None and new.certified_on):
        if certified:
            return "credential.issued"
        if new.status == CredentialStatus.AWAITING_EXPERIENCE:
            return "credential.awaiting_experience"
    if new.renewed_on and new.renewed_on != existing.renewed_on and new.expires_on > existing.expires_on:
        return "credential.renewed"
    if (
        new.expires_on > existing.expires_on
        and new.renewed_on == existing.renewed_on
        and new.certified_on == existing.certified_on
    ):
        return "credential.extended"
    if existing.status != new.status:
        return f"credential.{new.status}"
    fields = ("test_id", "certified_on", "expires_on", "passed_on", "renewed_on")
    if any(getattr(existing, f) != getattr(new, f) for f in fields):
        return "credential.updated"
    return None


def _sync_credential(
    standing: Standing, row: CredentialRow, existing: Credential | None
) -> tuple[str, Credential] | None:
    state = row.state
    new = Credential(
        test_code=row.test.code,
        test=row.test,
        status=state.status.value,
        passed_on=state.passed_on,
        certified_on=state.certified_on,
        expires_on=state.expires_on,
        renewed_on=_renewed_on(standing, row),
    )
    action = _credential_action(existing, new)
    if action is None:
        return None
    credential = existing or new
    for name in ("test", "status", "passed_on", "certified_on", "expires_on", "renewed_on"):
        setattr(credential, name, getattr(new, name))
    if action == "credential.issued" and credential.issued_at is None:
        credential.issued_at = clock.now()
    return action, credential


def credentials_sync(
    *,
    candidate: User,
    reason: str,
    acting_user: User | None = None,
    notify: bool = True,
    on: dt.date | None = None,
) -> SyncOutcome:
    """Bring ``candidate``'s credentials and designations in step with the rules on ``on`` (today).

    Audits each change (``credential.issued``, ``credential.awaiting_experience``, ``credential.renewed``,
    ``credential.<status>``, ``designation.achieved``/``at_risk``/``held``/``lapsed``/``restored``) with
    ``reason``, and, when ``notify``, e-mails the holder about issues and renewals after the commit.
    """
    outcome = SyncOutcome()
    with transaction.atomic():
        try:
            standing = candidate_standing(candidate=candidate, on=on)
        except NotFound:
            return outcome  # no catalog edition in force: no rules to apply until one is loaded
        stored = {c.test_code: c for c in Credential.objects.select_for_update().filter(holder=candidate)}
        for row in standing.credentials:
            existing = stored.get(row.test.code)
            change = _sync_credential(standing, row, existing)
            if change is None:
                continue
            action, credential = change
            credential.holder = candidate
            credential.save()
            audit_record(
                action=action,
                target=credential,
                actor=acting_user,
                summary=f"{credential.test_code} {credential.status} to {credential.expires_on} ({reason})",
                data={
                    "holder": candidate.program_id,
                    "test": credential.test_code,
                    "status": credential.status,
                    "expires_on": credential.expires_on.isoformat(),
                    "reason": reason,
                },
            )
            outcome.changes.append((action, credential.test_code))
            if notify and action in ("credential.issued", "credential.renewed"):
                transaction.on_commit(
                    partial(credential_email_send, credential_id=credential.pk, action=action)
                )
        for progress in standing.designations:
            _sync_designation(candidate, progress, acting_user, reason, outcome)
    return outcome


def _sync_designation(
    candidate: User, progress: DesignationProgress, actor: User | None, reason: str, outcome: SyncOutcome
) -> None:
    holding = (
        DesignationHolding.objects.select_for_update().filter(holder=candidate, code=progress.code).first()
    )
    if progress.held:
        status = DesignationStatus.AT_RISK if progress.at_risk else DesignationStatus.HELD
    elif holding is not None:
        status = DesignationStatus.LAPSED
    else:
        return
    if holding is None:
        holding = DesignationHolding(
            holder=candidate, code=progress.code, name=progress.name, achieved_at=clock.now()
        )
        action = "designation.achieved"
    elif holding.status == status and holding.held_since == progress.held_since:
        return
    elif holding.status == DesignationStatus.LAPSED:
        action = "designation.restored"
    else:
        action = f"designation.{status}"
    holding.status, holding.held_since, holding.name = status, progress.held_since, progress.name
    holding.save()
    audit_record(
        action=action,
        target=holding,
        actor=actor,
        summary=f"{progress.name}: {status} ({reason})",
        data={"holder": candidate.program_id, "designation": progress.code, "reason": reason},
    )
    outcome.changes.append((action, progress.code))


def on_record_changed(event: CandidateRecordChanged) -> None:
    """Recompute the candidate's credentials after a result or an experience decision."""
    candidate = User.objects.get(pk=event.candidate_id)
    actor = User.objects.filter(pk=event.actor_id).first() if event.actor_id else None
    credentials_sync(candidate=candidate, reason=event.reason, acting_user=actor, notify=event.notify)


def credential_email_send(*, credential_id: int, action: str) -> None:
    """E-mail the holder that a certification was issued or renewed, in their language (never to a
    simulated candidate)."""
    credential = Credential.objects.select_related("holder", "test").get(pk=credential_id)
    holder = credential.holder
    if holder.is_simulated:
        return
    context = {
        "credential": credential,
        "holder": holder,
        "renewed": action == "credential.renewed",
        "withdrawn": action in ("credential.suspended", "credential.revoked"),
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    with translation.override(holder.preferred_language):
        subject = render_to_string("credentials/email/credential_subject.txt", context).strip()
        body = render_to_string("credentials/email/credential.txt", context)
    send_mail(subject, body, None, [holder.email])


@dataclass(frozen=True)
class RefreshOutcome:
    """What one daily refresh moved: credentials now expiring, now expired, and holders recomputed."""

    expiring: int
    expired: int
    holders: int


REFRESH_BATCH = 5000


def _move(queryset: Any, status: str, on: dt.date) -> tuple[int, set[int]]:
    """Set ``status`` on every credential in ``queryset``, in batches of ids (set-based: one UPDATE and
    one bulk audit insert per batch), and return how many moved and whose."""
    moved, holders = 0, set[int]()
    while True:
        batch = list(queryset.values_list("pk", "holder_id", "test_code", "expires_on")[:REFRESH_BATCH])
        if not batch:
            return moved, holders
        with transaction.atomic():
            Credential.objects.filter(pk__in=[row[0] for row in batch]).update(
                status=status, updated_at=clock.now()
            )
            AuditEvent.objects.bulk_create(
                AuditEvent(
                    occurred_at=clock.now(),
                    actor=None,
                    action=f"credential.{status}",
                    target_type=Credential._meta.label_lower,
                    target_id=str(pk),
                    summary=f"{code} {status} (expires {expires_on}; daily refresh {on})",
                    data={
                        "test": code,
                        "status": status,
                        "expires_on": expires_on.isoformat(),
                        "reason": "refresh",
                    },
                )
                for pk, _holder, code, expires_on in batch
            )
        moved += len(batch)
        holders.update(row[1] for row in batch)


def credentials_refresh(*, on: dt.date | None = None) -> RefreshOutcome:
    """Move credentials across dates (run daily; idempotent): certified → expiring within the edition's
    notice period, any valid or waiting credential → expired after its last valid day. Set-based, in
    batches; each move audited. The holders whose credentials moved get their designations recomputed
    (``credentials_sync``), which is what turns a Master "at risk" or "lapsed"."""
    on = on or clock.today()
    try:
        notice = edition_in_force(on=on).policy("expiring_notice_days")
    except NotFound:
        return RefreshOutcome(0, 0, 0)
    expired, expired_holders = _move(
        Credential.objects.filter(
            status__in=[
                CredentialStatus.CERTIFIED,
                CredentialStatus.EXPIRING,
                CredentialStatus.AWAITING_EXPERIENCE,
            ],
            expires_on__lt=on,
        ).order_by("pk"),
        CredentialStatus.EXPIRED,
        on,
    )
    expiring, expiring_holders = _move(
        Credential.objects.filter(
            status=CredentialStatus.CERTIFIED,
            expires_on__gte=on,
            expires_on__lt=on + dt.timedelta(days=notice),
        ).order_by("pk"),
        CredentialStatus.EXPIRING,
        on,
    )
    moved = expired_holders | expiring_holders
    # Dates alone can only take a designation from held to at risk or lapsed, so only holders of a
    # designation need the rules again; everyone else's change is complete with the UPDATE above.
    ids = sorted(moved)
    holders: set[int] = set()
    for start in range(0, len(ids), REFRESH_BATCH):
        holders.update(
            DesignationHolding.objects.filter(
                holder_id__in=ids[start : start + REFRESH_BATCH],
                status__in=[DesignationStatus.HELD, DesignationStatus.AT_RISK],
            ).values_list("holder_id", flat=True)
        )
    for holder in User.objects.filter(pk__in=holders):
        credentials_sync(candidate=holder, reason="daily refresh", notify=False, on=on)
    return RefreshOutcome(expiring=expiring, expired=expired, holders=len(holders))


WITHDRAW_ACTIONS = {
    CredentialStatus.SUSPENDED: "credential.suspended",
    CredentialStatus.REVOKED: "credential.revoked",
}


def _locked(credential: Credential) -> Credential:
    return Credential.objects.select_for_update().select_related("holder").get(pk=credential.pk)


def credential_withdraw(
    *, credential: Credential, status: str, reason: str, acting_user: User, notify: bool = True
) -> Credential:
    """Suspend or revoke ``credential`` with a reason; audited. Revocation is final; a suspension can be
    lifted (:func:`credential_reinstate`) or turned into a revocation. The holder's designations are
    recomputed in the same transaction, and the badge status lists show it from the next request."""
    if status not in WITHDRAW_ACTIONS:
        raise ApplicationError("Choose suspend or revoke.", code="invalid_status", field="status")
    if not reason.strip():
        raise ApplicationError(
            "Give the reason: the holder is told it, and it stays in the record.",
            code="reason_required",
            field="reason",
        )
    with transaction.atomic():
        credential = _locked(credential)
        if credential.status == CredentialStatus.REVOKED:
            raise ApplicationError(
                f"{credential.test_code} is already revoked; a revocation is final.", code="already_revoked"
            )
        if credential.status == status:
            raise ApplicationError(f"{credential.test_code} is already suspended.", code="already_suspended")
        if credential.certified_on is None and status == CredentialStatus.SUSPENDED:
            raise ApplicationError(
                f"{credential.test_code} was never certified, so there is nothing to suspend; revoke it to void "
                "the pass.",
                code="not_certified",
            )
        previous = credential.status
        credential.status = status
        credential.withdrawn_at = clock.now()
        credential.withdrawn_reason = reason.strip()
        credential.withdrawn_by = acting_user
        credential.save()
        audit_record(
            action=WITHDRAW_ACTIONS[CredentialStatus(status)],
            target=credential,
            actor=acting_user,
            summary=f"{credential.test_code} {status}: {credential.withdrawn_reason}",
            data={
                "holder": credential.holder.program_id,
                "test": credential.test_code,
                "from": previous,
                "reason": credential.withdrawn_reason,
            },
        )
        credentials_sync(candidate=credential.holder, reason=f"{credential.test_code} {status}", notify=False)
        if notify:
            transaction.on_commit(
                partial(credential_email_send, credential_id=credential.pk, action=f"credential.{status}")
            )
    return credential


def credential_reinstate(*, credential: Credential, reason: str, acting_user: User) -> Credential:
    """Lift a suspension; the dates then decide the status again (it may have expired meanwhile). Audited."""
    if not reason.strip():
        raise ApplicationError(
            "Give the reason for lifting the suspension.", code="reason_required", field="reason"
        )
    with transaction.atomic():
        credential = _locked(credential)
        if credential.status != CredentialStatus.SUSPENDED:
            raise ApplicationError(
                f"Only a suspended credential can be reinstated; {credential.test_code} is "
                f"{credential.get_status_display().lower()}.",
                code="not_suspended",
            )
        credential.status = CredentialStatus.CERTIFIED  # provisional: the sync below sets it from the dates
        credential.withdrawn_at, credential.withdrawn_reason, credential.withdrawn_by = None, "", None
        credential.save()
        audit_record(
            action="credential.reinstated",
            target=credential,
            actor=acting_user,
            summary=f"{credential.test_code} reinstated: {reason.strip()}",
            data={
                "holder": credential.holder.program_id,
                "test": credential.test_code,
                "reason": reason.strip(),
            },
        )
        credentials_sync(
            candidate=credential.holder, reason=f"{credential.test_code} reinstated", notify=False
        )
        credential.refresh_from_db()
    return credential


def credential_extend(
    *, credential: Credential, years: int = 1, source: str, acting_user: User | None
) -> Credential:
    """Add ``years`` to a current certification from its present expiry (the renewal program's reward);
    audited through the sync as ``credential.extended``. Idempotent per expiry: extending twice from the
    same expiry adds one extension."""
    with transaction.atomic():
        credential = _locked(credential)
        if credential.status not in CURRENT_STATUSES:
            raise ApplicationError(
                f"Only a current certification can be extended; {credential.test_code} is "
                f"{credential.get_status_display().lower()}.",
                code="not_current",
            )
        CredentialExtension.objects.get_or_create(
            credential=credential,
            from_expiry=credential.expires_on,
            defaults={
                "to_expiry": add_years(credential.expires_on, years),
                "source": source,
                "granted_at": clock.now(),
            },
        )
        credentials_sync(candidate=credential.holder, reason=source, acting_user=acting_user, notify=False)
        credential.refresh_from_db()
    return credential
