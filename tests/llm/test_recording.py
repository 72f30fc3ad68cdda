"""No secret ever enters a transcript, whatever the client, prompt or error says."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import respx
from pydantic import BaseModel, ConfigDict

from negotiator.llm.protocol import ChatMessage, StructuredCall, TextCall
from negotiator.llm.recording import RecordingClient
from negotiator.transcript import TranscriptHeader, TranscriptWriter, read_transcript


class Note(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    text: str


OTHER_KEY = "sk-proj-AAAABBBBCCCCDDDDEEEE1234"
ODD_KEY = "my-own-key-7Qx9"  # no recognisable shape: redacted because it is named


def test_no_secret_reaches_the_file(
    api: respx.Router, http: Any, make_client: Callable[..., Any], tmp_path: Path
) -> None:
    api.post("/chat/completions").mock(
        side_effect=[
            # the server echoes a key into its answer, then rejects with the key in the error
            http.ok('{"text": "use ' + http.API_KEY + ' or Bearer abcdefgh12345678"}'),
            http.error(401, f"Incorrect API key provided: {http.API_KEY}"),
        ]
    )
    path = tmp_path / "run.jsonl"
    header = TranscriptHeader(
        run_id="r", seed=0, flow="f", inputs={"api_key": ODD_KEY, "note": f"key={OTHER_KEY}"}
    )
    client = make_client(api_key=http.API_KEY)
    with TranscriptWriter.to_file(path, header, secrets=[http.API_KEY, ODD_KEY]) as writer:
        rec = RecordingClient(client, writer)
        prompt = [ChatMessage("user", f"My key is {OTHER_KEY}; Authorization: Bearer xyzxyzxyz99")]
        call = StructuredCall("note", prompt, Note, lambda: Note(text="fallback"))
        first = asyncio.run(rec.structured(call))
        second = asyncio.run(rec.text(TextCall("t", [ChatMessage("user", ODD_KEY)], lambda: "x")))
    # the client never hands its own key on (M4: it would reach state and checkpoints);
    # the transcript's own nets redact the other secret shapes
    assert http.API_KEY not in first.value.text and "[REDACTED]" in first.value.text
    assert http.API_KEY not in (second.fallback_reason or "")
    assert second.fallback_reason is not None and "401" in second.fallback_reason
    raw = path.read_text(encoding="utf-8")
    for secret in (http.API_KEY, OTHER_KEY, ODD_KEY, "abcdefgh12345678", "xyzxyzxyz99"):
        assert secret not in raw
    assert "Authorization: [REDACTED]" in raw
    assert "Bearer [REDACTED]" in raw
    assert raw.count("[REDACTED]") >= 6
    read_transcript(path)  # still a valid transcript
