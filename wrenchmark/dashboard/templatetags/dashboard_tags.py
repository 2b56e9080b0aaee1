from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import template

from wrenchmark.core import clock

register = template.Library()


@register.filter
def get_item(mapping: Mapping[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def days_until(day: dt.date) -> int:
    """Whole days from today (the server's clock) to ``day``."""
    return (day - clock.today()).days
