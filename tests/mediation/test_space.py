"""The proposal space: encoding, evaluation (steps 2-6), step 5's skipping, rounding."""

from __future__ import annotations

import numpy as np
import pytest

from negotiator.errors import UsageError
from negotiator.mediation.curves import PowerCurve
from negotiator.mediation.space import Attribute, Party, ProposalSpace


def test_counterpart_without_overlap_is_skipped(one_to_n: ProposalSpace) -> None:
    assert [p.name for p in one_to_n.counterparts] == ["B1", "B3"]
    (skip,) = one_to_n.skipped
    assert skip.counterpart == "B2"
    assert skip.attribute == "price"
    assert "do not overlap" in skip.reason
    assert one_to_n.size == 2 ** (4 + 3) * 2


def test_decode_encode_round_trip(one_to_n: ProposalSpace) -> None:
    codes = np.arange(2**7, dtype=np.int64)
    levels = one_to_n.decode(codes)
    assert levels.shape == (128, 2)
    assert (one_to_n.encode(levels) == codes).all()
    # MSB first: code 0b1011_010 -> price level 11, days level 2
    assert one_to_n.decode(np.array([0b1011010]))[0].tolist() == [11, 2]


def test_evaluation_follows_steps_2_to_6(one_to_n: ProposalSpace, anchor: Party) -> None:
    levels = np.array([[5, 3]])
    scores = one_to_n.evaluate(levels)
    # step 1: level k of 2^bits - 1 -> A's gain on that attribute; step 2: invert A's curve
    g_price = 10.0 * 5 / 15
    g_days = 6.0 * 3 / 7
    x_price = float(anchor.curves[0].value(g_price))
    x_days = float(anchor.curves[1].value(g_days))
    assert float(anchor.curves[0].gain(x_price)) == pytest.approx(g_price)
    # step 3: feed the values to each counterpart; step 6: weight
    b1 = one_to_n.counterparts[0]
    ub1 = 0.6 * float(b1.curves[0].gain(x_price)) + 0.4 * float(b1.curves[1].gain(x_days))
    assert scores.anchor[0] == pytest.approx(0.5 * g_price + 0.5 * g_days)
    assert scores.counterpart[0, 0] == pytest.approx(ub1)
    # B3's price range starts at 40: is x_price inside?
    assert bool(scores.valid[1, 0]) == (x_price >= 40)


def test_value_outside_counterpart_range_is_invalid(one_to_n: ProposalSpace) -> None:
    # price level 15 = A's best gain = price 0, below B3's range [40, 100]
    scores = one_to_n.evaluate(np.array([[15, 0]]))
    assert bool(scores.valid[0, 0])
    assert not bool(scores.valid[1, 0])
    assert scores.counterpart[1, 0] == 0.0


def test_resolution_rounds_values_and_rescores_the_anchor() -> None:
    a = Party("A", (PowerCurve(0, 1000, 10.0, 0.0, 2.0),), (1.0,))
    b = Party("B", (PowerCurve(1000, 0, 10.0, 0.0, 1.0),), (1.0,))
    space = ProposalSpace([Attribute("price", 4, resolution=100)], a, [b])
    values = space.values[0]
    assert set(np.round(values / 100, 9)) <= set(range(11))
    assert np.allclose(space.anchor_gains[0], a.curves[0].gain(values))
    # levels mapping to the same rounded value are one proposal
    codes = np.arange(16, dtype=np.int64)
    canon = space.canonical(codes)
    assert len(set(canon.tolist())) == len(set(values.tolist()))


def test_counterpart_whose_range_no_level_reaches_is_skipped() -> None:
    a = Party("A", (PowerCurve(0, 100, 10.0, 0.0, 1.0),), (1.0,))
    # overlaps A's range only on [50.1, 50.2]: no 2-bit level (0, 33.3, 66.7, 100) falls in it
    b = Party("B", (PowerCurve(50.2, 50.1, 10.0, 0.0, 1.0),), (1.0,))
    space = ProposalSpace([Attribute("x", 2)], a, [b])
    assert space.counterparts == ()
    assert "no gain level" in space.skipped[0].reason


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ([Attribute("x", 24), Attribute("y", 24), Attribute("z", 24)], "at most 62"),
        ([Attribute("x"), Attribute("x")], "unique"),
    ],
)
def test_bad_spaces(attrs: list[Attribute], message: str) -> None:
    curves = tuple(PowerCurve(0, 1, 1, 0) for _ in attrs)
    a = Party("A", curves, tuple(1 / len(attrs) for _ in attrs))
    with pytest.raises(UsageError, match=message):
        ProposalSpace(attrs, a, [])


def test_party_weights_must_sum_to_one() -> None:
    with pytest.raises(UsageError, match="sum to 1"):
        Party("A", (PowerCurve(0, 1, 1, 0), PowerCurve(0, 1, 1, 0)), (0.5, 0.6))
