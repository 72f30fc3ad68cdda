"""The absurd values a real 135M model produced for the demo's bids (issue 7, item 4), each put
alone into fast-coder's deterministic bid and validated as wire input is:
``validate_raw("bid", data, task=demo task, now=...)``. Every row of the project note
"model-nonsense" whose rule belongs to the wire is here; the rows that only the bidder's own
policy can judge (price floor, claimed quality, privacy) are in
``tests/delegation/test_bid_self_check.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from negotiator.delegation.demo import demo_task
from negotiator.errors import InvalidInputError, UsageError
from negotiator.money import Money
from negotiator.wire import Bid
from negotiator.wire.semantics import BidLimits, check_bid, check_bid_expiry
from negotiator.wire.validation import validate_model, validate_raw

NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(seconds=600)  # the demo's bid window: bids are judged at its end

BASE: dict[str, Any] = {
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


def errors(patch: dict[str, Any], now: datetime = NOW) -> list[str]:
    """Validate BASE with ``patch`` applied; return every error as ``path: message``."""
    try:
        validate_raw("bid", BASE | patch, task=demo_task(), now=now)
    except InvalidInputError as exc:
        return [str(e) for e in exc.errors]
    return []


def paths(patch: dict[str, Any], now: datetime = NOW) -> list[str]:
    return [e.split(": ", 1)[0] for e in errors(patch, now)]


def usdc(amount: object) -> dict[str, object]:
    return {"amount": amount, "currency": "USDC"}


def test_the_baseline_is_valid_now_and_at_the_deadline() -> None:
    assert errors({}) == []
    assert errors({}, DEADLINE) == []


# row 1: a price of zero is no offer (0.000001 is a price; the bidder's floor rejects it)
@pytest.mark.parametrize("amount", [0, 0.0, "0", "0.000000"])
def test_row1_zero_price(amount: object) -> None:
    assert errors({"price": usdc(amount), "reputation_bond": usdc(0)}) == [
        f"$.price.amount: {Money(amount=amount, currency='USDC').amount} is not a price: "
        "it must be above 0",
        "$.reputation_bond.amount: 0 is below the task's minimum bond 0.50 USDC",
    ]


def test_row1_a_millionth_is_a_price_on_the_wire() -> None:
    assert errors({"price": usdc("0.000001"), "reputation_bond": usdc("0.000001")}) == [
        "$.reputation_bond.amount: 0.000001 is below the task's minimum bond 0.50 USDC"
    ]


# row 2: bonds larger than the price (and than the bidder's whole funding of 5.00)
@pytest.mark.parametrize("amount", [19.3, "12.53", "12.00", "43.967", 86400.5732, 1e10])
def test_row2_bond_above_the_price(amount: object) -> None:
    (error,) = errors({"reputation_bond": usdc(amount)})
    assert error.startswith("$.reputation_bond.amount: ")
    assert error.endswith("exceeds the bid's own price 5.00 USDC: a bond is at most the price")


def test_row2_bond_equal_to_the_price_is_allowed() -> None:
    assert errors({"reputation_bond": usdc("5.00")}) == []


# row 3: offers "valid" for millennia, some with odd offsets
@pytest.mark.parametrize(
    "expiry",
    [
        "7984-08-16T11:26:12Z",
        "8565-12-22T09:22:52Z",
        "6000-06-01T23:59:58+00:47",
        "5979-01-08T00:00:00+04:36",
        "4938-10-01T09:00:00+00:00",
        "4879-06-02T09:43:16Z",
        "3600-10-01T08:39:57+00:00",
        "2968-11-20T23:31:51Z",
    ],
)
def test_row3_expiry_beyond_the_maximum_validity(expiry: str) -> None:
    (error,) = errors({"expiry": expiry})
    assert error.startswith("$.expiry: ")
    assert "is more than 90 days after the current time 2026-10-01T09:00:00+00:00" in error


def test_row3_the_horizon_is_inclusive_and_needs_no_task() -> None:
    assert errors({"expiry": (NOW + timedelta(days=90)).isoformat()}) == []
    assert paths({"expiry": (NOW + timedelta(days=90, seconds=1)).isoformat()}) == ["$.expiry"]
    bid = validate_model(Bid, BASE | {"expiry": "7984-08-16T11:26:12Z"})
    assert [e.path for e in check_bid_expiry(bid, NOW)] == ["$.expiry"]
    with pytest.raises(InvalidInputError, match=r"\$\.expiry: 7984-08-16T11:26:12\+00:00 is more"):
        validate_raw("bid", BASE | {"expiry": "7984-08-16T11:26:12Z"}, now=NOW)


# row 4: an expiry 0.231 s after bidding opened lapses before the bids are opened and awarded
def test_row4_expiry_before_the_deadline_is_rejected_at_the_deadline() -> None:
    early = {"expiry": "2026-10-01T09:00:00.231Z"}
    assert errors(early, NOW) == []  # alive when sent ...
    assert errors(early, DEADLINE) == [  # ... but not when judged
        "$.expiry: 2026-10-01T09:00:00.231000+00:00 is not after the current time "
        "2026-10-01T09:10:00+00:00"
    ]


# row 5: a dashboard optimised in 1-20 s
@pytest.mark.parametrize("seconds", [1, 2, 3, 20, 59])
def test_row5_duration_below_the_floor(seconds: int) -> None:
    assert errors({"estimated_duration_seconds": seconds}) == [
        f"$.estimated_duration_seconds: {seconds} is below the minimum of 60 s: "
        "no delegated task is delivered that fast"
    ]


def test_row5_duration_floor_is_inclusive() -> None:
    assert errors({"estimated_duration_seconds": 60}) == []


# row 6: a progress report every 1-30 s
@pytest.mark.parametrize("seconds", [1, 2, 3, 16, 30, 59])
def test_row6_reporting_interval_below_the_floor(seconds: int) -> None:
    assert errors({"offered_reporting_interval_seconds": seconds}) == [
        f"$.offered_reporting_interval_seconds: {seconds} s is shorter than the minimum of 60 s "
        "between progress reports"
    ]


def test_row6_a_73_second_interval_is_left_to_the_bidders_policy() -> None:
    assert errors({"offered_reporting_interval_seconds": 73}) == []


# row 9: empty or markup rationales
@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "'' is empty"),
        ("   \n\t", "'   \\n\\t' is empty"),
        ("{{{", "'{{{' has no word of letters"),
        ("<div class='alert' id=", "\"<div class='alert' id=\" contains markup ('<div class=')"),
        ("Fast <b>and</b> cheap", "'Fast <b>and</b> cheap' contains markup ('</b>')"),
        ("Profiled <?xml version", "'Profiled <?xml version' contains markup ('<?x')"),
        ("<!-- hidden -->", "'<!-- hidden -->' contains markup ('<!--')"),
        ("12345 !!!", "'12345 !!!' has no word of letters"),
    ],
)
def test_row9_rationale_must_be_prose(text: str, reason: str) -> None:
    assert errors({"rationale": text}) == [f"$.rationale: {reason}: explain the bid in plain prose"]


@pytest.mark.parametrize(
    "text",
    [
        "NONE",  # the rule checks form, not meaning: the rationale never moves the award
        "no neveja tambiene",
        ",# of items to be included in the offer.",
        "Renders 50,000 rows when latency < 100 ms and a<b holds.",
        "Écrit en français, avec des accents.",
        "Wraps the table in <VirtualList> and memoises the <Row /> component.",
    ],
)
def test_row9_prose_passes_even_when_it_says_little(text: str) -> None:
    assert errors({"rationale": text}) == []


def test_row9_a_long_rationale_is_quoted_shortened() -> None:
    (error,) = errors({"rationale": "x" * 500 + "</p>"})
    assert error == f"$.rationale: '{'x' * 60}…' contains markup ('</p>'): " + (
        "explain the bid in plain prose"
    )


# row 10: raw line breaks inside strings are not JSON; tab/newline in a parsed text are allowed
def test_row10_raw_control_characters_are_not_json() -> None:
    raw = '{"rationale": "}\nThis is a price that can be found on a"}'
    with pytest.raises(InvalidInputError):
        validate_raw("bid", raw.replace("\\n", "\n"))


def test_every_new_rule_at_once_is_reported_with_its_path() -> None:
    assert paths(
        {
            "price": usdc(0),
            "reputation_bond": usdc("19.3"),
            "expiry": "7984-08-16T11:26:12Z",
            "estimated_duration_seconds": 2,
            "offered_reporting_interval_seconds": 2,
            "rationale": "{{{",
        }
    ) == [  # in the order of BID_RULES
        "$.price.amount",
        "$.reputation_bond.amount",
        "$.expiry",
        "$.estimated_duration_seconds",
        "$.offered_reporting_interval_seconds",
        "$.rationale",
    ]


def test_limits_are_configurable_and_capped_by_the_task() -> None:
    bid = validate_model(Bid, BASE | {"estimated_duration_seconds": 100})
    task = demo_task()
    strict = BidLimits(min_duration_seconds=120, max_validity_seconds=3600)
    assert [e.path for e in check_bid(bid, task, NOW, limits=strict)] == [
        "$.expiry",
        "$.estimated_duration_seconds",
    ]
    # a task that asks for less than the floor sets the floor itself
    quick = task.model_copy(update={"deadline_seconds": 30, "reporting_interval_seconds": 20})
    fast = bid.model_copy(
        update={"estimated_duration_seconds": 30, "offered_reporting_interval_seconds": 20}
    )
    assert check_bid(fast, quick, NOW) == []
    faster = fast.model_copy(
        update={"estimated_duration_seconds": 29, "offered_reporting_interval_seconds": 19}
    )
    assert [e.path for e in check_bid(faster, quick, NOW)] == [
        "$.estimated_duration_seconds",
        "$.offered_reporting_interval_seconds",
    ]
    with pytest.raises(UsageError, match="positive"):
        BidLimits(min_reporting_interval_seconds=0)


# absurd values the model produced that the rules rejected from the start: keep them rejected
CAUGHT: list[tuple[str, dict[str, Any]]] = [
    ("$.claimed_quality", {"claimed_quality": 4795.83}),
    ("$.claimed_quality", {"claimed_quality": 125}),
    ("$.price.amount", {"price": usdc(20.5)}),
    ("$.price.amount", {"price": usdc("50.875")}),
    ("$.price.amount", {"price": usdc(1e-323)}),  # the example: too many decimals
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
def test_values_the_rules_caught_from_the_start_stay_caught(
    path: str, patch: dict[str, Any]
) -> None:
    assert path in paths(patch)
