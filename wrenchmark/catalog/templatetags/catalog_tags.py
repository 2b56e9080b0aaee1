"""Show where a catalog figure came from."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def figure_source(figures: dict[str, Any], key: str, sources: dict[str, Any]) -> SafeString | str:
    """Render the source keys and an 'unverified' mark for one figure of a catalog row."""
    figure = (figures or {}).get(key)
    if not figure:
        return ""
    links = format_html_join(
        ", ",
        '<a href="{}" title="{}">{}</a>',
        (
            (
                (sources.get(ref) or {}).get("url") or "#sources",
                (sources.get(ref) or {}).get("title", ref),
                ref,
            )
            for ref in figure.get("source", [])
        ),
    )
    mark = ""
    if figure.get("confidence") in ("C", "policy"):
        mark = format_html(' <span class="unverified">{}</span>', _("unverified"))
    note = format_html(' <span class="muted">({})</span>', figure["note"]) if figure.get("note") else ""
    return format_html('<span class="source">{}{}{}</span>', links, mark, note)
