"""The small markup items may use: paragraphs, and <b>, <i>, <sub>, <sup>, <br>. Framework-free."""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = ("b", "i", "sub", "sup", "br")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\s*(/?)>|<[^>]*>")


def markup_problems(text: str) -> list[str]:
    """Return what in ``text`` is outside the allowed markup (unknown tags, attributes, unbalanced tags)."""
    problems: list[str] = []
    stack: list[str] = []
    for match in _TAG.finditer(text):
        closing, name, _ = match.groups()
        if name is None:
            problems.append(f"markup {match.group(0)!r} is not allowed (tags take no attributes)")
            continue
        name = name.lower()
        if name not in ALLOWED_TAGS:
            problems.append(f"tag <{name}> is not allowed; use only {', '.join(ALLOWED_TAGS)}")
            continue
        if name == "br":
            continue
        if closing:
            if not stack or stack[-1] != name:
                problems.append(f"</{name}> closes a tag that is not open")
            else:
                stack.pop()
        else:
            stack.append(name)
    problems.extend(f"<{name}> is never closed" for name in stack)
    return problems


def render_markup(text: str) -> str:
    """Return ``text`` as HTML: everything escaped except the allowed tags, blank lines as paragraphs.

    Callers validate with ``markup_problems`` first; anything not allowed is shown escaped, never run.
    """

    def inline(chunk: str) -> str:
        out: list[str] = []
        position = 0
        for match in _TAG.finditer(chunk):
            out.append(html.escape(chunk[position : match.start()]))
            closing, name, _ = match.groups()
            if name and name.lower() in ALLOWED_TAGS:
                out.append("<br>" if name.lower() == "br" else f"<{closing}{name.lower()}>")
            else:
                out.append(html.escape(match.group(0)))
            position = match.end()
        out.append(html.escape(chunk[position:]))
        return "".join(out)

    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(f"<p>{inline(' '.join(p.split()))}</p>" for p in paragraphs)


_TECH_AB_BREAK = re.compile(
    r"\s+(?=(?:Technician [AB] says|Who is correct\?|El T[ée]cnico [AB] dice|¿Qui[ée]n tiene raz[óo]n\?))"
)


def normalise_stem(text: str, style: str = "") -> str:
    """The canonical form of a stem: paragraphs separated by one blank line, spaces collapsed inside.

    In Technician A/B items each technician's statement and the question start their own paragraph,
    however the writer wrapped the lines.
    """
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    joined = "\n\n".join(paragraphs)
    if style == "tech_ab":
        joined = "\n\n".join(p.strip() for p in _TECH_AB_BREAK.sub("\n\n", joined).split("\n\n") if p.strip())
    return joined


def plain_text(text: str) -> str:
    """Return ``text`` without tags, whitespace collapsed: for search, similarity and length checks."""
    return " ".join(_TAG.sub(" ", text).split())
