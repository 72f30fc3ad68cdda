"""Re-record the golden ``negotiator demo --json`` outputs in this folder (from the repository
root, only when a change to the printed JSON is intended):

    python tests/graphs/golden/record.py

One ``<scenario>.json`` per demo scenario, offline, with the run folder's paths left out.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from negotiator.cli import main as cli
from negotiator.delegation.demo import SCENARIOS

HERE = Path(__file__).resolve().parent
#: keys naming files of the run folder (they differ between machines)
PATH_KEYS = ("transcript", "run_dir")


def demo_json(scenario: str, runs_dir: Path) -> dict[str, Any]:
    """What ``negotiator demo --json --offline`` prints for ``scenario``, paths left out."""
    out = io.StringIO()
    args = ["demo", "--json", "--offline", "--scenario", scenario, "--run-id", scenario]
    with contextlib.redirect_stdout(out):
        assert cli([*args, "--runs-dir", str(runs_dir)]) == 0
    printed: dict[str, Any] = json.loads(out.getvalue())
    return {k: v for k, v in printed.items() if k not in PATH_KEYS}


def main() -> None:
    """Write one golden file per scenario."""
    with tempfile.TemporaryDirectory() as runs:
        for scenario in sorted(SCENARIOS):
            text = json.dumps(demo_json(scenario, Path(runs)), indent=1, ensure_ascii=False)
            (HERE / f"{scenario}.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
