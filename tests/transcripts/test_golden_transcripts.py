"""Recorded delegation transcripts replay offline with an identical outcome.

Re-record them (only when a change to the flow is intended) with
``python tests/transcripts/record.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from negotiator.cli import main
from negotiator.flows import check_transcript

HERE = Path(__file__).resolve().parent
GOLDEN = sorted(HERE.glob("delegation-*.jsonl"))


def test_all_five_are_present() -> None:
    assert [p.name for p in GOLDEN] == [
        "delegation-breach.jsonl",
        "delegation-cancel.jsonl",
        "delegation-model-success.jsonl",
        "delegation-success.jsonl",
        "delegation-switch.jsonl",
    ]


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_replays_identically(path: Path) -> None:
    check = check_transcript(path)
    assert check.ok, check.diff
    outcome_line, head_line = path.read_text(encoding="utf-8").splitlines()[-2:]
    recorded = json.loads(outcome_line)
    assert recorded["kind"] == "outcome" and json.loads(head_line)["kind"] == "head"
    assert check.outcome == recorded["payload"]


def test_cli_check_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(HERE / "delegation-breach.jsonl"), "--check"]) == 0


def test_a_tampered_transcript_fails_the_check(tmp_path: Path) -> None:
    lines = (HERE / "delegation-success.jsonl").read_text(encoding="utf-8").splitlines()
    tampered = [
        line.replace('"amount":"5.00"', '"amount":"4.00"') if '"kind":"outcome"' in line else line
        for line in lines
    ]
    path = tmp_path / "tampered.jsonl"
    path.write_text("\n".join(tampered) + "\n", encoding="utf-8")
    check = check_transcript(path)
    assert not check.ok
    assert "4.00" in check.diff
