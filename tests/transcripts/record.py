"""Re-record the golden delegation transcripts in this folder (run from the repository root):

    python tests/transcripts/record.py

``delegation-<scenario>.jsonl`` are recorded with the deterministic client;
``delegation-model-success.jsonl`` with the scripted, respx-mocked model server of
``tests/graphs/conftest.py``. Only re-record when a change to the flow is intended.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import respx

HERE = Path(__file__).resolve().parent


def _graph_helpers() -> ModuleType:
    # imported as tests.graphs.conftest (a namespace package) so its relative imports resolve
    sys.path.insert(0, str(HERE.parents[1]))
    return importlib.import_module("tests.graphs.conftest")


def main() -> None:
    """Write the five golden transcripts."""
    helpers = _graph_helpers()
    run_demo, model_server, base_url = helpers.run_demo, helpers.model_server, helpers.BASE_URL
    for scenario in ("success", "breach", "cancel", "switch"):
        run_demo(scenario, path=HERE / f"delegation-{scenario}.jsonl", run_id=f"golden-{scenario}")
    import pytest_httpx2  # noqa: F401, PLC0415 — registers respx's "httpcore2" mocker

    from negotiator.llm.openai_client import OpenAICompatibleClient, RetryPolicy  # noqa: PLC0415

    async def no_sleep(seconds: float) -> None:
        return None

    with respx.mock(base_url=base_url, using="httpcore2") as router:
        router.post("/chat/completions").mock(side_effect=model_server)
        client = OpenAICompatibleClient(
            model="test-model",
            base_url=base_url,
            api_key="sk-test-SECRET-0123456789",
            retry=RetryPolicy(sleep=no_sleep),
            max_reasks=1,
        )
        run_demo(
            "success",
            client=client,
            path=HERE / "delegation-model-success.jsonl",
            run_id="golden-model-success",
        )


if __name__ == "__main__":
    main()
