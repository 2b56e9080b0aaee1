"""Speak to a signed-in person in the language of their profile."""

from __future__ import annotations

from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation

BUSY = "The service is busy for a moment; try again."


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After when the database cannot be reached: the client tries again, nothing is lost."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"code": "database_busy", "message": BUSY, "details": {}}, status=503
        )
    else:
        response = HttpResponse(BUSY, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "1"
    return response


class PreferredLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        try:
            # The first look at the user reads the session and the user row.
            authenticated = user is not None and user.is_authenticated
        except (OperationalError, InterfaceError):
            return service_unavailable(request)
        language = getattr(user, "preferred_language", "") if authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if authenticated:
            response.headers.setdefault("Content-Language", translation.get_language())
        return response
