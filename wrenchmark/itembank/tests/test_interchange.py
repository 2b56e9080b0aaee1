"""QTI 3.0 / 2.1 and JSON: exports validate against the official schemas and round-trip every field."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import SHARED
from wrenchmark.itembank.content import TECH_AB_TEXT, ExhibitSpec, ItemSpec, OptionSpec, TranslationSpec
from wrenchmark.itembank.interchange import InterchangeError, read_package, write_package

QTI3_XSD = SHARED / "validators" / "qti" / "xsd" / "qtiv3p0" / "imsqti_asiv3p0_sbacv1p0_v1p0.xsd"
QTI21_XSD = SHARED / "validators" / "qti" / "xsd" / "qtiv2p1" / "imsqti_v2p1.xsd"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40"><rect x="1" y="1" width="98" height="38" fill="none" stroke="#000"/><text x="10" y="25">12.4 V</text></svg>'

words = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x24F),
    min_size=1,
    max_size=9,
)
sentence = st.lists(words, min_size=1, max_size=8).map(" ".join)
punctuated = st.tuples(sentence, st.sampled_from(["", ".", "?", " & 5 %", " (kPa)"])).map("".join)


@st.composite
def options(draw: Any, locked: bool = False) -> list[OptionSpec]:
    key = draw(st.integers(0, 3))
    if locked:
        return [
            OptionSpec(TECH_AB_TEXT["en"][c], draw(punctuated), i == key, True)
            for i, c in enumerate(TECH_AB_TEXT["en"])
        ]
    texts = draw(st.lists(sentence, min_size=4, max_size=4, unique=True))
    return [OptionSpec(t, draw(punctuated), i == key, False) for i, t in enumerate(texts)]


@st.composite
def items(draw: Any, number: int) -> ItemSpec:
    style = draw(st.sampled_from(["direct", "most_likely", "tech_ab", "except", "least_likely"]))
    paragraphs = draw(st.lists(punctuated, min_size=1, max_size=3))
    if draw(st.booleans()):
        paragraphs[0] = f"<b>{paragraphs[0]}</b> and H<sub>2</sub>O"
    exhibit = draw(
        st.one_of(
            st.none(),
            st.builds(lambda t, a: ExhibitSpec("svg", t, a, file="x.svg", content=SVG), sentence, punctuated),
            st.builds(
                lambda t, a, cols, rows: ExhibitSpec(
                    "table", t, a, columns=cols, rows=[r[: len(cols)] for r in rows]
                ),
                sentence,
                punctuated,
                st.lists(words, min_size=2, max_size=2),
                st.lists(st.lists(words, min_size=2, max_size=2), min_size=1, max_size=3),
            ),
        )
    )
    opts = draw(options(locked=style == "tech_ab"))
    translations = []
    if draw(st.booleans()):
        es_opts = [replace(o, text=f"es {o.text}", rationale=f"es {o.rationale}") for o in opts]
        translations.append(
            TranslationSpec(
                "es",
                draw(st.sampled_from(["draft", "approved"])),
                draw(punctuated),
                es_opts,
                exhibit_title="título" if exhibit else "",
                exhibit_alt="alt es" if exhibit else "",
            )
        )
    return ItemSpec(
        external_id=f"A5-{number:04d}",
        test="A5",
        pool=draw(st.sampled_from(["operational", "practice"])),
        area=draw(st.sampled_from("ABCD")),
        task=draw(st.one_of(st.just(""), sentence)),
        style=style,
        stem="\n\n".join(paragraphs),
        options=opts,
        exhibit=exhibit,
        references=draw(st.lists(sentence, max_size=2)),
        keywords=draw(st.lists(words, max_size=3)),
        enemies=draw(st.lists(st.sampled_from(["A5-0901", "A5-0902"]), unique=True, max_size=2)),
        author=draw(words),
        reviews=[],
        translations=translations,
        state=draw(st.sampled_from(["draft", "approved"])),
        line=0,
        path="",
    )


def comparable(spec: ItemSpec) -> dict[str, Any]:
    exhibit = spec.exhibit
    return {
        **{
            f: getattr(spec, f)
            for f in (
                "external_id",
                "test",
                "pool",
                "area",
                "task",
                "style",
                "stem",
                "references",
                "keywords",
                "enemies",
                "author",
                "state",
            )
        },
        "options": [(o.text, o.rationale, o.is_key, o.locked) for o in spec.options],
        "exhibit": None
        if exhibit is None
        else (exhibit.kind, exhibit.title, exhibit.alt, exhibit.columns, exhibit.rows, exhibit.data()),
        "translations": [
            (
                t.language,
                t.status,
                t.stem,
                [(o.text, o.rationale, o.is_key, o.locked) for o in t.options],
                t.exhibit_title,
                t.exhibit_alt,
            )
            for t in spec.translations
        ],
    }


@pytest.mark.parametrize("fmt", ["qti3", "qti21", "json"])
@given(
    specs=st.lists(st.integers(1, 899), min_size=1, max_size=3, unique=True).flatmap(
        lambda ns: st.tuples(*(items(n) for n in ns))
    )
)
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_export_then_import_keeps_every_field(
    tmp_path_factory: Any, fmt: str, specs: tuple[ItemSpec, ...]
) -> None:
    out = tmp_path_factory.mktemp("rt") / ("bank.json" if fmt == "json" else "bank.zip")
    write_package(list(specs), out, fmt=fmt)
    expected = sorted((comparable(s) for s in specs), key=lambda c: c["external_id"])
    back = read_package(out)
    assert sorted((comparable(s) for s in back), key=lambda c: c["external_id"]) == expected
    again = out.with_name("again" + out.suffix)
    write_package(back, again, fmt=fmt)
    assert sorted((comparable(s) for s in read_package(again)), key=lambda c: c["external_id"]) == expected


@pytest.fixture(scope="module")
def schemas() -> dict[str, etree.XMLSchema]:
    return {
        "qti3": etree.XMLSchema(etree.parse(str(QTI3_XSD))),
        "qti21": etree.XMLSchema(etree.parse(str(QTI21_XSD))),
    }


@pytest.mark.parametrize("fmt", ["qti3", "qti21"])
@given(specs=st.tuples(items(1), items(2), items(3)))
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_exported_item_validates_against_the_official_schema(
    tmp_path_factory: Any, schemas: dict[str, etree.XMLSchema], fmt: str, specs: tuple[ItemSpec, ...]
) -> None:
    out = tmp_path_factory.mktemp("xsd") / "bank.zip"
    write_package(list(specs), out, fmt=fmt)
    with zipfile.ZipFile(out) as package:
        documents = [n for n in package.namelist() if n.startswith("items/") and n.endswith(".xml")]
        assert len(documents) == len(specs) + sum(len(s.translations) for s in specs)
        for name in documents:
            document = etree.parse(io.BytesIO(package.read(name)))
            assert schemas[fmt].validate(document), (name, [str(e) for e in schemas[fmt].error_log][:3])


def test_the_schema_check_can_fail(schemas: dict[str, etree.XMLSchema], tmp_path: Path) -> None:
    spec = ItemSpec(
        "A5-0001",
        "A5",
        "operational",
        "A",
        "",
        "direct",
        "Stem?",
        [OptionSpec(t, "r", i == 0) for i, t in enumerate("wxyz")],
        None,
        [],
        [],
        [],
        "w",
        [],
        [],
        "draft",
        0,
        "",
    )
    write_package([spec], tmp_path / "p.zip")
    with zipfile.ZipFile(tmp_path / "p.zip") as package:
        document = etree.parse(io.BytesIO(package.read("items/A5-0001.xml")))
    assert schemas["qti3"].validate(document)
    body = document.getroot().find("{*}qti-item-body")
    etree.SubElement(body, "{http://www.imsglobal.org/xsd/imsqtiasi_v3p0}not-a-qti-element")
    assert not schemas["qti3"].validate(document)


def package(tmp_path: Path, files: dict[str, bytes], name: str = "bad.zip") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as z:
        for member, data in files.items():
            z.writestr(member, data)
    return path


MANIFEST = b'<?xml version="1.0"?><manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="M"/>'


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        (
            {
                "imsmanifest.xml": MANIFEST,
                "items/A5-0001.xml": b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>\n<x>&a;</x>',
            },
            "items/A5-0001.xml:",
        ),
        (
            {
                "imsmanifest.xml": MANIFEST,
                "items/A5-0001.xml": b'<?xml version="1.0"?>\n<qti-assessment-item>\n<unclosed>\n</qti-assessment-item>',
            },
            "items/A5-0001.xml:4: not well-formed",
        ),
        ({"imsmanifest.xml": MANIFEST, "../evil.xml": b"<x/>"}, "unsafe path"),
        ({"items/A5-0001.xml": b"<x/>"}, "imsmanifest.xml is missing"),
        (
            {"imsmanifest.xml": MANIFEST, "items/A5-0001.xml": b"<x>" + b"a" * (3 * 1024 * 1024) + b"</x>"},
            "larger than",
        ),
    ],
)
def test_hostile_or_broken_packages_are_refused_with_file_and_line(
    tmp_path: Path, files: dict[str, bytes], fragment: str
) -> None:
    with pytest.raises(InterchangeError) as caught:
        read_package(package(tmp_path, files))
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_billion_laughs_never_expands(tmp_path: Path) -> None:
    laughs = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>'
    with pytest.raises(InterchangeError) as caught:
        read_package(package(tmp_path, {"imsmanifest.xml": laughs}))
    assert "imsmanifest.xml" in str(caught.value)


def test_a_file_that_is_not_a_package_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "items.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(InterchangeError, match="not a zip content package"):
        read_package(path)
