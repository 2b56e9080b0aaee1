"""Reads of issued credentials."""

from __future__ import annotations

from django.db.models import QuerySet

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import Test
from wrenchmark.credentials.models import Credential


def credential_list_for(holder: User) -> QuerySet[Credential]:
    return Credential.objects.filter(holder=holder).select_related("test")


def credential_for_test(*, holder: User, test: Test) -> Credential | None:
    """The credential ``test`` earns or renews (a recertification test names the one it renews)."""
    code = test.recertifies.code if test.recertifies is not None else test.code
    return credential_list_for(holder).filter(test_code=code).first()
