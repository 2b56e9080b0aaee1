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
from wrenchmark.practice.models import FeedbackMode, PracticeLength

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


class TestChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class AreaChoiceField(forms.TypedChoiceField):
    """The areas are offered grouped by test; which test an area belongs to is checked by the form, so
    an area of another test gets that message rather than a generic one."""

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)


class StartForm(forms.Form):
    """What a practice session covers and how it runs."""

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
        cleaned = super().clean() or {}
        test, area_id = cleaned.get("test"), cleaned.get("area")
        cleaned["area_obj"] = None
        if area_id is not None and "area" not in self.errors:
            area = ContentArea.objects.filter(pk=area_id).first()
            if area is None:
                self.add_error("area", self.fields["area"].error_messages["invalid_choice"])
            elif test is not None and area.test_id != test.pk:
                self.add_error("area", gettext("That content area is not part of this test."))
            else:
                cleaned["area_obj"] = area
        return cleaned


class AnswerForm(forms.Form):
    """One answer to a practice question: the letter of the option chosen."""

    choice = forms.ChoiceField(
        label=_("Your answer"),
        error_messages={
            "required": _("Choose an answer, then submit it."),
            "invalid_choice": _("Choose one of the answers shown."),
        },
    )

    def __init__(self, *args: Any, letters: str = "ABCD", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ChoiceField = self.fields["choice"]  # type: ignore[assignment]
        field.choices = [(letter, letter) for letter in letters]
