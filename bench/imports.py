"""Start-up cost: how long a fresh interpreter takes to import negotiator's entry points.

Usage: ``python bench/imports.py [--json] [--runs N] [--python PATH]``

Each case runs N times in a fresh interpreter (``python -c``), after one warm-up run that fills
the file-system cache; the figure is the median wall time of the whole process, less the median
of an empty interpreter (``python -c pass``), so it is what the import itself costs. The named
peer is ``import openai`` alone (the model SDK that the numeric mechanisms no longer load): each
case is also given as a ratio to it. ``--python`` times another environment's interpreter (e.g.
an older checkout's ``.venv/bin/python``) with the same cases.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time

#: case name -> the code a fresh interpreter runs
CASES: dict[str, str] = {
    "import negotiator": "import negotiator",
    "negotiator --help": (
        "import sys\nsys.argv = ['negotiator', '--help']\nfrom negotiator.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    ),
    "import negotiator.bargaining": "import negotiator.bargaining",
    "import negotiator.markets": "import negotiator.markets",
    "import negotiator.mediation": "import negotiator.mediation",
    "import openai (peer)": "import openai",
}
PEER = "import openai (peer)"


def wall(python: str, code: str) -> float:
    """Seconds one fresh interpreter takes to run ``code`` (output discarded), started outside
    any checkout so that it imports the package installed in that interpreter's environment."""
    start = time.perf_counter()
    subprocess.run(
        [python, "-c", code], check=True, stdout=subprocess.DEVNULL, cwd=tempfile.gettempdir()
    )
    return time.perf_counter() - start


def median_wall(python: str, code: str, runs: int) -> float:
    """The median of ``runs`` fresh runs, after one warm-up."""
    wall(python, code)
    return statistics.median(wall(python, code) for _ in range(runs))


def measure(python: str, runs: int) -> dict[str, object]:
    """Median import seconds per case (empty interpreter subtracted) and ratios to the peer."""
    empty = median_wall(python, "pass", runs)
    seconds = {
        name: max(0.0, median_wall(python, code, runs) - empty) for name, code in CASES.items()
    }
    return {
        "python": python,
        "runs": runs,
        "empty_interpreter_seconds": round(empty, 4),
        "seconds": {name: round(s, 4) for name, s in seconds.items()},
        "ratio_to_openai": {
            name: round(s / seconds[PEER], 3) for name, s in seconds.items() if name != PEER
        },
    }


def main() -> None:
    """Print the figures (a table, or JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--runs", type=int, default=7, help="fresh runs per case (median)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter to time")
    args = parser.parse_args()
    figures = measure(args.python, args.runs)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{args.python}: median of {args.runs} fresh runs, empty interpreter subtracted")
    ratios: dict[str, float] = figures["ratio_to_openai"]  # type: ignore[assignment]
    for name, s in figures["seconds"].items():  # type: ignore[attr-defined]
        ratio = f"  ({ratios[name]:.2f} x openai)" if name in ratios else ""
        print(f"  {name:32} {s:7.3f} s{ratio}")


if __name__ == "__main__":
    main()
