"""The server's clock, the only one the product trusts.

Everything reads the time through these two functions so tests can move it (time-machine) and so that
"today" always means the program's calendar day, not the machine's.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate(timezone.now())
