"""A small, valid catalog file for the loader tests, and helpers to write broken variants of it.

The program code is ``tst`` so loading it never disturbs the shipped ASE and Northwind editions.
"""

from __future__ import annotations

from pathlib import Path

MINIMAL = """\
format: wrenchmark-catalog/1
program:
  code: tst
  name: Test Program
  short_name: TST
  experience_areas:
    - {code: shop, name: Shop repair}
edition:
  code: tst-2030
  title: Test catalog, 2030
  effective_from: 2030-01-01
  effective_to: 2031-01-01
sources:
  T1: {title: "Invented for tests", url: null, grade: A}
  T2: {title: "A prep site", grade: C}
policies:
  validity_years: {value: 5, source: [T1], confidence: A}
  retake_wait_days: {value: 30, source: [T1], confidence: A}
  purchase_window_days: {value: 90, source: [T1], confidence: A}
  expiring_notice_days: {value: 60, source: [], confidence: policy, note: "chosen for tests"}
  reschedule_cutoff_days: {value: 3, source: [T1], confidence: A}
fees:
  currency: USD
  registration_per_order: {value: "36.00", source: [T1], confidence: A}
  test: {value: "33.00", source: [T1], confidence: A}
  advanced_test: {value: "66.00", source: [T1], confidence: A}
  recertification_cap: {value: "99.00", source: [T1], confidence: A}
experience_requirements:
  - code: shop-2y
    name: Two years in the shop
    months: 24
    training_max_months: 12
    areas: [shop]
    source: [T1]
    confidence: A
series:
  - code: Q
    name: Quick Series
    source: [T1]
    confidence: A
    tests:
      - code: Q1
        name: Engines
        scored: 10
        unscored: 2
        minutes: 30
        languages: [en, es]
        advanced: false
        experience: shop-2y
        blueprint_status: complete
        content_areas:
          - {letter: A, name: Diagnosis, questions: 6}
          - {letter: B, name: Repair, questions: 4}
        prerequisites: []
        recertification:
          code: Q1R
          name: Engines Recertification
          scored: 5
          unscored: 0
          minutes: 15
          remote: true
      - code: Q2
        name: Brakes
        scored: {value: 8, source: [T2], confidence: C, note: "prep site"}
        unscored: 0
        minutes: 20
        languages: [en]
        blueprint_status: partial
        content_areas:
          - {letter: A, name: Hydraulics, questions: null}
        prerequisites:
          - {kind: passed, any_of: [Q1]}
  - code: Z
    name: Advanced
    source: [T1]
    confidence: B
    tests:
      - code: Z1
        name: Advanced Diagnosis
        scored: 12
        unscored: 0
        minutes: 60
        languages: [en]
        advanced: true
        experience: shop-2y
        blueprint_status: provisional
        prerequisites:
          - {kind: current, any_of: [Q1, Q2]}
designations:
  - code: master-tst
    name: Master Test Technician
    kind: master
    all_of: [Q1, Q2]
    any_of: [Z1]
    min_any: 1
    source: [T1]
    confidence: A
"""


def mutate(text: str, old: str, new: str) -> str:
    """Replace the one occurrence of ``old`` in ``text`` (fails loudly if it is missing or repeated)."""
    count = text.count(old)
    assert count == 1, f"{old!r} occurs {count} times in the catalog text"
    return text.replace(old, new)


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based line number of the ``occurrence``-th line containing ``fragment``."""
    found = [number for number, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(found) >= occurrence, f"{fragment!r} is on {len(found)} lines"
    return found[occurrence - 1]


def write(directory: Path, text: str, name: str = "catalog.yaml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path
