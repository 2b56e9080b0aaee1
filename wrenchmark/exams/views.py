"""The candidate's side of a sitting: start, the exam page, the review screen and the score report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wrenchmark.accounts.models import User
from wrenchmark.core import clock
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.credentials.selectors import credential_for_test
from wrenchmark.exams import selectors, services
from wrenchmark.exams.access import access_attempt_current
from wrenchmark.exams.models import Attempt, AttemptStatus, ExamForm, FormStatus
from wrenchmark.exams.report_pdf import score_report_pdf


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _own(request: HttpRequest, attempt_id: int) -> Attempt:
    try:
        return access_attempt_current(request.user, attempt_id)
    except NotFound:
        raise Http404 from None


@login_required
def exam_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "exams/home.html",
        {
            "forms": selectors.admitted_forms_for(user),
            "open_attempts": Attempt.objects.filter(
                candidate=user, status=AttemptStatus.IN_PROGRESS
            ).select_related("form__test"),
            "finished": Attempt.objects.filter(candidate=user)
            .exclude(status=AttemptStatus.IN_PROGRESS)
            .select_related("form__test", "score_report")[:20],
        },
    )


@login_required
@require_POST
def exam_start(request: HttpRequest, form_id: int) -> HttpResponse:
    form = ExamForm.objects.filter(pk=form_id, status=FormStatus.PUBLISHED).select_related("test").first()
    if form is None:
        raise Http404
    if not request.session.session_key:
        request.session.save()
    language = request.POST.get("language", _user(request).preferred_language)
    try:
        attempt = services.attempt_start(
            candidate=_user(request),
            form=form,
            session_key=request.session.session_key or "",
            language=language if language in form.test.languages else "en",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("exams:home")
    return redirect("exams:sit", attempt_id=attempt.pk)


@login_required
def exam_sit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _own(request, attempt_id)
    if not attempt.is_open:
        return redirect("exams:report", attempt_id=attempt.pk)
    if not request.session.session_key:
        request.session.save()
    if attempt.session_key != request.session.session_key:
        return render(request, "exams/takeover.html", {"attempt": attempt}, status=409)
    question = selectors.question_view(attempt, attempt.current_position)
    return render(
        request,
        "exams/sit.html",
        {
            "attempt": attempt,
            "q": question,
            "display": question.display,
            "selected": question.selected,
            "navigator": selectors.navigator(attempt),
            "remaining_ms": int(attempt.remaining(clock.now()).total_seconds() * 1000),
            "input_name": "answer",
        },
    )


@login_required
@require_POST
def exam_takeover(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _own(request, attempt_id)
    if not request.session.session_key:
        request.session.save()
    try:
        services.attempt_take_over(
            attempt_id=attempt.pk, candidate=_user(request), session_key=request.session.session_key or ""
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("exams:sit", attempt_id=attempt.pk)


def _report_context(attempt: Attempt) -> dict[str, Any]:
    report = attempt.score_report
    weakest = sorted((s for s in report.subscores if s["total"]), key=lambda s: s["correct"] / s["total"])
    return {
        "attempt": attempt,
        "report": report,
        "subscores": [
            {**s, "percent": round(100 * s["correct"] / s["total"]) if s["total"] else 0}
            for s in report.subscores
        ],
        "study_first": weakest[:2] if not report.passed else [],
        "credential": credential_for_test(holder=attempt.candidate, test=attempt.form.test)
        if report.passed
        else None,
        "timed_out": attempt.status == AttemptStatus.TIMED_OUT,
    }


@login_required
def exam_report(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _own(request, attempt_id)
    if attempt.is_open:
        return redirect("exams:sit", attempt_id=attempt.pk)
    context = _report_context(attempt)
    context["message"] = (
        _("Time ran out; your answers were scored at the deadline.") if context["timed_out"] else ""
    )
    return render(request, "exams/report.html", context)


@login_required
def exam_report_pdf(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _own(request, attempt_id)
    if attempt.is_open:
        return redirect("exams:sit", attempt_id=attempt.pk)
    context = _report_context(attempt)
    pdf = score_report_pdf(
        report=context["report"],
        subscores=context["subscores"],
        study_first=context["study_first"],
        credential=context["credential"],
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"score-report-{attempt.form.test.code}-{attempt.finished_at:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
