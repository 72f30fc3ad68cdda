"""An offline test of your own flow: record it once with a model, replay it in every test run.

``python examples/test_own_flow_offline.py --record`` runs the ``translation`` flow of
``examples/own_task.py`` against a model and writes ``examples/transcripts/translation.jsonl``
(here the "model" is a small scripted stand-in, so recording needs no server; point
``record()`` at an ``OpenAICompatibleClient`` to record a real one). The tests below then run the
same delegation with a :class:`~negotiator.ReplayClient` built from that transcript: no network,
no key, the model's recorded answers, the same outcome — and they fail if the flow drifts from
the recording (a request the transcript does not hold, or recorded answers left unused).

Run: ``python -m pytest examples/test_own_flow_offline.py``
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from negotiator import (
    ModelResult,
    ReplayClient,
    ResultSource,
    StructuredCall,
    TextCall,
    TokenUsage,
    check_transcript,
    read_transcript,
    run_flow,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import own_task

TRANSCRIPT = Path(__file__).resolve().parent / "transcripts" / "translation.jsonl"
T = TypeVar("T", bound=BaseModel)


class ScriptedModel:
    """A stand-in model: bids and answers like the numeric policy, but words things itself."""

    async def structured(self, call: StructuredCall[T]) -> ModelResult[T]:
        """The numeric answer, reported as the model's (with token counts)."""
        return ModelResult(call.fallback(), ResultSource.MODEL, TokenUsage(120, 30), attempts=1)

    async def text(self, call: TextCall) -> ModelResult[str]:
        """A model-written contract text."""
        words = "This agreement covers the German translation of the user guide. " + call.fallback()
        return ModelResult(words, ResultSource.MODEL, TokenUsage(200, 80), attempts=1)


def record() -> None:
    """Record the flow with the scripted model into :data:`TRANSCRIPT`."""
    TRANSCRIPT.parent.mkdir(exist_ok=True)
    TRANSCRIPT.unlink(missing_ok=True)
    run_flow("translation", {}, client=ScriptedModel(), seed=1, run_id="guide-de", path=TRANSCRIPT)


def test_the_delegation_replays_offline_from_the_recording() -> None:
    transcript = read_transcript(TRANSCRIPT)
    replay = ReplayClient.from_transcript(transcript)
    outcome = asyncio.run(own_task.delegate_translation(replay))
    recorded = transcript.events[-1].payload
    assert outcome.model_dump(mode="json") == recorded
    assert outcome.model_calls == outcome.seam_calls > 0  # every step answered by the "model"
    assert replay.unused() == ()


def test_the_recorded_flow_checks_identical() -> None:
    check = check_transcript(TRANSCRIPT)
    assert check.ok, check.diff


if __name__ == "__main__" and "--record" in sys.argv:
    record()
    print(f"recorded {TRANSCRIPT}")
