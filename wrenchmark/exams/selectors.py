"""Reads for the sitting: what the candidate may see of their attempt, and nothing more.

Nothing returned here carries a key, a rationale or a statistic: the question view is built from option
texts in the attempt's own order, and the choice a candidate sends is mapped back on the server.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import Test
from wrenchmark.core import clock
from wrenchmark.exams.models import Admission, Attempt, ExamForm, FormItem, FormStatus, ScoreReport
from wrenchmark.itembank.display import DisplayItem, display_item


@dataclass(frozen=True)
class QuestionView:
    position: int
    total: int
    form_item_id: int
    display: DisplayItem
    selected: str | None
    flagged: bool
    languages: list[str]
    language: str


def published_form_for(test: Test) -> ExamForm | None:
    return ExamForm.objects.filter(test=test, status=FormStatus.PUBLISHED).order_by("-published_at").first()


def tests_with_forms() -> QuerySet[ExamForm]:
    return (
        ExamForm.objects.filter(status=FormStatus.PUBLISHED).select_related("test").order_by("test__position")
    )


def admitted_forms_for(candidate: User) -> list[ExamForm]:
    """The published form of each test the candidate has been checked in for and not yet started."""
    tests = set(
        Admission.objects.filter(
            candidate=candidate, attempt__isnull=True, valid_until__gte=clock.now()
        ).values_list("test_id", flat=True)
    )
    forms: dict[int, ExamForm] = {}
    for form in tests_with_forms().filter(test_id__in=tests).order_by("test__position", "-published_at"):
        forms.setdefault(form.test_id, form)
    return list(forms.values())


def question_view(attempt: Attempt, position: int, language: str | None = None) -> QuestionView:
    """The question at ``position`` (0-based) as this candidate sees it, options in their own order."""
    form_item_id = attempt.item_order[position]
    form_item = (
        FormItem.objects.select_related("version__exhibit", "item")
        .prefetch_related("version__options", "version__translations")
        .get(pk=form_item_id, form=attempt.form)
    )
    version = form_item.version
    options = {o.position: o for o in version.options.all()}
    order = attempt.option_orders[str(form_item_id)]
    translations = {t.language: t for t in version.translations.all() if t.status == "approved"}
    language = language or attempt.language
    translation = translations.get(language) if language != "en" else None
    if translation is not None:
        texts = [(translation.options[p].get("text", ""), options[p].locked) for p in order]
        display = display_item(
            identifier=f"q{position + 1}",
            stem=translation.stem,
            option_texts=texts,
            exhibit=version.exhibit,
            language=language,
            exhibit_title=translation.exhibit_title,
            exhibit_alt=translation.exhibit_alt,
        )
    else:
        language = "en"
        display = display_item(
            identifier=f"q{position + 1}",
            stem=version.stem,
            option_texts=[(options[p].text, options[p].locked) for p in order],
            exhibit=version.exhibit,
        )
    response = attempt.responses.filter(form_item_id=form_item_id).first()
    selected = None
    if response is not None and response.choice is not None and response.choice in order:
        selected = "ABCD"[order.index(response.choice)]
    return QuestionView(
        position=position,
        total=len(attempt.item_order),
        form_item_id=form_item_id,
        display=display,
        selected=selected,
        flagged=bool(response and response.flagged),
        languages=["en", *sorted(translations)],
        language=language,
    )


def navigator(attempt: Attempt) -> list[dict[str, object]]:
    """Per position: answered and flagged, for the navigator and the review screen."""
    responses = {r.form_item_id: r for r in attempt.responses.all()}
    return [
        {
            "position": index,
            "number": index + 1,
            "answered": bool(responses.get(fi) and responses[fi].choice is not None),
            "flagged": bool(responses.get(fi) and responses[fi].flagged),
            "seq": responses[fi].client_seq if fi in responses else 0,
        }
        for index, fi in enumerate(attempt.item_order)
    ]


def report_links_for(candidate: User) -> dict[str, int]:
    """``"<test code> <date>"`` -> attempt id, for each of the candidate's results that has a score report."""
    reports = ScoreReport.objects.filter(attempt__candidate=candidate).select_related("result__test")
    return {f"{r.result.test.code} {r.result.taken_on.isoformat()}": r.attempt_id for r in reports}
