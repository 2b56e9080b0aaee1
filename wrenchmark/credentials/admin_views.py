"""Program administrators: find a holder's credentials and suspend, revoke or reinstate one, with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wrenchmark.accounts.models import Role, User
from wrenchmark.accounts.program_ids import normalise_program_id
from wrenchmark.core.audit import audit_events_for
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.credentials.models import Credential, CredentialStatus
from wrenchmark.credentials.services import credential_reinstate, credential_withdraw


def _program_admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_role(Role.PROGRAM_ADMIN):
        raise Http404
    return user


@login_required
def credential_admin(request: HttpRequest) -> HttpResponse:
    """Look a holder up by program ID; list their credentials with the actions each allows."""
    _program_admin(request)
    query = request.GET.get("program_id", "").strip()
    holder = None
    if query:
        program_id = normalise_program_id(query)
        holder = User.objects.filter(program_id=program_id).first() if program_id else None
        if holder is None:
            messages.error(request, _("No one has the program ID %(id)s.") % {"id": query})
    credentials = (
        list(Credential.objects.filter(holder=holder).select_related("test", "withdrawn_by"))
        if holder
        else []
    )
    history = {c.pk: list(audit_events_for(c).order_by("-id")[:6]) for c in credentials}
    return render(
        request,
        "credentials/admin.html",
        {
            "query": query,
            "holder": holder,
            "rows": [(c, history[c.pk]) for c in credentials],
            "statuses": CredentialStatus,
        },
    )


@login_required
@require_POST
def credential_admin_action(request: HttpRequest, credential_id: int) -> HttpResponse:
    """Suspend, revoke or reinstate; a refusal (no reason, already revoked…) comes back as a message."""
    admin = _program_admin(request)
    credential = get_object_or_404(Credential.objects.select_related("holder"), pk=credential_id)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    try:
        if action in ("suspended", "revoked"):
            credential_withdraw(credential=credential, status=action, reason=reason, acting_user=admin)
        elif action == "reinstate":
            credential_reinstate(credential=credential, reason=reason, acting_user=admin)
        else:
            raise ApplicationError(_("Choose suspend, revoke or reinstate."), code="invalid_action")
    except ApplicationError as exc:
        messages.error(request, f"{credential.test_code}: {exc.message}")
    else:
        credential.refresh_from_db()
        messages.success(
            request,
            _("%(code)s is now %(status)s.")
            % {"code": credential.test_code, "status": credential.get_status_display().lower()},
        )
    return redirect(f"{reverse('credentials:admin')}?program_id={credential.holder.program_id}")
