"""Errors raised by the verifiable-credential library.

Every error derives from :class:`VCError`, so a caller can catch one type at the boundary
(a view, a command) and show ``str(error)``.
"""

from __future__ import annotations


class VCError(Exception):
    """Base class of every error raised by :mod:`wrenchmark.vc`."""


class EncodingError(VCError, ValueError):
    """A multibase, base58 or base64url value is malformed."""


class DIDError(VCError, ValueError):
    """A DID or verification method cannot be parsed or resolved to a key."""


class ContextNotAllowedError(VCError):
    """A JSON-LD ``@context`` is not one of the bundled, allowed contexts."""


class UndefinedTermError(VCError):
    """A document uses a property or type that its JSON-LD contexts do not define.

    JSON-LD processors silently drop such terms, so they would not be covered by a
    Data Integrity signature; the library refuses to sign or verify the document
    ("safe mode").
    """


class JsonLdError(VCError):
    """JSON-LD expansion or canonicalization failed."""


class ProofError(VCError):
    """A Data Integrity proof is missing, malformed, unsupported or does not verify."""


class JWTError(VCError):
    """A VC-JOSE JWT is malformed, uses an unexpected header or has a bad signature."""


class StatusListError(VCError, ValueError):
    """A Bitstring Status List value or entry is malformed or out of range."""
