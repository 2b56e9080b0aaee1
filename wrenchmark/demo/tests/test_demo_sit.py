from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_demo_sit_drives_a_whole_sitting_and_reports_the_credential(
    published_form: Any, candidate_alice: Any, proctor_bob: Any
) -> None:
    out = StringIO()
    call_command(
        "demo_sit",
        "--test",
        "A5",
        "--candidate",
        candidate_alice.program_id,
        "--answers",
        "correct",
        "--json",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert (result["raw"], result["scored"], result["scaled"], result["passed"]) == (45, 45, 500, True)
    assert result["credential_status"] == "awaiting_experience"
    assert sum(s["total"] for s in result["subscores"]) == 45


def test_demo_sit_says_what_is_wrong(catalog: Any, candidate_alice: Any) -> None:
    with pytest.raises(CommandError, match="has no published form"):
        call_command("demo_sit", "--test", "A5", "--candidate", candidate_alice.email)
    with pytest.raises(CommandError, match="no candidate"):
        call_command("demo_sit", "--test", "A5", "--candidate", "nobody@example.test")
