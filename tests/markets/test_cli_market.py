"""``negotiator market``: JSON output, plots, clear errors."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType

import pytest

from negotiator.cli import main
from negotiator.errors import UsageError
from negotiator.markets import plots
from negotiator.markets.experiments import ExperimentConfig, load_schedule, run_experiment

DATA = Path(__file__).parent / "data"
SMITH = str(DATA / "smith_schedule.json")


def test_json_output_is_one_object(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "market",
            "cda",
            "--schedule",
            SMITH,
            "--traders",
            "zic,zip",
            "--periods",
            "3",
            "--seed",
            "5",
            "--json",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["equilibrium_price"] == 130.0
    assert len(data["alpha"]) == len(data["mean_price"]) == 3
    assert 0 < data["efficiency"] <= 1 and data["trades"] == len(data["transactions"])


def test_same_seed_same_output(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["market", "pda", "--schedule", SMITH, "--traders", "zic", "--seed", "9", "--json"]
    main(args)
    first = capsys.readouterr().out
    main(args)
    assert capsys.readouterr().out == first


def test_table_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "market.png"
    code = main(
        [
            "market",
            "cda",
            "--schedule",
            str(DATA / "asymmetric_schedule.json"),
            "--traders",
            "incremental,zic",
            "--periods",
            "2",
            "--plot",
            str(out),
        ]
    )
    assert code == 0
    assert "efficiency" in capsys.readouterr().out
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["pda", "--schedule", str(DATA / "bad_schedule.json"), "--traders", "zic"],
            "$.buyers[3]: -5 is below 0",
        ),
        (["cda", "--schedule", SMITH, "--traders", "zic,oracle"], "unknown trader 'oracle'"),
        (["auction", "--schedule", SMITH, "--traders", "zic"], "unknown market mechanism"),
        (
            ["cda", "--schedule", SMITH, "--traders", "zic", "--periods", "0"],
            "--periods: $: 0 is below 1",
        ),
        (
            ["pda", "--schedule", SMITH, "--traders", "zic", "--pricing", "median"],
            "'median' is not mth or m+1",
        ),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["market", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_plot_without_matplotlib_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real = importlib.import_module

    def fake(name: str, package: str | None = None) -> ModuleType:
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", fake)
    schedule = load_schedule(SMITH)
    result = run_experiment(schedule, ExperimentConfig(mechanism="cda", traders=("zic",)))
    with pytest.raises(UsageError, match="plot' extra"):
        plots.plot_experiment(schedule, result, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
