from __future__ import annotations

import json
from pathlib import Path

import pytest

from negotiator.bargaining import (
    AdditiveUtility,
    CategoricalIssue,
    ContinuousIssue,
    LinearValue,
    OutcomeSpace,
    Scenario,
    TableValue,
    write_genius_folder,
)
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
    assert data["pareto_size"] >= 1 and len(data["nash"]["utilities"]) == 2
    assert data["kalai"]["outcome"] and len(data["max_welfare"]["normalized"]) == 2
    code, out, _ = run(capsys, "analyze", "--genius", str(data_dir / "nozone"), "--json")
    assert json.loads(out)["agreement_zone_empty"] is True and json.loads(out)["nash"] is None


def test_default_scenario_is_an_exact_item_split_with_conflict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "analyze", "--json")
    data = json.loads(out)
    assert code == 0 and data["scenario"] == "default-split" and data["exact"] is True
    assert data["nash"]["utilities"] == [19.0, 23.0]  # points, not normalised weights
    code, out, _ = run(capsys, "negotiate", "--json")
    result = json.loads(out)
    # real conflict: no deal in round 1, and each side's opening leaves the other nothing
    assert result["rounds"] > 1 and result["status"] == "agreed" and result["pareto_optimal"]
    assert result["trace"][0]["offer"] == {"food": 3, "water": 3, "firewood": 3}


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
    assert data["trace"][0]["message"] == "make-offer"
    assert data["trace"][-1]["message"] == "accept-offer"
    assert data["pareto_distance"] >= 0 and data["nash_distance"] >= 0
    assert set(data["agreement"]) == {"i0", "i1", "i2"}
    assert len(data["utilities"]) == len(data["normalized"]) == 2


def test_negotiate_tables_on_genius(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(
        capsys, "negotiate", "--genius", str(data_dir / "party"), "--protocol", "protocol2"
    )
    assert code == 0 and "Pareto distance" in out and "make-offer" in out
    assert "{" not in out  # tables, not dict reprs


def test_split_file_and_plots(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    split = tmp_path / "split.json"
    split.write_text(
        json.dumps({"counts": [2, 0, 1], "points_a": [1, 5, 2], "points_b": [3, 1, 1]})
    )
    code, out, _ = run(capsys, "analyze", "--split", str(split), "--plot", str(tmp_path / "a.png"))
    assert code == 0 and "nash" in out and (tmp_path / "a.png").stat().st_size > 1000
    code, out, _ = run(
        capsys, "negotiate", "--split", str(split), "--plot", str(tmp_path / "n.png"), "--json"
    )
    assert code == 0 and json.loads(out)["agreement"] is not None
    assert (tmp_path / "n.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["negotiate", "--issues", "0"], "--issues: 0 is below 1"),
        (["analyze", "--issues", "0"], "--issues: 0 is below 1"),
        (["negotiate", "--values", "1"], "--values: 1 is below 2"),
        (["negotiate", "--issues", "30", "--values", "10"], "exceed --max-outcomes"),
        (["analyze", "--issues", "12", "--values", "10"], "exceed --max-outcomes"),
        (["negotiate", "--rounds", "5000000"], "--rounds: 5000000 outside"),
        (["negotiate", "--first", "stubborn"], "unknown strategy 'stubborn'"),
        (["analyze", "--plot", "/nonexistent/dir/x.png"], "does not exist"),
        (["tournament", "--scenarios", "0"], "--scenarios: 0 outside"),
        (["tournament", "--domain", "chess"], "--domain: 'chess'"),
        (["tournament", "--rounds", "0"], "--rounds: 0 outside"),
        (["analyze", "--issues", "1000000000"], "10^1000000000 outcomes exceed"),
        (["negotiate", "--seed", "-1"], "--seed: -1 is below 0"),
        (["tournament", "--seed", "-1"], "--seed: -1 is below 0"),
    ],
)
def test_bad_input_is_one_line_before_any_work(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and expected in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_guards_are_overridable(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "analyze", "--issues", "2", "--values", "40", "--max-outcomes", "100"
    )
    assert code == 2 and "--max-outcomes 100" in err
    code, out, _ = run(capsys, "analyze", "--issues", "2", "--values", "40", "--json")
    assert code == 0 and json.loads(out)["outcomes"] == 1600


def test_bad_genius_and_pairs_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\x80\x81")
    code, _, err = run(capsys, "tournament", "--pairs", str(binary))
    assert code == 2 and "not UTF-8 text" in err
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps({"counts": [3], "points_a": [1e13], "points_b": [1]}))
    code, _, err = run(capsys, "analyze", "--split", str(huge))
    assert code == 2 and "$.points_a" in err
    code, _, err = run(capsys, "analyze", "--genius", str(tmp_path))
    assert code == 2 and "found 0 and 0" in err
    bad = tmp_path / "pairs.json"
    bad.write_text(json.dumps([{"counts": [1], "points_a": [1], "points_b": [1, 2]}]))
    code, _, err = run(capsys, "tournament", "--pairs", str(bad))
    assert code == 2 and "$[0]" in err and "points_b has 2 entries" in err


def test_tournament_table_and_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(
        capsys,
        "tournament",
        "--agents",
        "pareto,linear",
        "--scenarios",
        "6",
        "--rounds",
        "10",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and data["scenarios"] == 6 and len(data["pairings"]) == 4
    first = data["pairings"][0]
    assert (first["first"], first["second"]) == ("pareto", "pareto")
    for key in (
        "agreement",
        "utility_first",
        "joint",
        "pareto_share",
        "nash_distance",
        "fairness",
        "rounds",
        "per_second",
    ):
        assert isinstance(first[key], float)
    pairs = tmp_path / "pairs.json"
    pairs.write_text(
        json.dumps(
            [
                {
                    "counts": [3, 3, 3],
                    "points_a": [5, 4, 3],
                    "points_b": [3, 4, 5],
                    "walk_away_a": 5,
                    "walk_away_b": 5,
                },
                {
                    "counts": [1, 1],
                    "points_a": [9, 9],
                    "points_b": [9, 9],
                    "walk_away_a": 20,
                    "walk_away_b": 20,
                },
            ]
        )
    )
    code, out, _ = run(capsys, "tournament", "--pairs", str(pairs), "--agents", "pareto")
    assert code == 0 and "pareto–pareto" in out and "Pareto" in out
    code, out, _ = run(capsys, "tournament", "--pairs", str(pairs), "--agents", "pareto", "--json")
    report = json.loads(out)["pairings"][0]
    assert report["agreement"] == 0.5 and report["agreement_in_zone"] == 1.0
    assert report["agreements_without_zone"] == 0


def test_levels_of_a_real_issue_are_guarded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    space = OutcomeSpace(
        issues=(
            ContinuousIssue(name="price", low=0, high=10, levels=5),
            CategoricalIssue(name="c", values=("a", "b")),
        )
    )
    utilities = tuple(
        AdditiveUtility(
            weights=(0.5, 0.5),
            values=(
                LinearValue(low=0, high=10, increasing=k == 0),
                TableValue(table={"a": 1.0, "b": 0.2}),
            ),
        )
        for k in range(2)
    )
    write_genius_folder(Scenario(name="real", space=space, utilities=utilities), tmp_path)
    code, _, err = run(capsys, "analyze", "--genius", str(tmp_path), "--levels", "100000000")
    assert code == 2 and "200,000,000 outcomes, above 1,000,000" in err
