"""Writes for forms and attempts: assembly, publishing, starting, saving, submitting, finalising.

The server's clock (``core.clock``) decides everything about time. A save is acknowledged only after
its transaction commits; it applies only if its sequence number is newer than the stored one, so a
retried or reordered save never overwrites a newer answer.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wrenchmark.accounts.models import Role, User
from wrenchmark.accounts.services import require_role
from wrenchmark.catalog.models import Test
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_record
from wrenchmark.core.exceptions import ApplicationError, Conflict, NotFound
from wrenchmark.exams.assembly import Assembler, stratified_random
from wrenchmark.exams.models import (
    Accommodation,
    AccommodationKind,
    AccommodationStatus,
    Admission,
    AdmissionSource,
    Attempt,
    AttemptStatus,
    CutMethod,
    ExamForm,
    FormItem,
    FormStatus,
    Response,
    ScoreReport,
)
from wrenchmark.itembank.services import version_freeze
from wrenchmark.scoring.models import Outcome as ResultOutcome
from wrenchmark.scoring.models import ResultSource
from wrenchmark.scoring.scales import REPORT_CUT, REPORT_MAX, REPORT_MIN, ScoredAnswer, score, table_fits
from wrenchmark.scoring.services import result_record

# Network allowance after the deadline for a save already on its way (reliability.md G3).
SAVE_GRACE = dt.timedelta(seconds=2)
# The letters the candidate sees an item's options under, in the order shown.
OPTION_LETTERS = ("A", "B", "C", "D")


@transaction.atomic
def form_assemble(
    *, test: Test, acting_user: User, seed: int | None = None, assembler: Assembler = stratified_random
) -> ExamForm:
    """Assemble a draft form of ``test`` from the bank; audited as ``form.assembled``."""
    require_role(acting_user, Role.PSYCHOMETRICIAN, Role.PROGRAM_ADMIN)
    seed = secrets.randbits(48) if seed is None else seed
    plan = assembler(test=test, rng=random.Random(seed))  # noqa: S311 - reproducible by design, not secret
    number = ExamForm.objects.filter(test=test).count() + 1
    form = ExamForm.objects.create(
        test=test,
        code=f"{test.code}-F{number:03d}",
        assembly_method=plan.method,
        assembly_seed=seed,
        created_by=acting_user,
    )
    FormItem.objects.bulk_create(
        FormItem(
            form=form,
            item=planned.item,
            version=planned.item.current_version,
            position=position,
            scored=planned.scored,
            area_letter=planned.item.current_version.area.letter,
        )
        for position, planned in enumerate(plan.items)
        if planned.item.current_version is not None
    )
    audit_record(
        action="form.assembled", target=form, actor=acting_user, data={"seed": seed, "items": len(plan.items)}
    )
    return form


@transaction.atomic
def form_set_cut(
    *,
    form: ExamForm,
    acting_user: User,
    raw: int | None = None,
    angoff_ratings: list[list[float]] | None = None,
    note: str = "",
) -> ExamForm:
    """Set the form's raw cut: directly (``note`` says how it was reached, e.g. carried from another
    form by equating), or from modified-Angoff ratings (raters x scored items, each the probability a
    minimally qualified candidate answers correctly; the cut is the rounded-up mean sum)."""
    require_role(acting_user, Role.PSYCHOMETRICIAN)
    form = ExamForm.objects.select_for_update().get(pk=form.pk)
    if form.status != FormStatus.DRAFT:
        raise Conflict("A published form's cut cannot change.", code="form_published")
    total = form.form_items.filter(scored=True).count()
    if angoff_ratings is not None:
        if not angoff_ratings or any(len(row) != total for row in angoff_ratings):
            raise ApplicationError(
                f"Each rater needs one rating per scored item ({total}).", code="angoff_shape"
            )
        if any(not 0 <= r <= 1 for row in angoff_ratings for r in row):
            raise ApplicationError("Angoff ratings are probabilities between 0 and 1.", code="angoff_range")
        expected = sum(sum(row) for row in angoff_ratings) / len(angoff_ratings)
        raw = max(1, min(total, int(-(-expected // 1))))
        form.cut_method = CutMethod.ANGOFF
        form.cut_note = (
            f"Modified Angoff: {len(angoff_ratings)} raters, mean expected score {expected:.2f} of {total}"
        )
    else:
        form.cut_method = CutMethod.RAW
        form.cut_note = note.strip() or "Raw cut set by the psychometrician"
    if raw is None or not 1 <= raw <= total:
        raise ApplicationError(f"The cut must be between 1 and {total}.", code="cut_range")
    form.cut_raw = raw
    form.scale_table = []  # a score table belongs to the cut it was made for
    form.save(update_fields=["cut_raw", "cut_method", "cut_note", "scale_table", "updated_at"])
    audit_record(
        action="form.cut_set", target=form, actor=acting_user, summary=form.cut_note, data={"cut": raw}
    )
    return form


@transaction.atomic
def form_set_scale(*, form: ExamForm, acting_user: User, table: list[int], note: str) -> ExamForm:
    """Give a draft form its own raw-to-scale table (the scaled score of each raw score 0..n). Refused
    unless it fits the form's cut (``scale_mismatch``): every raw score from the cut up at the passing
    scaled score or more, every lower one below it, non-decreasing, within the reporting scale."""
    require_role(acting_user, Role.PSYCHOMETRICIAN)
    form = ExamForm.objects.select_for_update().get(pk=form.pk)
    if form.status != FormStatus.DRAFT:
        raise Conflict("A published form's score scale cannot change.", code="form_published")
    total = form.form_items.filter(scored=True).count()
    if form.cut_raw is None or not table_fits(table, cut=form.cut_raw, total=total):
        raise ApplicationError(
            f"The table must give a scaled score for each raw score 0 to {total}, rising, from "
            f"{REPORT_MIN} to {REPORT_MAX}, reaching {REPORT_CUT} exactly at the cut.",
            code="scale_mismatch",
        )
    form.scale_table = [int(v) for v in table]
    form.save(update_fields=["scale_table", "updated_at"])
    audit_record(
        action="form.scale_set",
        target=form,
        actor=acting_user,
        summary=note,
        data={"table": form.scale_table},
    )
    return form


@transaction.atomic
def form_publish(*, form: ExamForm, acting_user: User) -> ExamForm:
    """Publish a form: its item versions freeze, and candidates can sit it. Needs a cut."""
    require_role(acting_user, Role.PSYCHOMETRICIAN, Role.PROGRAM_ADMIN)
    form = ExamForm.objects.select_for_update().get(pk=form.pk)
    if form.status != FormStatus.DRAFT:
        raise Conflict("Only a draft form can be published.", code="form_not_draft")
    if form.cut_raw is None:
        raise ApplicationError("Set the form's cut before publishing.", code="cut_missing")
    for form_item in form.form_items.select_related("version"):
        version_freeze(version=form_item.version)
    form.status = FormStatus.PUBLISHED
    form.published_at = clock.now()
    form.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(action="form.published", target=form, actor=acting_user)
    return form


def _option_order(form_item: FormItem, rng: random.Random) -> list[int]:
    options = list(form_item.version.options.all())
    movable = [o.position for o in options if not o.locked]
    rng.shuffle(movable)
    order, shuffled = [], iter(movable)
    for option in options:
        order.append(option.position if option.locked else next(shuffled))
    return order


@transaction.atomic
def attempt_start(
    *,
    candidate: User,
    form: ExamForm,
    session_key: str,
    time_multiplier: Decimal | None = None,
    language: str = "en",
    shuffle: bool = True,
) -> Attempt:
    """Start a timed attempt: the deadline is fixed now, on the server. Items and unlocked options are
    ordered per candidate. Audited as ``attempt.started``.

    Without an explicit ``time_multiplier`` the candidate's approved extra-time accommodation in force
    today applies (the largest, if several); the audit entry records which one."""
    if form.status != FormStatus.PUBLISHED:
        raise Conflict("This form is not open for sittings.", code="form_not_published")
    if Attempt.objects.filter(
        candidate=candidate, form__test=form.test, status=AttemptStatus.IN_PROGRESS
    ).exists():
        raise Conflict("You already have this test in progress.", code="attempt_in_progress")
    now = clock.now()
    admission = (
        Admission.objects.select_for_update()
        .filter(candidate=candidate, test=form.test, attempt__isnull=True, valid_until__gte=now)
        .order_by("admitted_at")
        .first()
    )
    if admission is None:
        raise Conflict(
            _("A proctor must check you in for %(code)s before the test can start.")
            % {"code": form.test.code},
            code="not_admitted",
        )
    rng = random.Random(secrets.randbits(64))  # noqa: S311 - seeded from secrets; order is not a secret
    form_items = list(form.form_items.select_related("version").prefetch_related("version__options"))
    order = [fi.pk for fi in form_items]
    if shuffle:
        rng.shuffle(order)
    accommodation = None
    if time_multiplier is None:
        accommodation = extra_time_in_force(candidate=candidate, on=timezone.localdate(now))
        time_multiplier = accommodation.time_multiplier if accommodation else Decimal(1)
    minutes = Decimal(form.test.minutes) * time_multiplier
    attempt = Attempt.objects.create(
        candidate=candidate,
        form=form,
        started_at=now,
        deadline=now + dt.timedelta(minutes=float(minutes)),
        time_multiplier=time_multiplier,
        item_order=order,
        option_orders={
            str(fi.pk): (
                _option_order(fi, rng) if shuffle else [o.position for o in fi.version.options.all()]
            )
            for fi in form_items
        },
        session_key=session_key,
        language=language,
    )
    admission.attempt = attempt
    admission.save(update_fields=["attempt", "updated_at"])
    audit_record(
        action="attempt.started",
        target=attempt,
        actor=candidate,
        data={
            "form": form.code,
            "deadline": attempt.deadline.isoformat(),
            "time_multiplier": str(time_multiplier),
            "accommodation": accommodation.pk if accommodation else None,
            "admission": admission.pk,
        },
    )
    return attempt


ADMISSION_VALIDITY = dt.timedelta(hours=2)


@transaction.atomic
def admission_grant(
    *, candidate: User, test: Test, acting_user: User, source: str = AdmissionSource.SITE
) -> Admission:
    """Admit ``candidate`` to start ``test`` within the next two hours (a proctor at check-in, or a
    program administrator); audited as ``attempt.admitted``. Eligibility and identity are the caller's
    checks (check-in)."""
    require_role(acting_user, Role.PROCTOR, Role.PROGRAM_ADMIN)
    if source not in AdmissionSource.values:
        raise ApplicationError(f"Unknown admission source {source!r}.", code="invalid_source")
    if candidate.pk == acting_user.pk:
        raise ApplicationError("A proctor cannot admit themselves.", code="own_admission")
    now = clock.now()
    admission = Admission.objects.create(
        candidate=candidate,
        test=test,
        source=source,
        admitted_by=acting_user,
        admitted_at=now,
        valid_until=now + ADMISSION_VALIDITY,
    )
    audit_record(
        action="attempt.admitted",
        target=admission,
        actor=acting_user,
        summary=f"{candidate.program_id} admitted to {test.code} ({source})",
        data={"candidate": candidate.program_id, "test": test.code, "source": source},
    )
    return admission


@transaction.atomic
def attempt_pause(*, attempt_id: int, acting_user: User, reason: str) -> Attempt:
    """A proctor pauses an attempt (an incident at the site): the clock stops and answers are refused
    until it resumes. Audited as ``attempt.paused``."""
    require_role(acting_user, Role.PROCTOR, Role.PROGRAM_ADMIN)
    if not reason.strip():
        raise ApplicationError("Say why the attempt is paused.", code="reason_required", field="reason")
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("form__test").get(pk=attempt_id)
    finalize_if_overdue(attempt)
    if not attempt.is_open:
        raise Conflict(_("This attempt has ended."), code="attempt_closed")
    if attempt.is_paused:
        raise Conflict("The attempt is already paused.", code="already_paused")
    attempt.paused_at = clock.now()
    attempt.save(update_fields=["paused_at", "updated_at"])
    audit_record(action="attempt.paused", target=attempt, actor=acting_user, summary=reason.strip()[:300])
    return attempt


@transaction.atomic
def attempt_resume(*, attempt_id: int, acting_user: User) -> Attempt:
    """Resume a paused attempt: the deadline moves by the time it was paused, so the candidate gets the
    time they had not used. Audited as ``attempt.resumed``."""
    require_role(acting_user, Role.PROCTOR, Role.PROGRAM_ADMIN)
    attempt = Attempt.objects.select_for_update().get(pk=attempt_id)
    if not attempt.is_open or attempt.paused_at is None:
        raise Conflict("Only a paused attempt can resume.", code="not_paused")
    now = clock.now()
    paused_for = now - attempt.paused_at
    attempt.deadline += paused_for
    attempt.paused_at = None
    attempt.save(update_fields=["deadline", "paused_at", "updated_at"])
    audit_record(
        action="attempt.resumed",
        target=attempt,
        actor=acting_user,
        data={"paused_seconds": int(paused_for.total_seconds()), "deadline": attempt.deadline.isoformat()},
    )
    return attempt


def extra_time_in_force(*, candidate: User, on: dt.date) -> Accommodation | None:
    """The candidate's approved extra-time accommodation that applies on ``on`` (the most generous)."""
    granted = Accommodation.objects.filter(
        candidate=candidate, kind=AccommodationKind.EXTRA_TIME, status=AccommodationStatus.APPROVED
    ).order_by("-time_multiplier", "-id")
    return next((a for a in granted if a.applies_on(on)), None)


ACCOMMODATION_DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
ACCOMMODATION_DOCUMENT_TYPES = {b"%PDF-": ".pdf", b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg"}


def _document_checked(document: UploadedFile) -> str:
    """The file's extension, from its first bytes (not its name); refuse anything but PDF, PNG or JPEG."""
    if document.size is not None and document.size > ACCOMMODATION_DOCUMENT_MAX_BYTES:
        raise ApplicationError(
            _("The document is larger than 5 MB."), code="document_too_large", field="document"
        )
    head = document.read(8)
    document.seek(0)
    for magic, extension in ACCOMMODATION_DOCUMENT_TYPES.items():
        if head.startswith(magic):
            return extension
    raise ApplicationError(
        _("Attach the document as a PDF, PNG or JPEG file."), code="document_type", field="document"
    )


def _check_extra_time(kind: str, time_multiplier: Decimal) -> None:
    """Extra time is a multiplier above 1 and at most 3 (triple time)."""
    if kind == AccommodationKind.EXTRA_TIME and not Decimal(1) < time_multiplier <= Decimal(3):
        raise ApplicationError(
            _("Extra time is a multiplier above 1 and at most 3."),
            code="invalid_multiplier",
            field="time_multiplier",
        )


@transaction.atomic
def accommodation_request(
    *,
    candidate: User,
    kind: str,
    note: str,
    document: UploadedFile | None,
    time_multiplier: Decimal = Decimal(1),
) -> Accommodation:
    """A candidate asks for an accommodation, with a note and a supporting document; a program
    administrator decides it (``accommodation_review``). Audited as ``accommodation.requested``."""
    if kind not in AccommodationKind.values:
        raise ApplicationError(_("Choose an accommodation."), code="invalid_kind", field="kind")
    _check_extra_time(kind, time_multiplier)
    if not note.strip():
        raise ApplicationError(_("Say what you need and why."), code="note_required", field="note")
    if document is None:
        raise ApplicationError(_("Attach a supporting document."), code="document_required", field="document")
    extension = _document_checked(document)
    if Accommodation.objects.filter(
        candidate=candidate, kind=kind, status=AccommodationStatus.REQUESTED
    ).exists():
        raise Conflict(
            _("You already have a request for this accommodation waiting."), code="already_requested"
        )
    accommodation = Accommodation(
        candidate=candidate,
        kind=kind,
        time_multiplier=time_multiplier if kind == AccommodationKind.EXTRA_TIME else Decimal(1),
        status=AccommodationStatus.REQUESTED,
        request_note=note.strip(),
        document_name=(document.name or "document")[:200],
    )
    accommodation.document.save(f"{secrets.token_hex(16)}{extension}", document, save=False)
    accommodation.save()
    audit_record(
        action="accommodation.requested",
        target=accommodation,
        actor=candidate,
        data={"kind": kind, "time_multiplier": str(accommodation.time_multiplier)},
    )
    return accommodation


@transaction.atomic
def accommodation_review(
    *,
    accommodation: Accommodation,
    approve: bool,
    acting_user: User,
    reason: str = "",
    valid_until: dt.date | None = None,
    time_multiplier: Decimal | None = None,
) -> Accommodation:
    """A program administrator approves (optionally changing the multiplier, with an end date) or denies
    (with a reason) a waiting request. Audited as ``accommodation.approved`` / ``accommodation.denied``."""
    require_role(acting_user, Role.PROGRAM_ADMIN)
    accommodation = Accommodation.objects.select_for_update().get(pk=accommodation.pk)
    if accommodation.status != AccommodationStatus.REQUESTED:
        raise Conflict(_("This request was already decided."), code="already_decided")
    if accommodation.candidate_id == acting_user.pk:
        raise ApplicationError(_("You cannot decide your own request."), code="own_request")
    if not approve and not reason.strip():
        raise ApplicationError(_("Say why the request is denied."), code="reason_required", field="reason")
    multiplier = accommodation.time_multiplier if time_multiplier is None else time_multiplier
    if approve:
        _check_extra_time(accommodation.kind, multiplier)
    if valid_until is not None and valid_until < clock.today():
        raise ApplicationError(
            _("The end date is in the past."), code="valid_until_past", field="valid_until"
        )
    accommodation.status = AccommodationStatus.APPROVED if approve else AccommodationStatus.DENIED
    accommodation.time_multiplier = multiplier
    accommodation.valid_until = valid_until
    accommodation.decided_by, accommodation.decided_at = acting_user, clock.now()
    accommodation.reason = reason.strip()
    accommodation.save()
    audit_record(
        action=f"accommodation.{accommodation.status}",
        target=accommodation,
        actor=acting_user,
        summary=reason.strip()[:300],
        data={"candidate": accommodation.candidate.program_id, "time_multiplier": str(multiplier)},
    )
    return accommodation


@transaction.atomic
def accommodation_decide(
    *,
    candidate: User,
    kind: str,
    approve: bool,
    acting_user: User,
    time_multiplier: Decimal = Decimal(1),
    valid_until: dt.date | None = None,
    reason: str = "",
) -> Accommodation:
    """Record a program administrator's decision on an accommodation; audited as ``accommodation.<status>``.

    Extra time needs a multiplier above 1 and at most 3 (triple time); a denial needs a reason."""
    require_role(acting_user, Role.PROGRAM_ADMIN)
    if kind not in AccommodationKind.values:
        raise ApplicationError(f"Unknown accommodation {kind!r}.", code="invalid_kind", field="kind")
    if approve:
        _check_extra_time(kind, time_multiplier)
    if not approve and not reason.strip():
        raise ApplicationError("Say why the accommodation is denied.", code="reason_required", field="reason")
    accommodation = Accommodation.objects.create(
        candidate=candidate,
        kind=kind,
        time_multiplier=time_multiplier if kind == AccommodationKind.EXTRA_TIME else Decimal(1),
        status=AccommodationStatus.APPROVED if approve else AccommodationStatus.DENIED,
        valid_until=valid_until,
        decided_by=acting_user,
        decided_at=clock.now(),
        reason=reason.strip(),
    )
    audit_record(
        action=f"accommodation.{accommodation.status}",
        target=accommodation,
        actor=acting_user,
        summary=reason.strip(),
        data={
            "candidate": candidate.program_id,
            "kind": kind,
            "time_multiplier": str(accommodation.time_multiplier),
        },
    )
    return accommodation


@dataclass(frozen=True)
class SaveAck:
    """What the server tells the client after a save: the sequence it holds and the time left."""

    form_item: int
    client_seq: int
    applied: bool
    remaining_ms: int


def _refusal(attempt: Attempt, session_key: str) -> Conflict | None:
    """Why ``attempt`` (locked, already finalised if overdue) takes no more answers, if it does not."""
    if attempt.status == AttemptStatus.TIMED_OUT:
        return Conflict(_("Time is up: the attempt ended at its deadline."), code="deadline_passed")
    if not attempt.is_open:
        return Conflict(_("This attempt has ended; answers can no longer change."), code="attempt_closed")
    if attempt.is_paused:
        return Conflict(_("The proctor has paused this test; the clock is stopped."), code="paused")
    if attempt.session_key and attempt.session_key != session_key:
        return Conflict(_("This attempt is open in another browser."), code="other_session")
    return None


def response_save(
    *,
    attempt_id: int,
    candidate: User,
    session_key: str,
    form_item_id: int,
    flagged: bool,
    client_seq: int,
    choice: int | None = None,
    letter: str | None = None,
    position: int | None = None,
) -> SaveAck:
    """Save one answer: ``choice`` is the option's position on the item, or ``letter`` the letter (A-D)
    the candidate saw it under on this attempt; with neither, the answer is cleared.

    Applies only if ``client_seq`` is newer than the stored one. After the deadline plus ``SAVE_GRACE``
    the save is refused (409) and the attempt is finalised at its deadline, which is committed even
    though the save is refused. The acknowledgement is returned after the commit.

    On PostgreSQL a save by letter (what the sitting page sends) is one statement, ``_response_upsert``.
    Whatever that statement does not write (a refused save, an item, letter or sequence number that is
    not valid, a sequence number that is not newer), and every save on other databases, takes the locked
    path, which finalises an overdue attempt and says why a save was refused."""
    if choice is not None and letter is not None:
        raise ValueError("Give the option's position or the letter shown, not both.")
    if (
        connection.vendor in _UPSERTS
        and choice is None
        and client_seq >= 1
        and (letter is None or letter in OPTION_LETTERS)
    ):
        ack = _UPSERTS[connection.vendor](
            attempt_id=attempt_id,
            candidate_id=candidate.pk,
            session_key=session_key,
            form_item_id=form_item_id,
            shown=None if letter is None else OPTION_LETTERS.index(letter),
            flagged=flagged,
            client_seq=client_seq,
            position=position,
        )
        if ack is not None:
            return ack
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().filter(pk=attempt_id, candidate=candidate).first()
        if attempt is None:
            raise NotFound("Not found.", code="attempt_not_found")
        if letter is not None:
            choice = _option_for_letter(attempt, form_item_id, letter)
        finalize_if_overdue(attempt)
        refusal = _refusal(attempt, session_key)
        if refusal is None:
            return _save(attempt, form_item_id, choice, flagged, client_seq, position)
    raise refusal


# One round trip for an acknowledged save on PostgreSQL. ``attempt`` holds a FOR SHARE lock on the
# attempt row until the statement commits: a finalisation (its claim is an UPDATE of that row) waits
# for the save to commit and then scores it, or commits first, and then the row no longer matches
# (status) and nothing is written. ``saved`` is the upsert guarded by the sequence number; ``moved``
# records the question the candidate is on, only when it changed. A row comes back only if the answer
# was written.
_UPSERT_POSTGRESQL = """
WITH attempt AS (
    SELECT id, deadline, option_orders -> %(item_key)s::text AS options
    FROM exams_attempt
    WHERE id = %(attempt)s AND candidate_id = %(candidate)s AND status = %(open)s
        AND paused_at IS NULL AND deadline >= %(cutoff)s AND (session_key = '' OR session_key = %(session)s)
    FOR SHARE
), saved AS (
    INSERT INTO exams_response AS response (attempt_id, form_item_id, choice, flagged, client_seq, saved_at)
    SELECT id, %(item)s, (options ->> %(shown)s::int)::smallint, %(flagged)s, %(seq)s, %(now)s
    FROM attempt
    WHERE options IS NOT NULL AND (%(shown)s::int IS NULL OR options ->> %(shown)s::int IS NOT NULL)
    ON CONFLICT (attempt_id, form_item_id) DO UPDATE
        SET choice = excluded.choice, flagged = excluded.flagged, client_seq = excluded.client_seq,
            saved_at = excluded.saved_at
        WHERE response.client_seq < excluded.client_seq
    RETURNING attempt_id
), moved AS (
    UPDATE exams_attempt SET current_position = %(position)s, updated_at = %(now)s
    WHERE id IN (SELECT attempt_id FROM saved)
        AND %(position)s::int BETWEEN 0 AND jsonb_array_length(item_order) - 1
        AND current_position <> %(position)s::int
)
SELECT deadline FROM attempt WHERE EXISTS (SELECT 1 FROM saved)
"""


def _response_upsert(
    *,
    attempt_id: int,
    candidate_id: int,
    session_key: str,
    form_item_id: int,
    shown: int | None,
    flagged: bool,
    client_seq: int,
    position: int | None,
) -> SaveAck | None:
    """Write one answer in a single statement (PostgreSQL), committed before this returns: the
    candidate's open attempt, bound to this session (or to none) and not past its deadline plus
    ``SAVE_GRACE``; the item on the attempt; ``shown`` (0-3, or None to clear) mapped to the option the
    candidate saw under that letter; applied only over an older sequence number.

    Returns None when nothing was written, for the locked path to decide."""
    now = clock.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT_POSTGRESQL,
            {
                "attempt": attempt_id,
                "candidate": candidate_id,
                "open": AttemptStatus.IN_PROGRESS.value,
                "cutoff": now - SAVE_GRACE,
                "session": session_key,
                "item": form_item_id,
                "item_key": str(form_item_id),
                "shown": shown,
                "flagged": flagged,
                "seq": client_seq,
                "now": now,
                "position": position,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return _written_ack(form_item_id, client_seq, row[0], now)


# The same save on SQLite, which has no data-modifying CTEs and no FOR SHARE: the upsert and the position
# are two statements in one transaction, and the transaction itself is the lock (the settings open every
# SQLite transaction IMMEDIATE, so a finalisation and a save never interleave). Datetimes are bound in
# the text form Django stores, so they compare as the ORM's do.
_UPSERT_SQLITE = """
INSERT INTO exams_response (attempt_id, form_item_id, choice, flagged, client_seq, saved_at)
SELECT id, %(item)s, json_extract(option_orders, %(choice_path)s), %(flagged)s, %(seq)s, %(now)s
FROM exams_attempt
WHERE id = %(attempt)s AND candidate_id = %(candidate)s AND status = %(open)s AND paused_at IS NULL
    AND deadline >= %(cutoff)s AND (session_key = '' OR session_key = %(session)s)
    AND json_type(option_orders, %(item_path)s) = 'array'
    AND (%(choice_path)s IS NULL OR json_extract(option_orders, %(choice_path)s) IS NOT NULL)
ON CONFLICT (attempt_id, form_item_id) DO UPDATE
    SET choice = excluded.choice, flagged = excluded.flagged, client_seq = excluded.client_seq,
        saved_at = excluded.saved_at
    WHERE exams_response.client_seq < excluded.client_seq
RETURNING (SELECT deadline FROM exams_attempt WHERE id = %(attempt)s)
"""
_MOVE_SQLITE = """
UPDATE exams_attempt SET current_position = %(position)s, updated_at = %(now)s
WHERE id = %(attempt)s AND current_position <> %(position)s
    AND %(position)s BETWEEN 0 AND json_array_length(item_order) - 1
"""


def _response_upsert_sqlite(
    *,
    attempt_id: int,
    candidate_id: int,
    session_key: str,
    form_item_id: int,
    shown: int | None,
    flagged: bool,
    client_seq: int,
    position: int | None,
) -> SaveAck | None:
    """``_response_upsert`` for SQLite: two statements in one (IMMEDIATE) transaction; None when nothing
    was written, for the locked path to decide."""
    now = clock.now()
    ops = connection.ops
    item_path = f'$."{form_item_id}"'
    params: dict[str, Any] = {
        "attempt": attempt_id,
        "candidate": candidate_id,
        "open": AttemptStatus.IN_PROGRESS.value,
        "cutoff": ops.adapt_datetimefield_value(now - SAVE_GRACE),
        "session": session_key,
        "item": form_item_id,
        "item_path": item_path,
        "choice_path": None if shown is None else f"{item_path}[{shown}]",
        "flagged": flagged,
        "seq": client_seq,
        "now": ops.adapt_datetimefield_value(now),
        "position": position,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_UPSERT_SQLITE, params)
        row = cursor.fetchone()
        if row is None:
            return None
        if position is not None:
            cursor.execute(_MOVE_SQLITE, params)
    deadline = Attempt._meta.get_field("deadline").to_python(row[0])
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline, dt.UTC)
    return _written_ack(form_item_id, client_seq, deadline, now)


def _written_ack(form_item_id: int, client_seq: int, deadline: dt.datetime, now: dt.datetime) -> SaveAck:
    """The acknowledgement of a save a single-statement upsert wrote: its sequence, the time left."""
    remaining = max(dt.timedelta(0), deadline - now)
    return SaveAck(form_item_id, client_seq, True, int(remaining.total_seconds() * 1000))


_UPSERTS = {"postgresql": _response_upsert, "sqlite": _response_upsert_sqlite}


def _option_for_letter(attempt: Attempt, form_item_id: int, letter: str) -> int:
    """The option the candidate saw under ``letter`` for this item on ``attempt``."""
    if letter not in OPTION_LETTERS:
        raise ApplicationError("Choose A, B, C or D.", code="invalid_choice")
    order = attempt.option_orders.get(str(form_item_id))
    if order is None:
        raise ApplicationError("That question is not on this attempt.", code="unknown_item")
    return int(order[OPTION_LETTERS.index(letter)])


def _save(
    attempt: Attempt,
    form_item_id: int,
    choice: int | None,
    flagged: bool,
    client_seq: int,
    position: int | None,
) -> SaveAck:
    now = clock.now()
    if form_item_id not in attempt.item_order:
        raise ApplicationError("That question is not on this attempt.", code="unknown_item")
    if choice is not None and choice not in attempt.option_orders.get(str(form_item_id), []):
        raise ApplicationError("Choose one of the four options.", code="invalid_choice")
    if client_seq < 1:
        raise ApplicationError("Sequence numbers start at 1.", code="invalid_seq")
    existing = Response.objects.filter(attempt=attempt, form_item_id=form_item_id).first()
    if existing is None:
        Response.objects.create(
            attempt=attempt,
            form_item_id=form_item_id,
            choice=choice,
            flagged=flagged,
            client_seq=client_seq,
            saved_at=now,
        )
        stored, applied = client_seq, True
    elif client_seq > existing.client_seq:
        existing.choice, existing.flagged, existing.client_seq, existing.saved_at = (
            choice,
            flagged,
            client_seq,
            now,
        )
        existing.save(update_fields=["choice", "flagged", "client_seq", "saved_at"])
        stored, applied = client_seq, True
    else:
        stored, applied = existing.client_seq, False
    if (
        position is not None
        and 0 <= position < len(attempt.item_order)
        and position != attempt.current_position
    ):
        attempt.current_position = position
        attempt.save(update_fields=["current_position", "updated_at"])
    return SaveAck(form_item_id, stored, applied, int(attempt.remaining(now).total_seconds() * 1000))


def refusal_for(attempt: Attempt, session_key: str) -> Conflict | None:
    """Public form of the refusal check, for read paths (showing a question)."""
    return _refusal(attempt, session_key)


@transaction.atomic
def attempt_touch(*, attempt_id: int) -> None:
    """Finalise the attempt now if its time ran out (every access does this, so no cron is needed)."""
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("form__test").get(pk=attempt_id)
    finalize_if_overdue(attempt)


@transaction.atomic
def attempt_take_over(*, attempt_id: int, candidate: User, session_key: str) -> Attempt:
    """Move an open attempt to this browser session; the other session's saves are refused from now on.
    Audited as ``attempt.taken_over``."""
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("form__test")
        .get(pk=attempt_id, candidate=candidate)
    )
    finalize_if_overdue(attempt)
    if not attempt.is_open:
        raise Conflict(_("This attempt has ended."), code="attempt_closed")
    if not session_key:
        raise ApplicationError("Sign in again to continue.", code="no_session")
    previous = attempt.session_key
    attempt.session_key = session_key
    attempt.save(update_fields=["session_key", "updated_at"])
    audit_record(
        action="attempt.taken_over", target=attempt, actor=candidate, data={"had_session": bool(previous)}
    )
    return attempt


def finalize_if_overdue(attempt: Attempt, *, force: bool = False) -> bool:
    """Finalise ``attempt`` (locked by the caller) if its time ran out: finished at its deadline."""
    now = clock.now()
    if attempt.is_open and (force or (not attempt.is_paused and now > attempt.deadline + SAVE_GRACE)):
        _finalize(attempt, status=AttemptStatus.TIMED_OUT, finished_at=attempt.deadline)
        return True
    return False


@transaction.atomic
def attempt_submit(*, attempt_id: int, candidate: User, session_key: str) -> ScoreReport:
    """Submit and score; submitting again returns the same report. After the deadline (plus grace) the
    attempt is finalised at its deadline instead."""
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("form__test")
        .get(pk=attempt_id, candidate=candidate)
    )
    if not attempt.is_open:
        return attempt.score_report
    refusal = _refusal(attempt, session_key)
    if refusal is not None:
        raise refusal
    now = clock.now()
    if now > attempt.deadline + SAVE_GRACE:
        return _finalize(attempt, status=AttemptStatus.TIMED_OUT, finished_at=attempt.deadline)
    return _finalize(attempt, status=AttemptStatus.SUBMITTED, finished_at=min(now, attempt.deadline))


def _finalize(attempt: Attempt, *, status: str, finished_at: dt.datetime) -> ScoreReport:
    """Score and close ``attempt`` exactly once: the first caller claims it with a conditional update
    (whatever the database's locking), any other gets the report the first one wrote."""
    claimed = Attempt.objects.filter(pk=attempt.pk, status=AttemptStatus.IN_PROGRESS).update(
        status=status, finished_at=finished_at, updated_at=clock.now()
    )
    if claimed != 1:
        attempt.refresh_from_db()
        return ScoreReport.objects.get(attempt=attempt)
    attempt.status, attempt.finished_at = status, finished_at
    form = attempt.form
    assert form.cut_raw is not None
    responses = {r.form_item_id: r.choice for r in attempt.responses.all()}
    form_items = list(form.form_items.prefetch_related("version__options"))
    keys = {fi.pk: next(o.position for o in fi.version.options.all() if o.is_key) for fi in form_items}
    outcome = score(
        answers=[
            ScoredAnswer(fi.area_letter, fi.scored, responses.get(fi.pk) == keys[fi.pk]) for fi in form_items
        ],
        cut=form.cut_raw,
        areas=[a.letter for a in form.test.content_areas.all()],
        table=form.scale_table,
    )
    result = result_record(
        candidate=attempt.candidate,
        test=form.test,
        taken_on=timezone.localdate(finished_at),
        outcome=ResultOutcome.PASS if outcome.passed else ResultOutcome.FAIL,
        source=ResultSource.ATTEMPT,
        acting_user=None,
    )
    names = {a.letter: a.name for a in form.test.content_areas.all()}
    report = ScoreReport.objects.create(
        attempt=attempt,
        raw=outcome.raw,
        scored_total=outcome.total,
        cut_raw=outcome.cut,
        scaled=outcome.scaled,
        passed=outcome.passed,
        subscores=[
            {"letter": s.letter, "name": names.get(s.letter, ""), "correct": s.correct, "total": s.total}
            for s in outcome.subscores
        ],
        computed_at=clock.now(),
        result=result,
    )
    transaction.on_commit(lambda: result_email_send(report_id=report.pk))
    audit_record(
        action=f"attempt.{status}",
        target=attempt,
        actor=attempt.candidate,
        summary=f"{form.code}: {outcome.raw}/{outcome.total}, scaled {outcome.scaled}, {'pass' if outcome.passed else 'fail'}",
        data={"finished_at": finished_at.isoformat(), "raw": outcome.raw, "scaled": outcome.scaled},
    )
    return report


def result_email_send(*, report_id: int) -> None:
    """E-mail the candidate their result, in their language (runs after the result is committed).
    Simulated candidates have no mailbox: nothing is sent to them."""
    report = ScoreReport.objects.select_related("attempt__candidate", "attempt__form__test").get(pk=report_id)
    candidate = report.attempt.candidate
    if candidate.is_simulated:
        return
    context = {
        "report": report,
        "test": report.attempt.form.test,
        "candidate": candidate,
        "site_url": settings.SITE_URL.rstrip("/"),
        "report_path": reverse("exams:report", args=[report.attempt_id]),
    }
    with translation.override(candidate.preferred_language):
        subject = render_to_string("exams/email/result_subject.txt", context).strip()
        body = render_to_string("exams/email/result.txt", context)
    send_mail(subject, body, None, [candidate.email])


def attempts_finalize_overdue() -> int:
    """Finalise every attempt whose time ran out, each at its deadline; safe to run any number of times."""
    done = 0
    overdue = Attempt.objects.filter(
        status=AttemptStatus.IN_PROGRESS, paused_at__isnull=True, deadline__lt=clock.now() - SAVE_GRACE
    )
    for attempt_id in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update(of=("self",))
                .select_related("form__test")
                .get(pk=attempt_id)
            )
            if finalize_if_overdue(attempt):
                done += 1
    return done
