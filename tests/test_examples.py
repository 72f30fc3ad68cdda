"""The scripts in ``examples/`` run as documented, and ``langgraph.json`` loads the graph."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _run(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


def test_own_task_and_bidders() -> None:
    out = _run("examples/own_task.py")
    assert out.startswith("completed: did:web:lingua.ai at 288.00 EUR")
    assert "ledger balanced: True" in out


def test_host_graph_with_a_human_answering_through_interrupt() -> None:
    out = _run("examples/host_graph.py")
    assert "paused: 2 question(s)" in out
    assert "host phase closed; completed: did:web:fast-coder.ai won" in out
    assert "ledger balanced: True" in out


def test_the_offline_test_of_an_own_flow_passes() -> None:
    out = _run("-m", "pytest", "-q", "-p", "no:cacheprovider", "examples/test_own_flow_offline.py")
    assert "2 passed" in out


def _factory() -> Any:
    config = json.loads((ROOT / "langgraph.json").read_text(encoding="utf-8"))
    path, _, attr = config["graphs"]["delegation"].partition(":")
    spec = importlib.util.spec_from_file_location("studio_graph", ROOT / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as the server does: type hints resolve in the module
    spec.loader.exec_module(module)
    return getattr(module, attr)


@pytest.mark.parametrize(("scenario", "phase"), [("success", "completed"), ("breach", "breached")])
def test_langgraph_json_names_a_working_graph_factory(scenario: str, phase: str) -> None:
    make_graph = _factory()
    graph = make_graph({"configurable": {"thread_id": f"t-{scenario}", "scenario": scenario}})
    final = asyncio.run(graph.ainvoke({}))
    assert final["delegation"]["phase"] == phase
    assert final["summary"].startswith(f"{phase}; ledger balanced True")
