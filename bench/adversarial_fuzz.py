"""Fuzzed wire objects of every kind: hostile text through ``validate_raw``.

Each wire kind starts from a valid object taken from a real demo delegation (the task, a bid,
the award, the contract, a report, the settlement, the FAQ, a question, an answer) or built
(an offer). Each sample applies one mutation:

* **always invalid** — a control character in a string, Unicode digits in an amount, an
  unknown field, a duplicate key, a number that cannot be read exactly (``1e-1000``,
  ``4.999999999999999999``), ``NaN``, a 5,000-digit integer, 5,000 levels of nesting: the
  object must be rejected;
* **random** — a field dropped, a value replaced by another type or a random number or string:
  either rejected, or accepted and then consistent (its own JSON validates back to an equal
  object, and every amount in it has the wire form).

Counted: samples, tracebacks (anything ``validate_raw`` raises other than
``InvalidInputError``), and invalid objects accepted.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from typing import Any

from negotiator import DeterministicClient, InvalidInputError, demo_setup, validate_raw
from negotiator.flows import run_flow
from negotiator.graphs.runner import FLOW_NAME
from negotiator.wire.kinds import KINDS

__all__ = ["fuzz_wire", "valid_examples"]

Json = Any
_AMOUNT = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,6})?$")
_MARK = "\u2063MUTATION\u2063"


def valid_examples() -> dict[str, Json]:
    """One valid JSON object of every wire kind, from a real demo delegation."""
    s = demo_setup("success")
    record = run_flow(
        FLOW_NAME,
        {"setup": s.model_dump(mode="json")},
        client=DeterministicClient(),
        seed=7,
        run_id="fuzz",
    )
    events = {e.kind: e.payload for e in record.events}
    offer = {
        "negotiation_id": "n1",
        "round": 2,
        "sender": "seller-1",
        "receiver": "buyer-1",
        "message_type": "make_offer",
        "terms": {
            "price": {"amount": "5.00", "currency": "USDC"},
            "estimated_duration_seconds": 3000,
            "claimed_quality": 0.8,
        },
    }
    examples = {
        "task": s.request.task.model_dump(mode="json"),
        "bid": events["sealed_bid"]["payload"],
        "award": events["award"],
        "contract": events["contract"],
        "report": events["report"],
        "settlement": events["settlement"],
        "faq": events["faq"],
        "question": events["question"],
        "answer": events["answer"],
        "offer": offer,
    }
    for kind, data in examples.items():
        validate_raw(kind, json.dumps(data))  # every starting point is valid
    assert sorted(examples) == sorted(KINDS)
    return examples


def _paths(data: Json, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Json]]:
    out = [(path, data)]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*path, i))
    return out


def _replace(data: Json, path: tuple[Any, ...], value: Json) -> Json:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: (_replace(v, rest, value) if k == head else v) for k, v in data.items()}
    return [(_replace(v, rest, value) if i == head else v) for i, v in enumerate(data)]


def _leaves(data: Json, kind: type) -> list[tuple[Any, ...]]:
    return [p for p, v in _paths(data) if isinstance(v, kind) and not isinstance(v, bool) and p]


def _with_literal(data: Json, rng: random.Random, literal: str) -> str | None:
    """The JSON text with one number (or any leaf) replaced by a raw ``literal``."""
    spots = _leaves(data, (int, float)) or [p for p, _ in _paths(data) if p]
    if not spots:
        return None
    text = json.dumps(_replace(data, rng.choice(spots), _MARK))
    return text.replace(json.dumps(_MARK), literal)


def _control(data: Json, rng: random.Random) -> str | None:
    spots = _leaves(data, str)
    if not spots:
        return None
    path = rng.choice(spots)
    value = _value_at(data, path)
    char = rng.choice(["\x00", "\x07", "\x1b", "\x0b", "\x7f"])
    cut = rng.randint(0, len(value))
    return json.dumps(_replace(data, path, value[:cut] + char + value[cut:]))


def _value_at(data: Json, path: tuple[Any, ...]) -> Json:
    for part in path:
        data = data[part]
    return data


def _unicode_amount(data: Json, rng: random.Random) -> str | None:
    spots = [p for p, v in _paths(data) if p and p[-1] == "amount" and isinstance(v, str)]
    if not spots:
        return None
    digits = rng.choice(["٥.٠٠", "５", "۱۲.۵", "5.0\u0660"])
    return json.dumps(_replace(data, rng.choice(spots), digits))


def _unknown_field(data: Json, rng: random.Random) -> str | None:
    objects = [p for p, v in _paths(data) if isinstance(v, dict)]
    path = rng.choice(objects)
    obj = dict(_value_at(data, path))
    obj["Unknown-Field!"] = "x"
    return json.dumps(_replace(data, path, obj))


def _duplicate_key(data: Json, rng: random.Random) -> str | None:
    objects = [p for p, v in _paths(data) if isinstance(v, dict) and v]
    path = rng.choice(objects)
    obj = _value_at(data, path)
    key = rng.choice(list(obj))
    inner = json.dumps(obj)
    doubled = "{" + json.dumps(key) + ": " + json.dumps(obj[key]) + ", " + inner[1:]
    text = json.dumps(_replace(data, path, _MARK))
    return text.replace(json.dumps(_MARK), doubled)


_ALWAYS_INVALID: dict[str, Callable[[Json, random.Random], str | None]] = {
    "control_character": _control,
    "unicode_digits": _unicode_amount,
    "unknown_field": _unknown_field,
    "duplicate_key": _duplicate_key,
    "inexact_tiny": lambda d, r: _with_literal(d, r, "1e-1000"),
    "inexact_long": lambda d, r: _with_literal(d, r, "4.999999999999999999"),
    "nan": lambda d, r: _with_literal(d, r, "NaN"),
    "huge_integer": lambda d, r: _with_literal(d, r, "9" * 5000),
    "deep_nesting": lambda d, r: _with_literal(d, r, "[" * 5000 + "]" * 5000),
}


def _random(data: Json, rng: random.Random) -> str:
    spots = [p for p, _ in _paths(data) if p]
    path = rng.choice(spots)
    choice = rng.randrange(6)
    if choice == 0 and isinstance(path[-1], str):
        parent = dict(_value_at(data, path[:-1]))
        parent.pop(path[-1])
        return json.dumps(_replace(data, path[:-1], parent))
    values: list[Json] = [
        None,
        True,
        [],
        {},
        rng.choice([-1, 0, 1, 2**63, -(10**12), 10**13]),
        rng.uniform(-1e6, 1e6),
        rng.choice(["", "x" * 9000, "-0.0", "1e3", "5.0000001", "did:web:x", "2026-13-40"]),
        rng.random(),
    ]
    return json.dumps(_replace(data, path, rng.choice(values)))


def _consistent(kind: str, obj: Any) -> bool:
    """An accepted object validates back to itself and every amount has the wire form."""
    text = obj.model_dump_json()
    again = validate_raw(kind, text)
    amounts = [
        v
        for p, v in _paths(json.loads(text))
        if p and p[-1] == "amount" and not isinstance(v, dict)
    ]
    return again == obj and all(isinstance(a, str) and _AMOUNT.match(a) for a in amounts)


def fuzz_wire(per_kind: int, seed: int = 0) -> dict[str, int]:
    """Fuzz ``per_kind`` samples of every wire kind; return the counts (see the module)."""
    rng = random.Random(seed)
    examples = valid_examples()
    counts = {"samples": 0, "tracebacks": 0, "invalid_accepted": 0, "rejected": 0}
    operators = list(_ALWAYS_INVALID.items())
    for kind, base in sorted(examples.items()):
        for i in range(per_kind):
            always_invalid = i % 2 == 0
            if always_invalid:
                _, mutate = operators[(i // 2) % len(operators)]
                text = mutate(base, rng)
                if text is None:
                    text = _unknown_field(base, rng)
            else:
                text = _random(base, rng)
            counts["samples"] += 1
            try:
                obj = validate_raw(kind, text or "")
            except InvalidInputError:
                counts["rejected"] += 1
                continue
            except Exception:
                counts["tracebacks"] += 1
                continue
            try:
                ok = not always_invalid and _consistent(kind, obj)
            except Exception:
                ok = False
            counts["invalid_accepted"] += 0 if ok else 1
    return counts
