from __future__ import annotations

import json
from pathlib import Path

import pytest

from negotiator.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_analyze_genius_json(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, "analyze", "--genius", str(data_dir / "party"), "--json")
    data = json.loads(out)
    assert code == 0
    assert data["outcomes"] == 24 and data["agreement_zone_empty"] is False
    assert data["pareto_size"] >= 1 and len(data["nash"]) == 2
    assert len(data["kalai"]) == 2 and len(data["max_welfare"]) == 2
    code, out, _ = run(capsys, "analyze", "--genius", str(data_dir / "nozone"), "--json")
    assert json.loads(out)["agreement_zone_empty"] is True and json.loads(out)["nash"] is None


def test_negotiate_json_is_one_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "negotiate",
        "--first",
        "boulware",
        "--second",
        "tit-for-tat",
        "--seed",
        "3",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and data["status"] == "agreed"
    assert (
        data["trace"][0]["message"] == "make-offer"
        and data["trace"][-1]["message"] == "accept-offer"
    )
    assert data["pareto_distance"] >= 0 and data["nash_distance"] >= 0
    assert set(data["agreement"]) == {"i0", "i1", "i2"}


def test_negotiate_text_on_genius(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(
        capsys, "negotiate", "--genius", str(data_dir / "party"), "--protocol", "protocol2"
    )
    assert code == 0 and "status" in out and "pareto_distance" in out and "round   1 party 0" in out


def test_errors_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "negotiate", "--first", "stubborn")
    assert code == 2 and "unknown strategy 'stubborn'" in err and "Traceback" not in err
    code, _, err = run(capsys, "analyze", "--genius", str(tmp_path))
    assert code == 2 and "found 0 and 0" in err
