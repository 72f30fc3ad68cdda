"""The JSON ``negotiator demo --json`` prints stays the same, key order included (golden files
in ``golden/``; re-record with ``python tests/graphs/golden/record.py`` when a change is
intended)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from negotiator.delegation.demo import SCENARIOS

GOLDEN = Path(__file__).resolve().parent / "golden"


def _recorder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("golden_record", GOLDEN / "record.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_demo_json_is_unchanged(scenario: str, tmp_path: Path) -> None:
    printed = _recorder().demo_json(scenario, tmp_path)
    golden = json.loads((GOLDEN / f"{scenario}.json").read_text(encoding="utf-8"))
    assert list(printed.items()) == list(golden.items())
    assert json.dumps(printed) == json.dumps(golden)
