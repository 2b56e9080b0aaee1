"""Offline JSON-LD processing: a closed document loader, canonicalization and "safe mode".

Only the contexts bundled in ``wrenchmark/vc/data/contexts/`` (sources in ``data/README.md``)
can be loaded; any other URL raises :class:`ContextNotAllowedError`, and nothing is ever
fetched over the network.

References: JSON-LD 1.1 Processing Algorithms and API (https://www.w3.org/TR/json-ld11-api/),
RDF Dataset Canonicalization RDFC-1.0 (https://www.w3.org/TR/rdf-canon/, the algorithm PyLD
calls ``URDNA2015``), and the Data Integrity "safe mode" requirement that undefined terms
be an error (https://www.w3.org/TR/vc-data-integrity/#securing-data-losslessly).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Callable, Mapping
from importlib.resources import files
from types import MappingProxyType
from typing import Any

from pyld import jsonld as pyld_jsonld
from pyld.context_resolver import ContextResolver

from wrenchmark.vc.errors import ContextNotAllowedError, JsonLdError, UndefinedTermError

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
STATUS_LIST_V1_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"

#: Context URL -> bundled file name (in ``data/contexts/``). This is the whole allowlist.
CONTEXT_FILES: Mapping[str, str] = MappingProxyType(
    {
        VC_V2_CONTEXT: "credentials-v2.jsonld",
        VC_V1_CONTEXT: "credentials-v1.jsonld",
        STATUS_LIST_V1_CONTEXT: "bitstring-status-list-v1.jsonld",
        ED25519_2020_CONTEXT: "ed25519-signature-2020-v1.jsonld",
        OB_V3_CONTEXT: "ob-v3p0-context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-context-3.0.2.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-context-3.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-v3p0-context.json",
    }
)

#: The VC 2.0 "issuer-dependent" vocabulary: a term mapped only there is treated as undefined.
ISSUER_DEPENDENT_VOCAB = "https://www.w3.org/ns/credentials/issuer-dependent#"

_UNDEFINED_VOCAB = "urn:x-wrenchmark:undefined-term:"
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_KEYWORDS = frozenset(
    {
        "@base", "@container", "@context", "@direction", "@graph", "@id", "@import", "@included",
        "@index", "@json", "@language", "@list", "@nest", "@none", "@prefix", "@propagate",
        "@protected", "@reverse", "@set", "@type", "@value", "@version", "@vocab",
    }
)  # fmt: skip


class _BoundedCache(dict[str, Any]):
    """PyLD's shared resolved-context cache, private to this module and bounded."""

    limit = 256

    def __setitem__(self, key: str, value: Any) -> None:
        if len(self) >= self.limit:
            self.clear()
        super().__setitem__(key, value)


_RESOLVED_CONTEXTS = _BoundedCache()


@functools.cache
def _bundled_context(url: str) -> Mapping[str, Any]:
    text = (files("wrenchmark.vc") / "data" / "contexts" / CONTEXT_FILES[url]).read_text("utf-8")
    return MappingProxyType(json.loads(text))


def load_context(url: str) -> dict[str, Any]:
    """Return a fresh copy of the bundled context document for ``url``.

    Raises :class:`ContextNotAllowedError` for any URL that is not bundled.
    """
    if url not in CONTEXT_FILES:
        raise ContextNotAllowedError(f"JSON-LD context not allowed (not bundled): {url!r}.")
    return copy.deepcopy(dict(_bundled_context(url)))


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A PyLD document loader that serves only the bundled contexts (never the network)."""
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": load_context(url),
        "tag": "static",
    }


def _options(**extra: Any) -> dict[str, Any]:
    # base=None keeps relative IRIs relative (PyLD would otherwise resolve them against
    # http://example.org/base/), so that safe mode can report them.
    return {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_RESOLVED_CONTEXTS, document_loader),
        "base": None,
        **extra,
    }


def _run(operation: Callable[[Any, dict[str, Any]], Any], document: Any, options: dict[str, Any]) -> Any:
    try:
        return operation(document, options)
    except pyld_jsonld.JsonLdError as exc:
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, ContextNotAllowedError):
                raise ContextNotAllowedError(str(cause)) from exc
            cause = cause.__cause__
        detail = exc.args[0] if exc.args else exc.__class__.__name__
        raise JsonLdError(f"JSON-LD processing failed: {detail} ({exc.code or exc.type}).") from exc
    except RecursionError as exc:
        raise JsonLdError("JSON-LD processing failed: document nested too deeply.") from exc


def expand(document: Mapping[str, Any]) -> list[Any]:
    """Expand a JSON-LD document with the bundled contexts only (JSON-LD 1.1 expansion)."""
    return list(_run(pyld_jsonld.expand, dict(document), _options()))


def canonicalize(document: Mapping[str, Any]) -> str:
    """Return the RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document."""
    result = _run(
        pyld_jsonld.normalize,
        dict(document),
        _options(algorithm="URDNA2015", format="application/n-quads"),
    )
    return str(result)


def undefined_terms(document: Mapping[str, Any]) -> list[str]:
    """List the problems that would make JSON-LD processing lose data ("safe mode").

    Reported: properties and types that no context defines (or that map only to the VC 2.0
    issuer-dependent vocabulary), relative IRIs, unknown ``@`` keywords, ``null``
    values, and inline (non-URL) contexts. An empty list means every statement of the
    document reaches the canonical form and is therefore covered by a signature.
    """
    problems: list[str] = []
    _check_compact(document, "$", problems)
    if "@context" not in document:
        problems.append("$: no @context")
        return problems
    if problems:
        return problems
    probe = _with_sentinel_vocab(document)
    _check_expanded(expand(probe), problems)
    return sorted(set(problems))


def require_defined_terms(document: Mapping[str, Any]) -> None:
    """Raise :class:`UndefinedTermError` if :func:`undefined_terms` finds anything."""
    problems = undefined_terms(document)
    if problems:
        shown = "; ".join(problems[:5]) + ("; …" if len(problems) > 5 else "")
        raise UndefinedTermError(f"Terms not defined by the JSON-LD contexts: {shown}.")


def _check_compact(node: Any, path: str, problems: list[str]) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _check_compact(item, f"{path}[{index}]", problems)
    elif isinstance(node, Mapping):
        for key, value in node.items():
            where = f"{path}.{key}"
            if key == "@context":
                entries = value if isinstance(value, list) else [value]
                if not all(isinstance(entry, str) for entry in entries):
                    problems.append(f"{where}: only context URLs are accepted, not inline contexts")
                continue
            if not isinstance(key, str):
                problems.append(f"{where}: non-string key")
            elif key.startswith("@") and key not in _KEYWORDS:
                problems.append(f"{where}: unknown keyword")
            if value is None:
                problems.append(f"{where}: null value")
            else:
                _check_compact(value, where, problems)


def _with_sentinel_vocab(node: Any) -> Any:
    # Append {"@vocab": <sentinel>} to every @context: terms that no context defines then
    # expand to the sentinel namespace instead of being dropped, so they can be reported.
    # @vocab is not a term definition, so protected contexts accept it.
    if isinstance(node, list):
        return [_with_sentinel_vocab(item) for item in node]
    if isinstance(node, Mapping):
        out = {key: _with_sentinel_vocab(value) for key, value in node.items() if key != "@context"}
        if "@context" in node:
            context = node["@context"]
            out["@context"] = [*(context if isinstance(context, list) else [context])]
            out["@context"].append({"@vocab": _UNDEFINED_VOCAB})
        return out
    return node


def _iri_problem(iri: Any, what: str) -> str | None:
    if not isinstance(iri, str):
        return f"{what} is not a string"
    if iri.startswith(_UNDEFINED_VOCAB):
        return f"undefined {what} {iri.removeprefix(_UNDEFINED_VOCAB)!r}"
    if iri.startswith(ISSUER_DEPENDENT_VOCAB):
        return f"undefined {what} {iri.removeprefix(ISSUER_DEPENDENT_VOCAB)!r} (issuer-dependent)"
    if iri.startswith("_:"):
        return None if what != "property" else f"blank-node property {iri!r}"
    if not _ABSOLUTE_IRI.match(iri):
        return f"relative IRI {iri!r} as {what}"
    return None


def _check_expanded(node: Any, problems: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _check_expanded(item, problems)
        return
    if not isinstance(node, Mapping):
        return
    if "@value" in node:
        if isinstance(node.get("@type"), str) and node["@type"] != "@json":
            problem = _iri_problem(node["@type"], "datatype")
            if problem:
                problems.append(problem)
        return
    for key, value in node.items():
        if key == "@id":
            problem = _iri_problem(value, "id")
            if problem:
                problems.append(problem)
        elif key == "@type":
            for item in value if isinstance(value, list) else [value]:
                problem = _iri_problem(item, "type")
                if problem:
                    problems.append(problem)
        elif key in ("@graph", "@list", "@set", "@included"):
            _check_expanded(value, problems)
        elif key == "@reverse":
            _check_expanded(
                [{k: v} for k, v in value.items()] if isinstance(value, Mapping) else value, problems
            )
        elif key.startswith("@"):
            continue
        else:
            problem = _iri_problem(key, "property")
            if problem:
                problems.append(problem)
            _check_expanded(value, problems)
