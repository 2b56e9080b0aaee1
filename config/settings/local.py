"""Settings for a laptop: ``make run``. Debug pages on, SQLite, mail printed to the console."""

from __future__ import annotations

from config.settings.base import *  # noqa: F403
from config.settings.env import envbool, envsecret

DEBUG = envbool("DEBUG", True)
# A fixed key is fine for a laptop demo: production refuses to start without SECRET_KEY.
SECRET_KEY = envsecret("SECRET_KEY", "local-development-only-not-secret-c2f1e8b9a7d64e0f")
