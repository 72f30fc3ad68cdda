"""Re-runnable flows: record a real (small) flow, re-run it from the transcript, catch drift."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Mapping, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from negotiator import flows
from negotiator.errors import UnknownKeyError, UsageError
from negotiator.flows import (
    FLOW_ENTRY_POINTS,
    FlowRun,
    check_transcript,
    get_flow,
    register_flow,
    registered_flows,
    run_flow,
)
from negotiator.llm.protocol import (
    ChatMessage,
    ModelResult,
    ResultSource,
    StructuredCall,
    TextCall,
    TokenUsage,
)
from negotiator.llm.sync import SyncClient
from negotiator.transcript import read_transcript


class Bid(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    price: int = Field(description="Asked price.")
    days: int = Field(description="Days to deliver.")


class ScriptedModel:
    """A model stand-in: answers by bidder, the first bidders answering last (out of order).

    Each bidder waits until the bidder after it has answered, so the completion order is the
    reverse of the call order however loaded the machine is (no timing involved).
    """

    def __init__(self, prices: Mapping[str, int]) -> None:
        self.prices = prices
        self.answered = {bidder: asyncio.Event() for bidder in prices}

    async def structured(self, call: StructuredCall[Any]) -> ModelResult[Any]:
        bidder = call.messages[-1].content.split()[0]
        order = list(self.prices)
        later = order[order.index(bidder) + 1 :]
        if later:
            await self.answered[later[0]].wait()
        self.answered[bidder].set()
        price = self.prices[bidder]
        value = call.output_type.model_validate({"price": price, "days": 3})
        if call.check(value):
            return ModelResult(call.fallback(), ResultSource.FALLBACK, TokenUsage(5, 2), 1, "check")
        return ModelResult(value, ResultSource.MODEL, TokenUsage(5, 2), 1)

    async def text(self, call: TextCall) -> ModelResult[str]:
        return ModelResult(
            f"Congratulations, {call.step}!", ResultSource.MODEL, TokenUsage(3, 4), 1
        )


def bid_call(bidder: str, task: str, budget: int) -> StructuredCall[Bid]:
    def check(b: Bid) -> Sequence[str]:
        return [f"$.price: {b.price} is over the budget {budget}"] if b.price > budget else []

    return StructuredCall(
        "bid",
        [
            ChatMessage("system", "You bid on tasks."),
            ChatMessage("user", f"{bidder} bids on {task}"),
        ],
        Bid,
        lambda: Bid(price=budget, days=10),
        check,
    )


@register_flow("mini-auction", replace=True)
async def mini_auction(run: FlowRun) -> dict[str, object]:
    """Numbers decide: the lowest valid price wins, ties broken by bidder id."""
    task = str(run.inputs["task"])
    budget = int(str(run.inputs["budget"]))
    bidders = [str(b) for b in run.inputs["bidders"]]  # type: ignore[union-attr]
    run.emit("announce", "delegator", "announce", {"task": task, "budget": budget})
    results = await asyncio.gather(
        *(run.client.structured(bid_call(b, task, budget)) for b in bidders)
    )
    for bidder, result in zip(bidders, results, strict=True):
        run.emit("bid", bidder, "bid", {"bid": result.value, "source": result.source})
    winner, result = min(
        zip(bidders, results, strict=True), key=lambda br: (br[1].value.price, br[0])
    )
    note = await run.client.text(
        TextCall("award", [ChatMessage("user", f"Tell {winner}.")], lambda: "Won.")
    )
    run.emit("award", "delegator", "award", {"winner": winner, "message": note.value})
    return {
        "winner": winner,
        "price": result.value.price,
        "model_calls": sum(r.source is ResultSource.MODEL for r in results),
    }


INPUTS = {"task": "t7", "budget": 50, "bidders": ["ann", "bob", "cat", "dan"]}
PRICES = {"ann": 40, "bob": 30, "cat": 99, "dan": 30}


def record(path: Path, flow: str = "mini-auction") -> Any:
    return run_flow(flow, INPUTS, client=ScriptedModel(PRICES), seed=3, path=path)


def test_record_then_check_is_identical(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    record_ = record(path)
    assert record_.outcome == {"winner": "bob", "price": 30, "model_calls": 3}
    transcript = read_transcript(path)
    assert transcript.header.flow == "mini-auction"
    assert transcript.header.inputs == INPUTS
    assert transcript.events[-1].kind == "outcome"
    summary = transcript.summary()
    assert (summary.steps, summary.model_calls, summary.valid_first_try) == (5, 4, 4)
    assert (summary.fallbacks, summary.numeric) == (1, 0)
    assert (summary.prompt_tokens, summary.completion_tokens) == (23, 12)
    answered = [
        e.payload["messages"][-1]["content"].split()[0]  # type: ignore[index]
        for e in transcript.events
        if e.kind == "model_request" and e.step == "bid"
    ]
    assert answered == ["dan", "cat", "bob", "ann"]  # finished in reverse order
    result = check_transcript(path)
    assert (result.ok, result.diff) == (True, "")
    assert result.outcome == record_.outcome


def test_two_identical_runs_write_identical_bytes(tmp_path: Path) -> None:
    record(tmp_path / "a.jsonl")
    record(tmp_path / "b.jsonl")
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def rewrite(path: Path, edit: Any) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    rows = edit(rows)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def set_value(price: int, field: str, new: int) -> Any:
    def edit(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for r in rows:
            value = r.get("payload", {}).get("value")
            if r.get("kind") == "model_response" and value == {"price": price, "days": 3}:
                value[field] = new
        return rows

    return edit


def test_changed_model_answer_gives_a_readable_diff(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    record(path)
    rewrite(path, set_value(40, "days", 4))  # ann's bid changes; the outcome does not
    result = check_transcript(path)
    assert not result.ok
    assert f"--- {path} (recorded)" in result.diff and "+++ re-run (replayed)" in result.diff
    assert '-        "days": 3,' in result.diff
    assert '+        "days": 4,' in result.diff


def test_changed_winner_is_drift_with_context(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    record(path)
    rewrite(path, set_value(40, "price", 20))  # ann now wins: the award prompt changes
    result = check_transcript(path)
    assert not result.ok
    assert result.diff.startswith(
        "the re-run drifted from the recording: no recorded answer for step 'award' (text"
    )
    assert "flow events up to the drift:" in result.diff
    assert '-        "price": 40' in result.diff and '+        "price": 20' in result.diff


def test_missing_recorded_answer_is_drift(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    record(path)

    def drop_award_answer(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kept = [rows[0]]
        for r in rows[1:]:
            if not (r["step"] == "award" and r["kind"] == "model_response"):
                kept.append({**r, "seq": len(kept)})
        return kept

    rewrite(path, drop_award_answer)
    result = check_transcript(path)
    assert not result.ok
    assert result.diff.startswith("the re-run drifted from the recording: no recorded answer")
    assert result.outcome is None


def test_flow_that_asks_less_leaves_answers_unused(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    register_flow("mini-auction-2", replace=True)(_auction_copy)
    record(path, "mini-auction-2")
    register_flow("mini-auction-2", replace=True)(_silent_auction)
    result = check_transcript(path)
    assert not result.ok
    assert "1 recorded model answer(s) were never asked for" in result.diff
    assert "award (text)" in result.diff


@register_flow("mini-auction-2", replace=True)
async def _auction_copy(run: FlowRun) -> dict[str, object]:
    return await mini_auction(run)


async def _silent_auction(run: FlowRun) -> dict[str, object]:
    """Same bids, but no award message: one recorded answer goes unused."""
    task, budget = str(run.inputs["task"]), int(str(run.inputs["budget"]))
    bidders = [str(b) for b in run.inputs["bidders"]]  # type: ignore[union-attr]
    run.emit("announce", "delegator", "announce", {"task": task, "budget": budget})
    results = await asyncio.gather(
        *(run.client.structured(bid_call(b, task, budget)) for b in bidders)
    )
    for bidder, result in zip(bidders, results, strict=True):
        run.emit("bid", bidder, "bid", {"bid": result.value, "source": result.source})
    winner, result = min(
        zip(bidders, results, strict=True), key=lambda br: (br[1].value.price, br[0])
    )
    run.emit(
        "award", "delegator", "award", {"winner": winner, "message": "Congratulations, award!"}
    )
    return {"winner": winner, "price": result.value.price, "model_calls": 3}


@register_flow("sync-flow", replace=True)
def sync_flow(run: FlowRun) -> dict[str, object]:
    """A plain function flow driving the async client through SyncClient."""
    with SyncClient(run.client) as client:
        bid = client.structured(bid_call("ann", "t1", 100)).value
    run.emit("bid", "ann", "bid", {"bid": bid})
    return {"price": bid.price, "seed": run.seed}


def test_sync_flow_records_and_checks(tmp_path: Path) -> None:
    path = tmp_path / "sync.jsonl"
    rec = run_flow("sync-flow", {}, client=ScriptedModel({"ann": 12}), seed=9, path=path)
    assert rec.outcome == {"price": 12, "seed": 9}
    assert check_transcript(path).ok


def test_registry_errors() -> None:
    with pytest.raises(
        UnknownKeyError, match=r"unknown flow 'nope'; expected one of: .*mini-auction"
    ):
        get_flow("nope")
    with pytest.raises(UsageError, match="already registered"):
        register_flow("mini-auction")(sync_flow)
    assert "mini-auction" in registered_flows()


def test_a_flow_declared_as_an_entry_point_is_loaded_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "flow_plugin_for_test.py").write_text(
        "async def flow(run):\n    return {'x': run.inputs['x']}\n", encoding="utf-8"
    )
    dist = tmp_path / "flow_plugin_for_test-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: flow-plugin-for-test\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(
        f"[{FLOW_ENTRY_POINTS}]\nfrom-module = flow_plugin_for_test:flow\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(flows, "_FLOWS", dict(flows._FLOWS))
    assert "from-module" in registered_flows()
    assert get_flow("from-module").__module__ == "flow_plugin_for_test"
    assert run_flow("from-module", {"x": 3}, client=ScriptedModel({})).outcome == {"x": 3}
    monkeypatch.delitem(sys.modules, "flow_plugin_for_test")


def test_this_package_declares_the_delegation_flow() -> None:
    declared = {ep.name: ep.value for ep in entry_points(group=FLOW_ENTRY_POINTS)}
    assert declared["delegation"] == "negotiator.graphs.runner:delegation_flow"
    assert "delegation" in registered_flows()


@register_flow("bad-outcome", replace=True)
async def bad_outcome(run: FlowRun) -> Any:
    return ["not", "a", "mapping"]


def test_outcome_must_be_a_mapping() -> None:
    with pytest.raises(UsageError, match="flow 'bad-outcome' returned list, not a mapping"):
        run_flow("bad-outcome", {}, client=ScriptedModel({}))
