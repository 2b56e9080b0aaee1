"""Writes for employers: the company account, who administers it, its technicians (who join by accepting
an invitation, consenting to share their credentials, and may leave at any time) and the areas it offers."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from wrenchmark.accounts.models import Role, User
from wrenchmark.accounts.program_ids import generate_program_id
from wrenchmark.accounts.services import role_grant
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_record
from wrenchmark.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from wrenchmark.employers.models import Employer, EmployerInvitation, EmployerMembership
from wrenchmark.employers.selectors import CURRENT_TECHNICIAN, offerable_tests


@transaction.atomic
def employer_create(
    *, name: str, city: str = "", region: str = "", is_demo: bool = False, acting_user: User | None
) -> Employer:
    """Create an employer with an organisation program ID (starting with 9); audited."""
    if not name.strip():
        raise ApplicationError("Enter the employer's name.", code="name_required", field="name")
    program_id = generate_program_id(settings.PROGRAM_ID_PREFIX, organisation=True)
    while Employer.objects.filter(program_id=program_id).exists():  # pragma: no cover - 10^6 ids
        program_id = generate_program_id(settings.PROGRAM_ID_PREFIX, organisation=True)
    employer = Employer.objects.create(
        name=name.strip(), city=city.strip(), region=region.strip(), program_id=program_id, is_demo=is_demo
    )
    audit_record(action="employer.created", target=employer, actor=acting_user, summary=employer.name)
    return employer


@transaction.atomic
def employer_admin_add(*, employer: Employer, user: User, acting_user: User | None) -> EmployerMembership:
    """Make ``user`` an administrator of ``employer`` (and grant the role); audited."""
    membership, _ = EmployerMembership.objects.update_or_create(
        employer=employer, user=user, defaults={"is_admin": True}
    )
    role_grant(user=user, role=Role.EMPLOYER_ADMIN, acting_user=acting_user)
    audit_record(
        action="employer.admin_added", target=employer, actor=acting_user, data={"user": user.program_id}
    )
    return membership


# --- Staff: invitations with the technician's consent, leaving, offered areas -----------------------

INVITATION_DAYS = 14


def _require_employer_admin(employer: Employer, acting_user: User) -> None:
    if not (
        acting_user.is_active
        and EmployerMembership.objects.filter(employer=employer, user=acting_user, is_admin=True).exists()
    ):
        raise PermissionDenied(
            _("Only an administrator of %(employer)s can do this.") % {"employer": employer.name},
            code="not_employer_admin",
        )


def _masked(email: str) -> str:
    """``c***@example.test``: enough to recognise one's own address, not enough to learn someone's."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def invitation_url(invitation: EmployerInvitation) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/shops/join/{invitation.token}/"


def invitation_email_send(*, invitation_id: int) -> None:
    """E-mail the invitee the link to see what would be shared and accept or decline (after commit)."""
    invitation = EmployerInvitation.objects.select_related("employer", "invited_by").get(pk=invitation_id)
    invitee = User.objects.filter(email__iexact=invitation.email).first()
    language = invitee.preferred_language if invitee is not None else settings.LANGUAGE_CODE
    with translation.override(language):
        values = {
            "employer": invitation.employer.name,
            "inviter": invitation.invited_by.get_full_name() or invitation.invited_by.email,
            "url": invitation_url(invitation),
            "date": formats.date_format(timezone.localdate(invitation.expires_at), "DATE_FORMAT"),
        }
        subject = _("%(employer)s invites you to join its staff") % values
        body = "\n\n".join(
            [
                _("%(inviter)s has invited you to join the technicians of %(employer)s.") % values,
                _(
                    "If you accept, %(employer)s will see your name, program ID, certifications with "
                    "their status and expiry dates, and designations, for as long as you stay on its "
                    "staff. You can leave at any time."
                )
                % values,
                _("See exactly what would be shared, then accept or decline (sign in first):"),
                values["url"],
                _("The invitation is open until %(date)s.") % values,
            ]
        )
    send_mail(subject, body + "\n", None, [invitation.email])


@transaction.atomic
def invitation_create(
    *, employer: Employer, email: str, acting_user: User, notify: bool = True
) -> EmployerInvitation:
    """Invite ``email`` to join ``employer``'s technicians; employer administrators only.

    The invitation is open for ``INVITATION_DAYS`` days; nothing is shared until the invitee accepts.
    Audited as ``employer.invitation_created``; the invitee is e-mailed the link once it commits."""
    _require_employer_admin(employer, acting_user)
    email = User.objects.normalize_email(email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(
            _("Enter a valid e-mail address."), code="invalid_email", field="email"
        ) from None
    Employer.objects.select_for_update().filter(pk=employer.pk).first()  # one invitation at a time
    if EmployerMembership.objects.filter(
        CURRENT_TECHNICIAN, employer=employer, user__email__iexact=email
    ).exists():
        raise Conflict(
            _("%(email)s is already one of your technicians.") % {"email": email},
            code="already_technician",
            field="email",
        )
    now = clock.now()
    if EmployerInvitation.objects.filter(
        employer=employer,
        email__iexact=email,
        accepted_at__isnull=True,
        declined_at__isnull=True,
        withdrawn_at__isnull=True,
        expires_at__gt=now,
    ).exists():
        raise Conflict(
            _("%(email)s already has an open invitation; withdraw it to send a new one.") % {"email": email},
            code="already_invited",
            field="email",
        )
    invitation = EmployerInvitation.objects.create(
        employer=employer,
        email=email,
        token=secrets.token_urlsafe(24),
        invited_by=acting_user,
        expires_at=now + dt.timedelta(days=INVITATION_DAYS),
    )
    audit_record(
        action="employer.invitation_created",
        target=invitation,
        actor=acting_user,
        summary=f"{employer.name} invited {email}",
        data={
            "employer": employer.program_id,
            "email": email,
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    if notify:
        transaction.on_commit(lambda: invitation_email_send(invitation_id=invitation.pk))
    return invitation


def invitation_refusal(invitation: EmployerInvitation, user: User) -> ApplicationError | None:
    """Why ``user`` may not answer ``invitation`` (another account, or no longer open), or ``None``."""
    if invitation.email.lower() != user.email.lower():
        return PermissionDenied(
            _(
                "This invitation was sent to %(email)s, and you are signed in as %(you)s. Sign in with "
                "the account for the invited address to answer it."
            )
            % {"email": _masked(invitation.email), "you": user.email},
            code="wrong_account",
        )
    reason = invitation_closed_reason(invitation)
    if reason:
        code = "invitation_closed" if not invitation.is_open else "invitation_expired"
        return Conflict(reason, code=code)
    return None


def _invitation_for_invitee(token: str, user: User) -> EmployerInvitation:
    """The open invitation ``token`` names, locked, if ``user`` may answer it."""
    invitation = (
        EmployerInvitation.objects.select_for_update().select_related("employer").filter(token=token).first()
    )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid."), code="invitation_not_found")
    refusal = invitation_refusal(invitation, user)
    if refusal is not None:
        raise refusal
    return invitation


def invitation_closed_reason(invitation: EmployerInvitation) -> str:
    """Why ``invitation`` can no longer be answered, or ``""`` while it is open and in date."""
    if invitation.accepted_at is not None:
        return _("This invitation has already been accepted.")
    if invitation.declined_at is not None:
        return _("This invitation was declined.")
    if invitation.withdrawn_at is not None:
        return _("%(employer)s has withdrawn this invitation.") % {"employer": invitation.employer.name}
    if invitation.expires_at <= clock.now():
        return _("This invitation has expired; ask %(employer)s for a new one.") % {
            "employer": invitation.employer.name
        }
    return ""


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> EmployerMembership:
    """``user`` accepts the invitation and consents to share their credentials with the employer.

    The signed-in account's e-mail address must be the invited one (any case). Records the consent
    (``consented_at``) on the user's membership, now a current technician's. Audited as
    ``employer.invitation_accepted`` and ``employer.technician_joined``."""
    invitation = _invitation_for_invitee(token, user)
    employer = invitation.employer
    now = clock.now()
    membership, _created = EmployerMembership.objects.select_for_update().get_or_create(
        employer=employer, user=user
    )
    membership.is_technician = True
    membership.consented_at = now
    membership.left_at = None
    membership.save(update_fields=["is_technician", "consented_at", "left_at", "updated_at"])
    invitation.accepted_at = now
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user", "updated_at"])
    audit_record(
        action="employer.invitation_accepted",
        target=invitation,
        actor=user,
        summary=f"{user.program_id} accepted {employer.name}'s invitation",
        data={"employer": employer.program_id, "user": user.program_id},
    )
    audit_record(
        action="employer.technician_joined",
        target=employer,
        actor=user,
        summary=f"{user.program_id} joined {employer.name} and consented to share credentials",
        data={"user": user.program_id, "consented_at": now.isoformat(), "invitation": invitation.pk},
    )
    return membership


@transaction.atomic
def invitation_decline(*, token: str, user: User) -> EmployerInvitation:
    """``user`` declines the invitation sent to their address; nothing is shared. Audited."""
    invitation = _invitation_for_invitee(token, user)
    invitation.declined_at = clock.now()
    invitation.user = user
    invitation.save(update_fields=["declined_at", "user", "updated_at"])
    audit_record(
        action="employer.invitation_declined",
        target=invitation,
        actor=user,
        summary=f"{user.program_id} declined {invitation.employer.name}'s invitation",
        data={"employer": invitation.employer.program_id, "user": user.program_id},
    )
    return invitation


@transaction.atomic
def invitation_withdraw(*, invitation: EmployerInvitation, acting_user: User) -> EmployerInvitation:
    """An employer administrator withdraws an invitation not yet answered. Audited."""
    invitation = (
        EmployerInvitation.objects.select_for_update().select_related("employer").get(pk=invitation.pk)
    )
    _require_employer_admin(invitation.employer, acting_user)
    if not invitation.is_open:
        raise Conflict(invitation_closed_reason(invitation), code="invitation_closed")
    invitation.withdrawn_at = clock.now()
    invitation.save(update_fields=["withdrawn_at", "updated_at"])
    audit_record(
        action="employer.invitation_withdrawn",
        target=invitation,
        actor=acting_user,
        summary=f"{invitation.employer.name} withdrew the invitation to {invitation.email}",
        data={"employer": invitation.employer.program_id, "email": invitation.email},
    )
    return invitation


def _current_technician(employer: Employer, user: User) -> EmployerMembership:
    membership = (
        EmployerMembership.objects.select_for_update()
        .filter(CURRENT_TECHNICIAN, employer=employer, user=user)
        .first()
    )
    if membership is None:
        raise NotFound(
            _("%(name)s is not on the staff of %(employer)s.") % {"name": user, "employer": employer.name},
            code="not_technician",
        )
    return membership


def _technician_end(
    employer: Employer, user: User, *, actor: User, action: str, summary: str
) -> EmployerMembership:
    membership = _current_technician(employer, user)
    membership.left_at = clock.now()
    membership.save(update_fields=["left_at", "updated_at"])
    audit_record(action=action, target=employer, actor=actor, summary=summary, data={"user": user.program_id})
    return membership


@transaction.atomic
def technician_remove(*, employer: Employer, user: User, acting_user: User) -> EmployerMembership:
    """An employer administrator takes ``user`` off the staff: the employer no longer sees their
    credentials and they no longer count toward the Blue Seal. Audited as ``employer.technician_removed``."""
    _require_employer_admin(employer, acting_user)
    return _technician_end(
        employer,
        user,
        actor=acting_user,
        action="employer.technician_removed",
        summary=f"{user.program_id} removed from {employer.name}",
    )


@transaction.atomic
def technician_leave(*, employer: Employer, acting_user: User) -> EmployerMembership:
    """The technician withdraws their consent and leaves ``employer``'s staff themselves. Audited as
    ``employer.technician_left``."""
    return _technician_end(
        employer,
        acting_user,
        actor=acting_user,
        action="employer.technician_left",
        summary=f"{acting_user.program_id} left {employer.name} and withdrew consent to share credentials",
    )


@transaction.atomic
def employer_areas_set(*, employer: Employer, codes: Iterable[str], acting_user: User) -> Employer:
    """Set the service areas ``employer`` offers, as test codes of the catalog in force (in catalog
    order, each once); employer administrators only. Audited as ``employer.areas_set``."""
    _require_employer_admin(employer, acting_user)
    wanted = {code.strip().upper() for code in codes if code.strip()}
    known = list(offerable_tests().values_list("code", flat=True))
    unknown = sorted(wanted - set(known))
    if unknown:
        raise ApplicationError(
            _("Not a test in the catalog: %(codes)s.") % {"codes": ", ".join(unknown)},
            code="unknown_area",
            field="areas",
        )
    employer = Employer.objects.select_for_update().get(pk=employer.pk)
    before = list(employer.offered_areas)
    employer.offered_areas = [code for code in known if code in wanted]
    if employer.offered_areas != before:
        employer.save(update_fields=["offered_areas", "updated_at"])
        audit_record(
            action="employer.areas_set",
            target=employer,
            actor=acting_user,
            summary=f"{employer.name} offers {', '.join(employer.offered_areas) or 'no areas'}",
            data={"before": before, "after": employer.offered_areas},
        )
    return employer


@transaction.atomic
def employer_public_page_set(*, employer: Employer, public: bool, acting_user: User) -> Employer:
    """Turn the employer's public recognition page on or off; employer administrators only. Audited as
    ``employer.public_page_set``."""
    _require_employer_admin(employer, acting_user)
    employer = Employer.objects.select_for_update().get(pk=employer.pk)
    if employer.public_page != public:
        employer.public_page = public
        employer.save(update_fields=["public_page", "updated_at"])
        audit_record(
            action="employer.public_page_set",
            target=employer,
            actor=acting_user,
            summary=f"{employer.name} public page {'on' if public else 'off'}",
            data={"public_page": public},
        )
    return employer
