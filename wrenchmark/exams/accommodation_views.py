"""Accommodations: candidates ask, with a document; program administrators decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wrenchmark.accounts.models import Role, User
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.exams import services
from wrenchmark.exams.models import Accommodation, AccommodationKind, AccommodationStatus


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Accommodation"), choices=AccommodationKind.choices)
    time_multiplier = forms.DecimalField(
        label=gettext_lazy("Extra time (1.5 is time and a half; extra time only)"),
        min_value=Decimal("1"),
        max_value=Decimal("3"),
        decimal_places=2,
        initial=Decimal("1.5"),
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("What you need and why"), widget=forms.Textarea(attrs={"rows": 4})
    )
    document = forms.FileField(label=gettext_lazy("Supporting document (PDF, PNG or JPEG, up to 5 MB)"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("approve", gettext_lazy("Approve")), ("deny", gettext_lazy("Deny"))],
        widget=forms.RadioSelect,
    )
    time_multiplier = forms.DecimalField(
        label=gettext_lazy("Extra time multiplier"),
        min_value=Decimal("1"),
        max_value=Decimal("3"),
        required=False,
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Applies until (empty: no end)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (required to deny)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _admin(request: HttpRequest) -> User:
    user = _user(request)
    if not user.has_role(Role.PROGRAM_ADMIN):
        raise Http404
    return user


def _apply_error(form: forms.Form, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def accommodations_mine(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = RequestForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.accommodation_request(
                    candidate=user,
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                    document=form.cleaned_data["document"],
                    time_multiplier=form.cleaned_data["time_multiplier"] or Decimal(1),
                )
            except ApplicationError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("Your request was sent; you will see the decision here."))
                return redirect("exams:accommodations")
        status = 400
    context = {"form": form, "accommodations": Accommodation.objects.filter(candidate=user)}
    return render(request, "exams/accommodations/mine.html", context, status=status)


@login_required
def accommodations_review_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    waiting = Accommodation.objects.filter(status=AccommodationStatus.REQUESTED).select_related("candidate")
    decided = (
        Accommodation.objects.exclude(status=AccommodationStatus.REQUESTED)
        .select_related("candidate", "decided_by")
        .order_by("-decided_at")[:50]
    )
    return render(request, "exams/accommodations/review_list.html", {"waiting": waiting, "decided": decided})


@login_required
def accommodation_review(request: HttpRequest, accommodation_id: int) -> HttpResponse:
    user = _admin(request)
    accommodation = Accommodation.objects.select_related("candidate").filter(pk=accommodation_id).first()
    if accommodation is None:
        raise Http404
    initial: dict[str, Any] = {"time_multiplier": accommodation.time_multiplier}
    form = DecisionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.accommodation_review(
                    accommodation=accommodation,
                    approve=form.cleaned_data["decision"] == "approve",
                    acting_user=user,
                    reason=form.cleaned_data["reason"],
                    valid_until=form.cleaned_data["valid_until"],
                    time_multiplier=form.cleaned_data["time_multiplier"],
                )
            except ApplicationError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("exams:accommodations_review")
        status = 400
    return render(
        request, "exams/accommodations/review.html", {"a": accommodation, "form": form}, status=status
    )


@login_required
def accommodation_document(request: HttpRequest, accommodation_id: int) -> FileResponse:
    user = _user(request)
    accommodation = Accommodation.objects.filter(pk=accommodation_id).first()
    if (
        accommodation is None
        or not accommodation.document
        or not (accommodation.candidate_id == user.pk or user.has_role(Role.PROGRAM_ADMIN))
    ):
        raise Http404
    return FileResponse(
        accommodation.document.open("rb"),
        as_attachment=True,
        filename=accommodation.document_name or "document",
    )
