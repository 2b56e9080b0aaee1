"""The renewal program's pages: join or follow a subscription, and answer the month's questions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wrenchmark.accounts.models import User
from wrenchmark.core import clock
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.itembank.forms import AnswerForm
from wrenchmark.renewals import selectors, services
from wrenchmark.renewals.access import access_question_for_holder, access_subscription_for_holder


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _language() -> str:
    return (translation.get_language() or "en")[:2]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = clock.today()
    active = selectors.subscription_active_for(user, on=today)
    context: dict[str, object] = {
        "policy": selectors.renewal_policy(on=today),
        "today": today,
        "subscription": active,
        "covered": sorted(selectors.renewal_test_codes()),
        "past": [
            (s, selectors.area_progress(s), selectors.answered_count(s))
            for s in selectors.subscription_list_for(user)
            if active is None or s.pk != active.pk
        ],
    }
    if active is not None:
        context.update(
            questions=services.questions_for_month(subscription=active, on=today),
            progress=selectors.area_progress(active, on=today),
            history=selectors.question_history(active, before=today),
            month_end=selectors.month_end(today),
        )
    else:
        context["eligible"] = selectors.program_credentials_for(user, on=today)
    return render(request, "renewals/home.html", context)


@login_required
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        subscription = services.subscription_start(holder=user, acting_user=user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("You subscribe to the renewal program until %(day)s. This month's questions are below.")
            % {"day": formats.date_format(subscription.ends_on, "DATE_FORMAT")},
        )
    return redirect("renewals:home")


@login_required
@require_POST
def cancel(request: HttpRequest, subscription_id: int) -> HttpResponse:
    user = _user(request)
    try:
        subscription = access_subscription_for_holder(user, subscription_id)
        services.subscription_cancel(subscription=subscription, acting_user=user)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Your subscription is cancelled. The credits and extensions you earned stay.")
        )
    return redirect("renewals:home")


@login_required
def question(request: HttpRequest, question_id: int) -> HttpResponse:
    """One question on its own page: the options and "Submit answer"; once answered, the result, the key
    and the rationales, and the way to the next question."""
    user = _user(request)
    try:
        q = access_question_for_holder(user, question_id)
    except NotFound:
        raise Http404 from None
    language = _language()
    display = selectors.question_display(q, language=language)
    form = AnswerForm(
        request.POST if request.method == "POST" else None, letters=selectors.LETTERS[: len(display.options)]
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                outcome = services.question_answer(
                    question=q, choice=form.cleaned_data["choice"], holder=user
                )
            except ApplicationError as exc:
                form.add_error("choice" if exc.field == "choice" else None, exc.message)
                status = exc.status
            else:
                if outcome.extended is not None:
                    messages.success(
                        request,
                        _("%(code)s is extended by the renewal program: now valid through %(day)s.")
                        % {
                            "code": outcome.extended.test_code,
                            "day": formats.date_format(outcome.extended.expires_on, "DATE_FORMAT"),
                        },
                    )
                return redirect("renewals:question", question_id=q.pk)
        else:
            status = 400
        q = access_question_for_holder(user, question_id)
    answered = q.answered_at is not None
    refusal = None if answered else services.answer_refusal(q)
    context: dict[str, object] = {
        "q": q,
        "display": display,
        "form": form,
        "answered": answered,
        "refusal": refusal,
        "selected": q.choice if answered else (form.data.get("choice") if form.is_bound else None),
        "first_option_id": f"{display.identifier}-A",
    }
    if answered:
        following = selectors.question_next(q)
        context.update(
            review=selectors.question_review(q, language=language),
            credits=selectors.credits_for(q.subscription, q.credential),
            policy=selectors.renewal_policy(),
            extension=selectors.subscription_extension(q.subscription, q.credential),
            next_question=following if following and services.answer_refusal(following) is None else None,
        )
    return render(request, "renewals/question.html", context, status=status)
