"""Check the closed document loader, canonicalization and the safe-mode term check."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from wrenchmark.vc import (
    CONTEXT_FILES,
    ContextNotAllowedError,
    UndefinedTermError,
    canonicalize,
    document_loader,
    expand,
    require_defined_terms,
    undefined_terms,
)
from wrenchmark.vc.tests.factories import VALIDATORS, badge

OB_VOCAB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"

# Shared-validator copies of the bundled files (same bytes expected).
SOURCES = {
    "https://www.w3.org/ns/credentials/v2": "vc/w3c-contexts/credentials-v2.jsonld",
    "https://www.w3.org/2018/credentials/v1": "vc/contexts/2018-credentials-v1.jsonld",
    "https://www.w3.org/ns/credentials/status/v1": "vc/w3c-contexts/bitstring-status-list-v1.jsonld",
    "https://w3id.org/security/suites/ed25519-2020/v1": "vc/contexts/security-suites-ed25519-2020-v1.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "openbadges/context/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "openbadges/context/context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "openbadges/context/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "openbadges/context/context.json",
}


def test_every_bundled_context_is_recorded_and_loads() -> None:
    assert set(SOURCES) == set(CONTEXT_FILES)
    for url in CONTEXT_FILES:
        remote = document_loader(url)
        assert remote["documentUrl"] == url
        assert "@context" in remote["document"]


@pytest.mark.parametrize("url", sorted(SOURCES))
def test_bundled_contexts_are_byte_identical_to_their_sources(url: str) -> None:
    source = VALIDATORS / SOURCES[url]
    if not source.exists():
        pytest.skip(f"Shared validator data not found: {source}.")
    from importlib.resources import files

    bundled = (files("wrenchmark.vc") / "data" / "contexts" / CONTEXT_FILES[url]).read_bytes()
    assert hashlib.sha256(bundled).digest() == hashlib.sha256(source.read_bytes()).digest()


@pytest.mark.parametrize(
    "url",
    [
        "https://w3id.org/security/data-integrity/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
        "http://www.w3.org/ns/credentials/v2",
        "file:///etc/passwd",
    ],
)
def test_any_other_context_url_is_refused(url: str) -> None:
    with pytest.raises(ContextNotAllowedError):
        document_loader(url)
    with pytest.raises(ContextNotAllowedError):
        expand({**badge(), "@context": ["https://www.w3.org/ns/credentials/v2", url]})


def test_the_badge_expands_with_the_bundled_contexts_only() -> None:
    [node] = expand(badge())

    assert f"{OB_VOCAB}OpenBadgeCredential" in node["@type"]
    subject = node["https://www.w3.org/2018/credentials#credentialSubject"][0]
    achievement = subject[f"{OB_VOCAB}achievement"][0]
    assert achievement[f"{OB_VOCAB}achievementType"][0]["@value"] == "Certification"
    assert undefined_terms(badge()) == []


def test_canonical_form_does_not_depend_on_key_order() -> None:
    document = badge()
    reordered = dict(reversed(list(document.items())))

    assert canonicalize(reordered) == canonicalize(document)
    assert canonicalize(document).endswith(" .\n")


def _with_subject(**extra: Any) -> dict[str, Any]:
    document = badge()
    document["credentialSubject"] = {**document["credentialSubject"], **extra}
    return document


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (_with_subject(favouriteTool="torque wrench"), "undefined property 'favouriteTool'"),
        (
            {**badge(), "type": ["VerifiableCredential", "OpenBadgeCredential", "MasterTech"]},
            "undefined type 'MasterTech'",
        ),
        ({**badge(), "id": "credential-1"}, "relative IRI 'credential-1'"),
        ({**badge(), "description": None}, "null value"),
        ({**badge(), "@foo": "bar"}, "unknown keyword"),
        (
            {**badge(), "@context": [*badge()["@context"], {"extra": "https://example.com/extra"}]},
            "inline contexts",
        ),
    ],
)
def test_safe_mode_reports_what_json_ld_would_drop_or_rewrite(
    document: dict[str, Any], expected: str
) -> None:
    problems = undefined_terms(document)

    assert any(expected in problem for problem in problems), problems
    with pytest.raises(UndefinedTermError):
        require_defined_terms(document)


def test_plain_expansion_silently_drops_an_undefined_term_that_safe_mode_reports() -> None:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:holder", "shopRating": 5},
    }
    without = {**document, "credentialSubject": {"id": "did:example:holder"}}

    assert canonicalize(document) == canonicalize(without)
    assert undefined_terms(document) == ["undefined property 'shopRating'"]
