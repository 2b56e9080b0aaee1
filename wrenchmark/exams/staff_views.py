"""Forms for psychometricians and program administrators: assemble, set the cut, publish."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wrenchmark.accounts.models import Role, User
from wrenchmark.catalog.selectors import catalog_test_list, edition_in_force
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.exams import services
from wrenchmark.exams.angoff import angoff_parse
from wrenchmark.exams.models import ExamForm

STAFF = {Role.PSYCHOMETRICIAN, Role.PROGRAM_ADMIN}
MAX_SHEET_BYTES = 2 * 1024 * 1024


def _staff(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.role_codes & STAFF:
        raise Http404
    return user


def _form(form_id: int) -> ExamForm:
    form = ExamForm.objects.select_related("test", "created_by").filter(pk=form_id).first()
    if form is None:
        raise Http404
    return form


@login_required
def form_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    forms = ExamForm.objects.select_related("test").order_by("test__position", "code")
    try:
        tests = [t for t in catalog_test_list(edition=edition_in_force()) if t.total_questions]
    except NotFound:
        tests = []
    return render(request, "exams/staff/form_list.html", {"forms": forms, "tests": tests})


@login_required
@require_POST
def form_assemble(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    code = request.POST.get("test", "")
    try:
        test = next((t for t in catalog_test_list(edition=edition_in_force()) if t.code == code), None)
        if test is None:
            raise ApplicationError(_("Choose a test from the catalog."), code="unknown_test")
        form = services.form_assemble(test=test, acting_user=user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("exams:form_list")
    messages.success(request, _("Form %(code)s assembled as a draft.") % {"code": form.code})
    return redirect("exams:form_detail", form_id=form.pk)


def _detail(request: HttpRequest, form: ExamForm, status: int = 200, **extra: Any) -> HttpResponse:
    user = _staff(request)
    form_items = list(form.form_items.select_related("item", "version__area").order_by("position"))
    scored = Counter(fi.area_letter for fi in form_items if fi.scored)
    pretest = Counter(fi.area_letter for fi in form_items if not fi.scored)
    areas = [
        {
            "letter": a.letter,
            "name": a.name,
            "blueprint": a.question_count,
            "scored": scored.get(a.letter, 0),
            "pretest": pretest.get(a.letter, 0),
        }
        for a in form.test.content_areas.all()
    ]
    context = {
        "form": form,
        "areas": areas,
        "form_items": form_items,
        "scored_total": sum(scored.values()),
        "pretest_total": sum(pretest.values()),
        "can_set_cut": user.has_role(Role.PSYCHOMETRICIAN) and form.status == "draft",
        "can_publish": form.status == "draft" and form.cut_raw is not None,
        **extra,
    }
    return render(request, "exams/staff/form_detail.html", context, status=status)


@login_required
def form_detail(request: HttpRequest, form_id: int) -> HttpResponse:
    _staff(request)
    return _detail(request, _form(form_id))


@login_required
@require_POST
def form_cut(request: HttpRequest, form_id: int) -> HttpResponse:
    user = _staff(request)
    form = _form(form_id)
    try:
        if request.POST.get("method") == "angoff":
            sheet = request.FILES.get("sheet")
            if sheet is None:
                raise ApplicationError(
                    _("Choose the rating sheet (CSV) to upload."), code="angoff_missing_file"
                )
            if sheet.size is not None and sheet.size > MAX_SHEET_BYTES:
                raise ApplicationError(_("The rating sheet is larger than 2 MB."), code="angoff_too_large")
            try:
                text = sheet.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ApplicationError(
                    _("Save the rating sheet as UTF-8 CSV."), code="angoff_encoding"
                ) from None
            item_ids = [
                fi.item.external_id for fi in form.form_items.filter(scored=True).select_related("item")
            ]
            ratings = angoff_parse(text, item_ids=item_ids)
            services.form_set_cut(form=form, acting_user=user, angoff_ratings=ratings)
        else:
            raw = request.POST.get("raw", "").strip()
            if not raw.isdigit():
                raise ApplicationError(_("The raw cut is a whole number of scored items."), code="cut_number")
            services.form_set_cut(form=form, acting_user=user, raw=int(raw))
    except ApplicationError as exc:
        return _detail(request, form, status=400, cut_error=exc.message, posted=request.POST)
    messages.success(request, _("Cut set: %(note)s.") % {"note": _form(form_id).cut_note})
    return redirect("exams:form_detail", form_id=form.pk)


@login_required
@require_POST
def form_publish(request: HttpRequest, form_id: int) -> HttpResponse:
    user = _staff(request)
    form = _form(form_id)
    try:
        services.form_publish(form=form, acting_user=user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(code)s is published; candidates can sit it.") % {"code": form.code})
    return redirect("exams:form_detail", form_id=form.pk)
