"""Candidates record experience and training; employer and program administrators review it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wrenchmark.accounts.models import Role, User
from wrenchmark.catalog.selectors import edition_in_force, program_default
from wrenchmark.core import clock
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.experience import selectors, services
from wrenchmark.experience.access import access_entry_for_candidate, access_entry_for_review
from wrenchmark.experience.forms import ExperienceEntryForm, ReviewForm, TrainingEntryForm
from wrenchmark.experience.models import ExperienceEntry, TrainingEntry


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _split(standings: list[selectors.RequirementStanding]) -> dict[str, list[selectors.RequirementStanding]]:
    """Requirements the candidate has months toward first; the rest are folded away."""
    relevant = [s for s in standings if s.progress.total_months or s.progress.met]
    other = [s for s in standings if s not in relevant]
    if not relevant:
        relevant, other = other[:1], other[1:]
    return {"relevant": relevant, "other": other}


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    edition = edition_in_force()
    return render(
        request,
        "experience/list.html",
        {
            "experience_entries": selectors.experience_entries_for(user),
            "training_entries": selectors.training_entries_for(user),
            "standings": _split(
                selectors.experience_standing(candidate=user, edition=edition, on=clock.today())
            ),
            "today": clock.today(),
        },
    )


def _save_form(
    request: HttpRequest, kind: str, entry: ExperienceEntry | TrainingEntry | None
) -> HttpResponse:
    user = _user(request)
    program = program_default()
    form_class: Any = ExperienceEntryForm if kind == "experience" else TrainingEntryForm
    initial: dict[str, Any] = {}
    if entry is not None:
        initial = {field: getattr(entry, field) for field in form_class.base_fields if field != "areas"}
        initial["areas"] = list(entry.areas.all())
    form = form_class(request.POST or None, initial=initial, program=program)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if kind == "experience":
                services.experience_entry_save(candidate=user, entry=entry, **data)  # type: ignore[arg-type]
            else:
                services.training_entry_save(candidate=user, entry=entry, **data)  # type: ignore[arg-type]
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Saved. It now waits for review."))
            return redirect("experience:list")
    return render(
        request,
        "experience/entry_form.html",
        {"form": form, "kind": kind, "entry": entry},
        status=400 if form.errors else 200,
    )


@login_required
def entry_add(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ("experience", "training"):
        raise Http404
    return _save_form(request, kind, None)


@login_required
def entry_edit(request: HttpRequest, kind: str, entry_id: int) -> HttpResponse:
    try:
        entry = access_entry_for_candidate(_user(request), kind, entry_id)
    except NotFound:
        raise Http404 from None
    return _save_form(request, kind, entry)


@login_required
@require_POST
def entry_withdraw(request: HttpRequest, kind: str, entry_id: int) -> HttpResponse:
    try:
        entry = access_entry_for_candidate(_user(request), kind, entry_id)
        services.entry_withdraw(entry=entry, candidate=_user(request))
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The entry was withdrawn."))
    return redirect("experience:list")


def _require_reviewer(user: User) -> None:
    if not (user.has_role(Role.EMPLOYER_ADMIN) or user.has_role(Role.PROGRAM_ADMIN)):
        raise Http404


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_reviewer(user)
    status = request.GET.get("status", "pending")
    if status not in ("pending", "approved", "rejected"):
        status = "pending"
    experience, training = selectors.review_queue(user, status=status)
    return render(
        request,
        "experience/review_queue.html",
        {"experience_entries": experience, "training_entries": training, "status": status},
    )


@login_required
def review_entry(request: HttpRequest, kind: str, entry_id: int) -> HttpResponse:
    user = _user(request)
    try:
        entry = access_entry_for_review(user, kind, entry_id)
    except NotFound:
        raise Http404 from None
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_review(
                entry=entry,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
                acting_user=user,
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Decision recorded for %(name)s.") % {"name": entry.candidate})
            return redirect("experience:review_queue")
    return render(
        request,
        "experience/review_entry.html",
        {"form": form, "entry": entry, "kind": kind},
        status=400 if form.errors else 200,
    )
