"""Every file the CLI reads goes through one reader: bad bytes or bad JSON end as one line.

A run's ``run.json``, a transcript, a schedule, a scenario, a wire object and the bargaining
JSON inputs: whatever the file holds (bytes that are not UTF-8, text that is not JSON, JSON
nested deeper than Python parses), the command exits 2 with one stderr line naming the file.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator.cli import main
from negotiator.errors import InvalidInputError
from negotiator.files import read_json, read_text

#: command -> (the file's name, the argument list that makes the command read it)
COMMANDS: dict[str, tuple[str, Callable[[Path], list[str]]]] = {
    "resume": ("run-1/run.json", lambda f: ["resume", "run-1", "--runs-dir", str(f.parents[1])]),
    "replay": ("run.jsonl", lambda f: ["replay", str(f)]),
    "validate": ("bid.json", lambda f: ["validate", "bid", str(f)]),
    "validate --task": ("task.json", lambda f: ["validate", "bid", "-", "--task", str(f)]),
    "market": ("s.json", lambda f: ["market", "cda", "--schedule", str(f), "--traders", "zic"]),
    "mediate": ("scenario.json", lambda f: ["mediate", str(f)]),
    "tournament": ("pairs.json", lambda f: ["tournament", "--pairs", str(f)]),
    "analyze": ("split.json", lambda f: ["analyze", "--split", str(f)]),
}

BAD_CONTENTS: dict[str, tuple[bytes, str]] = {
    "not UTF-8": (b'{"flow": "\xff\xfe"}', "not UTF-8 text"),
    "not JSON": (b'{"flow": ', "not valid JSON"),
    "nested too deeply": (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
}


@pytest.mark.parametrize("content", sorted(BAD_CONTENTS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_bad_input_file_is_one_line_naming_it(
    command: str,
    content: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name, argv = COMMANDS[command]
    data, reason = BAD_CONTENTS[content]
    file = tmp_path / name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(data)
    monkeypatch.setattr("sys.stdin", io.StringIO("{}"))
    assert main(argv(file)) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert str(file) in err
    assert reason in err


def test_resume_names_a_run_json_that_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meta = tmp_path / "r" / "run.json"
    meta.parent.mkdir()
    meta.write_bytes(b'{"flow": "delegation", "run_id": "r\x80"}')
    assert main(["resume", "r", "--runs-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == f"negotiator resume: {meta}: $: not UTF-8 text: invalid start byte at byte 35\n"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as info:
        read_text(tmp_path / "gone.json")
    assert info.value.what == str(tmp_path / "gone.json")
    assert [str(e) for e in info.value.errors] == ["$: cannot read: no such file"]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_give_json_or_one_error_naming_the_file(data: bytes) -> None:
    folder = Path(tempfile.mkdtemp())
    file = folder / "any.json"
    file.write_bytes(data)
    try:
        value = read_json(file)
    except InvalidInputError as exc:
        assert exc.what == str(file)
        assert len(exc.errors) == 1 and exc.errors[0].path == "$"
    else:
        assert value is None or isinstance(value, bool | int | float | str | list | dict)
    finally:
        file.unlink()
        folder.rmdir()
