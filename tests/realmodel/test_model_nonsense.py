"""What a real 135M model answered for the demo's bids, held against the public validation API.

Every value below was produced by SmolLM2-135M-Instruct on the llama-cpp-python server for the
demo's own bid prompts (``scripts/real-model-check``'s set-up; the table with seeds and the exact
JSON is in the project notes, "model-nonsense"). Each value is put alone into an otherwise valid
bid, which is then validated exactly as wire input is: ``validate_raw("bid", ..., task, now)``.

- ``CAUGHT``: absurd values the rules rejected from the start — each must stay rejected, at its
  JSON path.
- ``ADDED``: absurd values the first real-model runs found *accepted*; each became a rule, and must
  stay rejected at its path.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from negotiator.delegation.demo import demo_task
from negotiator.errors import InvalidInputError
from negotiator.validation import validate_raw

NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)

# fast-coder's deterministic bid in the demo (the fallback the model's answer replaces)
VALID_BID: dict[str, Any] = {
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
    "rationale": "Fast Coder profiles first, then fixes what the profile shows, inside a TEE.",
}


def _errors(patch: dict[str, Any]) -> list[str]:
    """Validate VALID_BID with ``patch`` applied; return the JSON paths of the errors."""
    try:
        validate_raw("bid", VALID_BID | patch, task=demo_task(), now=NOW)
    except InvalidInputError as exc:
        return [e.path for e in exc.errors]
    return []


def _usdc(amount: object) -> dict[str, object]:
    return {"amount": amount, "currency": "USDC"}


def test_the_baseline_bid_is_valid() -> None:
    assert _errors({}) == []


CAUGHT: list[tuple[str, dict[str, Any]]] = [
    ("$.claimed_quality", {"claimed_quality": 4795.83}),
    ("$.claimed_quality", {"claimed_quality": 125}),
    ("$.price.amount", {"price": _usdc(20.5)}),
    ("$.price.amount", {"price": _usdc("50.875")}),
    ("$.price.amount", {"price": _usdc(1e-323)}),  # the example: too many decimals
    ("$.estimated_duration_seconds", {"estimated_duration_seconds": 67083}),
    ("$.estimated_duration_seconds", {"estimated_duration_seconds": 2837946}),
    ("$.reputation_bond.currency", {"reputation_bond": {"amount": "2.157", "currency": "CERA"}}),
    (
        "$.price.currency",
        {
            "price": {"amount": "2", "currency": "LH9P7UYMBW"},
            "reputation_bond": {"amount": "2", "currency": "LH9P7UYMBW"},
        },
    ),
    ("$.task_id", {"task_id": "customerservice"}),
    ("$.task_id", {"task_id": "pickup-2026-10-07T09:53:48Z"}),
    ("$.expiry", {"expiry": "1000-10-10T23:45:56Z"}),
    ("$.expiry", {"expiry": "1280-03-11T07:46:33.960Z"}),
    ("$.offered_reporting_interval_seconds", {"offered_reporting_interval_seconds": 3600}),
]


@pytest.mark.parametrize(("path", "patch"), CAUGHT, ids=[f"{p}={v}" for p, v in CAUGHT])
def test_model_nonsense_caught_today_stays_caught(path: str, patch: dict[str, Any]) -> None:
    assert path in _errors(patch)


# absurd values the first real-model runs found accepted; each got its rule (see the notes)
ADDED: list[tuple[str, dict[str, Any]]] = [
    ("$.price.amount", {"price": _usdc(0.0)}),  # price > 0
    ("$.reputation_bond.amount", {"reputation_bond": _usdc(19.3)}),  # bond <= price
    ("$.reputation_bond.amount", {"reputation_bond": _usdc(86400.5732)}),
    ("$.expiry", {"expiry": "7984-08-16T11:26:12Z"}),  # a maximum validity
    ("$.expiry", {"expiry": "6000-06-01T23:59:58+00:47"}),
    ("$.estimated_duration_seconds", {"estimated_duration_seconds": 2}),  # a minimum duration
    ("$.offered_reporting_interval_seconds", {"offered_reporting_interval_seconds": 2}),
    ("$.rationale", {"rationale": ""}),  # prose, not empty
    ("$.rationale", {"rationale": "<div class='alert' id="}),  # prose, not markup
]


@pytest.mark.parametrize(("path", "patch"), ADDED, ids=[f"{p}={v}" for p, v in ADDED])
def test_model_nonsense_found_accepted_is_now_caught(path: str, patch: dict[str, Any]) -> None:
    assert path in _errors(patch)
