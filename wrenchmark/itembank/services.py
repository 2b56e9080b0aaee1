"""Writes to the item bank. Every change of content or state goes through here and is audited."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max

from wrenchmark.accounts.models import Role, User
from wrenchmark.accounts.services import require_role
from wrenchmark.catalog.models import ContentArea, Test
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_record
from wrenchmark.core.exceptions import ApplicationError, Conflict, PermissionDenied
from wrenchmark.itembank.content import TECH_AB_KEYS, TECH_AB_TEXT, ItemSpec
from wrenchmark.itembank.conversion import version_to_spec
from wrenchmark.itembank.linting import ERROR, Finding, lint_item, near_duplicates
from wrenchmark.itembank.markup import markup_problems, normalise_stem
from wrenchmark.itembank.models import (
    Exhibit,
    ExhibitKind,
    Item,
    ItemComment,
    ItemOption,
    ItemPool,
    ItemReview,
    ItemState,
    ItemStyle,
    ItemTranslation,
    ItemVersion,
    ReviewDecision,
    TranslationStatus,
)
from wrenchmark.itembank.svg import SvgRefused, sanitise_svg

APPROVALS_NEEDED = 2
MAX_IMAGE_BYTES = 2 * 1024 * 1024
_IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}
EDITABLE_STATES = (ItemState.DRAFT, ItemState.NEEDS_REWORK, ItemState.IN_REVIEW)
# Which state may follow which, outside review (review moves in_review to approved or needs_rework).
TRANSITIONS = {
    ItemState.APPROVED: (ItemState.PRETEST, ItemState.OPERATIONAL, ItemState.RETIRED),
    ItemState.PRETEST: (ItemState.OPERATIONAL, ItemState.NEEDS_REWORK, ItemState.RETIRED),
    ItemState.OPERATIONAL: (ItemState.RETIRED,),
    ItemState.DRAFT: (ItemState.RETIRED,),
    ItemState.NEEDS_REWORK: (ItemState.RETIRED,),
    ItemState.IN_REVIEW: (ItemState.RETIRED,),
}
BANK_ROLES = (Role.ITEM_WRITER, Role.ITEM_REVIEWER, Role.PSYCHOMETRICIAN, Role.PROGRAM_ADMIN)


@dataclass
class OptionInput:
    text: str
    rationale: str
    is_key: bool = False
    locked: bool = False


@dataclass
class TranslationInput:
    language: str
    stem: str
    options: list[dict[str, str]]
    status: str = TranslationStatus.DRAFT
    exhibit_title: str = ""
    exhibit_alt: str = ""


@dataclass
class ItemContent:
    """Everything that makes up one version of an item."""

    area: ContentArea
    style: str
    stem: str
    options: list[OptionInput]
    task: str = ""
    exhibit: Exhibit | None = None
    references: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    translations: list[TranslationInput] = field(default_factory=list)

    def fingerprint(self) -> str:
        payload = {
            "area": self.area.pk,
            "style": self.style,
            "stem": normalise_stem(self.stem, self.style),
            "task": self.task.strip(),
            "options": [[o.text.strip(), o.rationale.strip(), o.is_key, o.locked] for o in self.options],
            "exhibit": self.exhibit.pk if self.exhibit else None,
            "references": self.references,
            "keywords": self.keywords,
            "translations": [
                [
                    t.language,
                    t.status,
                    normalise_stem(t.stem, self.style),
                    t.options,
                    t.exhibit_title,
                    t.exhibit_alt,
                ]
                for t in self.translations
            ],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def tech_ab_content_options(key: str, rationales: dict[str, str]) -> list[OptionInput]:
    """The four fixed, locked Technician A/B options, keyed by ``key`` (a_only, b_only, both, neither)."""
    if key not in TECH_AB_KEYS:
        raise ApplicationError(
            "Choose who is correct: A only, B only, both or neither.", code="tech_ab_key", field="tech_ab_key"
        )
    return [
        OptionInput(
            text=TECH_AB_TEXT["en"][code],
            rationale=rationales.get(code, "").strip(),
            is_key=code == key,
            locked=True,
        )
        for code in TECH_AB_KEYS
    ]


def _version_content(version: ItemVersion) -> ItemContent:
    return ItemContent(
        area=version.area,
        style=version.style,
        stem=version.stem,
        task=version.task,
        options=[OptionInput(o.text, o.rationale, o.is_key, o.locked) for o in version.options.all()],
        exhibit=version.exhibit,
        references=list(version.references),
        keywords=list(version.keywords),
        translations=[
            TranslationInput(t.language, t.stem, list(t.options), t.status, t.exhibit_title, t.exhibit_alt)
            for t in version.translations.all()
        ],
    )


def _validate(content: ItemContent, test: Test) -> None:
    if content.area.test_id != test.pk:
        raise ApplicationError(
            "The content area is not one of this test's.", code="area_not_in_test", field="area"
        )
    if content.style not in ItemStyle.values:
        raise ApplicationError("Choose a question style.", code="invalid_style", field="style")
    if not content.stem.strip():
        raise ApplicationError("Write the stem.", code="stem_required", field="stem")
    for message in markup_problems(content.stem):
        raise ApplicationError(f"Stem: {message}.", code="stem_markup", field="stem")
    if len(content.options) != 4:
        raise ApplicationError("An item has exactly four options.", code="four_options", field="options")
    for option in content.options:
        if not option.text.strip():
            raise ApplicationError("Every option needs text.", code="option_empty", field="options")
        for message in markup_problems(option.text):
            raise ApplicationError(f"Option: {message}.", code="option_markup", field="options")
    if sum(1 for o in content.options if o.is_key) != 1:
        raise ApplicationError("Mark exactly one option as the key.", code="one_key", field="options")
    for translation in content.translations:
        if len(translation.options) != 4:
            raise ApplicationError(
                f"The {translation.language} translation needs four options.", code="translation_options"
            )


def _write_version(item: Item, content: ItemContent, acting_user: User, change_note: str) -> ItemVersion:
    number = (item.versions.aggregate(Max("number"))["number__max"] or 0) + 1
    version = ItemVersion.objects.create(
        item=item,
        number=number,
        area=content.area,
        task=content.task.strip(),
        style=content.style,
        stem=normalise_stem(content.stem, content.style),
        exhibit=content.exhibit,
        references=[r.strip() for r in content.references if r.strip()],
        keywords=[k.strip() for k in content.keywords if k.strip()],
        created_by=acting_user,
        created_at=clock.now(),
        change_note=change_note[:300],
    )
    ItemOption.objects.bulk_create(
        ItemOption(
            version=version,
            position=i,
            text=o.text.strip(),
            rationale=o.rationale.strip(),
            is_key=o.is_key,
            locked=o.locked,
        )
        for i, o in enumerate(content.options)
    )
    for t in content.translations:
        ItemTranslation.objects.create(
            version=version,
            language=t.language,
            status=t.status,
            stem=normalise_stem(t.stem, content.style),
            options=[
                {"text": o.get("text", "").strip(), "rationale": o.get("rationale", "").strip()}
                for o in t.options
            ],
            exhibit_title=t.exhibit_title,
            exhibit_alt=t.exhibit_alt,
        )
    item.current_version = version
    item.save(update_fields=["current_version", "updated_at"])
    return version


ID_PREFIX = {ItemPool.OPERATIONAL: "", ItemPool.PRACTICE: "P", ItemPool.RENEWAL: "R"}


def _next_external_id(test: Test, pool: str) -> str:
    prefix = f"{test.code}-{ID_PREFIX[ItemPool(pool)]}"
    taken = Item.objects.filter(external_id__startswith=prefix).values_list("external_id", flat=True)
    numbers = [int(m.group(1)) for e in taken if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", e))]
    width = 4 if pool == ItemPool.OPERATIONAL else 3
    return f"{prefix}{(max(numbers, default=0) + 1):0{width}d}"


@transaction.atomic
def item_create(
    *, test: Test, pool: str, content: ItemContent, acting_user: User, external_id: str | None = None
) -> Item:
    """Create a draft item with its first version; audited as ``item.created``."""
    require_role(acting_user, Role.ITEM_WRITER, Role.PROGRAM_ADMIN)
    if pool not in ItemPool.values:
        raise ApplicationError(
            "Choose the operational, practice or renewal pool.", code="invalid_pool", field="pool"
        )
    _validate(content, test)
    external_id = external_id or _next_external_id(test, pool)
    if Item.objects.filter(external_id=external_id).exists():
        raise Conflict(f"Item {external_id} already exists.", code="item_exists")
    item = Item.objects.create(
        external_id=external_id, test=test, test_code=test.code, pool=pool, author=acting_user
    )
    _write_version(item, content, acting_user, "First version")
    audit_record(action="item.created", target=item, actor=acting_user, summary=external_id)
    return item


@transaction.atomic
def item_update(*, item: Item, content: ItemContent, acting_user: User, change_note: str = "") -> ItemVersion:
    """Save new content for ``item`` as a new version; unchanged content writes nothing.

    Drafts, items in review and items sent back for rework are edited by their author or a reviewer.
    Editing an approved, pretest or operational item starts a new draft version that must be reviewed
    again; the version a form used stays frozen as it was. Retired items cannot change.
    """
    item = Item.objects.select_for_update().get(pk=item.pk)
    require_role(acting_user, Role.ITEM_WRITER, Role.ITEM_REVIEWER, Role.PROGRAM_ADMIN)
    if item.state == ItemState.RETIRED:
        raise Conflict("A retired item cannot be changed.", code="item_retired")
    if item.author_id != acting_user.pk and not (
        acting_user.has_role(Role.ITEM_REVIEWER) or acting_user.has_role(Role.PROGRAM_ADMIN)
    ):
        raise PermissionDenied("Only the author or a reviewer can change this item.", code="not_author")
    _validate(content, item.test)
    current = item.current_version
    if current is not None and _version_content(current).fingerprint() == content.fingerprint():
        return current
    version = _write_version(item, content, acting_user, change_note or "Edited")
    previous_state = item.state
    if item.state not in EDITABLE_STATES:
        item.state = ItemState.DRAFT
        item.save(update_fields=["state", "updated_at"])
    audit_record(
        action="item.edited",
        target=item,
        actor=acting_user,
        summary=f"{item.external_id} v{version.number}: {change_note[:200]}",
        data={"version": version.number, "from_state": previous_state, "state": item.state},
    )
    return version


@transaction.atomic
def item_translation_save(*, item: Item, translation: TranslationInput, acting_user: User) -> ItemVersion:
    """Add or replace one language of the current version (a new version, like any edit)."""
    if translation.language == "en":
        raise ApplicationError(
            "English is the item itself; translate into another language.", code="invalid_language"
        )
    current = item.current_version
    assert current is not None
    content = _version_content(current)
    content.translations = [t for t in content.translations if t.language != translation.language] + [
        translation
    ]
    return item_update(
        item=item,
        content=content,
        acting_user=acting_user,
        change_note=f"{translation.language} translation ({translation.status})",
    )


def item_lint_findings(item: Item, *, with_bank: bool = True) -> list[Finding]:
    """The linter's findings for the item's current version, and near-duplicates in its test."""
    assert item.current_version is not None
    spec = version_to_spec(item.current_version, item)
    findings = lint_item(spec)
    if with_bank:
        others = [
            version_to_spec(other.current_version, other)
            for other in Item.objects.filter(test_code=item.test_code)
            .exclude(pk=item.pk)
            .exclude(state=ItemState.RETIRED)
            .select_related("current_version__area", "current_version__exhibit", "author")
            .prefetch_related(
                "current_version__options", "current_version__translations", "enemies", "reviews__reviewer"
            )
            if other.current_version is not None
        ]
        for first, second, similarity in near_duplicates([spec, *others]):
            if spec in (first, second):
                other = second if first is spec else first
                severity = ERROR if similarity >= 0.9 else "warning"
                findings.append(
                    Finding(
                        spec.external_id,
                        "near_duplicate",
                        f"{similarity:.0%} like {other.external_id}",
                        severity,
                    )
                )
    return findings


@transaction.atomic
def item_submit(*, item: Item, acting_user: User, check_bank: bool = True) -> Item:
    """Send a draft (or reworked) item to the review panel; refused while the linter finds errors.

    ``check_bank=False`` skips the near-duplicate search across the test, for bulk loads that checked
    the whole bank beforehand.
    """
    item = Item.objects.select_for_update().get(pk=item.pk)
    if item.state not in (ItemState.DRAFT, ItemState.NEEDS_REWORK):
        raise Conflict(
            f"Only drafts go to review; this item is {item.get_state_display().lower()}.", code="not_draft"
        )
    if item.author_id != acting_user.pk and not acting_user.has_role(Role.PROGRAM_ADMIN):
        raise PermissionDenied("Only the author submits an item for review.", code="not_author")
    errors = [f for f in item_lint_findings(item, with_bank=check_bank) if f.severity == ERROR]
    if errors:
        raise ApplicationError(
            "Fix what the linter found first: " + "; ".join(f.message for f in errors),
            code="lint_errors",
            extra={"findings": [f.code for f in errors]},
        )
    item.state = ItemState.IN_REVIEW
    item.submitted_at = clock.now()
    item.save(update_fields=["state", "submitted_at", "updated_at"])
    audit_record(action="item.submitted", target=item, actor=acting_user, summary=item.external_id)
    return item


@transaction.atomic
def item_review(
    *, item: Item, decision: str, comment: str, acting_user: User, changed: str = ""
) -> ItemReview:
    """Record a panel reviewer's decision on the current version.

    Rework sends the item back to its author with the reason. The item is approved when the current
    version has approvals from ``APPROVALS_NEEDED`` different reviewers, none of them its author.
    Audited as ``item.reviewed`` (and ``item.approved``).
    """
    item = Item.objects.select_for_update().get(pk=item.pk)
    require_role(acting_user, Role.ITEM_REVIEWER)
    if item.author_id == acting_user.pk:
        raise PermissionDenied("Authors do not review their own items.", code="own_item")
    if item.state != ItemState.IN_REVIEW:
        raise Conflict(
            f"This item is {item.get_state_display().lower()}, not in review.", code="not_in_review"
        )
    if decision not in ReviewDecision.values:
        raise ApplicationError(
            "Approve the item or send it back for rework.", code="invalid_decision", field="decision"
        )
    if not comment.strip():
        raise ApplicationError(
            "Say what you checked or what must change.", code="comment_required", field="comment"
        )
    version = item.current_version
    assert version is not None
    this_round = (
        version.reviews.filter(created_at__gte=item.submitted_at)
        if item.submitted_at
        else version.reviews.all()
    )
    if this_round.filter(reviewer=acting_user).exists():
        raise Conflict("You have already reviewed this version.", code="already_reviewed")
    review = ItemReview.objects.create(
        item=item,
        version=version,
        reviewer=acting_user,
        decision=decision,
        comment=comment.strip(),
        changed=changed.strip(),
        created_at=clock.now(),
    )
    audit_record(
        action="item.reviewed",
        target=item,
        actor=acting_user,
        summary=f"{item.external_id} v{version.number}: {decision}",
        data={"version": version.number, "decision": decision},
    )
    if decision == ReviewDecision.REWORK:
        item.state = ItemState.NEEDS_REWORK
        item.save(update_fields=["state", "updated_at"])
    else:
        approvers = set(
            this_round.filter(decision=ReviewDecision.APPROVE)
            .exclude(reviewer=item.author)
            .values_list("reviewer", flat=True)
        )
        if len(approvers) >= APPROVALS_NEEDED:
            item.state = ItemState.APPROVED
            item.save(update_fields=["state", "updated_at"])
            audit_record(action="item.approved", target=item, actor=acting_user, summary=item.external_id)
    return review


@transaction.atomic
def item_transition(*, item: Item, to_state: str, acting_user: User, reason: str = "") -> Item:
    """Move an item along its life cycle: approved → pretest → operational, or to retired (with a reason)."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    require_role(acting_user, Role.PSYCHOMETRICIAN, Role.PROGRAM_ADMIN)
    allowed = TRANSITIONS.get(ItemState(item.state), ())
    if to_state not in allowed:
        raise Conflict(
            f"An item that is {item.get_state_display().lower()} cannot become {to_state.replace('_', ' ')}.",
            code="invalid_transition",
        )
    if to_state == ItemState.RETIRED and not reason.strip():
        raise ApplicationError("Say why the item is retired.", code="reason_required", field="reason")
    if to_state in (ItemState.PRETEST, ItemState.OPERATIONAL) and item.pool == ItemPool.PRACTICE:
        raise Conflict("Practice items are never used on forms.", code="practice_item")
    if to_state in (ItemState.PRETEST, ItemState.OPERATIONAL) and item.pool == ItemPool.RENEWAL:
        raise Conflict(
            "Renewal-program items are kept apart from the forms; they are never pretested or operational.",
            code="renewal_item",
        )
    previous = item.state
    item.state = to_state
    item.save(update_fields=["state", "updated_at"])
    audit_record(
        action=f"item.{to_state}",
        target=item,
        actor=acting_user,
        summary=reason.strip()[:300],
        data={"from": previous, "to": to_state},
    )
    return item


@transaction.atomic
def item_comment_add(*, item: Item, body: str, acting_user: User) -> ItemComment:
    """Comment on the current version (writers and reviewers discuss an item here)."""
    require_role(acting_user, Role.ITEM_WRITER, Role.ITEM_REVIEWER, Role.PROGRAM_ADMIN, Role.PSYCHOMETRICIAN)
    if not body.strip():
        raise ApplicationError("Write a comment.", code="comment_required", field="body")
    assert item.current_version is not None
    return ItemComment.objects.create(
        item=item, version=item.current_version, author=acting_user, body=body.strip(), created_at=clock.now()
    )


@transaction.atomic
def item_enemies_set(*, item: Item, enemies: list[Item], acting_user: User) -> None:
    """Declare which items may never share a form with ``item`` (symmetrical); audited."""
    require_role(acting_user, *BANK_ROLES)
    if any(enemy.pk == item.pk for enemy in enemies):
        raise ApplicationError("An item cannot be its own enemy.", code="self_enemy")
    item.enemies.set(enemies)
    audit_record(
        action="item.enemies_set",
        target=item,
        actor=acting_user,
        data={"enemies": [e.external_id for e in enemies]},
    )


@transaction.atomic
def version_freeze(*, version: ItemVersion) -> None:
    """Mark a version as used on a form: from now on it never changes."""
    if not version.frozen:
        version.frozen = True
        version.save(update_fields=["frozen"])


@transaction.atomic
def exhibit_create(
    *,
    kind: str,
    title: str,
    alt: str,
    acting_user: User | None,
    data: bytes = b"",
    table: dict[str, Any] | None = None,
) -> Exhibit:
    """Store an exhibit: SVG is sanitised (scripts, handlers and external references removed), images
    are checked to be PNG, JPEG or GIF, tables need columns and rows. Alt text is required."""
    if not alt.strip():
        raise ApplicationError("Describe the exhibit in its alt text.", code="alt_required", field="alt")
    exhibit = Exhibit(kind=kind, title=title.strip(), alt=alt.strip(), uploaded_by=acting_user)
    exhibit.source_sha256 = hashlib.sha256(
        data if kind != ExhibitKind.TABLE else json.dumps(table or {}, sort_keys=True).encode()
    ).hexdigest()
    if kind == ExhibitKind.SVG:
        try:
            clean = sanitise_svg(data)
        except SvgRefused as exc:
            raise ApplicationError(
                f"The SVG cannot be used: {exc}.", code="svg_refused", field="file"
            ) from None
        exhibit.svg = clean.content.decode("utf-8")
        digest = clean.content
    elif kind == ExhibitKind.IMAGE:
        if len(data) > MAX_IMAGE_BYTES:
            raise ApplicationError("Images must be smaller than 2 MB.", code="image_too_large", field="file")
        image_type = next((t for magic, t in _IMAGE_TYPES.items() if data.startswith(magic)), None)
        if image_type is None:
            raise ApplicationError(
                "Upload a PNG, JPEG or GIF image, or an SVG.", code="image_type", field="file"
            )
        exhibit.image, exhibit.image_type, digest = data, image_type, data
    elif kind == ExhibitKind.TABLE:
        table = table or {}
        columns = [str(c).strip() for c in table.get("columns", []) if str(c).strip()]
        rows = [[str(cell) for cell in row] for row in table.get("rows", [])]
        if not columns or not rows or any(len(row) != len(columns) for row in rows):
            raise ApplicationError(
                "A table needs column names and rows with a cell per column.",
                code="table_shape",
                field="table",
            )
        exhibit.table = {"columns": columns, "rows": rows}
        digest = json.dumps(exhibit.table, sort_keys=True).encode()
    else:
        raise ApplicationError(
            "Choose a diagram, an image or a table.", code="invalid_exhibit_kind", field="kind"
        )
    exhibit.sha256 = hashlib.sha256(digest).hexdigest()
    exhibit.save()
    return exhibit


def spec_to_content(spec: ItemSpec, test: Test, exhibit: Exhibit | None) -> ItemContent:
    """Build service input from a parsed bank-file item."""
    area = test.content_areas.filter(letter=spec.area).first()
    if area is None:
        raise ApplicationError(
            f"{spec.external_id}: {test.code} has no content area {spec.area!r}.", code="unknown_area"
        )
    return ItemContent(
        area=area,
        style=spec.style,
        stem=spec.stem,
        task=spec.task,
        options=[OptionInput(o.text, o.rationale, o.is_key, o.locked) for o in spec.options],
        exhibit=exhibit,
        references=spec.references,
        keywords=spec.keywords,
        translations=[
            TranslationInput(
                language=t.language,
                stem=t.stem,
                options=[{"text": o.text, "rationale": o.rationale} for o in t.options],
                status=t.status,
                exhibit_title=t.exhibit_title,
                exhibit_alt=t.exhibit_alt,
            )
            for t in spec.translations
        ],
    )
