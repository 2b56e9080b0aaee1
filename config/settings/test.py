"""Settings for the test suite: fast hashing, mail kept in memory, SQLite unless DATABASE_URL is set."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-secret-key-not-used-anywhere-else-7d1f"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not :memory:, so the browser tests' live server gets its own connections per thread and
    # concurrent requests lock properly, as they do in production. One file per test run.
    DATABASES["default"]["NAME"] = ":memory:"  # noqa: F405 - outside a test run, nothing on disk
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"wrenchmark-test-{os.getpid()}.sqlite3")
    }

# A fixed signing key for the suite only (no deployment uses it), so badges sign without touching var/.
BADGE_SIGNING_KEY = "5b0f6c1e0f3c9a7d2e84b61f3a9d0c5e7b2a4f6d8c1e3a5b7d9f0e2c4a6b8d0f"
