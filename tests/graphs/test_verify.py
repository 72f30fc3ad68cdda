"""``negotiator verify``: a demo run verifies; any flipped byte in a signed event, a deleted or a
moved event, a missing head or a ledger that disagrees makes it exit 1 naming the event."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from negotiator.cli import main
from negotiator.delegation.demo import demo_setup
from negotiator.graphs.runner import run_keys
from negotiator.transcript import TranscriptEvent, TranscriptHeader, line_hash
from negotiator.transcript.chain import head_payload
from negotiator.trust import derive_did_key
from negotiator.trust.didkey import _b58encode

SIGNED_EVENT_KINDS = ("sealed_bid", "screening", "award", "contract", "report", "settlement")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One recorded success run (made once; tests copy it before changing anything)."""
    runs = tmp_path_factory.mktemp("runs")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["demo", "--scenario", "success", "--runs-dir", str(runs)]) == 0
    return runs / "success-001"


@pytest.fixture
def run_dir(demo_run: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(demo_run, tmp_path / "run"))


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["verify", *args])
    return code, capsys.readouterr().out.splitlines()


def _lines(run: Path) -> list[str]:
    return (run / "transcript.jsonl").read_text(encoding="utf-8").splitlines()


def _write(run: Path, lines: list[str]) -> None:
    (run / "transcript.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_demo_run_verifies_with_replay(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = verify(capsys, str(run_dir), "--replay")
    assert code == 0, out
    assert out[-1].endswith("(chain, head, signatures, ledger, replay)")
    code, out = verify(capsys, str(run_dir / "transcript.jsonl"))
    assert code == 0, out


def _flip(text: str, at: float) -> str:
    """Change one letter or digit of ``text`` (after the event's payload key) to another."""
    start = text.index('"payload":') + len('"payload":')
    spots = [i for i, c in enumerate(text) if i > start and c.isalnum()]
    i = spots[int(at * (len(spots) - 1))]
    c = text[i]
    new = ("1" if c == "0" else "0") if c.isdigit() else ("b" if c.lower() == "a" else "a")
    return text[:i] + new + text[i + 1 :]


@pytest.mark.parametrize("kind", SIGNED_EVENT_KINDS)
@pytest.mark.parametrize("at", [0.0, 0.3, 0.6, 1.0])
def test_a_flipped_byte_in_a_signed_event_names_the_event(
    run_dir: Path, capsys: pytest.CaptureFixture[str], kind: str, at: float
) -> None:
    lines = _lines(run_dir)
    index = next(i for i, line in enumerate(lines) if f'"kind":"{kind}"' in line)
    lines[index] = _flip(lines[index], at)
    _write(run_dir, lines)
    code, out = verify(capsys, str(run_dir))
    assert code == 1
    assert any(line.startswith(f"event {index} ({kind}): ") for line in out), out


def test_a_deleted_event_is_named(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = _lines(run_dir)
    index = next(i for i, line in enumerate(lines) if '"kind":"verdict"' in line)
    del lines[index]
    _write(run_dir, lines)
    code, out = verify(capsys, str(run_dir))
    assert code == 1
    assert f"event {index} (report): seq {index + 1} is out of place" in out
    assert any(re.match(rf"event {index - 1} \(report\): its hash is not the prev", o) for o in out)


def test_two_swapped_events_are_both_named(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _lines(run_dir)
    i = next(i for i, line in enumerate(lines) if '"kind":"award"' in line)
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    _write(run_dir, lines)
    code, out = verify(capsys, str(run_dir))
    assert code == 1
    assert f"event {i} (contract): seq {i + 1} is out of place" in out
    assert f"event {i + 1} (award): seq {i} is out of place" in out


def test_an_unsealed_or_resealed_record_fails(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _lines(run_dir)
    _write(run_dir, lines[:-1])
    code, out = verify(capsys, str(run_dir))
    assert code == 1 and out == [
        f"event {len(lines) - 2} (end): no signed head: the record is open"
    ]
    head = json.loads(lines[-1])
    head["payload"]["events"] -= 1
    _write(run_dir, [*lines[:-1], json.dumps(head, separators=(",", ":"))])
    code, out = verify(capsys, str(run_dir))
    assert code == 1
    assert f"event {len(lines) - 1} (head): head does not seal the events before it" in out
    assert f"event {len(lines) - 1} (head): $.signature: does not verify for " in out[-1]


def test_signatures_need_the_right_keys(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other-keys.json"
    (run_dir / "keys.json").rename(other)
    code, out = verify(capsys, str(run_dir))
    assert code == 1
    assert any("no public key is known for did:web:fast-coder.ai" in line for line in out)
    keys = json.loads(other.read_text())
    keys["keys"]["did:web:fast-coder.ai"] = keys["keys"]["did:web:cloud-agent.io"]
    other.write_text(json.dumps(keys))
    code, out = verify(capsys, str(run_dir), "--keys", str(other))
    assert code == 1
    assert any("does not verify for did:web:fast-coder.ai" in line for line in out)


def test_a_ledger_that_disagrees_with_the_record_fails(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(run_dir / "ledger.sqlite") as db:
        db.execute("UPDATE entries SET amount = '-4.00' WHERE amount = '-5.00'")
        db.execute("UPDATE entries SET amount = '4.00' WHERE amount = '5.00'")
    code, out = verify(capsys, str(run_dir))
    assert code == 1
    kinds = {line.split(":")[0] for line in out}
    assert any("(settlement)" in k for k in kinds) and any("(outcome)" in k for k in kinds), out
    assert all("payments differ from the ledger's postings" in line for line in out)


def test_a_missing_run_is_the_callers_mistake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", str(tmp_path / "nope")]) == 2
    assert "no such run folder" in capsys.readouterr().err


def _encodings(secret: bytes) -> list[bytes]:
    text = [
        secret.hex(),
        secret.hex().upper(),
        base64.b64encode(secret).decode().rstrip("="),
        base64.urlsafe_b64encode(secret).decode().rstrip("="),
        "z" + _b58encode(secret),
    ]
    return [secret, *(t.encode() for t in text)]


def test_no_private_key_enters_a_transcript_ledger_or_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    setup = demo_setup("success")
    keys = run_keys(setup, 7)
    secrets = [k._private.private_bytes_raw() for k in (*keys.keys.values(), keys.hub)]
    assert len(secrets) == 7  # the delegator, five bidders, the hub
    run = tmp_path / "success-001"
    with caplog.at_level(logging.DEBUG):
        assert main(["demo", "--scenario", "success", "--runs-dir", str(tmp_path)]) == 0
        assert main(["verify", str(run), "--replay"]) == 0
    captured = capsys.readouterr()
    shown = [captured.out.encode(), captured.err.encode(), caplog.text.encode()]
    stored = [p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()]
    assert {p.name for p in run.iterdir()} >= {
        "transcript.jsonl",
        "ledger.sqlite",
        "keys.json",
    }
    for secret in secrets:
        for form in _encodings(secret):
            assert not any(form in blob for blob in (*shown, *stored))


def test_a_record_resealed_by_another_hub_fails(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _lines(run_dir)
    header = TranscriptHeader.model_validate_json(lines[0])
    events = [TranscriptEvent.model_validate_json(line) for line in lines[1:-1]]
    intruder = derive_did_key("another hub", 7)
    payload = head_payload(header.run_id, len(events), line_hash(lines[-2]), intruder)
    head = json.loads(lines[-1]) | {"role": "recorder", "payload": payload}
    _write(run_dir, [*lines[:-1], json.dumps(head, separators=(",", ":"))])
    code, out = verify(capsys, str(run_dir))
    assert code == 1
    assert f"event {len(lines) - 1} (head): {intruder.agent_id!r} may not seal this record" in out
    assert any("(settlement): $.signature.party_id" in line for line in out)  # hub's signature
    code, out = verify(capsys, str(run_dir), "--hub", intruder.agent_id)  # trusting the intruder
    assert code == 1 and [line.split(":")[0] for line in out] == [
        f"event {len(lines) - 4} (settlement)"
    ]
