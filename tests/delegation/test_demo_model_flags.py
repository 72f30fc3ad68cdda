"""`negotiator demo` options for local servers: --max-tokens, --max-concurrency, --timeout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_httpx2  # noqa: F401 — registers respx's "httpcore2" mocker
import respx

from negotiator.cli import build_parser, main
from negotiator.cli import models as demo_cli
from negotiator.errors import UsageError
from negotiator.llm.openai_client import OpenAICompatibleClient

BASE_URL = "http://local.test/v1"


def settings(*argv: str) -> dict[str, Any] | None:
    return demo_cli.model_settings(build_parser().parse_args(["demo", *argv]))


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The keyword arguments of every OpenAICompatibleClient the demo builds."""
    calls: list[dict[str, Any]] = []

    def spy(**kwargs: Any) -> OpenAICompatibleClient:
        calls.append(kwargs)
        return OpenAICompatibleClient(**kwargs)

    monkeypatch.setattr(demo_cli, "OpenAICompatibleClient", spy)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return calls


def test_defaults_bound_the_answer_for_a_local_server(made: list[dict[str, Any]]) -> None:
    s = settings("--base-url", BASE_URL, "--model", "smol")
    assert s == {"base_url": BASE_URL, "model": "smol", "structured_mode": "json_schema"}
    demo_cli.build_client(s)
    assert made[-1]["max_tokens"] == 400
    assert made[-1]["timeout"] == 60.0
    assert made[-1]["max_concurrency"] is None


def test_openai_itself_keeps_the_servers_token_default(
    made: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789")
    demo_cli.build_client(settings())
    assert made[-1]["max_tokens"] is None and made[-1]["base_url"] is None


def test_flags_are_recorded_and_passed(made: list[dict[str, Any]]) -> None:
    s = settings(
        "--base-url",
        BASE_URL,
        "--model",
        "smol",
        "--max-tokens",
        "384",
        "--max-concurrency",
        "1",
        "--timeout",
        "240",
    )
    assert s is not None
    assert (s["max_tokens"], s["max_concurrency"], s["timeout"]) == (384, 1, 240.0)
    demo_cli.build_client(json.loads(json.dumps(s)))  # as read back from run.json
    assert (made[-1]["max_tokens"], made[-1]["max_concurrency"], made[-1]["timeout"]) == (
        384,
        1,
        240.0,
    )


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--max-tokens", "0", "'0' must be greater than 0"),
        ("--max-tokens", "1.5", "'1.5' is not a whole number"),
        ("--max-concurrency", "-1", "'-1' must be greater than 0"),
        ("--timeout", "nan", "'nan' must be greater than 0"),
        ("--timeout", "soon", "'soon' is not a number"),
    ],
)
def test_bad_values_are_refused_by_name(
    flag: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["demo", flag, value])
    assert exc.value.code == 2
    assert f"argument {flag}: {message}" in capsys.readouterr().err


def test_a_hand_edited_run_json_is_checked() -> None:
    with pytest.raises(UsageError, match="max_tokens"):
        demo_cli.build_client({"model": "m", "base_url": BASE_URL, "max_tokens": 0})
    with pytest.raises(UsageError, match="timeout"):
        demo_cli.build_client({"model": "m", "base_url": BASE_URL, "timeout": -1})


def test_the_limit_reaches_the_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    bodies: list[dict[str, Any]] = []

    def down(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(400, json={"error": {"message": "no model here"}})

    with respx.mock(base_url=BASE_URL, using="httpcore2") as router:
        router.post("/chat/completions").mock(side_effect=down)
        code = main(
            [
                "demo",
                "--json",
                "--runs-dir",
                str(tmp_path),
                "--base-url",
                BASE_URL,
                "--model",
                "smol",
                "--max-tokens",
                "123",
                "--max-concurrency",
                "1",
            ]
        )
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["outcome"] == "completed"  # every step fell back to the numbers
    assert bodies and {b["max_tokens"] for b in bodies} == {123}
    meta = json.loads((Path(out["run_dir"]) / "run.json").read_text(encoding="utf-8"))
    assert meta["model"]["max_tokens"] == 123 and meta["model"]["max_concurrency"] == 1
