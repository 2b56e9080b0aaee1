"""Load the bank files that ship with Wrenchmark through the authoring services.

Every item goes the way an item written in the browser goes: created by its author, submitted, reviewed
by the panel reviewers recorded in the file, approved. Loading again skips items whose content and
reviews are unchanged, so ``make run`` can run it every time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from wrenchmark.accounts.models import Role, User
from wrenchmark.accounts.services import user_create
from wrenchmark.catalog.models import Edition, Test
from wrenchmark.itembank.check import CONTENT, check_files, load_panel
from wrenchmark.itembank.content import ItemSpec
from wrenchmark.itembank.models import Exhibit, Item, ItemState
from wrenchmark.itembank.services import (
    exhibit_create,
    item_create,
    item_enemies_set,
    item_review,
    item_submit,
    item_update,
    spec_to_content,
)

PANEL_DOMAIN = "panel.wrenchmark.invalid"


class BankLoadError(Exception):
    """The bank files have errors; nothing was loaded. ``str()`` lists them, one per line."""


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def bank_files(folder: Path = CONTENT) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.name != "panel.yaml")


def _panel_users(folder: Path) -> dict[str, User]:
    users: dict[str, User] = {}
    for handle, (name, roles) in load_panel(folder / "panel.yaml").items():
        email = f"{handle}@{PANEL_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            first, _, last = name.partition(" ")
            grants = tuple(Role.ITEM_WRITER if r == "writer" else Role.ITEM_REVIEWER for r in sorted(roles))
            user = user_create(
                email=email, password=None, first_name=first, last_name=last or handle, roles=grants
            )
        users[handle] = user
    return users


def _exhibit_for(spec: ItemSpec, author: User) -> Exhibit | None:
    """The stored exhibit for a file item: the same upload is stored once."""
    ex = spec.exhibit
    if ex is None:
        return None
    table = {"columns": ex.columns, "rows": ex.rows} if ex.kind == "table" else None
    data = b"" if ex.path is None or table is not None else ex.path.read_bytes()
    digest = hashlib.sha256(data if table is None else json.dumps(table, sort_keys=True).encode()).hexdigest()
    existing = Exhibit.objects.filter(kind=ex.kind, title=ex.title, alt=ex.alt, source_sha256=digest).first()
    return existing or exhibit_create(
        kind=ex.kind, title=ex.title, alt=ex.alt, acting_user=author, data=data, table=table
    )


@transaction.atomic
def bank_load(*, edition: Edition, folder: Path = CONTENT, paths: list[Path] | None = None) -> LoadResult:
    """Check every bank file, then create or update each item through the services; all or nothing."""
    paths = paths or bank_files(folder)
    report = check_files(paths)
    if report.errors:
        raise BankLoadError("\n".join(str(problem) for problem in report.errors))
    users = _panel_users(folder)
    tests = {t.code: t for t in Test.objects.filter(edition=edition).prefetch_related("content_areas")}
    result = LoadResult()
    items: dict[str, Item] = {}
    specs_by_id = {spec.external_id: spec for spec in report.items}
    for spec in report.items:
        test = tests.get(spec.test)
        if test is None:
            raise BankLoadError(
                f"{spec.path}:{spec.line}: {spec.external_id}: no test {spec.test} in {edition.code}"
            )
        author = users[spec.author]
        content = spec_to_content(spec, test, _exhibit_for(spec, author))
        item = Item.objects.filter(external_id=spec.external_id).select_related("current_version").first()
        if item is None:
            item = item_create(
                test=test, pool=spec.pool, content=content, acting_user=author, external_id=spec.external_id
            )
            result.created += 1
        else:
            before = item.current_version_id
            item_update(
                item=item, content=content, acting_user=author, change_note="Updated from the bank files"
            )
            item.refresh_from_db()
            if item.current_version_id == before and item.state != ItemState.DRAFT:
                result.unchanged += 1
                items[spec.external_id] = item
                continue
            result.updated += 1
        if spec.state in ("in_review", "approved", "operational", "pretest"):
            _review(item, spec, users)
        items[spec.external_id] = item
    # Enemies are symmetrical: a pair declared on either item binds both.
    declared: dict[str, set[str]] = {spec.external_id: set() for spec in report.items}
    for spec in report.items:
        for enemy in spec.enemies:
            declared[spec.external_id].add(enemy)
            declared.setdefault(enemy, set()).add(spec.external_id)
    for external_id, wanted in declared.items():
        item = items[external_id]
        if {e.external_id for e in item.enemies.all()} != wanted:
            item_enemies_set(
                item=item,
                enemies=[items[e] for e in sorted(wanted)],
                acting_user=users[specs_by_id[external_id].author],
            )
    return result


def _review(item: Item, spec: ItemSpec, users: dict[str, User]) -> None:
    author = users[spec.author]
    item_submit(item=item, acting_user=author, check_bank=False)
    for review in spec.reviews:
        item.refresh_from_db()
        if item.state == ItemState.NEEDS_REWORK:
            item_submit(item=item, acting_user=author, check_bank=False)
        item_review(
            item=item,
            decision=review.decision,
            comment=review.comment,
            changed=review.changed,
            acting_user=users[review.reviewer],
        )
