from __future__ import annotations

from typing import Any

import pytest

from wrenchmark.core.exceptions import ApplicationError, Conflict, PermissionDenied
from wrenchmark.core.models import AuditEvent
from wrenchmark.itembank.models import ExhibitKind, ItemState
from wrenchmark.itembank.services import (
    exhibit_create,
    item_review,
    item_submit,
    item_transition,
    item_update,
    tech_ab_content_options,
    version_freeze,
)
from wrenchmark.itembank.tests.conftest import brake_content

pytestmark = pytest.mark.django_db


def approve(item: Any, *reviewers: Any) -> Any:
    for reviewer in reviewers:
        item_review(
            item=item, decision="approve", comment="Key and distractors checked.", acting_user=reviewer
        )
    item.refresh_from_db()
    return item


def test_an_item_is_approved_by_two_reviewers_who_are_not_its_author(
    make_item: Any, writer_walt: Any, reviewer_rita: Any, reviewer_rob: Any
) -> None:
    item = make_item()
    assert item.state == ItemState.DRAFT
    assert item.external_id == "A5-0001"
    item_submit(item=item, acting_user=writer_walt)
    approve(item, reviewer_rita)
    assert item.state == ItemState.IN_REVIEW
    with pytest.raises(Conflict):
        approve(item, reviewer_rita)
    approve(item, reviewer_rob)
    assert item.state == ItemState.APPROVED
    actions = list(
        AuditEvent.objects.filter(target_id=str(item.pk), target_type="itembank.item").values_list(
            "action", flat=True
        )
    )
    assert {"item.created", "item.submitted", "item.reviewed", "item.approved"} <= set(actions)


def test_authors_and_other_roles_cannot_review(
    make_item: Any, writer_walt: Any, candidate_alice: Any
) -> None:
    item = make_item()
    item_submit(item=item, acting_user=writer_walt)
    with pytest.raises(PermissionDenied):
        item_review(item=item, decision="approve", comment="mine", acting_user=writer_walt)
    with pytest.raises(PermissionDenied):
        item_review(item=item, decision="approve", comment="ok", acting_user=candidate_alice)


def test_rework_sends_the_item_back_with_the_reason_and_review_restarts_on_the_new_version(
    make_item: Any, a5: Any, writer_walt: Any, reviewer_rita: Any, reviewer_rob: Any
) -> None:
    item = make_item()
    item_submit(item=item, acting_user=writer_walt)
    approve(item, reviewer_rita)
    item_review(
        item=item, decision="rework", comment="Option D duplicates the key.", acting_user=reviewer_rob
    )
    item.refresh_from_db()
    assert item.state == ItemState.NEEDS_REWORK
    item_update(item=item, content=brake_content(a5, key=1), acting_user=writer_walt, change_note="Key moved")
    item_submit(item=item, acting_user=writer_walt)
    approve(item, reviewer_rob)
    assert item.state == ItemState.IN_REVIEW, "Rita's approval was for the previous version"
    approve(item, reviewer_rita)
    assert item.state == ItemState.APPROVED
    assert item.versions.count() == 2


def test_a_used_version_is_frozen_and_an_edit_makes_a_new_version_for_review(
    make_item: Any, a5: Any, writer_walt: Any, reviewer_rita: Any, reviewer_rob: Any
) -> None:
    item = make_item()
    item_submit(item=item, acting_user=writer_walt)
    approve(item, reviewer_rita, reviewer_rob)
    first = item.current_version
    version_freeze(version=first)
    new = item_update(
        item=item, content=brake_content(a5, key=2), acting_user=writer_walt, change_note="Moved key"
    )
    item.refresh_from_db()
    first.refresh_from_db()
    assert new.number == 2
    assert item.current_version == new
    assert item.state == ItemState.DRAFT
    assert first.frozen
    assert [o.is_key for o in first.options.all()] == [True, False, False, False]
    unchanged = item_update(item=item, content=brake_content(a5, key=2), acting_user=writer_walt)
    assert unchanged == new


def test_the_linter_blocks_submission(make_item: Any, writer_walt: Any) -> None:
    item = make_item(stem="Which of these is least likely to cause a pulsating pedal?")
    with pytest.raises(ApplicationError) as caught:
        item_submit(item=item, acting_user=writer_walt)
    assert caught.value.code == "lint_errors"
    assert "negative_caps" in caught.value.extra["findings"]
    item.refresh_from_db()
    assert item.state == ItemState.DRAFT


def test_life_cycle_transitions_are_checked_and_audited(
    make_item: Any, writer_walt: Any, reviewer_rita: Any, reviewer_rob: Any, psychometrician_sam: Any
) -> None:
    item = make_item()
    with pytest.raises(Conflict):
        item_transition(item=item, to_state=ItemState.OPERATIONAL, acting_user=psychometrician_sam)
    item_submit(item=item, acting_user=writer_walt)
    approve(item, reviewer_rita, reviewer_rob)
    item_transition(item=item, to_state=ItemState.PRETEST, acting_user=psychometrician_sam)
    item_transition(item=item, to_state=ItemState.OPERATIONAL, acting_user=psychometrician_sam)
    with pytest.raises(ApplicationError):
        item_transition(item=item, to_state=ItemState.RETIRED, acting_user=psychometrician_sam)
    item_transition(
        item=item, to_state=ItemState.RETIRED, acting_user=psychometrician_sam, reason="Outdated system"
    )
    item.refresh_from_db()
    assert item.state == ItemState.RETIRED
    assert AuditEvent.objects.filter(action="item.retired", target_id=str(item.pk)).exists()
    with pytest.raises(Conflict):
        item_update(item=item, content=brake_content(item.test), acting_user=writer_walt)


@pytest.mark.parametrize(
    ("pool", "first_id", "code"),
    [("practice", "A5-P001", "practice_item"), ("renewal", "A5-R001", "renewal_item")],
)
def test_practice_and_renewal_items_never_go_on_forms(
    make_item: Any,
    writer_walt: Any,
    reviewer_rita: Any,
    reviewer_rob: Any,
    psychometrician_sam: Any,
    pool: str,
    first_id: str,
    code: str,
) -> None:
    item = make_item(pool=pool)
    assert item.external_id == first_id
    item_submit(item=item, acting_user=writer_walt)
    approve(item, reviewer_rita, reviewer_rob)
    for state in (ItemState.PRETEST, ItemState.OPERATIONAL):
        with pytest.raises(Conflict) as refused:
            item_transition(item=item, to_state=state, acting_user=psychometrician_sam)
        assert refused.value.code == code


def test_uploaded_svg_is_sanitised_and_hostile_svg_refused(writer_walt: Any) -> None:
    dirty = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
        b'<script>alert(1)</script><rect width="4" height="4" onclick="steal()" fill="url(https://evil.example/x)"/>'
        b'<image xlink:href="https://evil.example/p.png"/><use xlink:href="#r"/><text x="1" y="8">12.6 V</text></svg>'
    )
    exhibit = exhibit_create(
        kind=ExhibitKind.SVG,
        title="Meter",
        alt="A meter reading 12.6 volts.",
        data=dirty,
        acting_user=writer_walt,
    )
    for banned in ("script", "onclick", "evil.example", "<image", "alert"):
        assert banned not in exhibit.svg
    assert "12.6 V" in exhibit.svg
    assert 'href="#r"' in exhibit.svg
    bomb = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
    with pytest.raises(ApplicationError) as caught:
        exhibit_create(kind=ExhibitKind.SVG, title="x", alt="x", data=bomb, acting_user=writer_walt)
    assert caught.value.code == "svg_refused"
    with pytest.raises(ApplicationError):
        exhibit_create(kind=ExhibitKind.SVG, title="x", alt="", data=dirty, acting_user=writer_walt)


def test_tech_ab_options_are_fixed_and_locked() -> None:
    options = tech_ab_content_options("neither", {"a_only": "a", "b_only": "b", "both": "c", "neither": "d"})
    assert [o.text for o in options] == ["A only", "B only", "Both A and B", "Neither A nor B"]
    assert all(o.locked for o in options)
    assert [o.is_key for o in options] == [False, False, False, True]
