"""Check the package's public surface and that it stays free of Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import wrenchmark.rules


def test_it_exports_every_name_in_all() -> None:
    assert all(hasattr(wrenchmark.rules, name) for name in wrenchmark.rules.__all__)
    assert len(set(wrenchmark.rules.__all__)) == len(wrenchmark.rules.__all__)
    assert {"credential_states", "credential_adjusted", "registration_eligibility"} <= set(
        wrenchmark.rules.__all__
    )


def test_it_imports_without_loading_django() -> None:
    probe = (
        "import sys, wrenchmark.rules; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )

    root = Path(wrenchmark.rules.__file__).resolve().parents[2]

    completed = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=root
    )

    assert completed.stdout.strip() == "[]"
