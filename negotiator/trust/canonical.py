"""RFC 8785 (JSON Canonicalization Scheme) bytes and their SHA-256: what is hashed and signed.

The canonical form comes from the ``rfc8785`` package (pure Python). Most of what a run signs
is *plain* JSON — objects with string keys, arrays, strings, booleans, ``null``, integers within
±(2**53 − 1) and floats that Python writes without an exponent and not ending in ``.0`` (which
RFC 8785 writes the same way) — and for plain JSON whose every string stays below U+D800,
RFC 8785 is exactly the standard library's ``json.dumps`` with sorted keys, no whitespace and
UTF-8 text: both escape only the quote, the backslash and the control characters, in the same
spellings, and key order by UTF-16 code units equals key order by code points below the
surrogates. Such values take that fast path; every other value (other floats, other characters,
other types) goes through ``rfc8785``. A property test holds the two to the same bytes.

A run hashes the same content many times (a contract is re-validated at every monitoring tick; a
receiver re-hashes what the author hashed), so :func:`sha256_of` remembers the hashes of recent
values that are not plain, keyed by their exact sorted-key JSON text (a different value never has
the same text).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math

import rfc8785

from negotiator.errors import UsageError

__all__ = ["canonical_bytes", "clear_hash_cache", "sha256_of"]

_CACHED_HASHES = 4096
_INT_LIMIT = 2**53 - 1
"""The largest integer RFC 8785 (an IEEE 754 double) holds exactly."""
_FIRST_SURROGATE = "\ud800"


def canonical_bytes(value: object) -> bytes:
    """The RFC 8785 canonical UTF-8 JSON of ``value`` (plain JSON: dict, list, str, number, ...).

    Raises:
        UsageError: ``value`` has no canonical form (NaN, an integer beyond 2**53, a non-JSON
            type); the message says which.

    Example:
        >>> canonical_bytes({"b": [1.0, "é"], "a": None})
        b'{"a":null,"b":[1,"\\xc3\\xa9"]}'
    """
    if _plain(value):
        return _plain_text(value).encode("utf-8")
    try:
        return rfc8785.dumps(value)  # type: ignore[arg-type]  # any JSON value; checked here
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise UsageError(f"no canonical JSON form: {exc}") from None


def sha256_of(value: object) -> str:
    """Lower-case hex SHA-256 of :func:`canonical_bytes` of ``value``.

    Raises:
        UsageError: ``value`` has no canonical form.
    """
    if _plain(value):
        return hashlib.sha256(_plain_text(value).encode("utf-8")).hexdigest()
    try:
        text = json.dumps(
            value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )
    except (TypeError, ValueError):
        return hashlib.sha256(canonical_bytes(value)).hexdigest()  # raises the clear error
    return _sha256_of_text(text)


def _plain(value: object) -> bool:
    """Whether ``value`` is plain JSON (see the module docstring), whose RFC 8785 form is the
    standard library's sorted, compact JSON text."""
    if type(value) is str:
        return not value or max(value) < _FIRST_SURROGATE
    if type(value) is dict:
        return all(type(k) is str and _plain(k) and _plain(v) for k, v in value.items())
    if type(value) is list or type(value) is tuple:
        return all(_plain(v) for v in value)
    if type(value) is int:
        return -_INT_LIMIT <= value <= _INT_LIMIT
    if type(value) is float:
        # rfc8785 writes Python's own repr unless it has an exponent or ends in ".0"
        text = repr(value)
        return math.isfinite(value) and "e" not in text and not text.endswith(".0")
    return value is None or type(value) is bool


def _plain_text(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@functools.lru_cache(maxsize=_CACHED_HASHES)
def _sha256_of_text(text: str) -> str:
    return hashlib.sha256(canonical_bytes(json.loads(text))).hexdigest()


def clear_hash_cache() -> None:
    """Forget the remembered hashes (for benchmarks that time the cold cost)."""
    _sha256_of_text.cache_clear()
