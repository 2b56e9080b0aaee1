"""Public shapes of the catalog API. They are written out here so they never follow the models by accident."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class FigureSourceOut(Schema):
    source: list[str]
    confidence: str
    note: str = ""


class ContentAreaOut(Schema):
    letter: str
    name: str
    questions: int | None
    percentage: float | None


class PrerequisiteOut(Schema):
    kind: str
    any_of: list[str]
    confidence: str
    note: str = ""


class ExperienceRequirementOut(Schema):
    code: str
    name: str
    months: int
    training_max_months: int
    areas: list[str]


class TestSummaryOut(Schema):
    code: str
    name: str
    series: str
    scored: int
    unscored: int
    minutes: int
    languages: list[str]
    advanced: bool
    remote_allowed: bool
    recertification_of: str | None
    recertification: str | None
    blueprint_status: str
    url: str


class TestOut(TestSummaryOut):
    content_areas: list[ContentAreaOut]
    prerequisites: list[PrerequisiteOut]
    experience_requirement: ExperienceRequirementOut | None
    designations: list[str]
    note: str
    sources: dict[str, FigureSourceOut]


class SeriesOut(Schema):
    code: str
    name: str
    tests: list[str]


class DesignationOut(Schema):
    code: str
    name: str
    kind: str
    all_of: list[str]
    any_of: list[str]
    min_any: int
    confidence: str
    note: str = ""


class EditionOut(Schema):
    program: str
    code: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None
