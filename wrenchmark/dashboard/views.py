"""The signed-in home page: a candidate's credentials, designations, experience and what is at risk."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wrenchmark.accounts.models import Role, User
from wrenchmark.catalog.selectors import program_default
from wrenchmark.core.exceptions import NotFound
from wrenchmark.credentials.standing import candidate_standing
from wrenchmark.exams.selectors import report_links_for
from wrenchmark.experience.selectors import pending_count, review_queue
from wrenchmark.registrations.selectors import registrations_open_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        program = program_default()
        standing = candidate_standing(candidate=user)
    except NotFound as exc:
        return render(request, "catalog/not_loaded.html", {"message": exc.message}, status=503)
    roles = user.role_codes
    reviews_waiting = None
    if roles & {Role.EMPLOYER_ADMIN, Role.PROGRAM_ADMIN}:
        experience, training = review_queue(user)
        reviews_waiting = experience.count() + training.count()
    return render(
        request,
        "dashboard/home.html",
        {
            "program": program,
            "standing": standing,
            "is_candidate": Role.CANDIDATE in roles,
            "reviews_waiting": reviews_waiting,
            "pending_entries": pending_count(user),
            "report_links": report_links_for(user),
            "to_take": registrations_open_for(user),
        },
    )
