"""The practice pages: start a session, answer its questions one at a time, see the results."""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import Test
from wrenchmark.core import clock
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.itembank.display import display_exhibit, display_item
from wrenchmark.itembank.markup import render_markup
from wrenchmark.itembank.models import Exhibit
from wrenchmark.practice import charts, selectors, services
from wrenchmark.practice.access import access_question_for_candidate, access_session_for_candidate
from wrenchmark.practice.forms import TIMED, AnswerForm, StartForm, practice_tests
from wrenchmark.practice.models import FeedbackMode, PracticeQuestion, PracticeSession

RECENT = 10


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _score(session: PracticeSession) -> dict[str, int]:
    questions = list(session.questions.all())
    return {
        "questions": len(questions),
        "answered": sum(q.answered_at is not None for q in questions),
        "correct": sum(bool(q.correct) for q in questions),
    }


def _minutes_left(session: PracticeSession) -> int | None:
    """Whole minutes left on a timed, unfinished session (rounded up), or ``None``."""
    if not session.timed or session.deadline is None or session.finished_at is not None:
        return None
    return max(0, math.ceil((session.deadline - clock.now()).total_seconds() / 60))


def _marked_up(feedback: dict[str, Any]) -> dict[str, Any]:
    """The feedback of ``selectors.question_feedback`` with the stem, options and rationales as HTML."""
    # render_markup escapes everything but the few tags items may use.
    return {
        **feedback,
        "stem_html": mark_safe(render_markup(feedback["stem"])),  # noqa: S308
        "options": [
            {
                **option,
                "html": mark_safe(render_markup(option["text"])),  # noqa: S308
                "rationale_html": mark_safe(render_markup(option["rationale"])),  # noqa: S308
            }
            for option in feedback["options"]
        ],
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The form to start a session, the recent sessions and the accuracy per content area."""
    user = _user(request)
    tests = practice_tests()
    form = StartForm(request.POST if request.method == "POST" else None, tests=tests)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = services.practice_start(
                    candidate=user,
                    test=data["test"],
                    area=data["area_obj"],
                    length=data["length"],
                    timed=data["timing"] == TIMED,
                    feedback=data["feedback"],
                )
            except ApplicationError as exc:
                field = exc.field if exc.field in form.fields else None
                if exc.code == "no_practice_items":
                    field = "area" if data["area_obj"] is not None else "test"
                form.add_error(field, exc.message)
                status = exc.status
            else:
                return redirect("practice:question", session_id=session.pk, position=1)
        else:
            status = 400

    recent = [
        (s, _score(s))
        for s in PracticeSession.objects.filter(candidate=user)
        .select_related("test", "area")
        .prefetch_related("questions")
        .order_by("-created_at", "-pk")[:RECENT]
    ]
    practised = Test.objects.filter(
        pk__in=PracticeSession.objects.filter(candidate=user, finished_at__isnull=False).values("test_id")
    ).order_by("edition", "position")
    progress = []
    for test in practised:
        areas = [a for a in selectors.area_accuracy(user, test) if a.answered]
        if not areas:
            continue
        progress.append(
            {
                "test": test,
                "areas": areas,
                "table": charts.accuracy_table(areas),
                "chart": charts.accuracy_svg(
                    areas,
                    identifier=f"chart-{test.code.lower()}",
                    title=_("%(code)s: accuracy per content area over your practice sessions")
                    % {"code": test.code},
                ),
            }
        )
    context = {"form": form, "tests": tests, "recent": recent, "progress": progress}
    return render(request, "practice/home.html", context, status=status)


@login_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    """Where the session stands: its next unanswered question, or the results once finished."""
    try:
        session = access_session_for_candidate(_user(request), session_id)
    except NotFound:
        raise Http404 from None
    if session.is_finished:
        return redirect("practice:results", session_id=session.pk)
    following = session.questions.filter(answered_at__isnull=True).order_by("position").first()
    if following is None:
        following = session.questions.order_by("-position").first()
    position = following.position if following is not None else 1
    return redirect("practice:question", session_id=session.pk, position=position)


def _question_display(question: PracticeQuestion) -> Any:
    version = question.item_version
    options = sorted(version.options.all(), key=lambda o: o.position)
    return display_item(
        identifier=f"pq{question.pk}",
        stem=version.stem,
        option_texts=[(o.text, o.locked) for o in options],
        exhibit=version.exhibit,
    )


@login_required
def question(request: HttpRequest, session_id: int, position: int) -> HttpResponse:
    """One question: the options and "Submit answer"; once answered, the feedback when the session's
    mode allows it ("each"), or only that the answer is saved ("end")."""
    user = _user(request)
    try:
        q = access_question_for_candidate(user, session_id, position)
    except NotFound:
        raise Http404 from None
    display = _question_display(q)
    form = AnswerForm(
        request.POST if request.method == "POST" else None, letters=selectors.LETTERS[: len(display.options)]
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.practice_answer(question=q, choice=form.cleaned_data["choice"], candidate=user)
            except NotFound:
                raise Http404 from None
            except ApplicationError as exc:
                form.add_error("choice" if exc.field == "choice" else None, exc.message)
                status = exc.status
            else:
                return redirect("practice:question", session_id=session_id, position=position)
        else:
            status = 400
        q = access_question_for_candidate(user, session_id, position)
    session = q.session
    now = clock.now()
    answered = q.answered_at is not None
    refusal = None
    if not answered:
        if session.is_finished:
            refusal = _("This practice test is finished.")
        elif session.is_overdue(now):
            refusal = _("Time is up for this practice test.")
    questions = list(
        session.questions.order_by("position").only("pk", "position", "answered_at", "session_id")
    )
    following = next((n for n in questions if n.position > q.position), None)
    context: dict[str, Any] = {
        "session": session,
        "q": q,
        "display": display,
        "form": form,
        "answered": answered,
        "refusal": refusal,
        "selected": q.choice if answered else (form.data.get("choice") if form.is_bound else None),
        "first_option_id": f"{display.identifier}-A",
        "questions": questions,
        "answered_count": sum(n.answered_at is not None for n in questions),
        "next_question": following,
        "minutes_left": None if session.is_overdue(now) else _minutes_left(session),
        "show_feedback": answered and selectors.feedback_allowed(q, session),
    }
    if context["show_feedback"]:
        context["feedback"] = _marked_up(selectors.question_feedback(q))
    return render(request, "practice/question.html", context, status=status)


@login_required
@require_POST
def finish(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        session = access_session_for_candidate(_user(request), session_id)
    except NotFound:
        raise Http404 from None
    services.practice_finish(session=session)
    return redirect("practice:results", session_id=session.pk)


@login_required
def results(request: HttpRequest, session_id: int) -> HttpResponse:
    """The score, the results per content area and, as far as the mode allows, every question's feedback."""
    try:
        session = access_session_for_candidate(_user(request), session_id)
    except NotFound:
        raise Http404 from None
    feedback = [_marked_up(f) for f in selectors.practice_feedback(session)]
    exhibits = Exhibit.objects.in_bulk([f["exhibit"] for f in feedback if f["exhibit"]])
    for f in feedback:
        f["exhibit_display"] = display_exhibit(exhibits.get(f["exhibit"])) if f["exhibit"] else None
    context = {
        "session": session,
        "score": _score(session),
        "areas": selectors.practice_results(session),
        "feedback": feedback,
        "end_mode": session.feedback == FeedbackMode.END,
        "overdue": session.is_overdue(clock.now()),
    }
    return render(request, "practice/results.html", context)
