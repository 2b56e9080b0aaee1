from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wrenchmark.catalog.models import ExperienceArea, Program
from wrenchmark.employers.models import Employer
from wrenchmark.experience.models import EmploymentType, TrainingKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class _AreasMixin(forms.Form):
    areas = forms.ModelMultipleChoiceField(
        label=_("Task areas"),
        queryset=ExperienceArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of hands-on work you did."),
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = ExperienceArea.objects.filter(program=program)  # type: ignore[attr-defined]


class ExperienceEntryForm(_AreasMixin):
    employer = forms.ModelChoiceField(
        label=_("Employer on Wrenchmark"),
        queryset=Employer.objects.order_by("name"),
        required=False,
        empty_label=_("Not listed: I will type the name"),
        help_text=_("A listed employer's administrator can confirm this entry."),
    )
    employer_name = forms.CharField(label=_("Employer name (if not listed)"), max_length=200, required=False)
    role = forms.CharField(label=_("Job title"), max_length=200)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(
        label=_("End date"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty if you still work there."),
    )
    employment_type = forms.ChoiceField(
        label=_("Hours"), choices=EmploymentType.choices, widget=forms.RadioSelect
    )

    field_order = ["employer", "employer_name", "role", "start_date", "end_date", "employment_type", "areas"]


class TrainingEntryForm(_AreasMixin):
    kind = forms.ChoiceField(label=_("Kind of training"), choices=TrainingKind.choices)
    institution = forms.CharField(label=_("School or institution"), max_length=200)
    program_name = forms.CharField(label=_("Program or course"), max_length=200, required=False)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("Completion date"), widget=DateInput())
    months_claimed = forms.IntegerField(
        label=_("Months it may stand for"),
        min_value=1,
        max_value=48,
        help_text=_("How many months of experience this training should count as; the reviewer checks it."),
    )

    field_order = ["kind", "institution", "program_name", "start_date", "end_date", "months_claimed", "areas"]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when rejecting; the candidate sees it."),
    )
