"""Imports as light as the layers: in a fresh interpreter, the numeric mechanisms and the core
load neither the model SDK (``openai``) nor the graph runtime (LangGraph). Checked on
``sys.modules``, not on timing (``bench/imports.py`` measures the time)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("openai", "langgraph", "langchain_core")

#: what a fresh interpreter runs -> the heavy packages it may load
CASES: dict[str, tuple[str, ...]] = {
    "import negotiator": (),
    "import negotiator.bargaining": (),
    "import negotiator.markets": (),
    "import negotiator.mediation": (),
    "import negotiator.delegation": (),
    "import negotiator.llm, negotiator.flows, negotiator.wire.validation": (),
    "import negotiator; negotiator.Negotiation; negotiator.mediate; negotiator.run_market": (),
    "import negotiator; negotiator.OpenAICompatibleClient": ("openai",),
    # `negotiator --help` lists the commands without importing them
    "from negotiator.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass": (),
    "import negotiator; negotiator.delegate": ("langgraph", "langchain_core"),
}


def loaded_after(code: str) -> set[str]:
    """The heavy top-level packages in ``sys.modules`` after running ``code`` afresh."""
    listing = "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    probe = f"{code}\nimport sys, json\n{listing}"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.splitlines()[-1])) & set(HEAVY)


@pytest.mark.parametrize("code", list(CASES))
def test_what_an_import_loads(code: str) -> None:
    assert loaded_after(code) == set(CASES[code])
