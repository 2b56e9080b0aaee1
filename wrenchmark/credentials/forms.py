from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wrenchmark.credentials.models import Credential, Visibility

# --- Verification and sharing ---------------------------------------------------------------------------


class VerifyLookupForm(forms.Form):
    """Program ID and last name: both needed, nothing else asked."""

    program_id = forms.CharField(
        label=_("Program ID"),
        help_text=_("As printed on the certificate, for example WM-1234-5678."),
        error_messages={"required": _("Enter the program ID.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        error_messages={"required": _("Enter the last name.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(
        label=_("What a lookup by program ID and last name shows"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what a lookup shows.")},
    )


class ShareLinkForm(forms.Form):
    """A new share link: for all the holder's credentials, or for one of them."""

    credential = forms.ChoiceField(label=_("What the link shows"), required=False)
    label = forms.CharField(
        label=_("Label"),
        required=False,
        max_length=120,
        help_text=_("For you only, to remember who you gave it to, e.g. “Main Street Motors application”."),
    )

    def __init__(self, *args: Any, credentials: list[Credential], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shareable = {str(c.pk): c for c in credentials}
        field = self.fields["credential"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("All my credentials")),
            *((str(c.pk), f"{c.test_code} {c.test.name}") for c in credentials),
        ]

    def chosen_credential(self) -> Credential | None:
        return self.shareable.get(self.cleaned_data.get("credential") or "")
