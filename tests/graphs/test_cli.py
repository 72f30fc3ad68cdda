"""``negotiator demo`` / ``negotiator resume`` / ``negotiator replay --check`` on the demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import respx

from negotiator.cli import main

from .conftest import BASE_URL, KILLED_CLI, contractor_crashing_after, model_server

KEYS = {
    "task_id",
    "outcome",
    "winner",
    "clarifications",
    "bids",
    "payments",
    "ledger_balanced",
    "transcript",
    "model_calls",
    "fallbacks",
}


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(var, raising=False)


def demo_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["demo", "--json", *args]) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


@pytest.mark.parametrize(
    ("scenario", "reasons"),
    [
        ("breach", ["penalty", "payment", "bond_forfeit"]),
        ("cancel", ["compensation", "refund", "bond_return"]),
    ],
)
def test_demo_json_and_replay_check(
    scenario: str, reasons: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = demo_json(capsys, "--scenario", scenario, "--runs-dir", str(tmp_path))
    assert out.keys() >= KEYS
    assert out["ledger_balanced"] is True and out["run_id"] == f"{scenario}-001"
    assert [p["reason"] for p in out["payments"][-3:]] == reasons
    assert main(["replay", out["transcript"], "--check"]) == 0
    assert "identical" in capsys.readouterr().out
    # the next run gets the next id
    assert demo_json(capsys, "--scenario", scenario, "--runs-dir", str(tmp_path))["run_id"] == (
        f"{scenario}-002"
    )


def test_same_inputs_give_byte_identical_transcripts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = demo_json(capsys, "--runs-dir", str(tmp_path / "a"), "--run-id", "same")
    b = demo_json(capsys, "--runs-dir", str(tmp_path / "b"), "--run-id", "same")
    assert Path(a["transcript"]).read_bytes() == Path(b["transcript"]).read_bytes()


def test_story_tells_the_seed_clarification(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--runs-dir", str(tmp_path)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Should the optimisation target bundle size or runtime rendering? (4 asked)" in text
    assert "A Runtime rendering, especially virtual scrolling of large data tables." in text
    assert "rejected did:web:premium-labs.ai: $.price.amount: 14.30 exceeds the budget" in text
    assert "completed; ledger balanced: True" in text


def test_crash_then_resume_settles_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = str(tmp_path)
    with contractor_crashing_after(2):
        assert main(["demo", "--json", "--scenario", "breach", "--runs-dir", runs]) == 1
    assert "negotiator resume breach-001" in capsys.readouterr().err
    assert main(["resume", "breach-001", "--runs-dir", runs, "--json"]) == 0
    resumed = json.loads(capsys.readouterr().out)
    reasons = [p["reason"] for p in resumed["payments"]]
    assert reasons.count("penalty") == 1 and reasons.count("bond_forfeit") == 1
    assert resumed["ledger_balanced"] is True
    assert main(["replay", resumed["transcript"], "--check"]) == 0


def test_resume_unknown_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resume", "nope", "--runs-dir", str(tmp_path)]) == 2
    assert "no run at" in capsys.readouterr().err


def test_custom_server_needs_a_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--runs-dir", str(tmp_path), "--base-url", "http://x.test/v1"]) == 2
    assert "--model" in capsys.readouterr().err


def test_killed_process_resumes_and_settles_once(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    base = [sys.executable, "-m", "negotiator"]
    demo = ["demo", "--json", "--scenario", "cancel", "--runs-dir", str(tmp_path), "--run-id", "k"]
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_CLI, "1", *demo],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert killed.returncode == 70 and killed.stdout == ""
    resumed = subprocess.run(
        [*base, "resume", "k", "--runs-dir", str(tmp_path), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    out = json.loads(resumed.stdout)
    assert out["outcome"] == "cancelled" and out["ledger_balanced"] is True
    compensation = [p for p in out["payments"] if p["reason"] == "compensation"]
    assert [p["amount"] for p in compensation] == ["2.00"]


def test_demo_with_a_model_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-live-DO-NOT-LEAK-0123456789")
    with respx.mock(base_url=BASE_URL, using="httpcore2") as router:
        route = router.post("/chat/completions").mock(side_effect=model_server)
        out = demo_json(
            capsys,
            "--runs-dir",
            str(tmp_path),
            "--base-url",
            BASE_URL,
            "--model",
            "test-model",
            "--scenario",
            "breach",
        )
    assert route.call_count == 14
    assert (out["model_calls"], out["fallbacks"], out["outcome"]) == (14, 0, "breached")
    assert out["winner"]["price"] == "6.89"
    transcript = Path(out["transcript"]).read_text(encoding="utf-8")
    assert "DO-NOT-LEAK" not in transcript
    meta = json.loads((Path(out["run_dir"]) / "run.json").read_text(encoding="utf-8"))
    assert meta["model"] == {
        "base_url": BASE_URL,
        "model": "test-model",
        "structured_mode": "json_schema",
    }
    assert "DO-NOT-LEAK" not in json.dumps(meta)
    assert main(["replay", out["transcript"], "--check"]) == 0


def test_demo_refuses_an_existing_run_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo_json(capsys, "--runs-dir", str(tmp_path), "--run-id", "x")
    assert main(["demo", "--runs-dir", str(tmp_path), "--run-id", "x"]) == 2
    assert "negotiator resume x" in capsys.readouterr().err
