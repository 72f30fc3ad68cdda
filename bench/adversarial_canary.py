"""A key canary through every output: files a run writes and what the CLI prints.

``negotiator demo`` runs against a model server on loopback that echoes the credentials it
receives — the API key (``Authorization`` header) and the key carried in the base URL (user
info and an ``api-key`` query parameter) — into its answers, its errors and a text field of
every structured answer it can. The canaries are then searched for in every byte the run left:
each file of the run folder (``run.json``, the transcript, ``checkpoints.sqlite``,
``ledger.sqlite``) and the printed story and JSON.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

from negotiator.cli import main

__all__ = ["canary"]

KEY = "sk-canary-KEY-0f1e2d3c4b5a69788796"
URL_SECRET = "canary-URL-PW-5a4b3c2d1e"
QUERY_SECRET = "canary-QUERY-9f8e7d6c5b"
CANARIES = (KEY, URL_SECRET, QUERY_SECRET)


class _Echo(BaseHTTPRequestHandler):
    """Answers chat completions with the credentials it was sent."""

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        """One completion (or an error) echoing every credential."""
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
        leak = f"{self.headers.get('authorization')} {self.path} {URL_SECRET} {QUERY_SECRET}"
        fmt = body.get("response_format") or {}
        name = (fmt.get("json_schema") or {}).get("name")
        answers = {
            "QuestionList": json.dumps({"questions": [f"Is {KEY} valid?"]}),
            "AnswerText": json.dumps({"text": f"Your key is {leak}"}),
        }
        if name == "Bid":
            self._send(400, {"error": {"message": f"Incorrect API key provided: {leak}"}})
            return
        content = answers.get(name or "", f"Contract wording for {leak}")
        message = {"role": "assistant", "content": content}
        choice = {"index": 0, "finish_reason": "stop", "message": message}
        self._send(
            200,
            {
                "id": "c",
                "object": "chat.completion",
                "created": 0,
                "model": "m",
                "choices": [choice],
            },
        )

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@contextlib.contextmanager
def _server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _leaks(data: bytes) -> list[str]:
    forms = {c: (c.encode(), quote(c).encode()) for c in CANARIES}
    return [c for c, variants in forms.items() if any(v in data for v in variants)]


def canary(tmp: Path) -> dict[str, Any]:
    """Run the demo twice (story and ``--json``) against the echoing server; count leaks."""
    leaks: dict[str, list[str]] = {}
    outputs = 0
    old = os.environ.get("OPENAI_API_KEY")
    os.environ["OPENAI_API_KEY"] = KEY
    try:
        with _server() as port:
            base = f"http://user:{URL_SECRET}@127.0.0.1:{port}/v1?api-key={QUERY_SECRET}"
            for i, extra in enumerate((["--json"], [])):
                runs = tmp / f"canary-{i}"
                args = ["demo", *extra, "--base-url", base, "--model", "m", "--runs-dir", str(runs)]
                printed = io.StringIO()
                with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                    code = main([*args, "--max-concurrency", "2", "--timeout", "10"])
                outputs += 1
                if found := _leaks(printed.getvalue().encode()):
                    leaks[f"stdout {extra or ['story']}"] = found
                if code != 0:
                    leaks[f"exit code {code}"] = [printed.getvalue()[-300:]]
                for path in sorted(p for p in runs.rglob("*") if p.is_file()):
                    outputs += 1
                    if found := _leaks(path.read_bytes()):
                        leaks[str(path.relative_to(tmp))] = found
    finally:
        if old is None:
            os.environ.pop("OPENAI_API_KEY", None)
        else:
            os.environ["OPENAI_API_KEY"] = old
    return {"outputs_checked": outputs, "leaks": len(leaks), "where": leaks}
