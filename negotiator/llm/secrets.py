"""Secrets a model server's address can carry, and that address with them taken out.

A base URL may hold credentials — ``http://user:KEY@host/v1`` or ``https://host/v1?api-key=KEY``
— as well as the API key passed on its own. :func:`url_secrets` lists them (so that every file
a run writes and everything it prints can be redacted) and :func:`redact_url` gives the address
to store instead (the run's ``run.json`` keeps that one, never the credentials).
"""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from negotiator.transcript.redact import REDACTED, SECRET_KEYS

__all__ = ["redact_url", "url_secrets"]

_SECRET_PARAMS = SECRET_KEYS | {"key", "token", "sig", "signature", "code"}


def _secret_param(name: str) -> bool:
    return name.lower().replace("-", "_") in _SECRET_PARAMS


def url_secrets(url: str | None) -> list[str]:
    """Every credential in ``url``: its user info (user and password, also as the Basic
    credentials an HTTP client derives from them) and secret query values.

    Example:
        >>> url_secrets("http://me:hunter2-key@h/v1?api-key=sk-abc123&x=1")
        ['bWU6aHVudGVyMi1rZXk=', 'hunter2-key', 'me:hunter2-key', 'sk-abc123']
    """
    if not url:
        return []
    parts = urlsplit(url)
    found: list[str] = []
    if parts.password:
        found.append(parts.password)
    if parts.username and parts.password:
        pair = f"{parts.username}:{parts.password}"
        # HTTP clients send user info as Basic credentials: base64 of "user:password"
        found += [pair, base64.b64encode(unquote(pair).encode()).decode()]
    elif parts.username:
        found.append(parts.username)  # a bare user part is a token (http://TOKEN@host)
    found += [
        v for k, v in parse_qsl(parts.query, keep_blank_values=True) if _secret_param(k) and v
    ]
    return sorted(set(found))


def redact_url(url: str) -> str:
    """``url`` with its credentials replaced by ``[REDACTED]`` (see :func:`url_secrets`).

    Example:
        >>> redact_url("http://me:hunter2-key@h:8080/v1?api-key=sk-abc123&x=1")
        'http://[REDACTED]@h:8080/v1?api-key=%5BREDACTED%5D&x=1'
    """
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.username or parts.password:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    query = urlencode(
        [
            (k, REDACTED if _secret_param(k) else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
