"""Hostile files: deep nesting never gives a traceback (M6); a forged or edited transcript is
refused by ``replay --check`` with the reason, and a drift shows how the request changed (L4)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from negotiator.cli import main
from negotiator.delegation.bidding import SealedBid
from negotiator.delegation.demo import demo_setup
from negotiator.delegation.screening import screen_one
from negotiator.errors import InvalidInputError
from negotiator.flows import check_transcript
from negotiator.wire.validation import validate_raw

HERE = Path(__file__).resolve().parent
DEEP = "[" * 5000 + "]" * 5000


def test_validate_cli_reports_deep_nesting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "d.json"
    path.write_text(DEEP, encoding="utf-8")
    assert main(["validate", "bid", str(path)]) == 2
    assert "$: not valid JSON: nested deeper than 64 levels" in capsys.readouterr().err


def test_validate_raw_and_screening_report_deep_nesting() -> None:
    with pytest.raises(InvalidInputError, match="nested deeper than 64 levels"):
        validate_raw("bid", DEEP)
    nested: object = "x"
    for _ in range(3000):
        nested = [nested]
    s = demo_setup()
    envelope = SealedBid(sender_id="did:web:a.ai", received_at=s.start, payload={"a": nested})
    deadline = s.start + timedelta(seconds=600)
    bid, reasons = screen_one(envelope, s.request.task, deadline, deadline)
    assert bid is None and reasons and reasons[0].path == "$"


def test_replay_check_reports_deep_nesting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = (HERE / "delegation-breach.jsonl").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "deep.jsonl"
    path.write_text(f"{header}\n{DEEP}\n", encoding="utf-8")
    assert main(["replay", str(path), "--check"]) == 2
    assert "deep.jsonl:2: not valid JSON: nested too deeply" in capsys.readouterr().err


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = (HERE / "delegation-model-success.jsonl").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "edited.jsonl"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_forged_bid_choice_beyond_the_bidders_options_is_refused(tmp_path: Path) -> None:
    lines = (HERE / "delegation-model-success.jsonl").read_text(encoding="utf-8").splitlines()
    answer = next(
        line
        for line in lines
        if '"step":"bid","role":"did:web:premium-labs.ai","kind":"model_response"' in line
    )  # premium-labs' cost model left it one option
    forged = _edited(
        tmp_path,
        answer,
        answer.replace('"value":{"option":1,', '"value":{"option":2,', 1),
    )
    check = check_transcript(forged)
    assert not check.ok
    assert "fails the step's check: $.option: 2 is not one of the 1 options" in check.diff


def test_an_edited_answer_is_explained_by_the_request_it_changes(tmp_path: Path) -> None:
    edited = _edited(
        tmp_path,
        '"value":{"text":"Runtime rendering, especially virtual scrolling of large data tables."}',
        '"value":{"text":"Runtime rendering only."}',
    )
    check = check_transcript(edited)
    assert not check.ok and "drifted" in check.diff
    assert "--- recorded request" in check.diff and "+++ re-run request" in check.diff
    assert "Runtime rendering only." in check.diff


@pytest.mark.parametrize(
    ("args", "name", "text"),
    [
        (["mediate"], "deep.json", DEEP),
        (["mediate"], "deep.toml", "a = " + DEEP),
        (["market", "cda", "--traders", "zic", "--schedule"], "deep.json", DEEP),
        (["market", "cda", "--traders", "zic", "--schedule"], "big.json", "[" + "9" * 5000 + "]"),
    ],
)
def test_scenario_and_schedule_files_report_hostile_nesting_and_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert main([*args, str(path)]) == 2
    assert f"{path}: $: " in capsys.readouterr().err
