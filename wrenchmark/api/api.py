"""The JSON API at /api/v1/, with its OpenAPI schema at /api/v1/openapi.json and docs at /api/v1/docs."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from wrenchmark.api.errors import ErrorOut
from wrenchmark.catalog.api import router as catalog_router
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.credentials.api import router as credentials_router
from wrenchmark.credentials.badge_api import REQUEST_BODY, BadgeCheckOut, badge_verify_endpoint
from wrenchmark.exams.api import router as attempts_router
from wrenchmark.itembank.api import router as items_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Wrenchmark API",
    version="1",
    description=(
        "Catalog, credentials and verification for an automotive certification program. "
        "Errors are JSON objects with a machine-readable `code` and a human `message`."
    ),
    urls_namespace="api-v1",
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(
        request, {"code": exc.code, "message": exc.message, "details": exc.extra}, status=exc.status
    )


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "code": "invalid_request",
            "message": "The request is not valid.",
            "details": {"errors": exc.errors},
        },
        status=422,
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, {"code": "not_found", "message": str(exc) or "Not found."}, status=404
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = "csrf_failed" if "CSRF" in str(exc) else f"http_{exc.status_code}"
    return api.create_response(
        request, {"code": code, "message": str(exc), "details": {}}, status=exc.status_code
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "unauthenticated", "message": "Log in or send credentials."}, status=401
    )


@api.exception_handler(InterfaceError)
@api.exception_handler(OperationalError)
def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The database is briefly out of reach (restarting, or SQLite's single writer stayed busy past the
    timeout): a 503 the client retries, not a 500. The exam endpoints are idempotent, so a retry of a
    request whose outcome is unknown is safe."""
    logger.warning("Database unavailable for %s %s: %s", request.method, request.path, exc)
    response = api.create_response(
        request,
        {"code": "database_busy", "message": "The service is busy for a moment; try again.", "details": {}},
        status=503,
    )
    response["Retry-After"] = "1"
    return response


api.add_router("/catalog", catalog_router)
api.add_router("/items", items_router)
api.add_router("/attempts", attempts_router)
api.add_router("/verify/", credentials_router)
api.post(
    "/verify",
    response={200: BadgeCheckOut, 400: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    tags=["verification"],
    summary="Check a digital badge",
    url_name="badge_verify",
    openapi_extra=REQUEST_BODY,
)(badge_verify_endpoint)
