"""What an item looks like on screen: the one rendering used by the editor's preview and the exam page."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

from wrenchmark.itembank.markup import render_markup
from wrenchmark.itembank.models import Exhibit, ItemTranslation, ItemVersion, TranslationStatus

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


def approved_translation(version: ItemVersion, language: str) -> ItemTranslation | None:
    """The version's approved translation into ``language`` (none for English); uses a prefetched
    ``translations`` when there is one."""
    if language == "en":
        return None
    return next(
        (
            t
            for t in version.translations.all()
            if t.language == language and t.status == TranslationStatus.APPROVED
        ),
        None,
    )


def _display_in(version: ItemVersion, identifier: str, translation: ItemTranslation | None) -> DisplayItem:
    options = list(version.options.all())
    if translation is not None:
        return display_item(
            identifier=identifier,
            stem=translation.stem,
            option_texts=[(o.get("text", ""), options[i].locked) for i, o in enumerate(translation.options)],
            exhibit=version.exhibit,
            language=translation.language,
            exhibit_title=translation.exhibit_title,
            exhibit_alt=translation.exhibit_alt,
        )
    return display_item(
        identifier=identifier,
        stem=version.stem,
        option_texts=[(o.text, o.locked) for o in options],
        exhibit=version.exhibit,
    )


def display_for_learner(version: ItemVersion, *, identifier: str, language: str = "en") -> DisplayItem:
    """The version as a practice or renewal page shows it: in ``language`` when it has an approved
    translation, else in English. It never carries the key or a rationale."""
    return _display_in(version, identifier, approved_translation(version, language))


@dataclass(frozen=True, slots=True)
class ReviewOption:
    """One option after the answer: its text, whether it is the key, whether it was chosen, and why."""

    letter: str
    html: SafeString
    rationale_html: SafeString
    is_key: bool
    chosen: bool


def review_options(version: ItemVersion, *, choice: str, language: str = "en") -> list[ReviewOption]:
    """Each option with the key and its rationale, in ``language`` where an approved translation has the
    text. Only for items whose rationales may be shown (practice and renewal), after the answer."""
    translation = approved_translation(version, language)
    review = []
    for i, option in enumerate(version.options.all()):
        text, rationale = option.text, option.rationale
        if translation is not None and i < len(translation.options):
            text = translation.options[i].get("text", "") or text
            rationale = translation.options[i].get("rationale", "") or rationale
        letter = "ABCD"[i]
        review.append(
            ReviewOption(
                letter=letter,
                html=mark_safe(render_markup(text)),  # noqa: S308 - render_markup escapes all but b/i/sub/sup/br
                rationale_html=mark_safe(render_markup(rationale)),  # noqa: S308
                is_key=option.is_key,
                chosen=choice == letter,
            )
        )
    return review


def display_version(version: ItemVersion, language: str = "en") -> DisplayItem:
    """The version as a candidate sees it, in ``language`` when it has an approved translation."""
    translation = next((t for t in version.translations.all() if t.language == language), None)
    return _display_in(version, version.item.external_id, translation)
