"""MediationScenario files: loading (JSON and TOML), running, and path-precise errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from negotiator.errors import InvalidInputError, UnknownKeyError
from negotiator.mediation.mediator import MediationStatus
from negotiator.mediation.scenario import bundled_scenario, load_scenario, parse_scenario

HERE = Path(__file__).parent / "scenarios"


def _errors(name: str) -> set[str]:
    with pytest.raises(InvalidInputError) as caught:
        load_scenario(HERE / name)
    assert caught.value.what.endswith(name)
    return {str(e) for e in caught.value.errors}


def test_bundled_seed002_scenario_runs() -> None:
    scenario = load_scenario(bundled_scenario("seed002"))
    assert scenario.space.total_bits == 12
    assert [p.name for p in scenario.space.counterparts] == ["B1", "B2", "B3", "B4", "B5"]
    assert scenario.ga.crossover_point == 2
    result = scenario.run()
    assert result.status is MediationStatus.PROPOSED
    assert result.delta is not None and result.delta <= scenario.spec.deal_zone + 1e-9
    assert scenario.run() == result  # seeded: the same every time


def test_toml_scenario_with_skipped_counterpart() -> None:
    scenario = load_scenario(HERE / "one_to_n_skip.toml")
    result = scenario.run()
    assert [s.counterpart for s in result.skipped] == ["B2"]
    assert "do not overlap" in result.skipped[0].reason
    assert result.chosen is not None and result.chosen.counterpart in {"B1", "B3"}
    assert len(result.proposals) <= 10


def test_schema_errors_carry_json_paths() -> None:
    assert _errors("bad_paths.json") == {
        "$.attributes[1].bits: Input should be less than or equal to 24",
        "$.counterparts[1].curves.price.kind: Input should be 'anxious', 'cool-headed', "
        "'greedy', 'power' or 'piecewise'",
        "$.ga.population: Input should be a multiple of 2",
    }


def test_semantic_errors_carry_json_paths() -> None:
    assert _errors("bad_semantics.json") == {
        "$.attributes[1].name: duplicate name 'price'",
        "$.counterparts[2].name: duplicate 'B1'",
        "$.ga.crossover_point: 6 is not below 6 bits",
        "$.anchor.weights: weights sum to 0.9, expected 1",
        "$.counterparts[0].curves.price.exponent: required for kind 'power'",
        "$.counterparts[1].weights.colour: unknown attribute; expected one of ['price']",
        "$.counterparts[1].curves.price: piecewise curve gains must be strictly increasing "
        "or decreasing",
        "$.counterparts[2].curves.price: curve range is empty: best == worst == 9.0",
    }


def test_broken_json_names_line_and_column() -> None:
    assert _errors("broken.json") == {"$: not valid JSON: Expecting value at line 2 column 18"}


def test_missing_and_unsupported_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="cannot read: no such file"):
        load_scenario(tmp_path / "nope.json")
    (tmp_path / "s.yaml").write_text("x: 1")
    with pytest.raises(InvalidInputError, match=r"expected a \.json or \.toml file"):
        load_scenario(tmp_path / "s.yaml")
    (tmp_path / "bad.toml").write_text("deal_zone = = 1")
    with pytest.raises(InvalidInputError, match="not valid TOML"):
        load_scenario(tmp_path / "bad.toml")


def test_missing_fields_and_missing_curves() -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_scenario(
            {
                "deal_zone": -1,
                "attributes": [{"name": "x"}, {"name": "y"}],
                "anchor": {
                    "name": "A",
                    "weights": {"x": 1.0, "y": 0.0},
                    "curves": {
                        "x": {
                            "kind": "cool-headed",
                            "best": 0,
                            "worst": 1,
                            "gain_best": 1,
                            "gain_worst": 0,
                        }
                    },
                },
                "counterparts": [],
                "extra": 1,
            }
        )
    assert {str(e) for e in caught.value.errors} == {
        "$.deal_zone: Input should be greater than or equal to 0",
        "$.counterparts: List should have at least 1 item after validation, not 0",
        "$.extra: Extra inputs are not permitted",
    }
    with pytest.raises(InvalidInputError) as caught:
        parse_scenario(
            {
                "deal_zone": 1,
                "attributes": [{"name": "x"}, {"name": "y"}],
                "anchor": {
                    "name": "A",
                    "weights": {"x": 1.0, "y": 0.0},
                    "curves": {
                        "x": {
                            "kind": "cool-headed",
                            "best": 0,
                            "worst": 1,
                            "gain_best": 1,
                            "gain_worst": 0,
                        }
                    },
                },
                "counterparts": [
                    {"name": "B", "weights": {"x": 1.0}, "curves": {"x": {"kind": "piecewise"}}}
                ],
            }
        )
    assert {str(e) for e in caught.value.errors} == {
        "$.anchor.curves: missing attribute 'y'",
        "$.counterparts[0].weights: missing attribute 'y'",
        "$.counterparts[0].curves: missing attribute 'y'",
        "$.counterparts[0].curves.x.points: required for kind 'piecewise'",
    }


def test_unknown_bundled_scenario() -> None:
    with pytest.raises(UnknownKeyError, match="seed002"):
        bundled_scenario("seed003")
