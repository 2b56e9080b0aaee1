"""Record changes that other parts of the program must react to, inside the same transaction.

A lower layer (scoring records a result, experience approves an entry) cannot call the layer above it
(credentials) without a cycle. It publishes a :class:`CandidateRecordChanged` instead; the credentials
app subscribes once, at start-up, and recomputes the candidate's credentials in the publisher's
transaction, so a result and the credential it issues commit or roll back together. Subscribers hold
no domain logic of their own: each one calls a service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction


@dataclass(frozen=True, slots=True)
class CandidateRecordChanged:
    """A candidate's results or approved experience changed; ``reason`` names what, for the audit.

    ``notify`` is false for records loaded in bulk (imports, demo data): nobody is e-mailed about them.
    """

    candidate_id: int
    reason: str
    actor_id: int | None = None
    notify: bool = True


Subscriber = Callable[[CandidateRecordChanged], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    """Register ``subscriber`` (idempotent: registering the same function twice keeps one)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def publish(event: CandidateRecordChanged) -> None:
    """Run every subscriber now, inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("publish must run inside the transaction of the change it announces")
    for subscriber in _subscribers:
        subscriber(event)
