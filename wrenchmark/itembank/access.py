"""Who may see the item bank: writers, reviewers, psychometricians and program administrators.

Candidates (and everyone else) get the same 404 for an item that exists as for one that does not:
item content never reaches them outside a sitting or a practice session.
"""

from __future__ import annotations

from typing import Any

from wrenchmark.accounts.models import Role
from wrenchmark.core.exceptions import NotFound
from wrenchmark.itembank.models import Item
from wrenchmark.itembank.selectors import item_queryset

BANK_ROLES = (Role.ITEM_WRITER, Role.ITEM_REVIEWER, Role.PSYCHOMETRICIAN, Role.PROGRAM_ADMIN)


def can_use_bank(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and any(user.has_role(role) for role in BANK_ROLES)


def access_bank(user: Any) -> None:
    """Raise NotFound unless ``user`` works on the item bank."""
    if not can_use_bank(user):
        raise NotFound("Not found.", code="not_found")


def access_item_by_id(user: Any, item_id: int) -> Item:
    """Return the item with everything needed to show it, if ``user`` works on the bank."""
    access_bank(user)
    item = item_queryset().filter(pk=item_id).first()
    if item is None:
        raise NotFound("Not found.", code="item_not_found")
    return item
