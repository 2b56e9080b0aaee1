from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from wrenchmark.accounts.models import Role


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "user_roles": set(),
            "can_review_experience": False,
            "can_use_bank": False,
            "can_manage_forms": False,
        }
    codes = user.role_codes
    return {
        "user_roles": codes,
        "can_review_experience": bool(codes & {Role.EMPLOYER_ADMIN, Role.PROGRAM_ADMIN}),
        "can_use_bank": bool(
            codes & {Role.ITEM_WRITER, Role.ITEM_REVIEWER, Role.PSYCHOMETRICIAN, Role.PROGRAM_ADMIN}
        ),
        "can_manage_forms": bool(codes & {Role.PSYCHOMETRICIAN, Role.PROGRAM_ADMIN}),
    }
