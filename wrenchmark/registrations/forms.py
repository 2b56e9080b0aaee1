from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wrenchmark.catalog.models import Test
from wrenchmark.employers.models import Employer
from wrenchmark.registrations.models import OrderStatus
from wrenchmark.registrations.selectors import technician_find
from wrenchmark.registrations.services import VoucherRequest

VOUCHER_ROWS = 5


class TestChoiceForm(forms.Form):
    """The tests a candidate picks; ``tests`` holds codes of the edition in force."""

    tests = forms.MultipleChoiceField(
        label=_("Tests"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one test.")},
    )
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, tests: list[Test], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalog_tests = {t.code: t for t in tests}
        field = self.fields["tests"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(t.code, f"{t.code} {t.name}") for t in tests]

    def chosen_tests(self) -> list[Test]:
        return [self.catalog_tests[code] for code in self.cleaned_data["tests"]]


class VoucherOrderForm(forms.Form):
    """Vouchers an employer buys: up to ``VOUCHER_ROWS`` rows of a technician and a test."""

    employer = forms.ModelChoiceField(queryset=Employer.objects.none(), label=_("Employer"), empty_label=None)
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, tests: list[Test], employers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalog_tests = {t.code: t for t in tests}
        self.fields["employer"].queryset = employers  # type: ignore[attr-defined]
        choices = [("", _("(no test)")), *((t.code, f"{t.code} {t.name}") for t in tests)]
        for n in range(1, VOUCHER_ROWS + 1):
            self.fields[f"technician_{n}"] = forms.CharField(
                label=_("Technician %(n)s: e-mail or program ID") % {"n": n},
                required=False,
                max_length=254,
                help_text=_("Leave empty for a voucher any technician may redeem.") if n == 1 else "",
            )
            self.fields[f"test_{n}"] = forms.ChoiceField(
                label=_("Test %(n)s") % {"n": n}, choices=choices, required=False
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"technician_{n}"], self[f"test_{n}"]) for n in range(1, VOUCHER_ROWS + 1)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        requests: list[VoucherRequest] = []
        for n in range(1, VOUCHER_ROWS + 1):
            identifier = (cleaned.get(f"technician_{n}") or "").strip()
            code = cleaned.get(f"test_{n}") or ""
            if not identifier and not code:
                continue
            if not code:
                self.add_error(f"test_{n}", _("Choose the test for this technician."))
                continue
            technician = None
            if identifier:
                technician = technician_find(identifier)
                if technician is None:
                    self.add_error(f"technician_{n}", _("No one has this e-mail address or program ID."))
                    continue
            requests.append(VoucherRequest(test=self.catalog_tests[code], technician=technician))
        if not requests and not self.errors:
            raise forms.ValidationError(_("Choose at least one test."))
        cleaned["requests"] = requests
        return cleaned


class RedeemForm(forms.Form):
    code = forms.CharField(
        label=_("Voucher code"), max_length=40, help_text=_("As printed, for example ABCD-EFGH-JKLM-NPQR.")
    )


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *OrderStatus.choices]
    )
    paid_from = forms.DateField(
        label=_("Paid from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    paid_to = forms.DateField(
        label=_("Paid to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    candidate = forms.CharField(
        label=_("Candidate or order"),
        required=False,
        max_length=100,
        help_text=_("Name, e-mail, program ID or order number."),
    )


class OrderChangeForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("refund", _("Refund through the payment provider")), ("void", _("Void (no money back)"))],
    )
    line = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
