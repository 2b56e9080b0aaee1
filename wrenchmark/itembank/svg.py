"""Sanitise SVG exhibits to a safe drawing subset: shapes, paths, text, markers. Framework-free.

Anything that can run code or fetch something is removed: scripts, event attributes, ``<style>``,
``<foreignObject>``, embedded images, and every reference that is not to a ``#fragment`` of the same
document. Parsing refuses DTDs and entities (defusedxml), so an exhibit cannot expand or reach files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
MAX_SVG_BYTES = 512 * 1024

ALLOWED_ELEMENTS = frozenset(
    """svg g defs title desc path line polyline polygon rect circle ellipse text tspan marker use symbol
    clipPath linearGradient radialGradient stop pattern""".split()
)
ALLOWED_ATTRIBUTES = frozenset(
    """id x y x1 y1 x2 y2 cx cy r rx ry width height viewBox d points fill stroke stroke-width
    stroke-dasharray stroke-linecap stroke-linejoin stroke-miterlimit fill-rule clip-rule opacity fill-opacity
    stroke-opacity transform font-size font-family font-weight font-style text-anchor dominant-baseline
    alignment-baseline letter-spacing dx dy rotate textLength lengthAdjust marker-start marker-mid marker-end
    markerWidth markerHeight markerUnits refX refY orient preserveAspectRatio role aria-label aria-hidden
    focusable clip-path offset stop-color stop-opacity gradientUnits gradientTransform patternUnits fx fy href
    version class vector-effect paint-order shape-rendering text-rendering visibility display""".split()
)
_URL = re.compile(r"url\(\s*([^)]*)\)", re.IGNORECASE)


class SvgRefused(ValueError):
    """An SVG that cannot be used at all (not SVG, too large, or hostile XML)."""


@dataclass
class SanitisedSvg:
    content: bytes
    removed: list[str] = field(default_factory=list)
    has_viewbox: bool = False
    text: str = ""


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _safe_value(value: str) -> bool:
    if "javascript:" in value.lower() or "expression(" in value.lower():
        return False
    return all(target.strip().strip("'\"").startswith("#") for target in _URL.findall(value))


def sanitise_svg(raw: bytes) -> SanitisedSvg:
    """Return the SVG reduced to the safe subset, listing what was removed.

    Raises ``SvgRefused`` for input that is not an SVG document, is larger than ``MAX_SVG_BYTES``, or
    uses DTDs or entities.
    """
    if len(raw) > MAX_SVG_BYTES:
        raise SvgRefused(f"the SVG is larger than {MAX_SVG_BYTES // 1024} KB")
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SvgRefused(f"the SVG uses a DTD or entities ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise SvgRefused(f"not well-formed XML: {exc}") from None
    namespace, name = _local(root.tag)
    if name != "svg" or namespace not in (SVG_NS, ""):
        raise SvgRefused("the file is not an SVG image (its root element is not <svg>)")

    removed: list[str] = []
    texts: list[str] = []

    def clean(element: ET.Element) -> None:
        for child in list(element):
            if not isinstance(child.tag, str):  # comments and processing instructions
                element.remove(child)
                continue
            ns, local = _local(child.tag)
            if ns not in (SVG_NS, "") or local not in ALLOWED_ELEMENTS:
                element.remove(child)
                removed.append(f"<{local}>")
                continue
            clean(child)
        for attribute in list(element.attrib):
            ns, local = _local(attribute)
            value = element.attrib[attribute]
            allowed = local in ALLOWED_ATTRIBUTES and ns in ("", XLINK_NS if local == "href" else "")
            if local == "href" and not value.strip().startswith("#"):
                allowed = False
            if not allowed or not _safe_value(value):
                del element.attrib[attribute]
                removed.append(f"{local}=")
        if element.text and element.text.strip():
            texts.append(element.text.strip())

    clean(root)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    content = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return SanitisedSvg(
        content=content, removed=removed, has_viewbox="viewBox" in root.attrib, text=" ".join(texts)
    )
