from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wrenchmark.catalog.models import Test


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Technician's e-mail address"),
        help_text=_(
            "They receive a link, see exactly what you would see, and choose to accept or decline. "
            "The link is open for 14 days."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


@dataclass(frozen=True)
class AreaChoice:
    code: str
    name: str
    checked: bool


@dataclass(frozen=True)
class AreaGroup:
    name: str
    choices: list[AreaChoice]


class ShopSettingsForm(forms.Form):
    """The service areas the shop offers (the catalog's tests) and whether its public page is on."""

    areas = forms.MultipleChoiceField(label=_("Service areas offered"), required=False)
    public_page = forms.BooleanField(
        label=_("Show our recognition on our public page"),
        required=False,
        help_text=_("Anyone can open the page; it shows the recognition only while the shop holds it."),
        widget=forms.CheckboxInput(attrs={"aria-describedby": "public-help"}),
    )

    def __init__(self, *args: Any, tests: list[Test], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tests = tests
        field: Any = self.fields["areas"]
        field.choices = [(test.code, f"{test.code} {test.name}") for test in tests]

    def groups(self) -> list[AreaGroup]:
        """The tests by series, each marked as checked from the submitted or initial data."""
        if self.is_bound:
            chosen = set(self.data.getlist("areas")) if hasattr(self.data, "getlist") else set()
        else:
            chosen = set(self.initial.get("areas") or ())
        groups: dict[str, AreaGroup] = {}
        for test in self.tests:
            group = groups.setdefault(test.series.name, AreaGroup(name=test.series.name, choices=[]))
            group.choices.append(AreaChoice(code=test.code, name=test.name, checked=test.code in chosen))
        return list(groups.values())
