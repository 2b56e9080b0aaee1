"""Item interchange: QTI 3.0 and QTI 2.1 content packages, and Wrenchmark's own JSON. Framework-free.

Export and import work on ``ItemSpec``s so that the round trip can be tested without a database.

QTI packages are zip files holding ``imsmanifest.xml``, one item XML per item and language
(``items/A5-0001.xml``, ``items/A5-0001.es.xml``), the exhibits (``items/exhibits/``), and
``wrenchmark.json``: the fields QTI has no place for (pool, content area, task, style, references,
keywords, enemies, author, translation status, exhibit alt text for tables). Another program reads the
QTI; Wrenchmark reads both and loses nothing.

Rationales travel as per-choice modal feedback; locked options as ``fixed="true"``; the key as the
correct response. Reading refuses DTDs and entities, files over ``MAX_FILE_BYTES`` and packages that
expand past ``MAX_PACKAGE_BYTES``, and names the file and line of the first problem.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from lxml import etree

from wrenchmark.itembank.content import ExhibitSpec, ItemSpec, OptionSpec, ReviewSpec, TranslationSpec

QTI3_NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
QTI21_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI3_SCHEMA = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
QTI21_SCHEMA = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_PACKAGE_BYTES = 200 * 1024 * 1024
MAX_PACKAGE_FILES = 20_000
FORMATS = ("qti3", "qti21", "json")
LETTERS = "ABCD"
_INLINE = {"b", "i", "sub", "sup", "br"}


class InterchangeError(Exception):
    """A file that cannot be imported; ``str()`` is ``FILE:LINE: problem``."""

    def __init__(self, name: str, line: int | None, problem: str) -> None:
        super().__init__(f"{name}:{line if line is not None else '?'}: {problem}")
        self.name, self.line, self.problem = name, line, problem


# ----------------------------------------------------------------------------------------------------
# Markup: our stems (paragraphs and a few inline tags) to XHTML elements and back
# ----------------------------------------------------------------------------------------------------


def _append_inline(parent: etree._Element, text: str, ns: str) -> None:
    """Append ``text`` (our inline markup) to ``parent`` as text and b/i/sub/sup/br elements."""
    fragment = f"<x>{_escape_outside_tags(text)}</x>"
    holder = etree.fromstring(fragment)
    parent.text = (parent.text or "") + (holder.text or "")
    for child in holder:
        parent.append(_qualify(child, ns))


def _escape_outside_tags(text: str) -> str:
    out, position = [], 0
    for match in re.finditer(r"</?(b|i|sub|sup)>|<br\s*/?>", text):
        out.append(_xml_escape(text[position : match.start()]))
        tag = match.group(0)
        out.append("<br/>" if tag.startswith("<br") else tag)
        position = match.end()
    out.append(_xml_escape(text[position:]))
    return "".join(out)


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _qualify(element: etree._Element, ns: str) -> etree._Element:
    copy = etree.Element(f"{{{ns}}}{etree.QName(element).localname}")
    copy.text, copy.tail = element.text, element.tail
    for child in element:
        copy.append(_qualify(child, ns))
    return copy


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def _inline_text(element: etree._Element) -> str:
    """Our markup for the content of ``element`` (text plus b/i/sub/sup/br children)."""
    parts = [_xml_escape_back(element.text or "")]
    for child in element:
        name = etree.QName(child).localname
        if name == "br":
            parts.append("<br>")
        elif name in _INLINE:
            parts.append(f"<{name}>{_inline_text(child)}</{name}>")
        else:
            parts.append(_inline_text(child))
        parts.append(_xml_escape_back(child.tail or ""))
    return "".join(parts)


def _xml_escape_back(text: str) -> str:
    # lxml hands back text unescaped; our markup keeps "<" and ">" only as tags, so re-escape nothing.
    return text


# ----------------------------------------------------------------------------------------------------
# Writing one item
# ----------------------------------------------------------------------------------------------------


def _names(ns: str) -> dict[str, str]:
    if ns == QTI3_NS:
        return {
            "item": "qti-assessment-item",
            "response": "qti-response-declaration",
            "correct": "qti-correct-response",
            "value": "qti-value",
            "outcome": "qti-outcome-declaration",
            "body": "qti-item-body",
            "interaction": "qti-choice-interaction",
            "choice": "qti-simple-choice",
            "processing": "qti-response-processing",
            "feedback": "qti-modal-feedback",
            "condition": "qti-response-condition",
            "if": "qti-response-if",
            "else": "qti-response-else",
            "match": "qti-match",
            "variable": "qti-variable",
            "correct_ref": "qti-correct",
            "set": "qti-set-outcome-value",
            "base": "qti-base-value",
            "prompt": "qti-prompt",
            "response_id": "response-identifier",
            "max": "max-choices",
            "base_type": "base-type",
            "outcome_id": "outcome-identifier",
            "show_hide": "show-hide",
            "time": "time-dependent",
        }
    return {
        "item": "assessmentItem",
        "response": "responseDeclaration",
        "correct": "correctResponse",
        "value": "value",
        "outcome": "outcomeDeclaration",
        "body": "itemBody",
        "interaction": "choiceInteraction",
        "choice": "simpleChoice",
        "processing": "responseProcessing",
        "feedback": "modalFeedback",
        "condition": "responseCondition",
        "if": "responseIf",
        "else": "responseElse",
        "match": "match",
        "variable": "variable",
        "correct_ref": "correct",
        "set": "setOutcomeValue",
        "base": "baseValue",
        "prompt": "prompt",
        "response_id": "responseIdentifier",
        "max": "maxChoices",
        "base_type": "baseType",
        "outcome_id": "outcomeIdentifier",
        "show_hide": "showHide",
        "time": "timeDependent",
    }


def item_xml(spec: ItemSpec, *, ns: str = QTI3_NS, language: str = "en", exhibit_href: str = "") -> bytes:
    """One item (or its translation, ``language="es"``) as a QTI 3.0 or 2.1 assessment item."""
    n = _names(ns)
    translation = (
        next((t for t in spec.translations if t.language == language), None) if language != "en" else None
    )
    stem = translation.stem if translation else spec.stem
    options = translation.options if translation else spec.options
    identifier = spec.external_id if language == "en" else f"{spec.external_id}-{language}"

    def el(parent: etree._Element | None, name: str, **attrs: str) -> etree._Element:
        tag = f"{{{ns}}}{n.get(name, name)}"
        node = etree.Element(tag) if parent is None else etree.SubElement(parent, tag)
        for key, value in attrs.items():
            node.set(n.get(key, key), value)
        return node

    root = etree.Element(f"{{{ns}}}{n['item']}", nsmap={None: ns, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{ns} {QTI3_SCHEMA if ns == QTI3_NS else QTI21_SCHEMA}")
    root.set("identifier", identifier)
    root.set("title", identifier)
    root.set("adaptive", "false")
    root.set(n["time"], "false")
    root.set(XML_LANG, language)
    response = el(root, "response", identifier="RESPONSE", cardinality="single", base_type="identifier")
    el(el(response, "correct"), "value").text = LETTERS[spec.key_index] if spec.key_index >= 0 else "A"
    el(root, "outcome", identifier="SCORE", cardinality="single", base_type="float")
    el(root, "outcome", identifier="FEEDBACK", cardinality="single", base_type="identifier")
    body = el(root, "body")
    for paragraph in _paragraphs(stem):
        _append_inline(el(body, "p"), paragraph, ns)
    exhibit = spec.exhibit
    if exhibit is not None:
        title = translation.exhibit_title if translation and translation.exhibit_title else exhibit.title
        alt = translation.exhibit_alt if translation and translation.exhibit_alt else exhibit.alt
        if exhibit.kind == "table":
            table = el(body, "table")
            el(table, "caption").text = title or alt[:80]
            head = el(el(table, "thead"), "tr")
            for column in exhibit.columns:
                el(head, "th").text = column
            rows = el(table, "tbody")
            for row in exhibit.rows:
                tr = el(rows, "tr")
                for cell in row:
                    el(tr, "td").text = cell
        else:
            figure = el(body, "p")
            el(figure, "img", src=exhibit_href, alt=alt, width="600")
    interaction = el(
        body,
        "interaction",
        response_id="RESPONSE",
        shuffle="true" if any(not o.locked for o in options) else "false",
        max="1",
    )
    for index, option in enumerate(options):
        choice = el(
            interaction, "choice", identifier=LETTERS[index], fixed="true" if option.locked else "false"
        )
        _append_inline(choice, option.text, ns)
    processing = el(root, "processing")
    condition = el(processing, "condition")
    matched = el(condition, "if")
    match = el(matched, "match")
    el(match, "variable", identifier="RESPONSE")
    el(match, "correct_ref", identifier="RESPONSE")
    el(el(matched, "set", identifier="SCORE"), "base", base_type="float").text = "1"
    el(el(el(condition, "else"), "set", identifier="SCORE"), "base", base_type="float").text = "0"
    el(el(processing, "set", identifier="FEEDBACK"), "variable", identifier="RESPONSE")
    for index, option in enumerate(options):
        feedback = el(root, "feedback", outcome_id="FEEDBACK", identifier=LETTERS[index], show_hide="show")
        if ns == QTI3_NS:
            el(el(feedback, "qti-content-body"), "p").text = option.rationale
        else:
            feedback.text = option.rationale
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _metadata(spec: ItemSpec) -> dict[str, Any]:
    return {
        "test": spec.test,
        "pool": spec.pool,
        "area": spec.area,
        "task": spec.task,
        "style": spec.style,
        "references": spec.references,
        "keywords": spec.keywords,
        "enemies": spec.enemies,
        "author": spec.author,
        "state": spec.state,
        "locked": [o.locked for o in spec.options],
        "exhibit": None
        if spec.exhibit is None
        else {
            "kind": spec.exhibit.kind,
            "title": spec.exhibit.title,
            "alt": spec.exhibit.alt,
            "media_type": spec.exhibit.media_type,
        },
        "translations": {
            t.language: {"status": t.status, "exhibit_title": t.exhibit_title, "exhibit_alt": t.exhibit_alt}
            for t in spec.translations
        },
    }


def _exhibit_name(spec: ItemSpec) -> str:
    assert spec.exhibit is not None
    extension = {"svg": "svg", "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif"}.get(
        spec.exhibit.kind if spec.exhibit.kind == "svg" else spec.exhibit.media_type, "bin"
    )
    return f"items/exhibits/{spec.external_id}.{extension}"


def write_package(specs: list[ItemSpec], out: Path, *, fmt: str = "qti3") -> int:
    """Write ``specs`` to ``out``: a QTI 3.0 or 2.1 content package (zip), or JSON. Returns the file count."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if fmt == "json":
        out.write_text(json.dumps(specs_to_json(specs), indent=2, ensure_ascii=False), encoding="utf-8")
        return 1
    ns = QTI3_NS if fmt == "qti3" else QTI21_NS
    resources = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for spec in specs:
            href = ""
            if spec.exhibit is not None and spec.exhibit.kind != "table":
                href = _exhibit_name(spec)
                package.writestr(href, spec.exhibit.data())
            for language in ["en", *(t.language for t in spec.translations)]:
                name = f"items/{spec.external_id}{'' if language == 'en' else '.' + language}.xml"
                package.writestr(
                    name, item_xml(spec, ns=ns, language=language, exhibit_href=href.removeprefix("items/"))
                )
                resources.append(
                    (spec.external_id if language == "en" else f"{spec.external_id}-{language}", name, href)
                )
        package.writestr(
            "wrenchmark.json",
            json.dumps({s.external_id: _metadata(s) for s in specs}, indent=1, ensure_ascii=False),
        )
        package.writestr("imsmanifest.xml", _manifest(resources, fmt))
    return len(resources)


def _manifest(resources: list[tuple[str, str, str]], fmt: str) -> bytes:
    kind = "imsqti_item_xmlv3p0" if fmt == "qti3" else "imsqti_item_xmlv2p1"
    root = etree.Element(f"{{{CP_NS}}}manifest", nsmap={None: CP_NS})
    root.set("identifier", "WRENCHMARK-EXPORT")
    etree.SubElement(root, f"{{{CP_NS}}}organizations")
    listing = etree.SubElement(root, f"{{{CP_NS}}}resources")
    for identifier, href, exhibit in resources:
        resource = etree.SubElement(
            listing, f"{{{CP_NS}}}resource", identifier=f"RES-{identifier}", type=kind, href=href
        )
        etree.SubElement(resource, f"{{{CP_NS}}}file", href=href)
        if exhibit:
            etree.SubElement(resource, f"{{{CP_NS}}}file", href=exhibit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ----------------------------------------------------------------------------------------------------
# JSON
# ----------------------------------------------------------------------------------------------------


def specs_to_json(specs: list[ItemSpec]) -> dict[str, Any]:
    import base64

    items = []
    for spec in specs:
        data = asdict(spec)
        data.pop("line"), data.pop("path")
        if spec.exhibit is not None:
            data["exhibit"].pop("path")
            raw = spec.exhibit.data()
            data["exhibit"]["content"] = base64.b64encode(raw).decode() if raw else None
        items.append(data)
    return {"format": "wrenchmark-items-json/1", "items": items}


def specs_from_json(data: Any, name: str = "items.json") -> list[ItemSpec]:
    import base64

    if not isinstance(data, dict) or data.get("format") != "wrenchmark-items-json/1":
        raise InterchangeError(name, 1, "not a Wrenchmark items JSON file (format wrenchmark-items-json/1)")
    specs = []
    for position, raw in enumerate(data.get("items", []), start=1):
        try:
            exhibit = None
            if raw.get("exhibit"):
                ex = dict(raw["exhibit"])
                content = ex.pop("content", None)
                exhibit = ExhibitSpec(**ex, content=base64.b64decode(content) if content else None)
            specs.append(
                ItemSpec(
                    **{
                        **raw,
                        "options": [OptionSpec(**o) for o in raw["options"]],
                        "exhibit": exhibit,
                        "reviews": [ReviewSpec(**r) for r in raw.get("reviews", [])],
                        "translations": [
                            TranslationSpec(**{**t, "options": [OptionSpec(**o) for o in t["options"]]})
                            for t in raw.get("translations", [])
                        ],
                        "line": position,
                        "path": name,
                    }
                )
            )
        except (TypeError, KeyError, ValueError) as exc:
            raise InterchangeError(name, None, f"item {position}: {exc}") from None
    return specs


# ----------------------------------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------------------------------


def _parse_xml(data: bytes, name: str) -> etree._Element:
    if len(data) > MAX_FILE_BYTES:
        raise InterchangeError(name, None, f"the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        tree = etree.parse(io.BytesIO(data), parser)
    except etree.XMLSyntaxError as exc:
        raise InterchangeError(name, exc.lineno, f"not well-formed XML: {exc.msg}") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise InterchangeError(name, 1, "DOCTYPE declarations and entities are refused")
    return tree.getroot()


def read_item_xml(data: bytes, name: str) -> tuple[str, str, str, list[OptionSpec], str, etree._Element]:
    """Read one QTI 3.0 or 2.1 choice item: (identifier, language, stem, options, exhibit href, root)."""
    root = _parse_xml(data, name)
    ns = etree.QName(root).namespace
    if ns not in (QTI3_NS, QTI21_NS):
        raise InterchangeError(name, root.sourceline, "not a QTI 3.0 or 2.1 assessment item")
    n = _names(ns)

    def find(parent: etree._Element, key: str) -> etree._Element | None:
        return parent.find(f".//{{{ns}}}{n.get(key, key)}")

    if etree.QName(root).localname != n["item"]:
        raise InterchangeError(name, root.sourceline, f"the root element is not {n['item']}")
    identifier = root.get("identifier", "")
    language = root.get(XML_LANG, "en")
    correct = find(root, "correct")
    value = find(correct, "value") if correct is not None else None
    if value is None or (value.text or "").strip() not in LETTERS:
        raise InterchangeError(
            name, (correct if correct is not None else root).sourceline, "no correct response A-D"
        )
    key = (value.text or "").strip()
    body = find(root, "body")
    interaction = find(root, "interaction")
    if body is None or interaction is None:
        raise InterchangeError(name, root.sourceline, "no item body with a choice interaction")
    stem = "\n\n".join(_inline_text(p) for p in body.findall(f"{{{ns}}}p") if p.find(f"{{{ns}}}img") is None)
    image = body.find(f".//{{{ns}}}img")
    feedback = {
        fb.get("identifier"): " ".join("".join(fb.itertext()).split())
        for fb in root.findall(f"{{{ns}}}{n['feedback']}")
    }
    options = []
    for choice in interaction.findall(f"{{{ns}}}{n['choice']}"):
        letter = choice.get("identifier", "")
        options.append(
            OptionSpec(
                text=_inline_text(choice).strip(),
                rationale=feedback.get(letter, ""),
                is_key=letter == key,
                locked=choice.get("fixed") == "true",
            )
        )
    if len(options) != 4:
        raise InterchangeError(
            name, interaction.sourceline, f"the choice interaction has {len(options)} choices, not 4"
        )
    return identifier, language, stem, options, image.get("src", "") if image is not None else "", root


def _table(root: etree._Element) -> tuple[str, list[str], list[list[str]]] | None:
    ns = etree.QName(root).namespace
    table = root.find(f".//{{{ns}}}table")
    if table is None:
        return None
    caption = table.find(f"{{{ns}}}caption")
    columns = [th.text or "" for th in table.findall(f".//{{{ns}}}th")]
    rows = [
        [td.text or "" for td in tr.findall(f"{{{ns}}}td")]
        for tr in table.findall(f".//{{{ns}}}tbody/{{{ns}}}tr")
    ]
    return (caption.text or "" if caption is not None else ""), columns, rows


def read_package(path: Path) -> list[ItemSpec]:
    """Read a package written by ``write_package`` (or a JSON export). Refuses hostile or broken input."""
    name = path.name
    if path.suffix == ".json":
        try:
            return specs_from_json(json.loads(path.read_text(encoding="utf-8")), name)
        except json.JSONDecodeError as exc:
            raise InterchangeError(name, exc.lineno, f"not valid JSON: {exc.msg}") from None
    try:
        package = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InterchangeError(name, None, "not a zip content package or a .json export") from None
    with package:
        infos = package.infolist()
        if len(infos) > MAX_PACKAGE_FILES or sum(i.file_size for i in infos) > MAX_PACKAGE_BYTES:
            raise InterchangeError(name, None, "the package is too large once expanded")
        names = {i.filename for i in infos}
        for info in infos:
            if info.filename.startswith("/") or ".." in Path(info.filename).parts:
                raise InterchangeError(name, None, f"unsafe path in the package: {info.filename}")
        if "imsmanifest.xml" not in names:
            raise InterchangeError(name, None, "imsmanifest.xml is missing")
        _parse_xml(package.read("imsmanifest.xml"), f"{name}/imsmanifest.xml")
        metadata: dict[str, Any] = {}
        if "wrenchmark.json" in names:
            try:
                metadata = json.loads(package.read("wrenchmark.json"))
            except json.JSONDecodeError as exc:
                raise InterchangeError(
                    f"{name}/wrenchmark.json", exc.lineno, f"not valid JSON: {exc.msg}"
                ) from None
        specs: dict[str, ItemSpec] = {}
        translations: list[tuple[str, str, str, list[OptionSpec], etree._Element, str]] = []
        for entry in sorted(n for n in names if n.startswith("items/") and n.endswith(".xml")):
            identifier, language, stem, options, href, root = read_item_xml(
                package.read(entry), f"{name}/{entry}"
            )
            if language != "en":
                translations.append(
                    (identifier.removesuffix(f"-{language}"), language, stem, options, root, entry)
                )
                continue
            meta = metadata.get(identifier, {})
            exhibit = None
            exhibit_meta = meta.get("exhibit")
            table = _table(root)
            if href:
                member = f"items/{href}"
                if member not in names:
                    raise InterchangeError(
                        f"{name}/{entry}", root.sourceline, f"the exhibit {href} is not in the package"
                    )
                image = root.find(f".//{{{etree.QName(root).namespace}}}img")
                exhibit = ExhibitSpec(
                    kind=(exhibit_meta or {}).get("kind", "svg" if href.endswith(".svg") else "image"),
                    title=(exhibit_meta or {}).get("title", ""),
                    alt=(exhibit_meta or {}).get("alt")
                    or (image.get("alt", "") if image is not None else ""),
                    file=Path(href).name,
                    content=package.read(member),
                    media_type=(exhibit_meta or {}).get("media_type", ""),
                )
            elif table is not None:
                caption, columns, rows = table
                exhibit = ExhibitSpec(
                    kind="table",
                    title=(exhibit_meta or {}).get("title", caption),
                    alt=(exhibit_meta or {}).get("alt", caption),
                    columns=columns,
                    rows=rows,
                )
            locked = meta.get("locked")
            if locked and len(locked) == len(options):
                for option, fixed in zip(options, locked, strict=True):
                    option.locked = fixed
            specs[identifier] = ItemSpec(
                external_id=identifier,
                test=meta.get("test", identifier.split("-")[0]),
                pool=meta.get("pool", "operational"),
                area=meta.get("area", ""),
                task=meta.get("task", ""),
                style=meta.get("style", "direct"),
                stem=stem,
                options=options,
                exhibit=exhibit,
                references=list(meta.get("references", [])),
                keywords=list(meta.get("keywords", [])),
                enemies=list(meta.get("enemies", [])),
                author=meta.get("author", ""),
                reviews=[],
                translations=[],
                state=meta.get("state", "draft"),
                line=root.sourceline or 1,
                path=f"{name}/{entry}",
            )
        for identifier, language, stem, options, root, entry in translations:
            base = specs.get(identifier)
            if base is None:
                raise InterchangeError(
                    f"{name}/{entry}",
                    root.sourceline,
                    f"translation of an item not in the package: {identifier}",
                )
            meta = metadata.get(identifier, {}).get("translations", {}).get(language, {})
            for option, english in zip(options, base.options, strict=False):
                option.locked = english.locked
            base.translations.append(
                TranslationSpec(
                    language=language,
                    status=meta.get("status", "draft"),
                    stem=stem,
                    options=options,
                    exhibit_title=meta.get("exhibit_title", ""),
                    exhibit_alt=meta.get("exhibit_alt", ""),
                )
            )
    return list(specs.values())
