"""Recursive delegation through the ``delegation`` flow and ``negotiator demo --scenario
subdelegate``: nested runs recorded in the parent's transcript, replayed by ``replay --check``,
and a crashed parent resumed from the CLI pays its sub-contractor once."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from negotiator.cli import main
from negotiator.delegation.demo import demo_inputs
from negotiator.delegation.ledger import Ledger
from negotiator.flows import arun_flow, check_transcript
from negotiator.graphs.runner import FLOW_NAME
from negotiator.llm.deterministic import DeterministicClient

from .conftest import contractor_crashing_after

FAST, GRID = "did:web:fast-coder.ai", "did:web:grid-smith.dev"


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(var, raising=False)


async def _record(path: Path) -> Any:
    return await arun_flow(
        FLOW_NAME,
        demo_inputs("subdelegate"),
        client=DeterministicClient(),
        seed=7,
        run_id="sub-flow",
        path=path,
    )


def test_nested_runs_are_events_of_the_parent_transcript(tmp_path: Path) -> None:
    path = tmp_path / "sub.jsonl"
    record = asyncio.run(_record(path))
    kinds = [(e.step, e.role, e.kind) for e in record.events if e.step != "model"]
    assert kinds[-3:] == [
        ("subdelegate", FAST, "subrun"),
        ("flow", "runner", "outcome"),
        ("seal", "recorder", "head"),
    ]
    (subrun,) = [e.payload for e in record.events if e.kind == "subrun"]
    assert subrun["run_id"] == "sub-flow.task-virtual-table" and subrun["required"] is True
    assert subrun["outcome"]["winner"]["bidder_id"] == GRID
    assert record.outcome["outcome"] == "completed"
    assert record.outcome["subruns"] == [subrun]
    # the parent's reports carry the folded sub-run
    reports = [e.payload for e in record.events if e.kind == "report"]
    assert all(r["checks"]["subcontracts_ok"] is True for r in reports)
    assert "sub-task task-virtual-table: completed by did:web:grid-smith.dev" in reports[0]["notes"]
    check = check_transcript(path)
    assert check.ok, check.diff
    assert check.outcome == record.outcome


def test_demo_subdelegate_json_and_replay_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--json", "--scenario", "subdelegate", "--runs-dir", str(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["outcome"] == "completed" and out["ledger_balanced"] is True
    assert out["winner"]["bidder_id"] == FAST
    (sub,) = out["subruns"]
    assert [(p["from"], p["to"], p["amount"], p["reason"]) for p in sub["outcome"]["payments"]][
        2:5
    ] == [
        (FAST, "escrow:subdelegate-001.task-virtual-table", "1.92", "escrow"),
        (
            "bond:subdelegate-001.task-virtual-table:did:web:table-tuner.ai",
            "did:web:table-tuner.ai",
            "0.20",
            "bond_return",
        ),
        ("escrow:subdelegate-001.task-virtual-table", GRID, "1.92", "payment"),
    ]
    assert main(["replay", out["transcript"], "--check"]) == 0
    assert "identical" in capsys.readouterr().out
    # the other scenarios keep their keys (no "subruns")
    assert main(["demo", "--json", "--runs-dir", str(tmp_path)]) == 0
    assert "subruns" not in json.loads(capsys.readouterr().out)


def test_a_crashed_subdelegating_run_resumes_from_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = str(tmp_path)
    args = ["demo", "--json", "--scenario", "subdelegate", "--runs-dir", runs]
    with contractor_crashing_after(2):
        assert main(args) == 1
    assert "negotiator resume subdelegate-001" in capsys.readouterr().err
    assert main(["resume", "subdelegate-001", "--runs-dir", runs, "--json"]) == 0
    resumed = json.loads(capsys.readouterr().out)
    assert resumed["outcome"] == "completed" and resumed["ledger_balanced"] is True
    assert resumed["subruns"][0]["outcome"]["outcome"] == "completed"
    with Ledger(tmp_path / "subdelegate-001" / "ledger.sqlite") as ledger:
        assert str(ledger.balance(FAST, "USDC")) == "8.08"
        assert str(ledger.balance(GRID, "USDC")) == "3.92"
    assert main(["replay", resumed["transcript"], "--check"]) == 0
