"""The CLI's one top-level handler: Ctrl-C, broken pipes, path errors, --version, run ids."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from negotiator.cli import EXIT_INTERRUPTED, main, version
from negotiator.cli.console import make_console
from negotiator.mediation.scenario import bundled_scenario

SCHEDULE = {"buyers": [10, 9, 8], "sellers": [1, 2, 3]}


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(var, raising=False)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"negotiator {version()}"
    assert version()[0].isdigit()


def _interrupt_at(node: str) -> Callable[[Any], Callable[[str, Mapping[str, Any]], None]]:
    def printer(console: Any) -> Callable[[str, Mapping[str, Any]], None]:
        def show(name: str, update: Mapping[str, Any]) -> None:
            if name == node:
                raise KeyboardInterrupt

        return show

    return printer


def test_ctrl_c_exits_130_with_the_resume_command_that_finishes_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("negotiator.cli.demo.story_printer", _interrupt_at("contract"))
    code = main(["demo", "--runs-dir", str(tmp_path), "--run-id", "r1"])
    err = capsys.readouterr().err
    assert code == EXIT_INTERRUPTED
    command = f"negotiator resume r1 --runs-dir {tmp_path}"
    assert err.strip() == f"negotiator demo: interrupted; continue it with: {command}"
    monkeypatch.undo()
    assert main([*command.split()[1:], "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["outcome"] == "completed" and outcome["ledger_balanced"] is True


def test_ctrl_c_before_a_run_exists_prints_no_resume_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def interrupted(*_args: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr("negotiator.cli.market.load_schedule", interrupted)
    code = main(["market", "cda", "--schedule", str(tmp_path / "s.json"), "--traders", "zic"])
    assert code == EXIT_INTERRUPTED
    assert capsys.readouterr().err.strip() == "negotiator market: interrupted"


@pytest.mark.parametrize("under", ["", "deeper"])
def test_runs_dir_path_errors_are_one_line_naming_the_path(
    under: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "FILE").write_text("x")
    runs = tmp_path / "FILE" / under if under else tmp_path / "FILE"
    assert main(["demo", "--runs-dir", str(runs), "--run-id", "r1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(tmp_path / "FILE") in err and "Not a directory" in err


@pytest.mark.parametrize("run_id", ["../escape", "a/b", ".hidden", "x" * 129, "a\\b", "a b"])
def test_run_ids_that_are_not_plain_names_are_refused(
    run_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    assert main(["demo", "--runs-dir", str(runs), "--run-id", run_id]) == 2
    assert "is not a plain folder name" in capsys.readouterr().err
    assert not runs.exists()


def test_broken_pipe_is_a_quiet_exit(tmp_path: Path) -> None:
    schedule = tmp_path / "s.json"
    schedule.write_text(json.dumps(SCHEDULE))
    args = ["market", "cda", "--schedule", str(schedule), "--traders", "zic"]
    code = f"import sys; from negotiator.cli import main; sys.exit(main({args!r}))"
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written (like `| head -0`)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code],
            check=False,
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert proc.returncode == 1
    assert proc.stderr.decode() == ""


def test_piped_console_never_hard_wraps() -> None:
    out = io.StringIO()
    make_console(out).print("word " * 60)
    assert out.getvalue().count("\n") == 1


# --- size guards, shipped scenarios by name, output paths checked before the run -----------


def test_mediate_runs_a_shipped_scenario_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mediate", "seed002"]) == 0
    out = capsys.readouterr().out
    assert "counterpart" in out and "δ = " in out
    assert main(["mediate", "seed00"]) == 2
    assert "expected one of: seed002" in capsys.readouterr().err


def test_mediate_refuses_a_runaway_ga_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(bundled_scenario("seed002").read_text(encoding="utf-8"))
    data["ga"]["generations"] = 10**9
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["mediate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "above --max-evaluations 100,000,000" in err and err.count("\n") == 1
    data["ga"]["generations"] = 3
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["mediate", str(path), "--max-evaluations", "100", "--json"]) == 2
    assert main(["mediate", str(path), "--max-evaluations", "1000", "--json"]) == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--periods", "1000000000"], "above --max-shouts 500,000"),
        (["--periods", "5", "--max-shouts", "10"], "would price 300 quotes"),
        (["--plot", "/nonexistent/dir/x.png"], "the folder /nonexistent/dir does not exist"),
    ],
)
def test_market_guards_fail_before_the_run(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schedule = tmp_path / "s.json"
    schedule.write_text(json.dumps(SCHEDULE))
    assert main(["market", "cda", "--schedule", str(schedule), "--traders", "zic", *extra]) == 2
    assert message in capsys.readouterr().err


def test_market_plot_into_a_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schedule = tmp_path / "s.json"
    schedule.write_text(json.dumps(SCHEDULE))
    args = ["market", "cda", "--schedule", str(schedule), "--traders", "zic"]
    assert main([*args, "--plot", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["1e308", "1e400", str(10**400)])
def test_market_prices_beyond_the_largest_are_refused(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schedule = tmp_path / "s.json"
    schedule.write_text(f'{{"buyers": [{value}, 5], "sellers": [1, 2]}}')
    assert main(["market", "cda", "--schedule", str(schedule), "--traders", "zic"]) == 2
    err = capsys.readouterr().err
    assert "$.buyers[0]" in err and "Traceback" not in err
