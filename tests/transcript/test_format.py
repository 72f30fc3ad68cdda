"""Writing and reading transcripts: round trip, and clear file:line errors."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from negotiator.errors import UsageError
from negotiator.transcript import (
    SCHEMA_VERSION,
    TranscriptError,
    TranscriptHeader,
    TranscriptWriter,
    read_transcript,
)


class Phase(StrEnum):
    BID = "bid"


class Price(BaseModel):
    amount: Decimal
    currency: str


HEADER = TranscriptHeader(run_id="run-1", seed=42, flow="demo", inputs={"task": {"id": "t1"}})


def write(path: Path) -> None:
    with TranscriptWriter.to_file(path, HEADER) as w:
        w.emit("announce", "delegator", "announce", {"task": "t1"})
        w.emit(
            "bid", "did:web:a.ai", "bid", {"price": Price(amount=Decimal("5.10"), currency="USD")}
        )
        w.emit("award", "delegator", "award", {"phase": Phase.BID, "ids": ("a", "b")})


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "t.jsonl"
    write(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {
        "type": "header",
        "schema_version": SCHEMA_VERSION,
        "run_id": "run-1",
        "seed": 42,
        "flow": "demo",
        "inputs": {"task": {"id": "t1"}},
    }
    t = read_transcript(path)
    assert t.header == HEADER
    assert [e.seq for e in t.events] == [1, 2, 3]
    assert t.events[1].payload == {"price": {"amount": "5.10", "currency": "USD"}}
    assert t.events[2].payload == {"phase": "bid", "ids": ["a", "b"]}
    assert t.flow_events() == t.events


def test_identical_runs_write_identical_bytes(tmp_path: Path) -> None:
    write(tmp_path / "a.jsonl")
    write(tmp_path / "b.jsonl")
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_writer_is_thread_safe() -> None:
    writer = TranscriptWriter(HEADER)

    def emit_many(who: int) -> None:
        for i in range(50):
            writer.emit("s", f"r{who}", "k", {"i": i})

    threads = [threading.Thread(target=emit_many, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [e.seq for e in writer.events] == list(range(1, 201))


def test_unserialisable_payload_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="event s/k: payload is not JSON-serialisable"):
        TranscriptWriter(HEADER).emit("s", "r", "k", {"x": object()})
    with pytest.raises(UsageError, match="Out of range float values are not JSON compliant"):
        TranscriptWriter(HEADER).emit("s", "r", "k", {"x": float("nan")})
    with pytest.raises(UsageError, match="event 's'/''"):
        TranscriptWriter(HEADER).emit("s", "r", "", {})


def corrupt(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def good_lines(tmp_path: Path) -> list[str]:
    write(tmp_path / "good.jsonl")
    return (tmp_path / "good.jsonl").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda ls: [*ls[:2], "{not json", *ls[3:]], r"bad.jsonl:3: not valid JSON"),
        (lambda ls: [ls[0], ls[1], ls[3]], r"bad.jsonl:3: seq 3 out of order \(expected 2\)"),
        (lambda ls: ls[1:], r"bad.jsonl:1: the first line must be the header"),
        (lambda ls: [ls[0], ls[1], "", ls[2]], r"bad.jsonl:3: blank line"),
        (lambda ls: [ls[0], "[1, 2]"], r"bad.jsonl:2: expected a JSON object"),
        (
            lambda ls: [ls[0], ls[1].replace('"role":"delegator",', "")],
            r"bad.jsonl:2: role: Field required",
        ),
        (
            lambda ls: [ls[0].replace('"schema_version":1', '"schema_version":2')],
            r"bad.jsonl:1: schema_version 2 is not supported \(this reads 1\)",
        ),
        (
            lambda ls: [ls[0].replace('"seed":42', '"seed":"x"')],
            r"bad.jsonl:1: seed: Input should be a valid integer",
        ),
    ],
)
def test_format_errors_name_file_and_line(tmp_path: Path, mutate: object, expected: str) -> None:
    lines = mutate(good_lines(tmp_path))  # type: ignore[operator]
    with pytest.raises(TranscriptError, match=expected):
        read_transcript(corrupt(tmp_path, lines))


def test_empty_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(TranscriptError, match=r"empty.jsonl:1: empty transcript"):
        read_transcript(tmp_path / "empty.jsonl")
    with pytest.raises(TranscriptError, match=r"nope.jsonl:0: cannot read: no such file"):
        read_transcript(tmp_path / "nope.jsonl")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), json_values, max_size=5))
def test_property_payloads_round_trip(payload: dict[str, object]) -> None:
    """Any JSON payload without secret-looking text reads back exactly as written."""
    writer = TranscriptWriter(HEADER)
    event = writer.emit("s", "r", "k", payload)
    if "[REDACTED]" not in json.dumps(event.payload):
        assert event.payload == payload
