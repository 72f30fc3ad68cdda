"""What re-optimisation during monitoring costs a delegation that never switches.

Usage: ``python bench/reoptimise_overhead.py [--json] [--runs N]``

Times ``negotiator.delegate`` on the demo's ``success`` scenario (five bidders, five monitored
reports, no switch), in memory with the deterministic model, with the flow's re-optimisation on
(``DelegationRequest.reoptimise``, the default ``SwitchPolicy``) and off (``None``): the peer is
the same delegation without it, timed in the same run, the two arms interleaved so both see the
same machine load. Figures: the median milliseconds of each arm and their ratio (on / off);
the overhead per delegation as the median of the paired differences (each ``on`` run minus the
``off`` run beside it, the pair's order alternating), and per report; and the median of the
``switch`` scenario (a slacking winner replaced after its third report), for scale.
"""

from __future__ import annotations

import argparse
import json
import statistics

from delegation_overhead import one_delegation  # the same timed delegation (bench/ is on the path)

from negotiator import demo_setup

REPORTS = 5  # the success scenario's monitored reports


def measure(runs: int) -> dict[str, object]:
    """The figures of the module docstring, from ``runs`` delegations per arm."""
    on = demo_setup("success").request
    off = on.model_copy(update={"reoptimise": None})
    for _ in range(2):  # warm-up: imports, caches, the compiled graph
        one_delegation("success", on), one_delegation("success", off)
    times: dict[str, list[float]] = {"on": [], "off": [], "switch": []}
    for i in range(runs):
        for arm in ("on", "off") if i % 2 == 0 else ("off", "on"):
            times[arm].append(one_delegation("success", on if arm == "on" else off))
        times["switch"].append(one_delegation("switch"))
    ms = {k: statistics.median(v) * 1e3 for k, v in times.items()}
    paired = statistics.median(a - b for a, b in zip(times["on"], times["off"], strict=True)) * 1e3
    return {
        "ms_per_delegation_reoptimise_on": round(ms["on"], 3),
        "ms_per_delegation_reoptimise_off": round(ms["off"], 3),
        "overhead_ms_per_delegation": round(paired, 3),
        "overhead_ms_per_report": round(paired / REPORTS, 3),
        "ratio_on_over_off": round(ms["on"] / ms["off"], 4),
        "ms_per_delegation_switch_scenario": round(ms["switch"], 3),
        "runs": runs,
    }


def main() -> None:
    """Print the figures (lines, or JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--runs", type=int, default=40, help="timed delegations per arm (median)")
    args = parser.parse_args()
    figures = measure(args.runs)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
