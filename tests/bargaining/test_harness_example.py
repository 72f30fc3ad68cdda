from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).parents[2] / "examples" / "item_split_harness.py"


def harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("item_split_harness", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_run_reports_every_pairing(capsys: pytest.CaptureFixture[str]) -> None:
    figures = harness().main(["--n", "30", "--style", "values", "--rounds", "10", "20"])
    out = capsys.readouterr().out
    assert "30 pairs" in out and "people" in out
    for rounds in ("10 rounds", "20 rounds"):
        default = figures[rounds]["pareto–pareto"]
        assert set(default) == {"agreement", "pareto_share", "joint", "fairness"}
        # the default agent beats the stand-in "people" (random zone splits) on both measures
        assert default["joint"] > figures["people"]["joint"]
        assert default["pareto_share"] > figures["people"]["pareto_share"]


def test_file_with_recorded_deals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pairs = [
        {
            "counts": [3, 3, 3],
            "points_a": [5, 4, 3],
            "points_b": [3, 4, 5],
            "walk_away_a": 5,
            "walk_away_b": 5,
            "human": [3, 1, 0],
        },
        {"counts": [1, 2, 0], "points_a": [4, 3, 9], "points_b": [6, 2, 1], "human": None},
    ]
    path = tmp_path / "pairs.json"
    path.write_text(json.dumps(pairs))
    figures = harness().main([str(path), "--rounds", "10", "--json"])
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(figures))
    people = figures["people"]
    assert people["agreement"] == 0.5 and people["pareto_share"] == 0.5  # (19, 23) is optimal
    assert people["joint"] == pytest.approx((42 + 0 + 0) / 2)
