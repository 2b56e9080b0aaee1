from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class AnswerForm(forms.Form):
    """One answer to a renewal question: the letter of the option chosen."""

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
