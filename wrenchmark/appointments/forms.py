from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from wrenchmark.appointments.models import IdDocumentType, TestSite
from wrenchmark.registrations.models import Registration

REMOTE = "remote"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class SlotForm(forms.Form):
    """Where and when: a site (or remote), a day and a time in that place's local time."""

    place = forms.ChoiceField(label=_("Where"))
    day = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(
        label=_("Time"),
        widget=TimeInput(),
        help_text=_("Local time at the test site; for remote, program time."),
    )

    def __init__(self, *args: Any, sites: list[TestSite], remote: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sites = {str(site.pk): site for site in sites}
        choices = [(key, f"{site.name} ({site.time_zone})") for key, site in self.sites.items()]
        if remote:
            choices.append((REMOTE, str(_("Remote, with an online proctor (tests that allow it)"))))
        self.fields["place"].choices = choices  # type: ignore[attr-defined]

    def site(self) -> TestSite | None:
        return self.sites.get(self.cleaned_data["place"])

    def starts_at(self) -> dt.datetime:
        site = self.site()
        zone = site.zone if site is not None else ZoneInfo(settings.TIME_ZONE)
        return dt.datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"], tzinfo=zone)


class BookingForm(SlotForm):
    registration = forms.ModelChoiceField(label=_("Test"), queryset=Registration.objects.none())

    field_order = ["registration", "place", "day", "time"]

    def __init__(self, *args: Any, registrations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["registration"]
        field.queryset = registrations
        field.label_from_instance = registration_label


def registration_label(registration: Registration) -> str:
    return _("%(code)s %(name)s (take by %(date)s)") % {
        "code": registration.test.code,
        "name": registration.test.name,
        "date": registration.take_by,
    }


class CheckInForm(forms.Form):
    id_document_type = forms.ChoiceField(label=_("ID document"), choices=IdDocumentType.choices)
    id_last4 = forms.CharField(label=_("Last 4 characters of the ID number"), min_length=4, max_length=4)
    id_matches = forms.BooleanField(label=_("Name and photo match the candidate's record"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class IncidentForm(forms.Form):
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 2}))


class PauseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the pause"), max_length=300)
