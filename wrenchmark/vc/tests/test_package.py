"""Check the package's public surface and that it stays free of Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import wrenchmark.vc


def test_it_exports_every_name_in_all() -> None:
    assert all(hasattr(wrenchmark.vc, name) for name in wrenchmark.vc.__all__)
    assert len(set(wrenchmark.vc.__all__)) == len(wrenchmark.vc.__all__)
    assert {"sign_credential", "verify_credential", "achievement_credential", "jwt_encode"} <= set(
        wrenchmark.vc.__all__
    )


def test_it_imports_without_loading_django() -> None:
    probe = "import sys, wrenchmark.vc; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    root = Path(wrenchmark.vc.__file__).resolve().parents[2]

    completed = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=root
    )

    assert completed.stdout.strip() == "[]"
