"""Public, machine-read endpoints of the badges: the status lists and the issuer's DID document."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from wrenchmark.credentials import badging


@require_GET
def status_list(request: HttpRequest, number: int, purpose: str) -> HttpResponse:
    """A signed BitstringStatusListCredential; short cache so a revocation is seen within a minute."""
    document = badging.status_list_credential(number, purpose)
    if document is None:
        raise Http404("No such status list.")
    response = JsonResponse(document)
    response["Cache-Control"] = "public, max-age=60"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def did_json(request: HttpRequest) -> HttpResponse:
    """The DID document of a did:web issuer (404 when the program signs as a did:key)."""
    if not badging.issuer().did.startswith("did:web:"):
        raise Http404("This deployment's issuer is a did:key; it has no did:web document.")
    response = JsonResponse(badging.did_document())
    response["Access-Control-Allow-Origin"] = "*"
    return response
