"""``negotiator replay FILE [--check] [--json]`` end to end through the CLI dispatcher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from negotiator.cli import main
from negotiator.flows import FlowRun, register_flow, run_flow
from negotiator.llm.deterministic import DeterministicClient
from negotiator.llm.protocol import ChatMessage, StructuredCall, TextCall


class Quote(BaseModel):
    price: int


@register_flow("cli-demo", replace=True)
async def cli_demo(run: FlowRun) -> dict[str, object]:
    base = int(str(run.inputs["base"]))
    quote = await run.client.structured(
        StructuredCall("quote", [ChatMessage("user", "quote")], Quote, lambda: Quote(price=base))
    )
    note = await run.client.text(TextCall("note", [ChatMessage("user", "note")], lambda: "ok"))
    run.emit("quote", "seller", "quote", {"price": quote.value.price, "note": note.value})
    return {"price": quote.value.price}


@pytest.fixture
def transcript(tmp_path: Path) -> Path:
    path = tmp_path / "demo.jsonl"
    run_flow("cli-demo", {"base": 7}, client=DeterministicClient(), seed=1, path=path)
    return path


def test_pretty_print(transcript: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(transcript)]) == 0
    out = capsys.readouterr().out
    assert "cli-demo" in out
    for text in ("── quote", "model for model (quote, Quote): numeric policy", "note", "price=7"):
        assert text in out
    assert "model answers 0, fallbacks 0, numeric (no model asked) 2" in out


def test_check_identical(transcript: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(transcript), "--check"]) == 0
    assert "re-run identical to the recording" in capsys.readouterr().out


def test_check_differs_exits_1_with_diff(
    transcript: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [json.loads(line) for line in transcript.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        if row.get("kind") == "model_response" and row["step"] == "quote":
            row["payload"]["value"] = {"price": 8}
    transcript.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["replay", str(transcript), "--check"]) == 1
    out = capsys.readouterr().out
    assert "re-run differs from the recording" in out
    assert '-      "price": 7' in out and '+      "price": 8' in out


def test_json_is_one_object(transcript: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(transcript), "--check", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["header"]["flow"] == "cli-demo"
    assert data["check"] == {"ok": True, "diff": "", "outcome": {"price": 7}}
    assert (data["summary"]["steps"], data["summary"]["numeric"]) == (2, 2)
    assert len(data["events"]) == 8


def test_broken_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "header"}\n', encoding="utf-8")
    assert main(["replay", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"negotiator replay: error: {bad}:1: ")
    assert len(err.splitlines()) == 1


def test_unknown_flow_exit_2(transcript: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = transcript.read_text(encoding="utf-8").replace('"flow":"cli-demo"', '"flow":"gone"')
    transcript.write_text(text, encoding="utf-8")
    assert main(["replay", str(transcript)]) == 0  # showing needs no flow
    assert main(["replay", str(transcript), "--check"]) == 2
    assert "unknown flow 'gone'" in capsys.readouterr().err
