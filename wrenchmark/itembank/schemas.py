"""Shapes of the item bank API, for writers, reviewers, psychometricians and program administrators."""

from __future__ import annotations

from typing import Literal

from ninja import Schema


class OptionOut(Schema):
    letter: str
    text: str
    rationale: str
    is_key: bool
    locked: bool


class ExhibitOut(Schema):
    kind: str
    title: str
    alt: str
    columns: list[str] = []
    rows: list[list[str]] = []


class TranslationOut(Schema):
    language: str
    status: str
    stem: str
    options: list[str]


class ReviewOut(Schema):
    reviewer: str
    version: int
    decision: str
    comment: str
    changed: str


class ItemSummaryOut(Schema):
    id: str
    test: str
    area: str
    pool: str
    style: str
    state: str
    version: int
    author: str
    stem: str
    has_exhibit: bool
    languages: list[str]


class ItemOut(ItemSummaryOut):
    task: str
    options: list[OptionOut]
    exhibit: ExhibitOut | None
    references: list[str]
    keywords: list[str]
    enemies: list[str]
    translations: list[TranslationOut]
    reviews: list[ReviewOut]
    statistics: dict[str, float | int | None]


class OptionIn(Schema):
    text: str
    rationale: str
    is_key: bool = False


class ItemIn(Schema):
    test: str
    area: str
    pool: Literal["operational", "practice", "renewal"] = "operational"
    style: Literal["direct", "most_likely", "tech_ab", "except", "least_likely"]
    stem: str
    options: list[OptionIn] = []
    tech_ab_key: Literal["a_only", "b_only", "both", "neither"] | None = None
    tech_ab_rationales: dict[str, str] = {}
    task: str = ""
    references: list[str] = []
    keywords: list[str] = []


class ReviewIn(Schema):
    decision: Literal["approve", "rework"]
    comment: str
