"""``negotiator schemas --write | --check | --show KIND``: the wire kinds' JSON Schema files.

``--write`` regenerates ``contracts/schemas/<kind>.json`` from the models; ``--check`` exits 1
and names every file that is missing, differs from the models, or belongs to no kind;
``--show KIND`` prints one schema. ``--dir`` chooses another folder (default: the package's).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from negotiator.wire.kinds import KINDS
from negotiator.wire.schemas import check_schemas, default_schema_dir, render_schema, write_schemas

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``schemas`` sub-command to ``sub``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "schemas",
        help="write or check the JSON Schemas of the wire objects",
        description=(
            "Generate the JSON Schema (Draft 2020-12) of every wire kind from the models "
            "(--write), check the committed files against the models (--check: exit 1 naming "
            "each drifting file), or print one (--show KIND)."
        ),
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="regenerate the schema files")
    action.add_argument("--check", action="store_true", help="fail if a file differs")
    action.add_argument("--show", choices=sorted(KINDS), metavar="KIND", help="print a schema")
    parser.add_argument(
        "--dir", type=Path, default=None, help="schema folder (default: the package's)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _write(directory: Path, as_json: bool) -> int:
    written = write_schemas(directory)
    if as_json:
        print(json.dumps({"dir": str(directory), "written": [str(p) for p in written]}))
    else:
        print(f"wrote {len(written)} schemas to {directory}")
    return 0


def _check(directory: Path, as_json: bool) -> int:
    drift = check_schemas(directory)
    if as_json:
        problems = [{"file": str(d.path), "problem": d.problem} for d in drift]
        print(json.dumps({"dir": str(directory), "ok": not drift, "drift": problems}))
    elif drift:
        for d in drift:
            print(f"negotiator schemas: {d} (run `negotiator schemas --write`)", file=sys.stderr)
    else:
        print(f"{len(KINDS)} schemas in {directory} match the models")
    return 1 if drift else 0


def run(args: argparse.Namespace) -> int:
    """Write, check or show the schemas; returns the exit code (1 when --check finds drift)."""
    if args.show:
        print(render_schema(args.show), end="")
        return 0
    directory: Path = args.dir if args.dir is not None else default_schema_dir()
    return _write(directory, args.json) if args.write else _check(directory, args.json)
