"""Gain curves: exact inversion, monotonicity, ranges, presets."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from negotiator.errors import UnknownKeyError, UsageError
from negotiator.mediation.curves import (
    STRATEGY_EXPONENTS,
    PiecewiseCurve,
    PowerCurve,
    strategy_curve,
)

finite = st.floats(-1e4, 1e4, allow_nan=False)


@st.composite
def power_curves(draw: st.DrawFn) -> PowerCurve:
    best, worst = draw(finite), draw(finite)
    assume(abs(best - worst) > 1e-3)
    low_g = draw(st.floats(-100, 100))
    span = draw(st.floats(0.01, 100))
    exponent = draw(st.floats(0.1, 10))
    return PowerCurve(best, worst, low_g + span, low_g, exponent)


@st.composite
def piecewise_curves(draw: st.DrawFn) -> PiecewiseCurve:
    n = draw(st.integers(2, 6))
    steps = draw(st.lists(st.floats(0.1, 100), min_size=n - 1, max_size=n - 1))
    gsteps = draw(st.lists(st.floats(0.1, 100), min_size=n - 1, max_size=n - 1))
    sign = draw(st.sampled_from([1.0, -1.0]))
    xs = np.concatenate([[draw(finite)], np.cumsum(steps)])
    xs[1:] += xs[0]
    gs = np.concatenate([[0.0], sign * np.cumsum(gsteps)])
    return PiecewiseCurve(tuple((float(x), float(g)) for x, g in zip(xs, gs, strict=True)))


@given(power_curves(), st.floats(0, 1))
def test_power_inverse_recovers_value(curve: PowerCurve, frac: float) -> None:
    low, high = curve.value_range
    x = low + frac * (high - low)
    g = float(curve.gain(x))
    back = float(curve.value(g))
    # exact up to floating point: where the curve is flat many values share one gain, so the
    # check is that the recovered value has the same gain (and lies in the range)
    span = curve.gain_range[1] - curve.gain_range[0]
    assert low <= back <= high
    assert float(curve.gain(back)) == pytest.approx(g, abs=1e-6 * span)
    if curve.exponent == 1:
        assert back == pytest.approx(x, rel=1e-9, abs=1e-9 * (high - low))


@given(power_curves(), st.floats(0, 1))
def test_power_curve_of_inverse_is_identity(curve: PowerCurve, frac: float) -> None:
    low_g, high_g = curve.gain_range
    g = low_g + frac * (high_g - low_g)
    # x is rounded to a float: near the steep end of a curve with exponent e < 1, one ulp of x
    # moves the gain by up to span * (ulp / |worst - best|) ** e, so that bounds the error
    ulp = 4 * np.finfo(float).eps * max(abs(curve.best), abs(curve.worst))
    steep = (ulp / abs(curve.worst - curve.best)) ** min(curve.exponent, 1.0)
    tolerance = (high_g - low_g) * max(1e-6, 2 * steep)
    assert float(curve.gain(curve.value(g))) == pytest.approx(g, abs=tolerance)


@given(power_curves())
def test_power_curve_is_monotone_from_best_to_worst(curve: PowerCurve) -> None:
    xs = np.linspace(curve.best, curve.worst, 50)
    gains = curve.gain(xs)
    assert (np.diff(gains) <= 1e-12).all()
    assert gains[0] == pytest.approx(curve.gain_best)
    assert gains[-1] == pytest.approx(curve.gain_worst)


@given(piecewise_curves(), st.floats(0, 1))
def test_piecewise_inverse_recovers_value(curve: PiecewiseCurve, frac: float) -> None:
    low, high = curve.value_range
    x = low + frac * (high - low)
    assert float(curve.value(curve.gain(x))) == pytest.approx(x, rel=1e-9, abs=1e-6)


@given(piecewise_curves())
def test_piecewise_is_strictly_monotone(curve: PiecewiseCurve) -> None:
    low, high = curve.value_range
    gains = curve.gain(np.linspace(low, high, 40))
    diffs = np.diff(gains)
    assert (diffs > 0).all() or (diffs < 0).all()


def test_outside_range_has_no_gain_and_no_value() -> None:
    curve = PowerCurve(best=200, worst=1100, gain_best=15, gain_worst=0, exponent=3)
    assert math.isnan(float(curve.gain(1200)))
    assert math.isnan(float(curve.gain(100)))
    assert math.isnan(float(curve.value(16)))
    assert float(curve.gain(200)) == 15
    assert float(curve.gain(1100)) == 0


def test_presets_order_anxious_coolheaded_greedy() -> None:
    # at a quarter of the range conceded: anxious keeps most gain, greedy least
    gains = {
        kind: float(strategy_curve(kind, 0, 100, 10, 0).gain(25)) for kind in STRATEGY_EXPONENTS
    }
    assert gains["anxious"] > gains["cool-headed"] > gains["greedy"]
    assert gains["cool-headed"] == pytest.approx(7.5)


def test_anxious_by_hand() -> None:
    # e = 3: gain = 15 - 15 * s^3, s = (x - 200) / 900
    curve = strategy_curve("anxious", 200, 1100, 15, 0)
    assert float(curve.gain(500)) == pytest.approx(15 - 15 * (300 / 900) ** 3)
    assert float(curve.value(15 - 15 * (300 / 900) ** 3)) == pytest.approx(500)


def test_unknown_preset_lists_valid_ones() -> None:
    with pytest.raises(UnknownKeyError, match="anxious, cool-headed, greedy"):
        strategy_curve("stubborn", 0, 1, 1, 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1.0, 1.0, 1.0, 0.0, 1.0), "empty"),
        ((0.0, 1.0, 0.0, 1.0, 1.0), "must exceed"),
        ((0.0, 1.0, 1.0, 0.0, 0.0), "positive"),
        ((0.0, math.inf, 1.0, 0.0, 1.0), "finite"),
    ],
)
def test_bad_power_curves(args: tuple[float, ...], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        PowerCurve(*args)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (((0.0, 1.0),), "two points"),
        (((0.0, 1.0), (0.0, 2.0)), "strictly increasing"),
        (((0.0, 1.0), (1.0, 2.0), (2.0, 1.5)), "increasing or decreasing"),
    ],
)
def test_bad_piecewise_curves(points: tuple[tuple[float, float], ...], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        PiecewiseCurve(points)
