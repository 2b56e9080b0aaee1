"""Expiry reminders: e-mail each holder 180, 90 and 30 days before a certification expires, and on expiry.

Run daily (``manage.py credentials_remind``). On each run a certification gets at most one reminder: the
most urgent one whose window it is in, if that one was not yet sent for its expiry date. So a run that
starts late (or a certification issued with less than 180 days left, or a day missed) sends only the most
urgent reminder, never a backlog.

Windows, with ``days_left = expires_on - on`` (``expires_on`` is the last valid day):

- ``180``: 90 < days_left ≤ 180; ``90``: 30 < days_left ≤ 90; ``30``: 0 ≤ days_left ≤ 30 (so the last
  valid day itself is still "expires today", within the 30-day window);
- ``expired`` ("on expiry"): from the day after the last valid day, the first day the certification is no
  longer valid, up to ``EXPIRED_GRACE_DAYS`` later, so a missed day still sends it but a certification that
  lapsed long before reminders existed is not mailed now.

Only certified lineages are reminded (certified, expiring, or expired after being certified); nothing is
sent while a certification is suspended or revoked, or for a pass awaiting experience. A renewal or an
extension moves the expiry date, and reminders start again for the new date.

Idempotent: the ``ReminderSent`` row (unique per credential, kind and expiry date) is inserted first, in its
own transaction, and the e-mail goes out after that commits. Two runs at once cannot both send one; a mail
that fails after the commit is not retried (at most once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from wrenchmark.catalog.models import Test
from wrenchmark.core import clock
from wrenchmark.credentials.models import Credential, CredentialStatus, ReminderKind, ReminderSent

#: Most urgent first: the first window that holds ``days_left`` is the reminder due.
WINDOWS: tuple[tuple[ReminderKind, int], ...] = (
    (ReminderKind.DAYS_30, 30),
    (ReminderKind.DAYS_90, 90),
    (ReminderKind.DAYS_180, 180),
)
EXPIRED_GRACE_DAYS = 30
REMINDED_STATUSES = (CredentialStatus.CERTIFIED, CredentialStatus.EXPIRING, CredentialStatus.EXPIRED)
# Each credential costs one savepoint insert; the batch only bounds the rows held in memory.
BATCH = 2000

ContextProvider = Callable[[Credential, dt.date], dict[str, Any]]
_providers: list[ContextProvider] = []


def reminder_context_provider(provider: ContextProvider) -> None:
    """Let a later part of the program add to every reminder's template context (idempotent).

    The renewal program registers one at start-up to add the holder's credits; this module cannot import it
    without pointing the layers the wrong way.
    """
    if provider not in _providers:
        _providers.append(provider)


def reminder_kind_due(days_left: int) -> ReminderKind | None:
    """The one reminder a certification is due with ``days_left`` to its last valid day, if any."""
    if days_left < 0:
        return ReminderKind.EXPIRED if -days_left <= EXPIRED_GRACE_DAYS else None
    for kind, days in WINDOWS:
        if days_left <= days:
            return kind
    return None


def _candidates(on: dt.date) -> Iterator[list[Credential]]:
    queryset = (
        Credential.objects.filter(
            status__in=REMINDED_STATUSES,
            certified_on__isnull=False,
            holder__is_active=True,
            expires_on__gte=on - dt.timedelta(days=EXPIRED_GRACE_DAYS),
            expires_on__lte=on + dt.timedelta(days=max(days for _kind, days in WINDOWS)),
        )
        .select_related("holder", "test")
        .order_by("pk")
    )
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def reminders_send(*, on: dt.date | None = None) -> dict[str, int]:
    """Send the reminders due on ``on`` (today); return how many of each kind were sent.

    Each is recorded in ``ReminderSent`` before its e-mail goes out (after the commit), so running again
    the same day sends nothing.
    """
    on = on or clock.today()
    counts = {kind.value: 0 for kind in ReminderKind}
    for batch in _candidates(on):
        due = {c.pk: kind for c in batch if (kind := reminder_kind_due((c.expires_on - on).days))}
        sent = set(
            ReminderSent.objects.filter(credential_id__in=list(due)).values_list(
                "credential_id", "kind", "expires_on"
            )
        )
        for credential in batch:
            kind = due.get(credential.pk)
            if kind is None or (credential.pk, kind.value, credential.expires_on) in sent:
                continue
            if _record(credential, kind, on):
                counts[kind.value] += 1
    return counts


def _record(credential: Credential, kind: ReminderKind, on: dt.date) -> bool:
    try:
        with transaction.atomic():
            reminder = ReminderSent.objects.create(
                credential=credential, kind=kind, expires_on=credential.expires_on, sent_at=clock.now()
            )
            transaction.on_commit(partial(reminder_email_send, reminder_id=reminder.pk, on=on))
    except IntegrityError:
        return False  # another run recorded it first; that run sends it
    return True


def recertification_test_for(credential: Credential) -> Test | None:
    """The catalog test that recertifies the credential's test (A5 → A5R), if there is one."""
    return Test.objects.filter(recertifies_id=credential.test_id).first()


def reminder_context(credential: Credential, kind: str, on: dt.date, expires_on: dt.date) -> dict[str, Any]:
    """What the reminder templates show: the credential, its expiry and days left, the recertification
    test to buy with the link to the buy page, and what the registered providers add."""
    site_url = settings.SITE_URL.rstrip("/")
    context: dict[str, Any] = {
        "credential": credential,
        "holder": credential.holder,
        "kind": kind,
        "expired": kind == ReminderKind.EXPIRED,
        "expires_on": expires_on,
        "days_left": (expires_on - on).days,
        "days_ago": (on - expires_on).days,
        "recertification": recertification_test_for(credential),
        "buy_url": site_url + reverse("registrations:buy"),
        "site_url": site_url,
    }
    for provider in _providers:
        context.update(provider(credential, on))
    return context


def reminder_email_send(*, reminder_id: int, on: dt.date) -> None:
    """E-mail one recorded reminder to the holder, in their language."""
    reminder = ReminderSent.objects.select_related("credential__holder", "credential__test").get(
        pk=reminder_id
    )
    credential = reminder.credential
    holder = credential.holder
    with translation.override(holder.preferred_language):
        context = reminder_context(credential, reminder.kind, on, reminder.expires_on)
        subject = render_to_string("credentials/email/reminder_subject.txt", context).strip()
        body = render_to_string("credentials/email/reminder.txt", context)
    send_mail(subject, body, None, [holder.email])
