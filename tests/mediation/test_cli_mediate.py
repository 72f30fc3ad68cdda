"""``negotiator mediate``: human and JSON output, path-precise errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from negotiator.cli import main
from negotiator.mediation.scenario import bundled_scenario

HERE = Path(__file__).parent / "scenarios"


def test_json_output_is_one_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mediate", str(bundled_scenario("seed002")), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "proposed"
    assert out["delta"] == out["chosen"]["difference"]
    assert out["delta"] <= out["deal_zone"] + 1e-9
    assert len(out["proposals"]) == 24
    diffs = [p["difference"] for p in out["proposals"]]
    assert diffs == sorted(diffs)
    assert out["exact_best_sum"] >= out["ga_best_sum"] - 1e-9
    assert out["gap"] <= 0.01
    assert out["nash"]["proposal"]["counterpart"].startswith("B")
    assert out["explanation"]["source"] == "fallback"


def test_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mediate", str(HERE / "one_to_n_skip.toml")]) == 0
    out = capsys.readouterr().out
    assert "skipped B2 (price): ranges do not overlap" in out
    assert "difference" in out and "δ = " in out
    assert "The mediator proposes" in out


def test_bad_file_exits_2_with_paths(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mediate", str(HERE / "bad_semantics.json")]) == 2
    err = capsys.readouterr().err
    assert "$.counterparts[0].curves.price.exponent: required for kind 'power'" in err
    assert "Traceback" not in err
