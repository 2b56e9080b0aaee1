"""Reads of the analysis: the response matrices a run is computed from, and the runs themselves.

The matrices are built here, from the finalised attempts, and handed to the framework-free
``wrenchmark.psychometrics`` package, which never sees a queryset. Persons are attempts (rows), items
are every item that appeared on those attempts' forms (columns); an item not on a person's form is
missing (NaN), an item presented and not answered is wrong (0).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import QuerySet

from wrenchmark.analysis.models import AnalysisRun, ItemStatistic
from wrenchmark.catalog.models import Test
from wrenchmark.exams.models import Attempt, ExamForm, FormItem, Response
from wrenchmark.psychometrics.types import FloatArray, IntArray, ResponseMatrix


@dataclass(frozen=True, slots=True)
class Column:
    item: int
    version: int
    area: str
    scored: bool
    key: int
    options: int


@dataclass(frozen=True, slots=True)
class FormColumns:
    form: int
    code: str
    cut_raw: int | None
    rows: IntArray  # persons (row indexes) who sat this form
    columns: IntArray  # all item columns on the form
    scored: IntArray  # its scored item columns


@dataclass(frozen=True, slots=True)
class TestResponses:
    """Persons x items, for one test."""

    test: Test
    attempts: list[int]
    simulated: np.ndarray  # bool per row
    columns: list[Column]
    responses: ResponseMatrix  # 1 right, 0 wrong or unanswered, NaN not on the form
    choices: IntArray  # option position chosen; -1 unanswered or not on the form
    forms: list[FormColumns]

    @property
    def persons(self) -> int:
        return len(self.attempts)

    def digest(self, settings: dict[str, object]) -> str:
        """SHA-256 of what a run would be computed from: attempts, items, responses and settings."""
        h = hashlib.sha256()
        h.update(np.asarray(self.attempts, dtype=np.int64).tobytes())
        h.update(np.asarray([c.version for c in self.columns], dtype=np.int64).tobytes())
        h.update(np.nan_to_num(self.responses, nan=-1.0).tobytes())
        h.update(repr(sorted(settings.items())).encode())
        return h.hexdigest()


def test_responses(test: Test) -> TestResponses:
    """The finalised attempts of ``test`` (any form) as response and choice matrices."""
    attempts = list(
        Attempt.objects.filter(form__test=test, score_report__isnull=False)
        .order_by("pk")
        .values_list("pk", "form_id", "candidate__is_simulated")
    )
    form_ids = sorted({form for _pk, form, _sim in attempts})
    form_items = list(
        FormItem.objects.filter(form_id__in=form_ids)
        .select_related("version")
        .prefetch_related("version__options")
        .order_by("form_id", "position")
    )
    column_of: dict[int, int] = {}
    columns: list[Column] = []
    scored_anywhere: dict[int, bool] = defaultdict(bool)
    for fi in form_items:
        scored_anywhere[fi.item_id] |= fi.scored
        if fi.item_id in column_of:
            continue
        options = list(fi.version.options.all())
        column_of[fi.item_id] = len(columns)
        columns.append(
            Column(
                item=fi.item_id,
                version=fi.version_id,
                area=fi.area_letter,
                scored=False,
                key=next((o.position for o in options if o.is_key), -1),
                options=len(options),
            )
        )
    columns = [Column(c.item, c.version, c.area, scored_anywhere[c.item], c.key, c.options) for c in columns]
    row_of = {pk: n for n, (pk, _form, _sim) in enumerate(attempts)}
    n, m = len(attempts), len(columns)
    responses: FloatArray = np.full((n, m), np.nan)
    choices: IntArray = np.full((n, m), -1, dtype=np.int64)
    items_by_form: dict[int, list[FormItem]] = defaultdict(list)
    for fi in form_items:
        items_by_form[fi.form_id].append(fi)
    form_of_row = np.array([form for _pk, form, _sim in attempts], dtype=np.int64)
    for form_id, fis in items_by_form.items():
        rows = np.flatnonzero(form_of_row == form_id)
        cols = np.array([column_of[fi.item_id] for fi in fis], dtype=np.int64)
        responses[np.ix_(rows, cols)] = 0.0
    column_of_form_item = {fi.pk: column_of[fi.item_id] for fi in form_items}
    for attempt_id, form_item_id, choice in Response.objects.filter(
        attempt_id__in=row_of, choice__isnull=False
    ).values_list("attempt_id", "form_item_id", "choice"):
        row, col = row_of[attempt_id], column_of_form_item[form_item_id]
        choices[row, col] = int(choice) if choice is not None else -1
        responses[row, col] = 1.0 if choice == columns[col].key else 0.0
    codes = dict(ExamForm.objects.filter(pk__in=form_ids).values_list("pk", "code"))
    cuts = dict(ExamForm.objects.filter(pk__in=form_ids).values_list("pk", "cut_raw"))
    forms = [
        FormColumns(
            form=form_id,
            code=codes[form_id],
            cut_raw=cuts[form_id],
            rows=np.flatnonzero(form_of_row == form_id),
            columns=np.array([column_of[fi.item_id] for fi in items_by_form[form_id]], dtype=np.int64),
            scored=np.array(
                [column_of[fi.item_id] for fi in items_by_form[form_id] if fi.scored], dtype=np.int64
            ),
        )
        for form_id in form_ids
    ]
    return TestResponses(
        test=test,
        attempts=[pk for pk, _form, _sim in attempts],
        simulated=np.array([bool(sim) for _pk, _form, sim in attempts], dtype=bool),
        columns=columns,
        responses=responses,
        choices=choices,
        forms=forms,
    )


def latest_run(test: Test) -> AnalysisRun | None:
    return AnalysisRun.objects.filter(test=test).order_by("-computed_at", "-pk").first()


def run_items(run: AnalysisRun) -> QuerySet[ItemStatistic]:
    return run.item_stats.select_related("item", "version").order_by("area_letter", "item__external_id")
