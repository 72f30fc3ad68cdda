"""The committed schema files agree with the models; drift is detected and named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from negotiator.cli import main
from negotiator.wire.kinds import KINDS
from negotiator.wire.schemas import (
    DRAFT_2020_12,
    check_schemas,
    clean_description,
    default_schema_dir,
    load_schema,
    render_schema,
    schema_for,
)


@pytest.fixture
def schema_copy(tmp_path: Path) -> Path:
    target = tmp_path / "schemas"
    shutil.copytree(default_schema_dir(), target)
    return target


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_committed_schema_equals_the_model_schema(kind: str) -> None:
    committed = load_schema(kind)
    assert committed == schema_for(kind)
    assert committed["$schema"] == DRAFT_2020_12
    assert committed["title"] == KINDS[kind].__name__
    assert set(committed["required"]) == {
        name for name, field in KINDS[kind].model_fields.items() if field.is_required()
    }
    assert set(committed["properties"]) == set(KINDS[kind].model_fields)


def test_every_field_of_every_kind_is_described() -> None:
    for kind in KINDS:
        schema = load_schema(kind)
        models = [schema, *schema.get("$defs", {}).values()]
        for model in models:
            for name, prop in model.get("properties", {}).items():
                assert prop.get("description"), f"{kind}: {model['title']}.{name} undocumented"


def test_free_text_is_bounded() -> None:
    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "string" and "pattern" not in node and "enum" not in node:
                assert "maxLength" in node or "format" in node or "const" in node, node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for kind in KINDS:
        walk(load_schema(kind))


def test_check_passes_on_the_committed_files() -> None:
    assert check_schemas(default_schema_dir()) == []
    assert main(["schemas", "--check"]) == 0


def test_check_names_a_tampered_file(schema_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bid = schema_copy / "bid.json"
    data = json.loads(bid.read_text())
    data["properties"]["price"]["description"] = "tampered"
    bid.write_text(json.dumps(data))
    assert main(["schemas", "--check", "--dir", str(schema_copy)]) == 1
    err = capsys.readouterr().err
    assert f"{bid}: differs from the models" in err
    assert "task.json" not in err


def test_check_names_missing_and_stray_files(
    schema_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (schema_copy / "contract.json").unlink()
    (schema_copy / "old.json").write_text("{}")
    assert main(["schemas", "--check", "--dir", str(schema_copy), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["drift"] == [
        {"file": str(schema_copy / "contract.json"), "problem": "missing"},
        {"file": str(schema_copy / "old.json"), "problem": "belongs to no wire kind"},
    ]


def test_write_then_check_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schemas", "--write", "--dir", str(tmp_path)]) == 0
    assert f"wrote {len(KINDS)} schemas to {tmp_path}" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{k}.json" for k in KINDS)
    assert check_schemas(tmp_path) == []
    assert (tmp_path / "bid.json").read_text() == render_schema("bid")


def test_show_prints_one_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schemas", "--show", "offer"]) == 0
    assert json.loads(capsys.readouterr().out) == schema_for("offer")


def test_descriptions_are_plain_text() -> None:
    text = "Summary.\n\nSee :data:`PRIVACY_RANK` and ``kind``,\nwrapped.\n\nExample:\n    >>> 1"
    assert clean_description(text) == "Summary.\n\nSee PRIVACY_RANK and kind, wrapped."
    for kind in KINDS:
        assert "``" not in render_schema(kind)
        assert ">>>" not in render_schema(kind)
