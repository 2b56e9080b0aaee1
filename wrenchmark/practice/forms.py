"""Forms of the practice pages: start a session, answer one question."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django import forms
from django.db.models import Count
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from wrenchmark.catalog.models import ContentArea, Test
from wrenchmark.catalog.selectors import edition_in_force
from wrenchmark.core.exceptions import NotFound
from wrenchmark.itembank.models import Item, ItemPool
from wrenchmark.itembank.selectors import USABLE_STATES
from wrenchmark.practice.models import FeedbackMode, PracticeLength, PracticeMode

UNTIMED, TIMED = "untimed", "timed"


def _practice_counts() -> Counter[tuple[str, str]]:
    """Servable practice items per (test code, area letter)."""
    rows = (
        Item.objects.filter(pool=ItemPool.PRACTICE, state__in=USABLE_STATES, current_version__isnull=False)
        .values("test_code", "current_version__area__letter")
        .annotate(n=Count("pk"))
    )
    return Counter({(r["test_code"], r["current_version__area__letter"]): r["n"] for r in rows})


def practice_tests() -> list[Test]:
    """The tests of the edition in force that have practice questions, in catalog order."""
    try:
        edition = edition_in_force()
    except NotFound:
        return []
    codes = {code for code, _letter in _practice_counts()}
    return list(
        Test.objects.filter(edition=edition, code__in=codes)
        .prefetch_related("content_areas")
        .order_by("position")
    )


def clean_area(form: forms.Form, cleaned: dict[str, Any]) -> dict[str, Any]:
    """Resolve the chosen area (``area_obj``) and check it belongs to the chosen test."""
    test, area_id = cleaned.get("test"), cleaned.get("area")
    cleaned["area_obj"] = None
    cleaned["mode"] = cleaned.get("mode") or PracticeMode.STANDARD
    if area_id is not None and "area" not in form.errors:
        area = ContentArea.objects.filter(pk=area_id).first()
        if area is None:
            form.add_error("area", form.fields["area"].error_messages["invalid_choice"])
        elif test is not None and area.test_id != test.pk:
            form.add_error("area", gettext("That content area is not part of this test."))
        else:
            cleaned["area_obj"] = area
    return cleaned


class TestChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class AreaChoiceField(forms.TypedChoiceField):
    """The areas are offered grouped by test; which test an area belongs to is checked by the form, so
    an area of another test gets that message rather than a generic one."""

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)


class ScopeForm(forms.Form):
    """What practice covers: a test, or one content area of it (offered with its question counts)."""

    test = TestChoiceField(
        label=_("Test"),
        queryset=Test.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choose a test."),
            "invalid_choice": _("Choose one of the tests listed."),
        },
    )
    area = AreaChoiceField(
        label=_("Content area"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Practise one content area, or the whole test."),
        error_messages={"invalid_choice": _("Choose one of the content areas listed.")},
    )

    def __init__(self, *args: Any, tests: list[Test], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tests = tests
        test_field: forms.ModelChoiceField = self.fields["test"]  # type: ignore[assignment]
        test_field.queryset = Test.objects.filter(pk__in=[t.pk for t in tests]).order_by("position")
        counts = _practice_counts()
        groups: list[tuple[str, list[tuple[int, str]]]] = []
        for test in tests:
            options = []
            for area in sorted(test.content_areas.all(), key=lambda a: a.position):
                n = counts.get((test.code, area.letter), 0)
                available = (
                    ngettext("%(n)d question", "%(n)d questions", n) % {"n": n}
                    if n
                    else gettext("no questions yet")
                )
                options.append((area.pk, f"{test.code} {area.letter}. {area.name} ({available})"))
            groups.append((f"{test.code} {test.name}", options))
        area_field: forms.TypedChoiceField = self.fields["area"]  # type: ignore[assignment]
        area_field.choices = [("", gettext("Whole test")), *groups]

    def clean(self) -> dict[str, Any]:
        return clean_area(self, super().clean() or {})


class StartForm(ScopeForm):
    """What a practice session covers and how it runs."""

    length = forms.ChoiceField(
        label=_("Length"),
        choices=PracticeLength.choices,
        initial=PracticeLength.SHORT,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a short or a full-length practice test."),
            "invalid_choice": _("Choose a short or a full-length practice test."),
        },
    )
    timing = forms.ChoiceField(
        label=_("Timing"),
        choices=[(UNTIMED, _("Untimed")), (TIMED, _("Timed, at the real test's pace"))],
        initial=UNTIMED,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose timed or untimed."),
            "invalid_choice": _("Choose timed or untimed."),
        },
    )
    mode = forms.ChoiceField(
        label=_("Questions"),
        choices=PracticeMode.choices,
        initial=PracticeMode.STANDARD,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Wiring diagrams and data: only questions built on a diagram, a table of readings or a "
            "scan-tool capture. Missed questions: the ones you got wrong that are due to come back. "
            "Matched to my level: where a test's practice questions are calibrated, each question is "
            "chosen for your level from your answers so far."
        ),
        error_messages={"invalid_choice": _("Choose which questions to practise.")},
    )
    feedback = forms.ChoiceField(
        label=_("Show the answers"),
        choices=FeedbackMode.choices,
        initial=FeedbackMode.EACH,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose feedback after each answer or at the end."),
            "invalid_choice": _("Choose feedback after each answer or at the end."),
        },
    )


class ClassForm(forms.Form):
    name = forms.CharField(
        label=_("Class name"),
        max_length=120,
        help_text=_("For example: Brakes and electrical, spring term."),
        error_messages={
            "required": _("Give the class a name."),
            "max_length": _("Keep the name to 120 characters."),
        },
    )


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Class code"),
        max_length=20,
        help_text=_(
            "From your instructor. Joining lets the instructor see your practice results by content area "
            "(never your test results); you can leave at any time."
        ),
        error_messages={"required": _("Enter the code your instructor gave you.")},
    )


class AssignmentForm(ScopeForm):
    """A practice set for a class: the test or one area of it, its length and which questions."""

    length = StartForm.base_fields["length"]
    mode = forms.ChoiceField(
        label=_("Questions"),
        choices=[c for c in PracticeMode.choices if c[0] != PracticeMode.REVIEW],
        initial=PracticeMode.STANDARD,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose which questions to practise."),
            "invalid_choice": _("Choose which questions to practise."),
        },
    )
    due_on = forms.DateField(
        label=_("Finish by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional."),
        error_messages={"invalid": _("Enter a date such as 2026-12-15.")},
    )
    note = forms.CharField(label=_("Note to the class"), max_length=200, required=False)
