"""Redaction: no secret (API key, Authorization header, token) ever enters a transcript.

Applied to every header and event on the way into a transcript. Three nets:

* values under a secret-looking key (``api_key``, ``authorization``, ``password``, ...) are
  replaced whole;
* text that looks like a key anywhere in a string (``sk-...``, ``Bearer ...``,
  ``api_key=...``) is replaced in place;
* any extra secret the caller names (e.g. the configured API key, whatever its shape) is
  replaced wherever it occurs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import JsonValue

__all__ = ["REDACTED", "SECRET_KEYS", "Redactor"]

REDACTED = "[REDACTED]"

SECRET_KEYS = frozenset(
    {
        "access_token",
        "api_key",
        "api_token",
        "apikey",
        "auth",
        "authorization",
        "bearer",
        "client_secret",
        "openai_api_key",
        "password",
        "proxy_authorization",
        "refresh_token",
        "secret",
        "x_api_key",
    }
)
"""Keys (lower case, ``-`` read as ``_``) whose values are always replaced."""

_PATTERNS = (
    re.compile(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_\-]{16,}"),
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=\-]{8,}"),
    re.compile(
        r"(?i)\b(api[_-]?key|authorization|x-api-key)(\s*[:=]\s*)\"?(?:bearer\s+)?[^\s\",;]{4,}"
    ),
)
_MIN_SECRET_CHARS = 4


class Redactor:
    """Replaces secrets in JSON values.

    Args:
        secrets: exact strings to remove wherever they occur (shorter than 4 characters are
            ignored, as they would redact ordinary text).

    Example:
        >>> Redactor().redact({"api_key": "x", "note": "key sk-abcdefghijklmnopqrstu used"})
        {'api_key': '[REDACTED]', 'note': 'key [REDACTED] used'}
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted(
            {s for s in secrets if len(s) >= _MIN_SECRET_CHARS}, key=len, reverse=True
        )

    def redact(self, value: JsonValue) -> JsonValue:
        """Return ``value`` with every secret replaced by ``[REDACTED]``."""
        if isinstance(value, str):
            return self._text(value)
        if isinstance(value, list):
            return [self.redact(v) for v in value]
        if isinstance(value, dict):
            return {
                self._text(k): REDACTED if _is_secret_key(k) else self.redact(v)
                for k, v in value.items()
            }
        return value

    def _text(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        text = _PATTERNS[0].sub(REDACTED, text)
        text = _PATTERNS[2].sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
        return _PATTERNS[1].sub(f"Bearer {REDACTED}", text)


def _is_secret_key(key: str) -> bool:
    return key.lower().replace("-", "_") in SECRET_KEYS
