"""The model-server options shared by ``negotiator demo`` and ``negotiator resume``, the model
settings they choose (recorded in ``run.json``, never a key) and the client built from them."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from negotiator.errors import UsageError
from negotiator.llm.breaker import log_warning
from negotiator.llm.deterministic import DeterministicClient
from negotiator.llm.modes import STRUCTURED_MODES
from negotiator.llm.openai_client import OpenAICompatibleClient
from negotiator.llm.protocol import ModelClient
from negotiator.llm.secrets import redact_url, url_secrets

__all__ = [
    "DEFAULT_LOCAL_MAX_TOKENS",
    "DEFAULT_MODEL",
    "DEFAULT_TIMEOUT_SECONDS",
    "add_model_arguments",
    "build_client",
    "model_settings",
    "warn_on_stderr",
]

DEFAULT_MODEL = "gpt-4o-mini"
#: completion token limit per request when a custom ``--base-url`` is given without --max-tokens
DEFAULT_LOCAL_MAX_TOKENS = 400
#: seconds per model request when --timeout is not given
DEFAULT_TIMEOUT_SECONDS = 60.0


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the model-server options shared by ``demo`` and ``resume``."""
    parser.add_argument("--base-url", help="OpenAI-compatible server URL ending in /v1")
    parser.add_argument("--model", help="model name on that server")
    parser.add_argument(
        "--structured-mode",
        choices=sorted(STRUCTURED_MODES),
        default="json_schema",
        help="how structured output is requested (default json_schema)",
    )
    parser.add_argument(
        "--max-tokens",
        type=_positive(int),
        metavar="N",
        help=f"completion token limit per model request (default {DEFAULT_LOCAL_MAX_TOKENS} "
        "with --base-url, else the server's)",
    )
    parser.add_argument(
        "--max-concurrency",
        type=_positive(int),
        metavar="N",
        help="model requests in flight at most (default: no limit; use 1 for llama.cpp, "
        "which answers one request at a time)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive(float),
        metavar="SECONDS",
        help=f"seconds per model request (default {DEFAULT_TIMEOUT_SECONDS:g})",
    )
    parser.add_argument(
        "--offline", action="store_true", help="ignore OPENAI_* variables; no model at all"
    )
    parser.add_argument(
        "--require-model",
        action="store_true",
        help="a step that falls back to the numeric policy fails the run (exit 1)",
    )


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    """An argparse type: ``kind`` of the text, which must be > 0."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
        return value

    parse.__name__ = kind.__name__
    return parse


#: limit options recorded in the run's model settings only when given (defaults apply later)
_LIMITS = ("max_tokens", "max_concurrency", "timeout")


def _conflicts(args: argparse.Namespace) -> None:
    """Refuse option combinations that cannot all be honoured."""
    given = [
        f"--{k.replace('_', '-')}" for k in ("base_url", "model", *_LIMITS) if getattr(args, k)
    ]
    if args.offline and given:
        raise UsageError(f"--offline contradicts {', '.join(given)}: choose one")
    if args.offline and args.require_model:
        raise UsageError("--offline contradicts --require-model: an offline run asks no model")


def _check_server(base_url: str | None, model: str | None) -> None:
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise UsageError(
            f"base URL {redact_url(base_url)!r} (--base-url or OPENAI_BASE_URL) is not an "
            "http:// or https:// URL"
        )
    if model is None and base_url is not None:
        raise UsageError("--model (or OPENAI_MODEL) is required with a custom --base-url")
    if base_url is None and not os.environ.get("OPENAI_API_KEY"):
        raise UsageError("OpenAI's server needs OPENAI_API_KEY; for a local server give --base-url")


def model_settings(args: argparse.Namespace) -> dict[str, Any] | None:
    """Return the model settings chosen by the options and environment (``None``: offline).

    Raises:
        UsageError: contradicting options (``--offline`` with a server option or
            ``--require-model``), ``--require-model`` without a model, a base URL that is not
            an http(s) URL, a custom server without a model name, or OpenAI's own server
            without ``OPENAI_API_KEY``.
    """
    _conflicts(args)
    if args.offline:
        return None
    base_url = args.base_url or os.environ.get("OPENAI_BASE_URL")
    model = args.model or os.environ.get("OPENAI_MODEL")
    if not (base_url or model or os.environ.get("OPENAI_API_KEY")):
        if args.require_model:
            raise UsageError("--require-model needs a model: give --base-url and --model")
        return None
    _check_server(base_url, model)
    settings: dict[str, Any] = {
        "model": model or DEFAULT_MODEL,
        "structured_mode": args.structured_mode,
    }
    settings |= {k: v for k in _LIMITS if (v := getattr(args, k, None)) is not None}
    settings |= {"require_model": True} if args.require_model else {}
    return settings | ({"base_url": base_url} if base_url else {})


def stored_settings(settings: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The model settings as ``run.json`` keeps them: a base URL's credentials redacted.

    Example:
        >>> stored_settings({"model": "m", "base_url": "http://u:KEY-123@h/v1"})["base_url"]
        'http://[REDACTED]@h/v1'
    """
    if settings is None:
        return None
    url = settings.get("base_url")
    return dict(settings) | ({"base_url": redact_url(url)} if url else {})


def warn_on_stderr(command: str) -> Callable[[str], None]:
    """The model-trouble callback of the CLI: one ``negotiator CMD: warning: ...`` line."""

    def warn(message: str) -> None:
        print(f"negotiator {command}: warning: {message}", file=sys.stderr, flush=True)

    return warn


def build_client(
    settings: Mapping[str, Any] | None, on_trouble: Callable[[str], None] = log_warning
) -> tuple[ModelClient, list[str]]:
    """Return the model client for ``settings`` and the secrets to keep out of transcripts.

    Limits not in ``settings`` take their defaults here: ``max_tokens``
    :data:`DEFAULT_LOCAL_MAX_TOKENS` when a ``base_url`` is given (else the server's own),
    ``timeout`` :data:`DEFAULT_TIMEOUT_SECONDS`, no ``max_concurrency`` limit. ``on_trouble``
    hears once about the first call the server failed.

    Raises:
        UsageError: a limit is out of range (e.g. from a hand-edited ``run.json``).
    """
    if settings is None:
        return DeterministicClient(), []
    key = os.environ.get("OPENAI_API_KEY")
    local_default = DEFAULT_LOCAL_MAX_TOKENS if settings.get("base_url") else None
    max_tokens = settings.get("max_tokens", local_default)
    concurrency = settings.get("max_concurrency")
    if max_tokens is not None and int(max_tokens) < 1:
        raise UsageError("max_tokens must be >= 1")
    client = OpenAICompatibleClient(
        model=settings["model"],
        base_url=settings.get("base_url"),
        api_key=key,
        mode=settings.get("structured_mode", "json_schema"),
        timeout=float(settings.get("timeout", DEFAULT_TIMEOUT_SECONDS)),
        max_tokens=None if max_tokens is None else int(max_tokens),
        max_concurrency=None if concurrency is None else int(concurrency),
        on_trouble=on_trouble,
    )
    return client, sorted({*([key] if key else []), *url_secrets(settings.get("base_url"))})
