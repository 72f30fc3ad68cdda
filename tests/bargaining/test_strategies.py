from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.bargaining import (
    CONCESSIONS,
    TIME_PRESETS,
    AcceptAny,
    AcceptConstant,
    AcceptNext,
    AcceptTime,
    TimeDependent,
    acceptance,
    concession,
    multiplicative_step,
    preset_exponent,
    time_dependent_target,
    tit_for_tat_target,
)
from negotiator.errors import InvalidInputError, UnknownKeyError

unit = st.floats(0.0, 1.0)


@given(st.sampled_from(sorted(TIME_PRESETS)), unit, unit, unit, unit)
def test_time_dependent_concession_is_monotone_and_never_crosses_reservation(
    name: str, t1: float, t2: float, r: float, extra: float
) -> None:
    best = r + extra
    e = preset_exponent(name)
    lo, hi = sorted((t1, t2))
    a, b = time_dependent_target(lo, e, best, r), time_dependent_target(hi, e, best, r)
    assert b <= a + 1e-12
    assert r - 1e-12 <= b <= best + 1e-12
    assert time_dependent_target(0.0, e, best, r) == pytest.approx(best)
    assert time_dependent_target(1.0, e, best, r) == pytest.approx(r)


def test_presets_are_ordered_boulware_linear_conceder() -> None:
    at = {n: time_dependent_target(0.5, preset_exponent(n), 1.0, 0.0) for n in TIME_PRESETS}
    assert at["boulware"] > at["linear"] > at["conceder"]
    assert at["greedy"] == at["boulware"] and at["anxious"] == at["conceder"]
    assert at["cool-headed"] == at["linear"] == 0.5


@given(unit, st.lists(unit, min_size=1, max_size=20), unit)
def test_tit_for_tat_is_monotone_and_bounded(first: float, later: list[float], r: float) -> None:
    best_so_far, previous = first, 1.0
    for x in later:
        best_so_far = max(best_so_far, x)
        target = tit_for_tat_target(first, best_so_far, 1.0, r)
        assert r <= target <= previous + 1e-12
        previous = target
    assert tit_for_tat_target(None, None, 1.0, r) == 1.0


@given(st.floats(0.001, 0.2), st.integers(1, 300))
def test_multiplicative_rule_moves_towards_limits_and_stops(w: float, steps: int) -> None:
    offer = np.array([15000.0, 8000.0])
    weights, limits = np.array([-w, w]), np.array([9500.0, 13000.0])
    last = False
    for _ in range(steps):
        nxt, last = multiplicative_step(offer, weights, limits)
        assert nxt[0] <= offer[0] and nxt[1] >= offer[1]
        assert nxt[0] >= 9500 and nxt[1] <= 13000
        offer = nxt
    assert last == bool(offer[0] == 9500 and offer[1] == 13000)


def test_multiplicative_rule_matches_the_formula() -> None:
    nxt, last = multiplicative_step(np.array([15000.0]), np.array([-0.05]), np.array([9500.0]))
    assert nxt.tolist() == [14250.0] and not last
    with pytest.raises(InvalidInputError):
        multiplicative_step(np.array([1.0]), np.array([0.1, 0.2]), np.array([2.0]))


def test_lookups() -> None:
    assert concession("boulware") == TimeDependent(4.0)
    assert "tit-for-tat" in CONCESSIONS
    with pytest.raises(UnknownKeyError, match="boulware"):
        concession("stubborn")
    assert isinstance(acceptance("next"), AcceptNext)


def test_acceptance_conditions() -> None:
    assert AcceptNext()(0.5, 0.5, 0.0) and not AcceptNext()(0.49, 0.5, 0.0)
    assert AcceptNext(alpha=0.9)(0.45, 0.5, 0.0)
    assert AcceptConstant(0.7)(0.7, 1.0, 0.0) and not AcceptConstant(0.7)(0.69, 0.0, 1.0)
    assert AcceptTime(0.9)(0.0, 1.0, 0.95) and not AcceptTime(0.9)(1.0, 1.0, 0.5)
    either = AcceptAny((AcceptConstant(0.9), AcceptTime(0.9)))
    assert either(0.95, 1.0, 0.0) and either(0.1, 1.0, 0.99) and not either(0.5, 0.4, 0.5)
