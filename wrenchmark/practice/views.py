"""The practice pages: start a session, answer its questions one at a time, see the results."""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wrenchmark.accounts.models import Role, User
from wrenchmark.catalog.models import Test
from wrenchmark.core import clock
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.itembank.display import display_exhibit, display_for_learner
from wrenchmark.itembank.forms import AnswerForm
from wrenchmark.itembank.markup import render_markup
from wrenchmark.itembank.models import Exhibit
from wrenchmark.practice import adaptive, charts, selectors, services, study, teaching
from wrenchmark.practice.access import access_question_for_candidate, access_session_for_candidate
from wrenchmark.practice.forms import (
    TIMED,
    AssignmentForm,
    ClassForm,
    JoinForm,
    StartForm,
    practice_tests,
)
from wrenchmark.practice.models import FeedbackMode, PracticeMode, PracticeQuestion, PracticeSession
from wrenchmark.practice.selectors import practice_items

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


def _progress(user: User) -> list[dict[str, Any]]:
    """Per test the user has practised: accuracy by area (table, chart, per-session table), the
    readiness estimate and the study plan's focus."""
    practised = Test.objects.filter(
        pk__in=PracticeSession.objects.filter(candidate=user, finished_at__isnull=False).values("test_id")
    ).order_by("edition", "position")
    progress = []
    today = clock.today()
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
                "readiness": study.readiness_for(user, test),
                "plan": study.study_plan(user, test, today),
            }
        )
    return progress


def _start_error(form: Any, exc: ApplicationError, area_chosen: bool) -> None:
    field = exc.field if exc.field in form.fields else None
    if exc.code == "no_practice_items":
        field = "area" if area_chosen else "test"
    if exc.code == "no_reviews_due":
        field = "mode"
    form.add_error(field, exc.message)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The form to start a session, the recent sessions and the accuracy per content area."""
    user = _user(request)
    tests = practice_tests()
    initial: dict[str, Any] = {k: request.GET[k] for k in ("test", "area", "mode") if request.GET.get(k)}
    if "test" in initial:
        # ?test=A6 links from the study plan and the catalog name the test by code.
        found = next((t for t in tests if t.code == initial["test"].upper()), None)
        initial["test"] = found.pk if found is not None else ""
        if found is not None and "mode" not in initial and adaptive.available(found):
            initial["mode"] = PracticeMode.ADAPTIVE  # a calibrated test practises at the learner's level
    form = StartForm(request.POST if request.method == "POST" else None, tests=tests, initial=initial)
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
                    mode=data["mode"],
                )
            except ApplicationError as exc:
                _start_error(form, exc, data["area_obj"] is not None)
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
    context = {
        "form": form,
        "tests": tests,
        "recent": recent,
        "progress": _progress(user),
        "assignments": teaching.learner_assignments(user),
        "exhibit_tests": [t for t in tests if practice_items(test=t, mode=PracticeMode.EXHIBITS).exists()],
        "adaptive_tests": [t for t in tests if adaptive.available(t)],
    }
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
    return display_for_learner(
        question.item_version, identifier=f"pq{question.pk}", language=translation.get_language() or "en"
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
        context["feedback"] = _marked_up(
            selectors.question_feedback(q, language=translation.get_language() or "en")
        )
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
    language = translation.get_language() or "en"
    feedback = [_marked_up(f) for f in selectors.practice_feedback(session, language=language)]
    exhibits = Exhibit.objects.in_bulk([f["exhibit"] for f in feedback if f["exhibit"]])
    for f in feedback:
        f["exhibit_display"] = (
            display_exhibit(exhibits.get(f["exhibit"]), title=f["exhibit_title"], alt=f["exhibit_alt"])
            if f["exhibit"]
            else None
        )
    context = {
        "session": session,
        "score": _score(session),
        "areas": selectors.practice_results(session),
        "feedback": feedback,
        "end_mode": session.feedback == FeedbackMode.END,
        "overdue": session.is_overdue(clock.now()),
    }
    return render(request, "practice/results.html", context)


# --- Study plan ----------------------------------------------------------------------------------------


def _test_by_code(code: str) -> Test:
    test = next((t for t in practice_tests() if t.code == code.upper()), None)
    if test is None:
        raise Http404
    return test


@login_required
def plan(request: HttpRequest, code: str) -> HttpResponse:
    """The study plan of one test: the areas from the weakest, the missed questions due for review, and
    the readiness estimate with how it was computed. "Study" starts a short session in the focus area;
    "Review" one of the questions due."""
    user = _user(request)
    test = _test_by_code(code)
    error = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        area = None
        if action == "study":
            area = test.content_areas.filter(pk=request.POST.get("area") or 0).first()
        try:
            if action == "review":
                session = services.practice_start(candidate=user, test=test, mode=PracticeMode.REVIEW)
            elif action == "study" and area is not None:
                session = services.practice_start(candidate=user, test=test, area=area)
            else:
                raise ApplicationError(_("Choose what to study."), code="invalid_action")
        except ApplicationError as exc:
            error, status = exc.message, exc.status
        else:
            return redirect("practice:question", session_id=session.pk, position=1)
    context = {
        "test": test,
        "plan": study.study_plan(user, test, clock.today()),
        "readiness": study.readiness_for(user, test),
        "target": round(study.STUDY_TARGET * 100),
        "min_answers": study.STUDY_MIN_ANSWERS,
        "window": study.STUDY_WINDOW,
        "readiness_window": study.READINESS_WINDOW,
        "ability_window": study.ABILITY_WINDOW,
        "intervals": study.REVIEW_INTERVALS,
        "error": error,
    }
    return render(request, "practice/plan.html", context, status=status)


# --- Classes -------------------------------------------------------------------------------------------


@login_required
def classes(request: HttpRequest) -> HttpResponse:
    """Join a class with its code, see the classes joined; instructors also create and list theirs."""
    user = _user(request)
    is_instructor = user.has_role(Role.INSTRUCTOR)
    action = request.POST.get("action") if request.method == "POST" else None
    join_form = JoinForm(request.POST if action == "join" else None)
    class_form = ClassForm(request.POST if action == "create" else None)
    status = 200
    if action == "join":
        if join_form.is_valid():
            try:
                member = services.class_join(learner=user, code=join_form.cleaned_data["code"])
            except ApplicationError as exc:
                join_form.add_error("code", exc.message)
                status = exc.status
            else:
                messages.success(request, _("You joined %(name)s.") % {"name": member.classroom.name})
                return redirect("practice:classes")
        else:
            status = 400
    elif action == "create":
        if not is_instructor:
            raise PermissionDenied
        if class_form.is_valid():
            try:
                classroom = services.classroom_create(instructor=user, name=class_form.cleaned_data["name"])
            except ApplicationError as exc:
                class_form.add_error("name", exc.message)
                status = exc.status
            else:
                return redirect("practice:class", class_id=classroom.pk)
        else:
            status = 400
    elif action is not None:
        status = 400
    context = {
        "is_instructor": is_instructor,
        "join_form": join_form,
        "class_form": class_form,
        "taught": teaching.classes_taught(user) if is_instructor else [],
        "seats": teaching.seats_of(user),
    }
    return render(request, "practice/classes.html", context, status=status)


@login_required
@require_POST
def class_leave(request: HttpRequest, class_id: int) -> HttpResponse:
    user = _user(request)
    seat = teaching.seats_of(user).filter(classroom_id=class_id).first()
    if seat is None:
        raise Http404
    services.class_leave(learner=user, classroom=seat.classroom)
    messages.success(request, _("You left %(name)s.") % {"name": seat.classroom.name})
    return redirect("practice:classes")


@login_required
def class_detail(request: HttpRequest, class_id: int) -> HttpResponse:
    """The instructor's page of one class: its code, each learner's progress by content area in one
    test, and the assignments with how many finished them."""
    user = _user(request)
    try:
        classroom = teaching.access_class_for_instructor(user, class_id)
    except NotFound:
        raise Http404 from None
    tests = practice_tests()
    form = AssignmentForm(request.POST if request.method == "POST" else None, tests=tests)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.assignment_create(
                    classroom=classroom,
                    acting_user=user,
                    test=data["test"],
                    area=data["area_obj"],
                    length=data["length"],
                    mode=data["mode"],
                    due_on=data["due_on"],
                    note=data["note"],
                )
            except ApplicationError as exc:
                _start_error(form, exc, data["area_obj"] is not None)
                status = exc.status
            else:
                messages.success(request, _("The practice set is assigned."))
                return redirect("practice:class", class_id=classroom.pk)
        else:
            status = 400
    class_tests = teaching.class_tests(classroom)
    chosen = next((t for t in class_tests if t.code == (request.GET.get("test") or "").upper()), None)
    chosen = chosen or (class_tests[0] if class_tests else None)
    rows = teaching.class_progress(classroom, chosen, clock.today()) if chosen is not None else []
    areas = list(chosen.content_areas.order_by("position")) if chosen is not None else []
    matrix = [
        (row, [next(a for a in row.plan.areas if a.letter == area.letter) for area in areas]) for row in rows
    ]
    context = {
        "classroom": classroom,
        "form": form,
        "class_tests": class_tests,
        "chosen": chosen,
        "areas": areas,
        "matrix": matrix,
        "learners": teaching.members(classroom),
        "assignments": teaching.assignment_statuses(classroom),
        "target": study.STUDY_TARGET,
    }
    return render(request, "practice/class_detail.html", context, status=status)


@login_required
def class_learner(request: HttpRequest, class_id: int, learner_id: int) -> HttpResponse:
    """One learner's practice progress, as the class's instructor sees it."""
    try:
        classroom, learner = teaching.access_learner_for_instructor(_user(request), class_id, learner_id)
    except NotFound:
        raise Http404 from None
    context = {
        "classroom": classroom,
        "learner": learner,
        "progress": _progress(learner),
        "assignments": [
            s for s in teaching.learner_assignments(learner) if s.assignment.classroom_id == classroom.pk
        ],
    }
    return render(request, "practice/class_learner.html", context)


@login_required
@require_POST
def assignment_start(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = _user(request)
    try:
        assignment = teaching.access_assignment_for_learner(user, assignment_id)
        session = services.assignment_start(learner=user, assignment=assignment)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("practice:home")
    return redirect("practice:question", session_id=session.pk, position=1)
