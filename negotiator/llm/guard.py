"""The flow's side of the model seam: whatever a client returns or raises, the flow gets a value.

Every :class:`~negotiator.llm.protocol.ModelClient` promises never to raise for bad model output
and to return a validated value, but a client is any object with two methods — a bidder's own
agent, a remote peer, a buggy wrapper — so the flow does not take the promise on trust.
:func:`ask_structured` and :func:`ask_text` call the client and then:

* re-validate a structured value against its type (``model_validate`` of its dump, so a value
  built with ``model_construct`` or mutated after validation is caught) and, when it claims to
  come from a model, the call's ``check``;
* hold free text, and every string of a structured answer, to the wire models' text rules
  (:data:`~negotiator.wire.common.TEXT_PATTERN`: no C0 or C1 control characters but tab, newline
  and carriage return, no bidirectional overrides); free text must also be non-empty;
* turn any exception the client raises into the call's fallback — except
  :class:`~negotiator.errors.ReplayMismatchError`, the strict replay's signal that the run
  drifted from its recording, :class:`~negotiator.errors.HostFailure` (the host itself
  failed) and :class:`~negotiator.errors.ModelUnavailableError` (a caller that requires a
  model answer, :class:`~negotiator.llm.strict.RequireModel`), which must stop the run.

A rejected answer falls back to ``call.fallback()`` with the reason recorded in
``fallback_reason``, so one hostile answer degrades the conversation and never aborts the run.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from negotiator.errors import HostFailure, ModelUnavailableError, ReplayMismatchError
from negotiator.llm.protocol import (
    ModelClient,
    ModelResult,
    ResultSource,
    StructuredCall,
    TextCall,
    TokenUsage,
)
from negotiator.wire.common import TEXT_PATTERN

__all__ = ["ask_structured", "ask_text", "structured_problem", "text_problem"]

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")

_TEXT = re.compile(TEXT_PATTERN)
_MAX_REASON_CHARS = 300
_STOPS = (ReplayMismatchError, HostFailure, ModelUnavailableError)
"""What a client raises on purpose to stop the run: passed on, never turned into a fallback."""
_MAX_NOTE_CHARS = 4000


def text_problem(text: object) -> str | None:
    """Why ``text`` is not acceptable free text from a model (``None`` when it is).

    Example:
        >>> text_problem("Contract \\x07 wording")
        '$: contains the control character U+0007 (only tab, newline and carriage return ...'
        >>> text_problem("fine") is None
        True
    """
    if not isinstance(text, str):
        return f"$: expected text, got {type(text).__name__}"
    if not text.strip():
        return "$: the answer is empty"
    bad = _bad_character(text)
    if bad is not None:
        return (
            f"$: contains the control character U+{ord(bad):04X} "
            "(only tab, newline and carriage return are allowed)"
        )
    return None


def _bad_character(text: str) -> str | None:
    if _TEXT.match(text) is not None:
        return None
    return next(c for c in text if _TEXT.match(c) is None)


def _strings(data: object) -> Iterator[str]:
    """Every string in a JSON value (keys and values), depth first, in document order."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from _strings(value)


def _first_bad_character(texts: list[str]) -> str | None:
    """The character :func:`_bad_character` finds in the first text that has one (or ``None``).

    The rules hold character by character, so one look at all the text together clears the
    usual answer; only a rejected one is searched text by text.
    """
    if _bad_character("".join(texts)) is None:
        return None
    return next((c for t in texts if (c := _bad_character(t))), None)


def _reason(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "(no message)"
    clean = "".join(c if c.isprintable() else "?" for c in line)
    return clean[:_MAX_REASON_CHARS]


def _printable(text: str) -> str:
    """``text`` with every character the text rules forbid replaced by ``?`` (capped)."""
    if _bad_character(text) is None:  # the rules hold character by character
        return text[:_MAX_NOTE_CHARS]
    clean = "".join(c if c in "\t\n\r" or _bad_character(c) is None else "?" for c in text)
    return clean[:_MAX_NOTE_CHARS]


def _well_formed(result: object) -> ModelResult[Any]:
    """``result`` as a clean :class:`ModelResult` (its bookkeeping checked, its notes printable).

    Raises:
        TypeError: it is not a ``ModelResult`` at all (the caller falls back).
    """
    if not isinstance(result, ModelResult):
        raise TypeError(f"the client returned a {type(result).__name__}, not a ModelResult")
    usage = result.usage
    counts = (usage.prompt_tokens, usage.completion_tokens) if isinstance(usage, TokenUsage) else ()
    fine = len(counts) == 2 and all(isinstance(n, int) and n >= 0 for n in counts)
    reason = result.fallback_reason
    meta = result.meta if isinstance(result.meta, Mapping) else {}
    return ModelResult(
        result.value,
        ResultSource(result.source),
        usage if fine else TokenUsage(),
        result.attempts if isinstance(result.attempts, int) and result.attempts >= 0 else 0,
        None if reason is None else _printable(str(reason)),
        {_printable(str(k)): _printable(str(v)) for k, v in meta.items()},
    )


def _fallback(value: R, earlier: ModelResult[Any] | None, reason: str) -> ModelResult[R]:
    if earlier is None:
        return ModelResult(value, ResultSource.FALLBACK, fallback_reason=reason)
    return ModelResult(
        value,
        ResultSource.FALLBACK,
        earlier.usage,
        earlier.attempts,
        reason,
        dict(earlier.meta),
    )


def structured_problem(call: StructuredCall[T], result: ModelResult[T]) -> str | None:
    """Why ``result`` is not an acceptable answer to ``call`` (``None`` when it is).

    The value must be of the call's type and validate again from its dump, its strings must
    follow the text rules and, when it claims to come from a model, it must pass ``call.check``.
    """
    value: object = result.value
    if not isinstance(value, call.output_type):
        return f"$: expected a {call.output_type.__name__}, got {type(value).__name__}"
    try:
        checked = call.output_type.model_validate(value.model_dump(warnings=False))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"$.{where}: {first['msg']}" if where else f"$: {first['msg']}"
    bad = _first_bad_character(list(_strings(checked.model_dump(mode="json"))))
    if bad is not None:
        return f"$: contains the control character U+{ord(bad):04X}"
    if result.source is not ResultSource.MODEL:
        return None  # the numeric policy's own value; screening judges it like any other
    problems = call.check(checked)
    return _reason(problems[0]) if problems else None


async def ask_structured(client: ModelClient, call: StructuredCall[T]) -> ModelResult[T]:
    """Ask ``client`` for ``call``; a value that fails its type or check, or an exception,
    becomes the fallback (see the module docstring).

    Raises:
        ReplayMismatchError: a replay client found the run drifting from its recording.
        HostFailure: the host failed during the call.
        ModelUnavailableError: the client requires a model answer and got none.

    Example:
        >>> import asyncio
        >>> from negotiator.llm.deterministic import DeterministicClient
        >>> class Echo(BaseModel):
        ...     text: str
        >>> call = StructuredCall("s", [], Echo, fallback=lambda: Echo(text="numbers"))
        >>> asyncio.run(ask_structured(DeterministicClient(), call)).value.text
        'numbers'
    """
    return await _guarded(
        call.fallback, lambda: client.structured(call), lambda r: structured_problem(call, r)
    )


async def ask_text(client: ModelClient, call: TextCall) -> ModelResult[str]:
    """Ask ``client`` for ``call``'s text; text that breaks the text rules, or an exception,
    becomes the fallback (see the module docstring).

    Raises:
        ReplayMismatchError: a replay client found the run drifting from its recording.
        HostFailure: the host failed during the call.
        ModelUnavailableError: the client requires a model answer and got none.
    """
    return await _guarded(call.fallback, lambda: client.text(call), lambda r: text_problem(r.value))


async def _guarded(
    fallback: Callable[[], R],
    ask: Callable[[], Awaitable[object]],
    problem: Callable[[ModelResult[Any]], str | None],
) -> ModelResult[R]:
    """The answer ``ask`` gets, or ``fallback``'s value when the client raises (other than a
    deliberate stop) or ``problem`` finds the answer unacceptable, with the reason recorded."""
    try:
        result = _well_formed(await ask())
    except _STOPS:
        raise
    except Exception as exc:
        return _fallback(
            fallback(), None, f"client error: {type(exc).__name__}: {_reason(str(exc))}"
        )
    found = problem(result)
    if found is None:
        return result
    return _fallback(fallback(), result, f"answer rejected: {_reason(found)}")
