"""`negotiator replay` tells the demo's story; model trouble is loud; clashing flags are errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_httpx2  # noqa: F401 — registers respx's "httpcore2" mocker
import respx

from negotiator.cli import main
from negotiator.llm.openai_client import OpenAICompatibleClient, RetryPolicy

from ..graphs.conftest import BASE_URL, model_server

GOLDEN = Path(__file__).resolve().parents[1] / "transcripts"
COUNTS = re.compile(
    r"conversational steps \d+: model answers \d+, fallbacks \d+, numeric \(no model asked\) \d+"
)


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(var, raising=False)


def _replay(path: Path | str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["replay", str(path)]) == 0
    return capsys.readouterr().out.splitlines()


def test_replay_puts_each_model_call_under_its_phase(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _replay(GOLDEN / "delegation-model-success.jsonl", capsys)
    headings = [line for line in lines if line.startswith("── ")]
    assert headings[:4] == ["── announce", "── clarify", "── bid", "── screen"]
    bid, screen = lines.index("── bid"), lines.index("── screen")
    bid_block = lines[bid:screen]
    assert sum("(bid, BidChoice): answered" in line for line in bid_block) == 4
    fell_back = [line for line in bid_block if "fell back" in line]
    assert fell_back == []  # premium-labs chose its only option; screening rejects it
    assert any(line.startswith("Opened all sealed bids") for line in lines[screen:])
    assert not any(line.lstrip().startswith("{") for line in lines)  # no raw JSON


def test_demo_and_replay_tell_the_same_story(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--runs-dir", str(tmp_path), "--scenario", "subdelegate"]) == 0
    demo = capsys.readouterr().out.splitlines()
    transcript = tmp_path / "subdelegate-001" / "transcript.jsonl"
    replay = _replay(transcript, capsys)
    for line in demo:
        if line.startswith(("  report", "Award", "Settled", "Reputation", "  rejected")):
            assert line in replay, line
    assert any("clauses: 5 ok, 1 pending" in line for line in demo)
    sub = demo.index(next(x for x in demo if x.startswith("Sub-delegation task-virtual-table")))
    assert demo[sub + 1].startswith("  Award: did:web:grid-smith.dev won")
    assert "  Ledger:" in demo[sub:]
    nested = replay.index(next(x for x in replay if x.startswith("Sub-delegation")))
    assert "model for did:web:grid-smith.dev (bid, BidChoice)" in replay[nested + 1 : nested + 6][2]
    bid_block = replay[replay.index("── bid") : replay.index("── screen")]
    assert not any("grid-smith" in line for line in bid_block)
    demo_counts = COUNTS.search("\n".join(demo))
    replay_counts = COUNTS.findall("\n".join(replay))
    assert demo_counts is not None and replay_counts == [demo_counts.group(0)] * 2


def test_model_counts_agree_between_demo_json_and_replay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789")
    with respx.mock(base_url=BASE_URL, using="httpcore2") as router:
        router.post("/chat/completions").mock(side_effect=model_server)
        args = ["demo", "--json", "--runs-dir", str(tmp_path), "--base-url", BASE_URL]
        assert main([*args, "--model", "m"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert main(["replay", out["transcript"], "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert (summary["steps"], summary["model_calls"], summary["fallbacks"]) == (
        out["seam_calls"],
        out["model_calls"],
        out["fallbacks"],
    )
    assert out["fallbacks"] == 0 and summary["numeric"] == 0


def test_a_dead_server_warns_once_and_require_model_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_sleep(seconds: float) -> None:
        return None

    class NoWaitClient(OpenAICompatibleClient):
        def __init__(self, **settings: Any) -> None:
            super().__init__(retry=RetryPolicy(sleep=no_sleep), **settings)

    monkeypatch.setattr("negotiator.cli.models.OpenAICompatibleClient", NoWaitClient)
    with respx.mock(base_url=BASE_URL, using="httpcore2") as router:
        route = router.post("/chat/completions").mock(side_effect=httpx.ConnectError("refused"))
        args = ["demo", "--runs-dir", str(tmp_path), "--base-url", BASE_URL, "--model", "m"]
        assert main([*args, "--timeout", "1"]) == 0
        captured = capsys.readouterr()
        warnings = [x for x in captured.err.splitlines() if "warning" in x]
        assert len(warnings) == 1 and BASE_URL in warnings[0]
        assert route.call_count <= 5 * 4  # the breaker stops at the first round of bidders
        assert "fallbacks 20" in captured.out
        assert main([*args, "--require-model"]) == 1
    err = capsys.readouterr().err
    assert "a model answer is required" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("extra", "env", "message"),
    [
        (["--offline", "--base-url", BASE_URL], {}, "--offline contradicts --base-url"),
        (["--offline", "--require-model"], {}, "--offline contradicts --require-model"),
        (["--require-model"], {}, "--require-model needs a model"),
        (["--base-url", "notaurl", "--model", "m"], {}, "is not an http:// or https:// URL"),
        (["--model", "m"], {}, "needs OPENAI_API_KEY"),
        (["--base-url", BASE_URL], {}, "--model (or OPENAI_MODEL) is required"),
    ],
)
def test_clashing_or_incomplete_model_options_are_errors(
    extra: list[str],
    env: dict[str, str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--runs-dir", str(tmp_path), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_resume_require_model_of_an_offline_run_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--json", "--runs-dir", str(tmp_path), "--run-id", "r1"]) == 0
    capsys.readouterr()
    assert main(["resume", "r1", "--runs-dir", str(tmp_path), "--require-model"]) == 2
    assert "this run was made without a model" in capsys.readouterr().err
