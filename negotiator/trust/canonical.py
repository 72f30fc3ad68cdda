"""RFC 8785 (JSON Canonicalization Scheme) bytes and their SHA-256: what is hashed and signed.

The canonical form comes from the ``rfc8785`` package (pure Python). A run hashes the same
content many times (a contract is re-validated at every monitoring tick; a receiver re-hashes
what the author hashed), so :func:`sha256_of` remembers the hashes of recent values, keyed by
their exact sorted-key JSON text (a different value never has the same text).
"""

from __future__ import annotations

import functools
import hashlib
import json

import rfc8785

from negotiator.errors import UsageError

__all__ = ["canonical_bytes", "clear_hash_cache", "sha256_of"]

_CACHED_HASHES = 4096


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
    """Lower-case hex SHA-256 of :func:`canonical_bytes` of ``value``.

    Raises:
        UsageError: ``value`` has no canonical form.
    """
    try:
        text = json.dumps(
            value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )
    except (TypeError, ValueError):
        return hashlib.sha256(canonical_bytes(value)).hexdigest()  # raises the clear error
    return _sha256_of_text(text)


@functools.lru_cache(maxsize=_CACHED_HASHES)
def _sha256_of_text(text: str) -> str:
    return hashlib.sha256(canonical_bytes(json.loads(text))).hexdigest()


def clear_hash_cache() -> None:
    """Forget the remembered hashes (for benchmarks that time the cold cost)."""
    _sha256_of_text.cache_clear()
