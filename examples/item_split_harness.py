"""Compare negotiating agents with people on item-split negotiations (your data, or synthetic).

Input: a JSON list of preference pairs, one per recorded negotiation::

    [{"counts": [3, 3, 3], "points_a": [5, 4, 3], "points_b": [3, 4, 5],
      "walk_away_a": 5, "walk_away_b": 5,
      "human": [2, 1, 0]},          # optional: side A's units in the people's deal, or null
     ...]

For every pairing (default: the default agent against itself, linear–linear and
boulware–conceder) and every round limit (default 10 and 20) the agents negotiate each pair,
and the script prints agreement, Pareto share, joint score (points) and fairness (mean
|u_a − u_b| of the normalised scores) — beside the same figures for the people's deals when the
data has them. Without a file it draws synthetic pairs (``--style priorities`` or ``values``)
and, as a stand-in for people, an agreed split chosen at random among the splits both sides
prefer to walking away.

    python examples/item_split_harness.py [PAIRS.json] [--rounds 10 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from negotiator.bargaining import (
    Scenario,
    item_split_scenario,
    synthetic_pairs,
    tournament,
)

PAIRINGS = (("pareto", "pareto"), ("linear", "linear"), ("boulware", "conceder"))


def load(path: Path) -> tuple[list[Scenario], list[list[int] | None]]:
    """The scenarios of a pairs file and the people's deals (None: no deal or not recorded)."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    scenarios, human = [], []
    for k, row in enumerate(rows):
        deal = row.pop("human", None)
        scenarios.append(item_split_scenario(row, name=f"pair-{k}"))
        human.append(deal)
    return scenarios, human


def synthetic(style: str, n: int, seed: int) -> tuple[list[Scenario], list[list[int] | None]]:
    """Synthetic pairs and a random zone split per pair standing in for people's deals."""
    rng = np.random.default_rng(seed + 1)
    scenarios, human = [], []
    for p in synthetic_pairs(style, n, seed):
        s = p.scenario()
        a = s.analysis
        zone = np.flatnonzero((a.utilities >= a.reservation[:, None]).all(axis=0))
        pick = None if zone.size == 0 else int(rng.choice(zone))
        scenarios.append(s)
        human.append(None if pick is None else [int(v) for v in s.space.outcome(pick)])
    return scenarios, human


def human_figures(scenarios: list[Scenario], human: list[list[int] | None]) -> dict[str, float]:
    """The people's agreement, Pareto share, joint score and fairness on the same pairs."""
    rows = []
    for s, deal in zip(scenarios, human, strict=True):
        outcome = None if deal is None else s.space.index_of(deal)
        sc = s.analysis.score(outcome)
        rows.append(
            (outcome is not None, sc.pareto, sc.welfare, abs(sc.normalized[0] - sc.normalized[1]))
        )
    m = np.array(rows, dtype=float)
    return {
        "agreement": m[:, 0].mean(),
        "pareto_share": m[:, 1].mean(),
        "joint": m[:, 2].mean(),
        "fairness": m[:, 3].mean(),
    }


def compare(
    scenarios: list[Scenario], human: list[list[int] | None], rounds: list[int]
) -> dict[str, Any]:
    """Agents' and people's figures, per round limit."""
    out: dict[str, Any] = {"pairs": len(scenarios)}
    if any(d is not None for d in human):
        out["people"] = human_figures(scenarios, human)
    for r in rounds:
        reports = tournament(scenarios, [], r, pairings=PAIRINGS)
        out[f"{r} rounds"] = {
            f"{x.first}–{x.second}": {
                "agreement": x.agreement,
                "pareto_share": x.pareto_share,
                "joint": x.joint_raw,
                "fairness": x.fairness,
            }
            for x in reports
        }
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the comparison; prints a table (or JSON) and returns the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="?", type=Path, help="JSON list of preference pairs")
    parser.add_argument("--rounds", type=int, nargs="+", default=[10, 20])
    parser.add_argument("--style", default="priorities", help="synthetic pairs: priorities, values")
    parser.add_argument("--n", type=int, default=200, help="synthetic pairs to draw")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    scenarios, human = load(args.pairs) if args.pairs else synthetic(args.style, args.n, args.seed)
    figures = compare(scenarios, human, args.rounds)
    if args.json:
        print(json.dumps(figures))
        return figures
    print(f"{figures['pairs']} pairs")
    print(f"{'who':28} {'agree':>7} {'Pareto':>7} {'joint':>8} {'fairness':>9}")
    rows = [("people", figures["people"])] if "people" in figures else []
    rows += [
        (f"{key} {pair}", f)
        for key, v in figures.items()
        if key.endswith("rounds")
        for pair, f in v.items()
    ]
    for who, f in rows:
        print(
            f"{who:28} {f['agreement']:7.3f} {f['pareto_share']:7.3f} {f['joint']:8.2f} "
            f"{f['fairness']:9.3f}"
        )
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
