"""Write the audit trail. Callers are services inside their own transaction."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from wrenchmark.core import clock
from wrenchmark.core.models import AuditEvent


def audit_record(
    *,
    action: str,
    target: models.Model,
    actor: Any = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record ``action`` on ``target`` by ``actor``; must run inside the caller's transaction."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    return AuditEvent.objects.create(
        occurred_at=clock.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        summary=summary[:300],
        data=data or {},
    )


def audit_events_for(target: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
