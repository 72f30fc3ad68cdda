"""README.md and .ci/run agree on the test command, so CI runs what users are told to run."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_COMMAND = ".venv/bin/python -m pytest"


def test_readme_states_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert TEST_COMMAND in readme


def test_ci_runs_the_readme_test_command() -> None:
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert TEST_COMMAND in [line.strip() for line in ci_lines]


def test_readme_python_examples_run() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in readme.split("```python\n")[1:]]
    assert blocks, "the README has no Python example"
    for block in blocks:
        namespace: dict[str, object] = {}
        exec(compile(block, "README.md", "exec"), namespace)
        outcome = namespace.get("outcome")
        if outcome is not None:
            assert outcome.outcome == "completed"  # type: ignore[attr-defined]
            assert outcome.winner.bidder_id == "did:web:fast-coder.ai"  # type: ignore[attr-defined]
