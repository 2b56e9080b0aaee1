"""JSON Schema checks: Open Badges 3.0 AchievementCredential and VC Data Model 2.0.

The schemas are bundled in ``data/schemas/`` (sources in ``data/README.md``):

* ``ob-v3p0-achievementcredential.json``: 1EdTech's OB 3.0 AchievementCredential schema
  (JSON Schema draft 2019-09), for Open Badges documents.
* ``vc-2.0-verifiable-credential-schema.json``: the W3C VC 2.0 credential schema (draft 2020-12),
  for every VC 2.0 document.

References: https://www.imsglobal.org/spec/ob/v3p0/ (appendix "JSON Schema"),
https://www.w3.org/TR/vc-data-model-2.0/ and its ``schema/`` directory.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from jsonschema import Draft201909Validator, Draft202012Validator
from jsonschema.protocols import Validator

from wrenchmark.vc.jsonld import VC_V1_CONTEXT

OB_ACHIEVEMENT_CREDENTIAL_SCHEMA = "ob-v3p0-achievementcredential.json"
VC_CREDENTIAL_SCHEMA = "vc-2.0-verifiable-credential-schema.json"
OB_CREDENTIAL_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"
_MAX_ERRORS = 10


@functools.cache
def _validator(name: str) -> Validator:
    schema = json.loads((files("wrenchmark.vc") / "data" / "schemas" / name).read_text("utf-8"))
    cls = Draft201909Validator if name == OB_ACHIEVEMENT_CREDENTIAL_SCHEMA else Draft202012Validator
    cls.check_schema(schema)
    return cls(schema)


def _types(document: Mapping[str, Any]) -> set[str]:
    value = document.get("type")
    items = value if isinstance(value, list) else [value]
    return {item for item in items if isinstance(item, str)}


def is_open_badge(document: Mapping[str, Any]) -> bool:
    """Return whether the document is an OB 3.0 credential: an OB type or an OB 3.0 context."""
    contexts = document.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    uses_ob_context = any(isinstance(c, str) and c.startswith(OB_CONTEXT_PREFIX) for c in contexts)
    return uses_ob_context or bool(_types(document) & OB_CREDENTIAL_TYPES)


def _errors(validator: Validator, instance: Any, label: str) -> list[str]:
    found = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
    messages = []
    for error in found[:_MAX_ERRORS]:
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        messages.append(f"{label} {error.json_path}: {message}")
    return messages


def schema_errors(document: Mapping[str, Any]) -> list[str] | None:
    """Validate against the bundled schemas; return the errors, or ``None`` if none applies.

    Every document is checked against the VC 2.0 schema (which requires the VC 2.0 base
    context first), and Open Badges (an OB 3.0 context or an OB credential type) also against
    the OB 3.0 AchievementCredential schema. Documents on the VC 1.1 base context are outside
    both schemas and return ``None`` (not checked).

    1EdTech's OB schema declares ``proof`` as an array, while Data Integrity also allows a
    single proof object; a single object is wrapped in a list for that schema only, so a
    proof's shape does not decide the result.
    """
    contexts = document.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first == VC_V1_CONTEXT:
        return None
    errors = _errors(_validator(VC_CREDENTIAL_SCHEMA), document, "VC 2.0 schema")
    if is_open_badge(document):
        instance = dict(document)
        if isinstance(instance.get("proof"), Mapping):
            instance["proof"] = [instance["proof"]]
        errors += _errors(_validator(OB_ACHIEVEMENT_CREDENTIAL_SCHEMA), instance, "OB 3.0 schema")
    return errors
