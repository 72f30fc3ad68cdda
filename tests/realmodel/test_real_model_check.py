"""The transcript checks of ``scripts/real_model_check.py`` (the real-model CI step), offline."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "real_model_check.py"


@pytest.fixture(scope="module")
def rmc() -> ModuleType:
    spec = importlib.util.spec_from_file_location("real_model_check", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["real_model_check"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


BID = {
    "schema_version": 1,
    "bidder_id": "did:web:fast-coder.ai",
    "task_id": "task-react-dashboard",
    "price": {"amount": "5.00", "currency": "USDC"},
    "estimated_duration_seconds": 300,
    "claimed_quality": 0.9,
    "privacy_guarantee": "tee",
    "reputation_bond": {"amount": "0.50", "currency": "USDC"},
    "expiry": "2026-10-02T09:00:00Z",
    "offered_reporting_interval_seconds": 300,
    "rationale": "Profiles first.",
}


def _write(tmp_path: Path, events: list[dict[str, Any]]) -> Path:
    header = {"type": "header", "schema_version": 1, "run_id": "r", "seed": 7, "flow": "x"}
    lines = [header] + [{"seq": i + 1} | e for i, e in enumerate(events)]
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


def _request(key: str) -> dict[str, Any]:
    return {"step": "bid", "role": "model", "kind": "model_request", "payload": {"key": key}}


def _response(key: str, source: str, value: object, attempts: int = 1) -> dict[str, Any]:
    payload = {
        "key": key,
        "output": "structured:Bid",
        "value": value,
        "source": source,
        "attempts": attempts,
        "usage": {"prompt_tokens": 600, "completion_tokens": 200},
        "meta": {"http_requests": str(max(attempts, 1))},
    }
    return {"step": "bid", "role": "model", "kind": "model_response", "payload": payload}


def _fallback(key: str, reason: str) -> dict[str, Any]:
    return {
        "step": "bid",
        "role": "model",
        "kind": "fallback",
        "payload": {"key": key, "reason": reason},
    }


def _check(rmc: ModuleType, tmp_path: Path, events: list[dict[str, Any]], **kw: bool) -> Any:
    check = rmc.RunCheck("success")
    rmc.check_transcript(_write(tmp_path, events), check, **kw)
    return check


def test_valid_answer_and_reasoned_fallback_pass(rmc: ModuleType, tmp_path: Path) -> None:
    events = [
        _request("a"),
        _response("a", "model", BID),
        _request("b"),
        _response("b", "model", BID, attempts=3),
        _request("c"),
        _response("c", "fallback", BID, attempts=3),
        _fallback("c", "invalid output after 3 attempt(s): $.claimed_quality: 5 > 1"),
    ]
    check = _check(rmc, tmp_path, events)
    assert check.problems == []
    t = check.tally
    assert (t.model_calls, t.first_try, t.after_reask, t.fallbacks) == (3, 1, 1, 1)
    assert (t.prompt_tokens, t.completion_tokens, t.http_requests, t.revalidated) == (
        1800,
        600,
        7,
        2,
    )


def test_fallback_without_its_event_is_a_problem(rmc: ModuleType, tmp_path: Path) -> None:
    check = _check(rmc, tmp_path, [_request("c"), _response("c", "fallback", BID, attempts=0)])
    assert any("fallback events []" in p for p in check.problems)


def test_unanswered_request_is_a_problem(rmc: ModuleType, tmp_path: Path) -> None:
    check = _check(rmc, tmp_path, [_request("a")])
    assert check.problems == ["request a: 1 request(s) never answered"]


def test_the_deterministic_client_is_not_a_model(rmc: ModuleType, tmp_path: Path) -> None:
    events = [
        _request("c"),
        _response("c", "fallback", BID, 0),
        _fallback("c", "deterministic client"),
    ]
    assert _check(rmc, tmp_path, events).problems == ["request c: no model was asked"]


def test_transport_failures_fail_unless_allowed(rmc: ModuleType, tmp_path: Path) -> None:
    reason = "transport: APITimeoutError after 1 request(s): Request timed out."
    events = [_request("c"), _response("c", "fallback", BID, 0), _fallback("c", reason)]
    assert len(_check(rmc, tmp_path, events).problems) == 1
    assert _check(rmc, tmp_path, events, allow_transport=True).problems == []


def test_an_accepted_answer_is_validated_again(rmc: ModuleType, tmp_path: Path) -> None:
    bad = BID | {"claimed_quality": 5}
    check = _check(rmc, tmp_path, [_request("a"), _response("a", "model", bad)])
    assert len(check.problems) == 1
    assert "$.claimed_quality" in check.problems[0]


def test_absurd_values_are_reported(rmc: ModuleType) -> None:
    value = BID | {
        "price": {"amount": "0.000001", "currency": "USDC"},
        "rationale": "a\x07b",
        "estimated_duration_seconds": 65724983200,
    }
    found = dict(rmc.absurdities(value))
    assert set(found) == {"$.price.amount", "$.rationale", "$.estimated_duration_seconds"}
    assert rmc.absurdities(BID) == []


def _offer(key: str, source: str, attempts: int = 1) -> list[dict[str, Any]]:
    value = {"option": 2, "message": "We can report more often."}
    response = _response(key, source, value, attempts)
    response["step"] = "negotiate.offer"
    response["payload"]["output"] = "structured:OfferReply"
    request = _request(key) | {"step": "negotiate.offer"}
    return [request, response]


def test_answers_are_counted_per_step_kind(rmc: ModuleType, tmp_path: Path) -> None:
    events = [
        _request("a"),
        _response("a", "model", {"option": 1, "rationale": "We profile first."}),
        *_offer("b", "model"),
        *_offer("c", "model", attempts=2),
        *_offer("d", "fallback", attempts=2),
        _fallback("d", "invalid output after 2 attempt(s): $.option: 7 > 3"),
    ]
    events[1]["payload"]["output"] = "structured:BidChoice"
    check = _check(rmc, tmp_path, events)
    assert check.problems == []
    t = check.tally
    assert dict(t.by_kind["bid"]) == {"first": 1}
    assert dict(t.by_kind["offer"]) == {"first": 1, "reask": 1, "fallback": 1}
    assert t.own_choices() == 3 and t.structured_valid_share() == 0.75
    assert t.revalidated == 3  # BidChoice and OfferReply answers are validated again


def test_the_summary_fails_below_the_valid_share(rmc: ModuleType, tmp_path: Path) -> None:
    tally = rmc.Tally()
    for outcome in ("first", "reask", "fallback", "fallback"):
        tally.count("offer", outcome)
    assert tally.structured_valid_share() == 0.5
    tally.count("wording", "fallback")  # free text does not count against the share
    assert tally.structured_valid_share() == 0.5
    assert rmc._tally_json(tally)["structured_valid_share"] == 0.5
