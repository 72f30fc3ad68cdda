"""Signatures on every signed wire kind: they verify after any JSON round trip, and any change,
another signer's key or a missing signature is a located error."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.errors import UsageError
from negotiator.llm.schema import strict_wire_schema
from negotiator.trust import KeyRegistry, derive_did_key, derive_key, keyring
from negotiator.wire import (
    SIGNED_KINDS,
    Award,
    Bid,
    Contract,
    ProgressReport,
    WireModel,
    model_for,
    sign,
    signature_errors,
)

T0 = datetime(2026, 9, 1, 12, tzinfo=UTC)
FAST = "did:web:fast-coder.ai"
DELEGATOR = "did:web:acme.example"
KEYS = keyring([FAST, DELEGATOR], seed=0)
HUB = derive_did_key("hub", seed=0)
REGISTRY = KeyRegistry.of(KEYS.values())
SIGNERS = {"award": DELEGATOR, "report": FAST, "settlement": HUB.agent_id}


def _errors(kind: str, model: WireModel) -> list[str]:
    return [str(e) for e in signature_errors(model, REGISTRY, signer=SIGNERS.get(kind))]


def test_every_signed_kind_is_covered(signed_sample: dict[str, WireModel]) -> None:
    assert {type(m) for m in signed_sample.values()} == set(SIGNED_KINDS)
    for kind, model in signed_sample.items():
        assert _errors(kind, model) == [], kind


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


@given(
    kind=st.sampled_from(["bid", "offer", "award", "contract", "report", "settlement"]),
    seed=st.integers(0, 2**32),
    indent=st.sampled_from([None, 0, 2, "\t"]),
    ascii_only=st.booleans(),
)
def test_signatures_verify_after_any_json_round_trip(
    signed_sample: dict[str, WireModel],
    kind: str,
    seed: int,
    indent: int | str | None,
    ascii_only: bool,
) -> None:
    model = signed_sample[kind]
    data = _shuffled(json.loads(model.model_dump_json()), random.Random(seed))
    text = json.dumps(data, indent=indent, ensure_ascii=ascii_only)
    again = model_for(kind).model_validate_json(text)
    assert _errors(kind, again) == []
    assert again == model


def _tamper(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """One meaningful change per kind (the object stays valid)."""
    changes = {
        "bid": lambda d: d | {"price": {"amount": "4.99", "currency": "USDC"}},
        "offer": lambda d: d | {"round": d["round"] + 1},
        "award": lambda d: d | {"reason": "Another reason."},
        "contract": lambda d: d | {"deadline_seconds": d["deadline_seconds"] + 1},
        "report": lambda d: d | {"progress": 0.75},
        "settlement": lambda d: d | {"reason": "Changed."},
    }
    return changes[kind](data)


@pytest.mark.parametrize("kind", ["bid", "offer", "award", "report", "settlement"])
def test_any_change_after_signing_is_named_at_the_signature(
    signed_sample: dict[str, WireModel], kind: str
) -> None:
    model = signed_sample[kind]
    changed = model_for(kind).model_validate(_tamper(kind, model.model_dump(mode="json")))
    (error,) = _errors(kind, changed)
    assert error.startswith("$.signature: does not verify for ")
    assert "changed after signing" in error


def test_a_changed_contract_names_each_signature(signed_sample: dict[str, WireModel]) -> None:
    contract = signed_sample["contract"]
    assert isinstance(contract, Contract)
    data = _tamper("contract", contract.model_dump(mode="json"))
    for signature in data["signatures"]:  # re-hash so only the Ed25519 check can catch it
        signature["terms_sha256"] = Contract.model_validate(data | {"signatures": []}).terms_hash()
    errors = _errors("contract", Contract.model_validate(data))
    assert errors == [
        f"$.signatures[0]: does not verify for {DELEGATOR}",
        f"$.signatures[1]: does not verify for {FAST}",
    ]


def test_a_bid_signed_with_another_agents_key_does_not_verify(
    signed_sample: dict[str, WireModel],
) -> None:
    bid = signed_sample["bid"]
    assert isinstance(bid, Bid)
    forged_key = derive_key(FAST, seed=666)  # not the key the registry holds for FAST
    forged = sign(bid.model_copy(update={"signature": None}), forged_key, T0)
    assert _errors("bid", forged) == [f"$.signature: does not verify for {FAST}"]
    unsigned = bid.model_copy(update={"signature": None})
    assert _errors("bid", unsigned) == [
        f"$.signature: missing: this object must be signed by {FAST}"
    ]


def test_the_signer_must_be_who_the_receiver_expects(signed_sample: dict[str, WireModel]) -> None:
    report = signed_sample["report"]
    assert isinstance(report, ProgressReport)
    by_delegator = sign(report.model_copy(update={"signature": None}), KEYS[DELEGATOR], T0)
    assert signature_errors(by_delegator, REGISTRY) == []  # a valid signature ...
    errors = [str(e) for e in signature_errors(by_delegator, REGISTRY, signer=FAST)]
    assert errors == [
        f"$.signature.party_id: '{DELEGATOR}' is not '{FAST}'"
    ]  # ... by the wrong party
    unknown = derive_key("did:web:stranger.example", 0)
    stranger = sign(report.model_copy(update={"signature": None}), unknown, T0)
    assert [str(e) for e in signature_errors(stranger, REGISTRY)] == [
        "$.signature: no public key is known for did:web:stranger.example"
    ]


def test_an_award_checks_its_winning_bid_too(signed_sample: dict[str, WireModel]) -> None:
    award = signed_sample["award"]
    assert isinstance(award, Award)
    unsigned_bid = award.winning_bid.model_copy(update={"signature": None})
    resigned = sign(
        Award.model_validate(award.model_dump() | {"winning_bid": unsigned_bid, "signature": None}),
        KEYS[DELEGATOR],
        T0,
    )
    assert _errors("award", resigned) == [
        f"$.winning_bid.signature: missing: this object must be signed by {FAST}"
    ]


def test_only_the_named_author_can_sign(signed_sample: dict[str, WireModel]) -> None:
    bid = signed_sample["bid"]
    with pytest.raises(UsageError, match="cannot sign a Bid whose bidder_id"):
        sign(bid, KEYS[DELEGATOR], T0)
    with pytest.raises(UsageError, match="not a signed wire kind"):
        sign(bid.price, KEYS[FAST], T0)  # type: ignore[type-var]


def test_a_model_is_never_asked_for_a_signature() -> None:
    for model in SIGNED_KINDS:
        assert "signature" in model.model_json_schema()["properties"] or model is Contract
        assert "signature" not in strict_wire_schema(model).get("properties", {})
    assert "signatures" not in strict_wire_schema(Contract)["properties"]


def test_an_unsigned_object_is_dumped_without_the_field(sample: dict[str, WireModel]) -> None:
    assert "signature" not in sample["bid"].model_dump_json()
