"""A writer drafts an item with a wiring diagram; two reviewers approve it; the QTI 3.0 export validates."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from lxml import etree

from conftest import PASSWORD, SHARED
from tests.e2e.test_experience_approval import ARTIFACTS, log_in, log_out
from wrenchmark.accounts.models import Role
from wrenchmark.itembank.models import Item, ItemState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIRING = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 420 160">
<rect x="10" y="60" width="60" height="40" fill="none" stroke="#000"/><text x="18" y="85" font-size="12">Battery</text>
<line x1="70" y1="70" x2="180" y2="70" stroke="#c00" stroke-width="3"/><text x="95" y="62" font-size="11">RED 2.0</text>
<rect x="180" y="55" width="50" height="30" fill="none" stroke="#000"/><text x="186" y="75" font-size="11">F12 15A</text>
<line x1="230" y1="70" x2="330" y2="70" stroke="#c00" stroke-width="3"/>
<circle cx="350" cy="80" r="20" fill="none" stroke="#000"/><text x="340" y="85" font-size="12">M</text>
<line x1="350" y1="100" x2="350" y2="140" stroke="#000" stroke-width="3"/><text x="358" y="135" font-size="11">G101</text>
<text x="240" y="110" font-size="12">V: 12.4 V at motor feed</text></svg>"""


def test_a_writer_drafts_an_item_with_a_diagram_two_reviewers_approve_and_the_export_validates(
    page: Any, catalog: Any, make_user: Any, tmp_path: Path
) -> None:
    writer = make_user("Wanda", "Writer", roles=(Role.ITEM_WRITER,))
    first = make_user("Rene", "Reviewer", roles=(Role.ITEM_REVIEWER,))
    second = make_user("Ravi", "Reviewer", roles=(Role.ITEM_REVIEWER,))

    log_in(page, writer.email, PASSWORD)
    page.get_by_role("link", name="Item bank").click()
    page.get_by_role("link", name="Write an item").click()
    page.locator("#id_test").select_option(label="A6 Electrical/Electronic Systems")
    page.locator("#id_area").select_option(label="A6 E. Body Electrical Systems Diagnosis and Repair")
    page.locator("#id_style").select_option(value="most_likely")
    page.locator("#id_stem").fill(
        "The blower motor does not run at any speed. Refer to the diagram: 12.4 V is measured at the motor feed "
        "with the switch on. Which of these is the MOST likely cause?"
    )
    options = [
        ("An open motor ground at G101", "Feed voltage is present, so the ground path is open."),
        ("A blown fuse F12", "A blown fuse would leave no voltage at the motor feed."),
        ("A discharged battery", "12.4 V at the feed shows the battery supplies the circuit."),
        ("An open blower switch", "An open switch would leave no voltage at the motor feed."),
    ]
    for index, (text, why) in enumerate(options):
        page.locator(f"#id_option_{index}").fill(text)
        page.locator(f"#id_rationale_{index}").fill(why)
    page.locator("input[name=key][value='0']").check()
    page.locator("#id_exhibit_choice").select_option(value="svg")
    page.locator("#id_exhibit_file").set_input_files(
        files=[{"name": "blower.svg", "mimeType": "image/svg+xml", "buffer": WIRING}]
    )
    page.locator("#id_exhibit_title").fill("Blower motor circuit")
    page.locator("#id_exhibit_alt").fill(
        "Wiring diagram: battery positive, red wire to fuse F12 15 A, on to the blower motor; motor ground wire to G101. "
        "A voltmeter reads 12.4 V at the motor feed with the switch on."
    )
    page.locator("#id_references").fill("Blower motor circuit diagnosis")
    preview = page.locator("#item-preview")
    preview.get_by_text("V: 12.4 V at motor feed").wait_for()
    preview.get_by_text("The linter finds nothing to fix.").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "item-editor.png"), full_page=True)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/items/\d+/$"))
    page.get_by_role("button", name="Send to the review panel").click()
    assert page.get_by_test_id("item-state").inner_text() == "In review"
    item = Item.objects.get()
    log_out(page)

    for reviewer in (first, second):
        log_in(page, reviewer.email, PASSWORD)
        page.goto("/items/review/")
        page.get_by_role("link", name=item.external_id).click()
        page.get_by_label("Approve").check()
        page.get_by_label("Comment").first.fill(
            "Voltage at the feed with no operation points to the ground side; key correct."
        )
        page.get_by_role("button", name="Record review").click()
        page.get_by_text("Review recorded").wait_for()
        log_out(page)
    item.refresh_from_db()
    assert item.state == ItemState.APPROVED

    out = tmp_path / "bank.zip"
    call_command("itembank_export", str(out), "--format", "qti3", "--test", "A6", stdout=io.StringIO())
    schema = etree.XMLSchema(
        etree.parse(
            str(SHARED / "validators" / "qti" / "xsd" / "qtiv3p0" / "imsqti_asiv3p0_sbacv1p0_v1p0.xsd")
        )
    )
    with zipfile.ZipFile(out) as package:
        document = etree.parse(io.BytesIO(package.read(f"items/{item.external_id}.xml")))
        assert schema.validate(document), [str(e) for e in schema.error_log]
        assert b"G101" in package.read(f"items/exhibits/{item.external_id}.svg")
