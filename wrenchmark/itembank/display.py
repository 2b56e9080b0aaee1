"""What an item looks like on screen: the one rendering used by the editor's preview and the exam page."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

from wrenchmark.itembank.markup import render_markup
from wrenchmark.itembank.models import Exhibit, ItemVersion

_EMPTY = SafeString("")


@dataclass(frozen=True)
class DisplayOption:
    letter: str
    html: SafeString
    locked: bool


@dataclass(frozen=True)
class DisplayExhibit:
    kind: str
    title: str
    alt: str
    svg: SafeString = _EMPTY
    image_src: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class DisplayItem:
    """An item ready for the template ``itembank/_item_display.html``; it never carries the key."""

    identifier: str
    language: str
    stem_html: SafeString
    options: list[DisplayOption]
    exhibit: DisplayExhibit | None


def display_exhibit(exhibit: Exhibit | None, *, title: str = "", alt: str = "") -> DisplayExhibit | None:
    if exhibit is None:
        return None
    src = ""
    if exhibit.kind == "image" and exhibit.image:
        src = f"data:{exhibit.image_type};base64,{base64.b64encode(bytes(exhibit.image)).decode()}"
    return DisplayExhibit(
        kind=exhibit.kind,
        title=title or exhibit.title,
        alt=alt or exhibit.alt,
        # Stored SVG was sanitised on the way in (itembank.svg): shapes and text only, no scripts or links.
        svg=mark_safe(exhibit.svg),  # noqa: S308
        image_src=src,
        columns=list(exhibit.table.get("columns", [])),
        rows=[list(row) for row in exhibit.table.get("rows", [])],
    )


def display_item(
    *,
    identifier: str,
    stem: str,
    option_texts: list[tuple[str, bool]],
    exhibit: Exhibit | None,
    language: str = "en",
    exhibit_title: str = "",
    exhibit_alt: str = "",
) -> DisplayItem:
    return DisplayItem(
        identifier=identifier,
        language=language,
        stem_html=mark_safe(render_markup(stem)),  # noqa: S308 - render_markup escapes all but b/i/sub/sup/br
        options=[
            DisplayOption(letter="ABCD"[i], html=mark_safe(render_markup(text)), locked=locked)  # noqa: S308
            for i, (text, locked) in enumerate(option_texts)
        ],
        exhibit=display_exhibit(exhibit, title=exhibit_title, alt=exhibit_alt),
    )


def display_version(version: ItemVersion, language: str = "en") -> DisplayItem:
    """The version as a candidate sees it, in ``language`` when it has an approved translation."""
    options = list(version.options.all())
    translation = next((t for t in version.translations.all() if t.language == language), None)
    if translation is not None:
        return display_item(
            identifier=version.item.external_id,
            stem=translation.stem,
            option_texts=[(o.get("text", ""), options[i].locked) for i, o in enumerate(translation.options)],
            exhibit=version.exhibit,
            language=language,
            exhibit_title=translation.exhibit_title,
            exhibit_alt=translation.exhibit_alt,
        )
    return display_item(
        identifier=version.item.external_id,
        stem=version.stem,
        option_texts=[(o.text, o.locked) for o in options],
        exhibit=version.exhibit,
    )
