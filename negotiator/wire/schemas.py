"""JSON Schemas of the wire kinds: generated from the models, committed as files, checked for drift.

The committed files under ``contracts/schemas/<kind>.json`` (shipped inside the package as
``negotiator/contracts/schemas``) are what the validation entry point checks raw input against.
``negotiator schemas --write`` regenerates them; ``negotiator schemas --check`` fails when they
differ from the models.

Post-processing of pydantic's ``model_json_schema`` (validation mode): the Draft 2020-12
``$schema`` keyword is added, and descriptions are cleaned into plain text (see
:func:`clean_description`; docstring examples are Python, not JSON, so they are cut).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from negotiator.errors import UsageError
from negotiator.wire.kinds import KINDS, model_for

__all__ = [
    "DRAFT_2020_12",
    "SchemaDrift",
    "check_schemas",
    "clean_description",
    "default_schema_dir",
    "load_schema",
    "render_schema",
    "schema_for",
    "write_schemas",
]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
_EXAMPLE_MARK = "\n\nExample:"
_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")
_WRAP = re.compile(r"(?<!\n)\n(?!\n)")


def clean_description(text: str) -> str:
    """Turn a docstring into plain schema text for people and models.

    Cuts the ``Example:`` section, drops reST roles and double back-quotes, and joins
    hard-wrapped lines (paragraph breaks stay).
    """
    text = text.split(_EXAMPLE_MARK, 1)[0].rstrip()
    text = _ROLE.sub(lambda m: m.group(1).rsplit(".", 1)[-1], text)
    text = _LITERAL.sub(r"\1", text)
    return _WRAP.sub(" ", text)


def _trim_descriptions(node: Any) -> None:
    """Clean every description in a schema, in place."""
    if isinstance(node, dict):
        text = node.get("description")
        if isinstance(text, str):
            node["description"] = clean_description(text)
        for value in node.values():
            _trim_descriptions(value)
    elif isinstance(node, list):
        for value in node:
            _trim_descriptions(value)


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of a wire kind, generated from its model.

    Raises:
        UnknownKeyError: ``kind`` is not a wire kind.

    Example:
        >>> schema_for("bid")["$schema"]
        'https://json-schema.org/draft/2020-12/schema'
    """
    schema = model_for(kind).model_json_schema(mode="validation")
    _trim_descriptions(schema)
    return {"$schema": DRAFT_2020_12, **schema}


def render_schema(kind: str) -> str:
    """The exact text of a kind's schema file: indented, sorted keys, trailing newline."""
    return json.dumps(schema_for(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def default_schema_dir() -> Path:
    """The schema folder shipped in the package (``negotiator/contracts/schemas``)."""
    return Path(str(resources.files("negotiator") / "contracts" / "schemas"))


@cache
def load_schema(kind: str) -> dict[str, Any]:
    """The committed schema of a kind, read from the package's data files (cached).

    Raises:
        UnknownKeyError: ``kind`` is not a wire kind.
        UsageError: the schema file is missing or unreadable (reinstall, or run
            ``negotiator schemas --write``).
    """
    model_for(kind)
    source = resources.files("negotiator") / "contracts" / "schemas" / f"{kind}.json"
    try:
        loaded: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(
            f"cannot load the schema of {kind!r} from {source}: {exc}; "
            "run `negotiator schemas --write` in a source checkout"
        ) from exc
    return loaded


@dataclass(frozen=True)
class SchemaDrift:
    """One schema file that does not match the models."""

    path: Path
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def write_schemas(directory: Path) -> list[Path]:
    """Write every kind's schema into ``directory`` (created if needed); returns the files."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        path = directory / f"{kind}.json"
        path.write_text(render_schema(kind), encoding="utf-8")
        written.append(path)
    return written


def check_schemas(directory: Path) -> list[SchemaDrift]:
    """Compare the schema files in ``directory`` with the models; empty when all agree.

    Reports files that are missing, differ from the models, or belong to no wire kind.

    Example:
        >>> check_schemas(default_schema_dir())
        []
    """
    drift: list[SchemaDrift] = []
    for kind in KINDS:
        path = directory / f"{kind}.json"
        if not path.is_file():
            drift.append(SchemaDrift(path, "missing"))
        elif path.read_text(encoding="utf-8") != render_schema(kind):
            drift.append(SchemaDrift(path, "differs from the models"))
    expected = {f"{kind}.json" for kind in KINDS}
    drift.extend(
        SchemaDrift(path, "belongs to no wire kind")
        for path in sorted(directory.glob("*.json"))
        if path.name not in expected
    )
    return drift
