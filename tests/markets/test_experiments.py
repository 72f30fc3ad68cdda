"""Market experiments: schedules, the CoDABot protocol trace, invariants, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.errors import InvalidInputError, UnknownKeyError
from negotiator.markets.experiments import (
    ExperimentConfig,
    Schedule,
    load_schedule,
    parse_schedule,
    run_experiment,
)

DATA = Path(__file__).parent / "data"
SMITH = load_schedule(DATA / "smith_schedule.json")


def test_bad_schedule_file_names_every_field() -> None:
    with pytest.raises(InvalidInputError) as info:
        load_schedule(DATA / "bad_schedule.json")
    assert info.value.what.endswith("bad_schedule.json")
    assert [str(e) for e in info.value.errors] == [
        "$.extra: unknown key (expected buyers, sellers)",
        '$.buyers[2]: "x" is not a number',
        "$.buyers[3]: -5 is below 0",
        "$.sellers: must not be empty",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], '$: expected an object {"buyers": [...], "sellers": [...]}'),
        ({"buyers": [1]}, "$.sellers: required"),
        ({"buyers": "10", "sellers": [1]}, "$.buyers: expected a list of numbers, got str"),
        ({"buyers": [float("nan")], "sellers": [1]}, "$.buyers[0]: nan is not a finite number"),
        ({"buyers": [True], "sellers": [1]}, "$.buyers[0]: true is not a number"),
    ],
)
def test_malformed_schedules(data: object, message: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        parse_schedule(data)
    assert message in [str(e) for e in info.value.errors]


def test_unreadable_and_non_json_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read: no such file"):
        load_schedule(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"buyers": [1,', encoding="utf-8")
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        load_schedule(broken)


def test_unknown_trader_name() -> None:
    with pytest.raises(UnknownKeyError, match="unknown trader 'smart'"):
        run_experiment(SMITH, ExperimentConfig(mechanism="cda", traders=("zic", "smart")))


def test_cda_trace_follows_the_protocol() -> None:
    config = ExperimentConfig(mechanism="cda", traders=("giveaway",), periods=1, seed=2)
    result = run_experiment(SMITH, config)
    kinds = [e.kind for e in result.trace]
    n = len(SMITH.buyers) + len(SMITH.sellers)
    assert kinds[0] == "start_bid" and kinds[1 : n + 1] == ["ready_bid"] * n
    for i, event in enumerate(result.trace):
        if event.kind == "bid":
            assert result.trace[i + 1].kind in ("accept", "reject")
        if event.kind == "notify_clearing":
            follow = result.trace[i + 1]
            assert follow.kind == "dispose_winneragents"
            assert set(follow.traders) == {*event.buyers, *event.sellers}
    clearings = [e for e in result.trace if e.kind == "notify_clearing"]
    assert len(clearings) == result.trades > 0
    # a disposed winner never bids again in the period
    gone: set[str] = set()
    for event in result.trace:
        if event.kind == "bid":
            assert event.trader not in gone
        if event.kind == "dispose_winneragents":
            gone.update(event.traders)


def test_pda_giveaway_clears_at_equilibrium_efficiently() -> None:
    result = run_experiment(SMITH, ExperimentConfig(mechanism="pda", traders=("giveaway",)))
    assert result.efficiency == 1.0
    assert result.trades_per_period == [8] * 10
    assert result.alpha == [0.0] * 10
    assert [e.kind for e in result.trace].count("notify_clearing") == 10


def test_zip_converges_toward_equilibrium() -> None:
    config = ExperimentConfig(mechanism="cda", traders=("zip",), periods=10, seed=4)
    result = run_experiment(SMITH, config)
    assert result.efficiency > 0.9
    first, last = result.alpha[0], result.alpha[-1]
    assert first is not None and last is not None and last < first


def test_zi_u_is_less_efficient_than_zi_c() -> None:
    zic = run_experiment(SMITH, ExperimentConfig(mechanism="cda", traders=("zic",), seed=1))
    ziu = run_experiment(SMITH, ExperimentConfig(mechanism="cda", traders=("ziu",), seed=1))
    assert zic.efficiency > ziu.efficiency


schedules = st.builds(
    Schedule,
    buyers=st.lists(st.integers(0, 100).map(float), min_size=1, max_size=6).map(tuple),
    sellers=st.lists(st.integers(0, 100).map(float), min_size=1, max_size=6).map(tuple),
)
mixes = st.lists(
    st.sampled_from(
        ["simple", "incremental", "target", "clearing", "timebound", "zic", "zip", "giveaway"]
    ),
    min_size=1,
    max_size=3,
).map(tuple)


@given(schedules, mixes, st.sampled_from(["cda", "pda"]), st.integers(0, 5))
def test_invariants_hold_for_any_schedule_and_mix(
    schedule: Schedule, traders: tuple[str, ...], mechanism: str, seed: int
) -> None:
    config = ExperimentConfig(mechanism=mechanism, traders=traders, periods=2, seed=seed)  # type: ignore[arg-type]
    result = run_experiment(schedule, config)
    limits = {f"b{i}": v for i, v in enumerate(schedule.buyers)}
    limits |= {f"s{i}": c for i, c in enumerate(schedule.sellers)}
    cash = dict.fromkeys(limits, 0.0)
    for period in range(2):
        trades = [t for t in result.transactions if t.period == period]
        names = [t.buyer for t in trades] + [t.seller for t in trades]
        assert len(names) == len(set(names))  # one unit per trader per period
        for t in trades:
            assert t.buyer.startswith("b") and t.seller.startswith("s")
            assert t.price <= limits[t.buyer] and t.price >= limits[t.seller]  # no loss
            cash[t.buyer] -= t.price
            cash[t.seller] += t.price
    assert sum(cash.values()) == pytest.approx(0.0, abs=1e-6)  # money conserved
    assert -1e-9 <= result.efficiency <= 1 + 1e-9
    again = run_experiment(schedule, config)
    assert again.transactions == result.transactions  # same seed, same trades


def test_result_json_has_the_keys() -> None:
    result = run_experiment(SMITH, ExperimentConfig(mechanism="cda", traders=("zic",)))
    data = json.loads(result.model_dump_json())
    assert {"efficiency", "trades", "alpha", "mean_price", "equilibrium_price"} <= set(data)
    assert "trace" not in data
