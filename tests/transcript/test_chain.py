"""The transcript's hash chain and its signed head."""

from __future__ import annotations

import io
import itertools
import json

from negotiator.transcript import TranscriptHeader, TranscriptWriter, chain_failures, line_hash
from negotiator.trust import KeyRegistry, derive_did_key, derive_key

HUB = derive_did_key("hub", 1)
NOBODY = KeyRegistry()


def _record(events: int = 3, seal: bool = True) -> list[str]:
    stream = io.StringIO()
    writer = TranscriptWriter(TranscriptHeader(run_id="r", seed=1, flow="f", inputs={}), stream)
    for i in range(events):
        writer.emit("step", "role", f"k{i}", {"i": i})
    if seal:
        writer.seal(HUB)
    return stream.getvalue().splitlines()


def test_each_event_carries_the_hash_of_the_line_before() -> None:
    lines = _record()
    for before, line in itertools.pairwise(lines):
        assert json.loads(line)["prev"] == line_hash(before)
    head = json.loads(lines[-1])
    assert head["kind"] == "head" and head["payload"]["signer"] == HUB.agent_id
    assert chain_failures(lines, NOBODY) == []  # a did:key sealer needs no registry


def test_an_open_record_and_events_after_the_head_fail() -> None:
    assert [str(f) for f in chain_failures(_record(seal=False), NOBODY)] == [
        "event 3 (end): no signed head: the record is open"
    ]
    lines = _record()
    extra = {"seq": 5, "prev": line_hash(lines[-1]), "step": "s", "role": "r", "kind": "late",
             "payload": {}}  # fmt: skip
    failures = [str(f) for f in chain_failures([*lines, json.dumps(extra)], NOBODY)]
    assert failures == ["event 4 (head): events follow the signed head"]


def test_only_the_named_sealers_may_seal() -> None:
    lines = _record()
    assert chain_failures(lines, NOBODY, sealers=frozenset({HUB.agent_id})) == []
    (failure,) = chain_failures(lines, NOBODY, sealers=frozenset({"did:web:hub.example"}))
    assert failure.seq == 4 and "may not seal" in failure.reason


def test_a_head_signed_by_an_unknown_did_web_fails() -> None:
    stream = io.StringIO()
    writer = TranscriptWriter(TranscriptHeader(run_id="r", seed=1, flow="f", inputs={}), stream)
    writer.emit("s", "r", "k", {})
    writer.seal(derive_key("did:web:hub.example", 1))
    (failure,) = chain_failures(stream.getvalue().splitlines(), NOBODY)
    assert "no public key is known for the head's signer" in failure.reason


def test_broken_lines_are_named_by_index() -> None:
    lines = _record()
    broken = [*lines[:2], "{not json", *lines[3:]]
    failures = [str(f) for f in chain_failures(broken, NOBODY)]
    assert failures[0].startswith("event 2 (?): not valid JSON")
    assert failures[1].startswith("event 2 (?): its hash is not the prev of the next line")
    assert [str(f) for f in chain_failures(["{}"], NOBODY)] == [
        "event 0 (header): no valid transcript header"
    ]
