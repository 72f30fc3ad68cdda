"""RFC 8785 (JSON Canonicalization Scheme) bytes and their SHA-256: what is hashed and signed."""

from __future__ import annotations

import hashlib

import rfc8785

from negotiator.errors import UsageError

__all__ = ["canonical_bytes", "sha256_of"]


def canonical_bytes(value: object) -> bytes:
    """The RFC 8785 canonical UTF-8 JSON of ``value`` (plain JSON: dict, list, str, number, ...).

    Raises:
        UsageError: ``value`` has no canonical form (NaN, an integer beyond 2**53, a non-JSON
            type); the message says which.

    Example:
        >>> canonical_bytes({"b": [1.0, "é"], "a": None})
        b'{"a":null,"b":[1,"\\xc3\\xa9"]}'
    """
    try:
        return rfc8785.dumps(value)  # type: ignore[arg-type]  # any JSON value; checked here
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise UsageError(f"no canonical JSON form: {exc}") from None


def sha256_of(value: object) -> str:
    """Lower-case hex SHA-256 of :func:`canonical_bytes` of ``value``."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()
