from __future__ import annotations

from dataclasses import replace

import pytest

from wrenchmark.itembank.content import ExhibitSpec, ItemSpec, OptionSpec
from wrenchmark.itembank.linting import ERROR, WARNING, lint_bank, lint_item

GOOD = ItemSpec(
    external_id="A5-0001",
    test="A5",
    pool="operational",
    area="C",
    task="",
    style="most_likely",
    stem="A sedan pulses under hard braking. Which of these is the MOST likely cause?",
    options=[
        OptionSpec("Rotor thickness variation", "Pads follow the uneven rotor.", True),
        OptionSpec("Glazed brake pads", "Glazing lowers friction only."),
        OptionSpec("Air in the brake lines", "Air makes a spongy pedal."),
        OptionSpec("A weak brake booster", "A weak booster raises effort."),
    ],
    exhibit=None,
    references=["Disc brake rotor inspection"],
    keywords=[],
    enemies=[],
    author="w",
    reviews=[],
    translations=[],
    state="approved",
    line=1,
    path="A5.yaml",
)


def codes(spec: ItemSpec) -> set[str]:
    return {f.code for f in lint_item(spec)}


def test_a_sound_item_has_no_findings() -> None:
    assert lint_item(GOOD) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"options": [replace(o, is_key=True) for o in GOOD.options]}, "one_key"),
        ({"options": GOOD.options[:3]}, "four_options"),
        (
            {"options": [*GOOD.options[:3], OptionSpec("rotor thickness variation!", "dup", False)]},
            "distinct_options",
        ),
        ({"options": [*GOOD.options[:3], OptionSpec("All of the above", "x", False)]}, "all_none_above"),
        ({"options": [*GOOD.options[:3], OptionSpec("None of these", "x", False)]}, "all_none_above"),
        ({"options": [replace(GOOD.options[0], rationale=""), *GOOD.options[1:]]}, "rationale_missing"),
        (
            {"stem": "A sedan pulses. Which of these is least likely to cause it?", "style": "least_likely"},
            "negative_caps",
        ),
        ({"stem": "All of these can cause a pulsation except:", "style": "except"}, "negative_caps"),
        ({"stem": "A sedan pulses. Which is the cause?", "style": "most_likely"}, "style_stem"),
        ({"stem": "Technician A says rotors. Who is correct?", "style": "tech_ab"}, "style_stem"),
        ({"exhibit": ExhibitSpec("table", "Readings", "", columns=["a"], rows=[["1"]])}, "exhibit_alt"),
    ],
)
def test_each_rule_reports_its_error(change: dict[str, object], code: str) -> None:
    found = lint_item(replace(GOOD, **change))
    assert code in {f.code for f in found if f.severity == ERROR}


def test_a_conspicuously_long_key_and_missing_references_are_warnings() -> None:
    long_key = replace(
        GOOD.options[0],
        text="Excessive lateral runout combined with thickness variation from uneven pad deposits",
    )
    found = lint_item(replace(GOOD, options=[long_key, *GOOD.options[1:]], references=[]))
    assert {(f.code, f.severity) for f in found} == {("key_longest", WARNING), ("references", WARNING)}


def test_negative_words_in_the_scenario_itself_are_fine() -> None:
    stem = "The engine does not start and the lights dim. Which of these is the MOST likely cause?"
    assert "negative_caps" not in codes(replace(GOOD, stem=stem))


def test_the_bank_flags_near_duplicates_and_key_imbalance() -> None:
    twin = replace(GOOD, external_id="A5-0002", stem=GOOD.stem.replace("pulses", "pulses,"))
    different = [
        replace(
            GOOD,
            external_id=f"A5-{n:04d}",
            stem=f"Scenario number {n} about caliper {n * 7} and hose {n * 3}. Which is the MOST likely cause?",
        )
        for n in range(3, 30)
    ]
    found = lint_bank([GOOD, twin, *different])
    duplicates = [f for f in found if f.code == "near_duplicate"]
    assert [(f.item, f.severity) for f in duplicates] == [("A5-0002", ERROR)]
    balance = [f for f in found if f.code == "key_balance"]
    assert balance
    assert all(f.severity == WARNING for f in balance)
