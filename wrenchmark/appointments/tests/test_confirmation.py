"""The confirmation e-mail and its calendar invitation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from wrenchmark.appointments.ical import CalendarEvent, calendar_text, fold
from wrenchmark.appointments.services import appointment_book, appointment_cancel, appointment_reschedule
from wrenchmark.appointments.tests.conftest import DENVER, NOW, SLOT


def parse(text: str) -> list[tuple[str, str]]:
    """Content lines as (name with parameters, value), after checking CRLF endings and unfolding."""
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    physical = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in physical)
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return [tuple(line.split(":", 1)) for line in logical]  # type: ignore[misc]


def event_props(text: str) -> dict[str, str]:
    lines = parse(text)
    names = [name for name, _ in lines]
    assert names[0:1] == ["BEGIN"]
    assert lines[0][1] == "VCALENDAR"
    assert lines[-1] == ("END", "VCALENDAR")
    start, end = lines.index(("BEGIN", "VEVENT")), lines.index(("END", "VEVENT"))
    props = dict(lines[start + 1 : end])
    props["METHOD"] = dict(lines[:start])["METHOD"]
    return props


@pytest.mark.django_db
def test_booking_e_mails_a_confirmation_with_an_invitation_in_utc(
    now: Any,
    alice_a5: Any,
    dayton: Any,
    candidate_alice: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_book(
            registration=alice_a5, site=dayton, starts_at=SLOT, acting_user=candidate_alice
        )
    [mail] = mailoutbox
    assert mail.to == [candidate_alice.email]
    assert mail.subject == "A5 appointment confirmed: Dec. 1, 2026, 9 a.m. (EST)"
    assert "Dayton Testing Center, 1400 Wayne Ave, Dayton, OH" in mail.body
    [(filename, content, mimetype)] = mail.attachments
    assert filename == "appointment.ics"
    assert mimetype.startswith("text/calendar")
    props = event_props(content)
    assert props["METHOD"] == "REQUEST"
    assert props["UID"] == f"appointment-{appointment.pk}@127.0.0.1"
    assert props["DTSTAMP"] == "20261123T150000Z"
    assert props["DTSTART"] == "20261201T140000Z"  # 09:00 EST
    assert props["DTEND"] == "20261201T154500Z"  # + 30 minutes check-in + 75 minutes
    assert props["SUMMARY"].startswith("A5 ")
    assert props["LOCATION"] == "Dayton Testing Center\\, 1400 Wayne Ave\\, Dayton\\, OH"
    assert props["SEQUENCE"] == "0"


@pytest.mark.django_db
def test_a_move_and_a_cancellation_update_the_same_calendar_event(
    booked: Any, denver: Any, candidate_alice: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(
            appointment=booked,
            site=denver,
            starts_at=dt.datetime(2026, 12, 2, 8, 0, tzinfo=DENVER),
            acting_user=candidate_alice,
        )
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=booked, acting_user=candidate_alice)
    moved, cancelled = (event_props(m.attachments[0][1]) for m in mailoutbox)
    assert moved["UID"] == cancelled["UID"] == f"appointment-{booked.pk}@127.0.0.1"
    assert (moved["SEQUENCE"], moved["DTSTART"], moved["METHOD"]) == ("1", "20261202T150000Z", "REQUEST")
    assert (cancelled["SEQUENCE"], cancelled["STATUS"], cancelled["METHOD"]) == ("2", "CANCELLED", "CANCEL")
    assert "moved" in mailoutbox[0].subject
    assert "cancelled" in mailoutbox[1].subject


@pytest.mark.django_db
def test_the_confirmation_is_in_the_candidates_language(
    now: Any,
    alice_a5: Any,
    dayton: Any,
    candidate_alice: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    candidate_alice.preferred_language = "es"
    candidate_alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        appointment_book(registration=alice_a5, site=dayton, starts_at=SLOT, acting_user=candidate_alice)
    assert "1 de diciembre de 2026 a las 09:00 (EST)" in mailoutbox[0].subject
    assert mailoutbox[0].attachments[0][1].count("DTSTART:20261201T140000Z") == 1


def test_long_and_special_text_is_escaped_and_folded() -> None:
    text = calendar_text(
        CalendarEvent(
            uid="x@example.test",
            sequence=0,
            starts_at=NOW,
            ends_at=NOW + dt.timedelta(hours=1),
            summary="Ünïcode; commas, back\\slash " + "long " * 30,
            location="Line one\nline two",
        ),
        stamp=NOW,
    )
    props = event_props(text)
    assert props["SUMMARY"].startswith("Ünïcode\\; commas\\, back\\\\slash long")
    assert props["LOCATION"] == "Line one\\nline two"
    assert fold("a" * 75) == "a" * 75
    assert fold("a" * 76) == "a" * 75 + "\r\n a"
