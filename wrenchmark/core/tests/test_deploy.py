"""Production settings pass Django's deployment checks, and refuse to start without a secret key."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
CHECK = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]


@pytest.fixture
def production_env() -> dict[str, str]:
    """A clean environment for config.settings.production: nothing inherited that the settings read."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "SYSTEMROOT") if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(45),
        ALLOWED_HOSTS="wrenchmark.example.org",
        PYTHONDONTWRITEBYTECODE="1",
    )
    assert len(env["SECRET_KEY"]) == 60
    assert "DATABASE_URL" not in env
    return env


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        CHECK, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_deployment_checks_pass_with_production_settings(production_env: dict[str, str]) -> None:
    result = run_check(production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_secret_key_may_come_from_a_file(production_env: dict[str, str], tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text(production_env.pop("SECRET_KEY") + "\n", encoding="utf-8")
    production_env["SECRET_KEY_FILE"] = str(key_file)
    result = run_check(production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("secret_key", [None, "", "too-short-" * 4], ids=["unset", "empty", "40 characters"])
def test_production_refuses_to_start_without_a_proper_secret_key(
    production_env: dict[str, str], secret_key: str | None
) -> None:
    if secret_key is None:
        del production_env["SECRET_KEY"]
    else:
        production_env["SECRET_KEY"] = secret_key
    result = run_check(production_env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr
    assert "no issues" not in result.stdout


def test_the_deployment_checks_fail_when_hsts_is_turned_off(production_env: dict[str, str]) -> None:
    # The same check, with one setting made unsafe, fails: so its passing above means something.
    production_env["SECURE_HSTS_SECONDS"] = "0"
    result = run_check(production_env)
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr
