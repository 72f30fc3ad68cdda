"""Seed 001, table 3: the eight price settings under Protocol I and Protocol II.

Prints, for each setting, our rounds (messages exchanged) and agreed price beside the paper's,
and checks the shape the paper reports: Protocol I ends in fewer rounds than Protocol II on every
setting, and within each group of settings a smaller concession weight needs more rounds. The
reading of each condition (who opens where, reservations, multiplicative weight) is documented
in ``negotiator.bargaining.seed001``; in short, "15000-9500, 13000-8000 (0.05)" means the seller
opens at 15000 with reservation 9500, the buyer opens at 8000 with reservation 13000, and each
concedes by 5 % of its current offer per own offer.

Usage: ``python bench/seed001_protocols.py [--json]``
"""

from __future__ import annotations

import argparse
import json
from itertools import pairwise
from typing import Any

from negotiator.bargaining.seed001 import TABLE3, PriceSetting, run_price_setting


def row(setting: PriceSetting) -> dict[str, Any]:
    """Our figures and the paper's for one setting."""
    out: dict[str, Any] = {"run": setting.run, "condition": setting.condition}
    for key, protocol in (("I", "protocol1"), ("II", "protocol2")):
        r = run_price_setting(setting, protocol)
        out[key] = {
            "status": str(r.status),
            "rounds": r.messages,
            "result": None if r.agreement is None else round(r.agreement[0], 1),
        }
    p = setting.paper
    out["paper"] = {"I": {"rounds": p[0], "result": p[1]}, "II": {"rounds": p[2], "result": p[3]}}
    return out


def shape(rows: list[dict[str, Any]]) -> dict[str, bool]:
    """The two qualitative findings, checked on our figures."""
    faster = all(r["I"]["rounds"] < r["II"]["rounds"] for r in rows)
    monotone = True
    for group in (rows[:4], rows[4:]):
        for key in ("I", "II"):
            rounds = [r[key]["rounds"] for r in group]  # weights decrease down each group
            monotone &= all(a < b for a, b in pairwise(rounds))
    return {"protocol1_fewer_rounds": faster, "smaller_weight_more_rounds": monotone}


def main() -> None:
    """Run the eight settings and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    rows = [row(s) for s in TABLE3]
    report = {"settings": rows, "shape": shape(rows)}
    if args.json:
        print(json.dumps(report))
        return
    heads = ("I rounds", "I result", "II rounds", "II result")
    print(f"{'run':>3} {'condition':34} " + " ".join(f"{h:>10}" for h in heads))
    for r in rows:
        for src, run, label in ((r, r["run"], r["condition"]), (r["paper"], "", "  (paper)")):
            cells = (
                src["I"]["rounds"],
                src["I"]["result"],
                src["II"]["rounds"],
                src["II"]["result"],
            )
            print(
                f"{run:>3} {label:34} "
                + " ".join(f"{c if c is not None else '-':>10}" for c in cells)
            )
    for name, ok in report["shape"].items():
        print(f"shape {name}: {'holds' if ok else 'FAILS'}")


if __name__ == "__main__":
    main()
