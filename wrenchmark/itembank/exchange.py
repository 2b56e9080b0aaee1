"""Export the stored bank to QTI or JSON, and import packages, through the authoring services."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import Edition, Test
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.itembank.content import ItemSpec
from wrenchmark.itembank.conversion import version_to_spec
from wrenchmark.itembank.interchange import InterchangeError, read_package, write_package
from wrenchmark.itembank.models import Exhibit, Item
from wrenchmark.itembank.services import (
    exhibit_create,
    item_create,
    item_enemies_set,
    item_update,
    spec_to_content,
)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def bank_export(*, items: QuerySet[Item], out: Path, fmt: str) -> int:
    """Write the current version of every item in ``items`` to ``out``; returns the number of item files."""
    specs = [
        version_to_spec(item.current_version, item) for item in items if item.current_version is not None
    ]
    return write_package(specs, out, fmt=fmt)


def _exhibit(spec: ItemSpec, user: User) -> Exhibit | None:
    ex = spec.exhibit
    if ex is None:
        return None
    table = {"columns": ex.columns, "rows": ex.rows} if ex.kind == "table" else None
    return exhibit_create(
        kind=ex.kind, title=ex.title, alt=ex.alt, acting_user=user, data=ex.data(), table=table
    )


@transaction.atomic
def bank_import(*, path: Path, edition: Edition, acting_user: User) -> ImportResult:
    """Import a QTI 3.0 / 2.1 package or a JSON export: new items as drafts by ``acting_user``, known
    items (same id) as a new version. All or nothing: any problem raises and nothing is kept."""
    try:
        specs = read_package(path)
    except InterchangeError as exc:
        raise ApplicationError(str(exc), code="import_refused") from None
    tests = {t.code: t for t in Test.objects.filter(edition=edition).prefetch_related("content_areas")}
    result = ImportResult()
    items: dict[str, Item] = {}
    for spec in specs:
        test = tests.get(spec.test)
        if test is None:
            raise ApplicationError(
                f"{spec.path}: {spec.external_id}: there is no test {spec.test!r}", code="unknown_test"
            )
        content = spec_to_content(spec, test, _exhibit(spec, acting_user))
        item = Item.objects.filter(external_id=spec.external_id).first()
        if item is None:
            item = item_create(
                test=test,
                pool=spec.pool or "operational",
                content=content,
                acting_user=acting_user,
                external_id=spec.external_id,
            )
            result.created += 1
        else:
            before = item.current_version_id
            item_update(
                item=item, content=content, acting_user=acting_user, change_note=f"Imported from {path.name}"
            )
            item.refresh_from_db()
            if item.current_version_id == before:
                result.unchanged += 1
            else:
                result.updated += 1
        items[spec.external_id] = item
    for spec in specs:
        known = [items.get(e) or Item.objects.filter(external_id=e).first() for e in spec.enemies]
        item_enemies_set(
            item=items[spec.external_id], enemies=[e for e in known if e is not None], acting_user=acting_user
        )
    return result
