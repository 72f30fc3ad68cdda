"""Seed 001's broker: the profit formulas worked by hand, the procedure, modes, registry errors."""

from __future__ import annotations

import pytest

from negotiator.errors import InvalidInputError, UnknownKeyError, UsageError
from negotiator.mediation.broker import attribute_profits, broker, profits
from negotiator.mediation.registry import AttributeDef, Buyer, Registry, Seller

PRICE = AttributeDef(name="price", kind="continuous")
DELIVERY = AttributeDef(name="delivery", kind="binary")


def _registry() -> Registry:
    return Registry([PRICE, DELIVERY])


def _buyer(
    name: str, low: float, high: float, wants_delivery: bool = True, **extra: object
) -> dict[str, object]:
    return {
        "name": name,
        "ranges": {"price": {"low": low, "high": high}},
        "prefers": {"delivery": wants_delivery},
        "weights": {"price": 0.7, "delivery": 0.3},
        **extra,
    }


def _seller(
    name: str, low: float, high: float, delivers: bool = True, **extra: object
) -> dict[str, object]:
    return {
        "name": name,
        "ranges": {"price": {"low": low, "high": high}},
        "features": {"delivery": delivers, "category": "book", "condition": 8.0},
        "prefers": {"delivery": False},
        "weights": {"price": 0.6, "delivery": 0.4},
        **extra,
    }


def test_continuous_formula_by_hand() -> None:
    # seed 001: P_b-a1 = (a1_b_max - a1_s_min) / (a1_b_max - a1_b_min)
    buyer = Buyer.model_validate(_buyer("b", 8000, 13000))
    seller = Seller.model_validate(_seller("s", 9500, 15000))
    p_s, p_b = attribute_profits(PRICE, buyer, seller)
    assert p_b == pytest.approx((13000 - 9500) / (13000 - 8000))  # 0.7
    assert p_s == pytest.approx((13000 - 9500) / (15000 - 9500))  # 0.6364


def test_continuous_formula_when_buyer_wants_much() -> None:
    warranty = AttributeDef(name="warranty", kind="continuous", buyer_concedes="down")
    buyer = Buyer(
        name="b",
        ranges={"warranty": {"low": 6, "high": 24}},
        weights={"warranty": 1},
    )
    seller = Seller(
        name="s",
        ranges={"warranty": {"low": 0, "high": 12}},
        weights={"warranty": 1},
    )
    # room = seller's most (12) - buyer's least (6) = 6
    assert attribute_profits(warranty, buyer, seller) == pytest.approx((6 / 12, 6 / 18))


def test_binary_plus_minus_one_by_hand() -> None:
    buyer = Buyer.model_validate(_buyer("b", 8000, 13000, wants_delivery=True))
    delivering = Seller.model_validate(_seller("s", 9500, 15000, delivers=True))
    not_delivering = Seller.model_validate(_seller("t", 9500, 15000, delivers=False))
    # the seller would rather not deliver (prefers False): delivering costs it
    assert attribute_profits(DELIVERY, buyer, delivering) == (-1.0, 1.0)
    assert attribute_profits(DELIVERY, buyer, not_delivering) == (1.0, -1.0)


def test_weighted_totals_and_difference_by_hand() -> None:
    reg = _registry()
    reg.register_buyer(_buyer("b", 8000, 13000))
    reg.register_seller(_seller("s", 9500, 15000))
    p_s, p_b = profits(reg, reg.buyers[0], reg.sellers[0])
    # P_b = 0.7 * 0.7 + 0.3 * (+1) = 0.79 ; P_s = 0.6 * 3500/5500 + 0.4 * (-1)
    assert p_b == pytest.approx(0.79)
    assert p_s == pytest.approx(0.6 * 3500 / 5500 - 0.4)
    result = broker(reg, k=1.0)
    (pair,) = result.pairings
    assert pair.difference == pytest.approx(abs(0.79 - (0.6 * 3500 / 5500 - 0.4)))  # 0.80818


def test_threshold_k_decides_which_pairs_proceed() -> None:
    reg = _registry()
    reg.register_buyer(_buyer("b", 8000, 13000))
    reg.register_seller(_seller("s", 9500, 15000))
    assert broker(reg, k=0.81).pairings  # D = 0.8082
    refused = broker(reg, k=0.80)
    assert refused.pairings == []
    assert refused.unmatched[0].buyer == "b"
    assert "exceeds k=0.8" in refused.unmatched[0].reason


def test_neutral_picks_smallest_difference_and_sellers_leave_the_pool() -> None:
    reg = Registry([PRICE])
    one = {"weights": {"price": 1.0}}
    reg.register_buyer({"name": "b1", "ranges": {"price": {"low": 8000, "high": 13000}}, **one})
    reg.register_buyer({"name": "b2", "ranges": {"price": {"low": 8000, "high": 13000}}, **one})
    # D = |room/s_range - room/b_range|, b_range = 5000
    reg.register_seller({"name": "far", "ranges": {"price": {"low": 12000, "high": 20000}}, **one})
    reg.register_seller({"name": "near", "ranges": {"price": {"low": 9500, "high": 14500}}, **one})
    result = broker(reg, k=10)
    # b1 registered first gets "near": D = |3500/5000 - 3500/5000| = 0 < |1000/8000 - 1000/5000|
    assert [(p.buyer, p.seller) for p in result.pairings] == [("b1", "near"), ("b2", "far")]
    first = result.pairings[0]
    assert [c.seller for c in first.candidates] == ["far", "near"]
    assert first.difference == pytest.approx(0.0)
    assert result.pairings[1].difference == pytest.approx(abs(1000 / 8000 - 1000 / 5000))


def test_registration_order_decides_who_is_served_first() -> None:
    reg = Registry([PRICE])
    one = {"weights": {"price": 1.0}}
    reg.register_buyer(
        {"name": "late-but-first", "ranges": {"price": {"low": 1, "high": 9}}, **one}
    )
    reg.register_buyer({"name": "second", "ranges": {"price": {"low": 1, "high": 9}}, **one})
    reg.register_seller({"name": "only", "ranges": {"price": {"low": 2, "high": 10}}, **one})
    result = broker(reg, k=10)
    assert [p.buyer for p in result.pairings] == ["late-but-first"]
    assert result.unmatched[0].buyer == "second"
    assert "mandatory" in result.unmatched[0].reason  # the pool is empty now


def test_mandatory_conditions_filter_sellers() -> None:
    reg = _registry()
    reg.register_buyer(
        _buyer(
            "b",
            8000,
            13000,
            mandatory=[
                {"feature": "delivery", "op": "eq", "value": False},
                {"feature": "condition", "op": "ge", "value": 7},
            ],
        )
    )
    reg.register_seller(_seller("delivers", 9500, 15000, delivers=True))
    reg.register_seller(_seller("pickup", 9500, 15000, delivers=False))
    result = broker(reg, k=5)
    assert [p.seller for p in result.pairings] == ["pickup"]
    assert [c.seller for c in result.pairings[0].candidates] == ["pickup"]


def test_no_seller_meets_the_conditions() -> None:
    reg = _registry()
    reg.register_buyer(
        _buyer(
            "b", 8000, 13000, mandatory=[{"feature": "category", "op": "eq", "value": "bicycle"}]
        )
    )
    reg.register_seller(_seller("s", 9500, 15000))
    result = broker(reg, k=5)
    assert result.pairings == []
    assert result.unmatched[0].reason == "no seller meets the mandatory conditions"


def test_modes_are_a_lookup_table() -> None:
    reg = Registry([PRICE])
    one = {"weights": {"price": 1.0}}
    reg.register_buyer({"name": "b", "ranges": {"price": {"low": 8000, "high": 13000}}, **one})
    reg.register_seller(
        {"name": "cheap", "ranges": {"price": {"low": 9000, "high": 10000}}, **one}
    )  # P_s = 4, P_b = 0.8
    reg.register_seller(
        {"name": "fair", "ranges": {"price": {"low": 9500, "high": 14000}}, **one}
    )  # P_s = 0.778, P_b = 0.7
    reg.register_seller(
        {"name": "dear", "ranges": {"price": {"low": 12000, "high": 20000}}, **one}
    )  # P_s = 0.125, P_b = 0.2
    assert broker(reg, 10, "neutral").pairings[0].seller == "dear"  # D = 0.075
    assert broker(reg, 10, "seller-favouring").pairings[0].seller == "cheap"
    assert broker(reg, 10, "buyer-favouring").pairings[0].seller == "cheap"
    assert broker(reg, 0.5, "seller-favouring").pairings[0].seller == "fair"  # k applies too
    with pytest.raises(UnknownKeyError, match="buyer-favouring, neutral, seller-favouring"):
        broker(reg, 1, "greedy")
    with pytest.raises(UsageError, match="k must be"):
        broker(reg, -1)


def test_registry_errors_have_json_paths() -> None:
    reg = _registry()
    with pytest.raises(InvalidInputError) as caught:
        reg.register_buyer(
            {
                "name": "b",
                "ranges": {"price": {"low": 5, "high": 1}, "colour": {"low": 0, "high": 1}},
                "weights": {"price": 0.5, "delivery": 0.2},
            }
        )
    paths = [e.path for e in caught.value.errors]
    assert "$.ranges.price" in paths  # low above high (pydantic)
    with pytest.raises(InvalidInputError) as caught:
        reg.register_buyer(
            {
                "name": "b",
                "ranges": {"price": {"low": 1, "high": 5}, "colour": {"low": 0, "high": 1}},
                "weights": {"price": 0.5, "delivery": 0.2},
            }
        )
    messages = {str(e) for e in caught.value.errors}
    assert "$.ranges.colour: not a continuous attribute" in messages
    assert "$.weights: weights sum to 0.7, expected 1" in messages
    with pytest.raises(InvalidInputError) as caught:
        reg.register_seller(
            {
                "name": "s",
                "ranges": {"price": {"low": 1, "high": 2}},
                "weights": {"price": 0.5, "delivery": 0.5},
            }
        )
    assert "$.features.delivery: binary attribute: list a bool" in {
        str(e) for e in caught.value.errors
    }


def test_duplicate_names_and_bad_conditions() -> None:
    reg = _registry()
    reg.register_buyer(_buyer("b", 1, 2))
    with pytest.raises(InvalidInputError, match=r"\$\.name: 'b' is already registered"):
        reg.register_buyer(_buyer("b", 1, 2))
    with pytest.raises(InvalidInputError, match="needs a number"):
        reg.register_buyer(
            _buyer("c", 1, 2, mandatory=[{"feature": "category", "op": "lt", "value": "book"}])
        )
    with pytest.raises(InvalidInputError, match="duplicates"):
        Registry([PRICE, PRICE])
