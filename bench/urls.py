"""The product's URLs plus one bench-only endpoint: the ceiling for a save over HTTP on this machine.

``POST /bench/upsert`` runs the single statement a save needs (an upsert guarded by the sequence
number) with no session, authentication or ORM: what the product's save path is measured against.
"""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as product_urls

UPSERT = (
    "INSERT INTO bench_upsert (attempt, item, seq, choice) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (attempt, item) DO UPDATE SET seq = excluded.seq, choice = excluded.choice "
    "WHERE bench_upsert.seq < excluded.seq"
)


@csrf_exempt
def upsert(request: HttpRequest) -> HttpResponse:
    body = json.loads(request.body)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(UPSERT, (body["attempt"], body["item"], body["seq"], body["choice"]))
    return JsonResponse({"seq": body["seq"]})


urlpatterns = [path("bench/upsert", upsert), *product_urls]
