"""Between stored versions and the plain item specs the linter, the checker and the exporters read."""

from __future__ import annotations

from wrenchmark.itembank.content import ExhibitSpec, ItemSpec, OptionSpec, ReviewSpec, TranslationSpec
from wrenchmark.itembank.models import Item, ItemVersion


def version_to_spec(version: ItemVersion, item: Item | None = None) -> ItemSpec:
    """The content of ``version`` as an ``ItemSpec`` (reviews and enemies from its item)."""
    item = item or version.item
    exhibit = None
    if version.exhibit_id is not None:
        ex = version.exhibit
        assert ex is not None
        exhibit = ExhibitSpec(
            kind=ex.kind,
            title=ex.title,
            alt=ex.alt,
            file=f"{item.external_id}.{'svg' if ex.kind == 'svg' else 'img'}",
            columns=list(ex.table.get("columns", [])),
            rows=[list(row) for row in ex.table.get("rows", [])],
            content=ex.svg.encode("utf-8") if ex.kind == "svg" else (bytes(ex.image) if ex.image else None),
            media_type=ex.image_type,
        )
    options = [
        OptionSpec(text=o.text, rationale=o.rationale, is_key=o.is_key, locked=o.locked)
        for o in version.options.all()
    ]
    translations = [
        TranslationSpec(
            language=t.language,
            status=t.status,
            stem=t.stem,
            options=[
                OptionSpec(
                    text=o.get("text", ""),
                    rationale=o.get("rationale", ""),
                    is_key=options[i].is_key if i < len(options) else False,
                    locked=options[i].locked if i < len(options) else False,
                )
                for i, o in enumerate(t.options)
            ],
            exhibit_title=t.exhibit_title,
            exhibit_alt=t.exhibit_alt,
        )
        for t in version.translations.all()
    ]
    return ItemSpec(
        external_id=item.external_id,
        test=item.test_code,
        pool=item.pool,
        area=version.area.letter,
        task=version.task,
        style=version.style,
        stem=version.stem,
        options=options,
        exhibit=exhibit,
        references=list(version.references),
        keywords=list(version.keywords),
        enemies=[enemy.external_id for enemy in item.enemies.all()],
        author=item.author.username,
        reviews=[
            ReviewSpec(
                reviewer=r.reviewer.username, decision=r.decision, comment=r.comment, changed=r.changed
            )
            for r in item.reviews.all()
        ],
        translations=translations,
        state=item.state,
        line=0,
        path="",
    )
