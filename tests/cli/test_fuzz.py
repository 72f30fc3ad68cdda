"""Fuzzing every sub-command's arguments and input files: the never-a-traceback promise.

For each sub-command, hypothesis draws an argument list (good and bad flag values, huge numbers,
missing and odd paths, junk tokens) and the contents of its input files (random JSON, random
text and bytes, and real files of the right kind). Each run goes through ``main`` in this
process and must end with exit 0, 1 or 2, print no traceback, never report running out of
memory (size guards must refuse first), and keep the process's peak memory bounded.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import resource
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negotiator.cli import COMMANDS, main
from negotiator.markets.traders import TRADERS
from negotiator.mediation.scenario import bundled_scenario

TESTS = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
#: the process's peak resident memory must stay below this (Linux reports KiB)
PEAK_LIMIT_KIB = 1_500_000

REAL_FILES: dict[str, list[Path]] = {
    "schedule": sorted((TESTS / "markets" / "data").glob("*.json")),
    "scenario": [bundled_scenario("seed002"), *sorted((TESTS / "mediation").rglob("*.toml"))],
    "transcript": sorted((TESTS / "transcripts").glob("*.jsonl")),
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=20,
)

Content = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    st.text(max_size=200).map(str.encode),
    st.binary(max_size=200),
)


def _file_contents(kind: str) -> st.SearchStrategy[bytes]:
    """Contents for an input file of ``kind``: a real one, a mutated real one, or noise."""
    real = [p.read_bytes() for p in REAL_FILES.get(kind, [])]
    if not real:
        return Content

    def mutate(data: bytes, at: int, junk: bytes) -> bytes:
        cut = at % (len(data) + 1)
        return data[:cut] + junk + data[cut + len(junk) :]

    mutated = st.builds(mutate, st.sampled_from(real), st.integers(0, 10**6), st.binary(max_size=8))
    return st.one_of(st.sampled_from(real), mutated, Content)


NUMBERS = st.one_of(
    st.sampled_from(["1", "2", "3", "7"]),
    st.sampled_from(["0", "-1", "1000000000", "1e308", "x", "2.5", ""]),
)
#: a stray token, drawn now and then (most draws add none, so valid runs happen too)
JUNK = st.sampled_from([*([None] * 6), "--nope", "-x", "", "--", "💥"])


@st.composite
def _flags(draw: st.DrawFn, table: dict[str, st.SearchStrategy[str] | None]) -> list[str]:
    """Some of ``table``'s flags (None: a switch) with drawn values, then maybe a junk token."""
    names = draw(st.lists(st.sampled_from(sorted(table)), unique=True, max_size=len(table)))
    argv: list[str] = []
    for name in names:
        value = table[name]
        argv += [name] if value is None else [name, draw(value)]
    junk = draw(JUNK)
    return argv if junk is None else [*argv, junk]


@st.composite
def _case(draw: st.DrawFn, command: str) -> tuple[list[str], dict[str, bytes]]:
    """``(argv, files)``: the arguments (``{name}`` placeholders for the files) and files."""
    return CASES[command](draw)


def _paths(files: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from([*(f"{{{f}}}" for f in files), "{missing}", "{dir}", "{file}/x"])


def _schemas(draw: st.DrawFn) -> tuple[list[str], dict[str, bytes]]:
    mode = draw(st.sampled_from([["--write"], ["--check"], ["--show", "bid"], ["--show", "x"]]))
    folder = (
        ["--dir", "{dir}"]
        if mode == ["--write"]
        else draw(st.sampled_from([[], ["--dir", "{dir}"]]))
    )
    return [*mode, *folder, *draw(_flags({"--json": None}))], {}


def _validate(draw: st.DrawFn) -> tuple[list[str], dict[str, bytes]]:
    kind = draw(st.sampled_from(["bid", "task", "contract", "report", "answer", "nope"]))
    flags = _flags(
        {
            "--task": _paths(["task"]),
            "--now": st.sampled_from(["now", "x", "2026-10-01T09:00:00Z"]),
            "--keys": _paths(["keys.json"]),
            "--signer": st.sampled_from(["did:web:acme-analytics.example", "x", ""]),
            "--json": None,
        }
    )
    files = {"obj.json": draw(Content), "task": draw(Content), "keys.json": draw(Content)}
    return [kind, draw(_paths(["obj.json"])), *draw(flags)], files


def _replay(draw: st.DrawFn) -> tuple[list[str], dict[str, bytes]]:
    files = {"run.jsonl": draw(_file_contents("transcript"))}
    return [draw(_paths(["run.jsonl"])), *draw(_flags({"--check": None, "--json": None}))], files


def _verify(draw: st.DrawFn) -> tuple[list[str], dict[str, bytes]]:
    files = {
        "run/transcript.jsonl": draw(_file_contents("transcript")),
        "run/keys.json": draw(st.one_of(Content, st.just(b'{"keys": {}, "hub": "x"}'))),
        "k.json": draw(Content),
    }
    target = draw(st.sampled_from(["{root}/run", "{run/transcript.jsonl}", "{missing}", "{dir}"]))
    flags = _flags(
        {
            "--keys": _paths(["k.json"]),
            "--hub": st.sampled_from(["did:key:z6Mkx", "x", ""]),
            "--replay": None,
        }
    )
    return [target, *draw(flags)], files


def _mediate(draw: st.DrawFn) -> tuple[list[str], dict[str, bytes]]:
    name = draw(st.sampled_from(["s.json", "s.toml"]))
    files = {name: draw(_file_contents("scenario"))}
    target = draw(st.one_of(_paths([name]), st.sampled_from(["seed002", "seed00", "a.txt"])))
    flags = _flags({"--json": None, "--max-evaluations": NUMBERS})
    return [target, *draw(flags)], files


def _market(draw: st.DrawFn) -> tuple[list[str], dict[str, bytes]]:
    files = {"s.json": draw(_file_contents("schedule"))}
    mechanism = draw(st.sampled_from(["cda", "pda", "xda"]))
    names = st.lists(st.sampled_from([*sorted(TRADERS), "nope"]), min_size=0, max_size=3)
    traders = ",".join(draw(names))
    table: dict[str, st.SearchStrategy[str] | None] = {
        "--periods": NUMBERS,
        "--seed": NUMBERS,
        "--steps": NUMBERS,
        "--rounds": NUMBERS,
        "--pricing": st.sampled_from(["mth", "m+1", "median"]),
        "--alpha": NUMBERS,
        "--plot": st.sampled_from(["{missing}/x.png", "{dir}", "{dir}/out.png"]),
        "--max-shouts": NUMBERS,
        "--json": None,
    }
    argv = [mechanism, "--schedule", draw(_paths(["s.json"])), "--traders", traders]
    return [*argv, *draw(_flags(table))], files


_MODEL_FLAGS: dict[str, st.SearchStrategy[str] | None] = {
    "--offline": None,
    "--require-model": None,
    "--base-url": st.sampled_from(["notaurl", "ftp://x/v1"]),
    "--model": st.sampled_from(["m", ""]),
    "--max-tokens": NUMBERS,
    "--timeout": NUMBERS,
    "--structured-mode": st.sampled_from(["json_schema", "nope"]),
}


def _demo(draw: st.DrawFn) -> tuple[list[str], dict[str, bytes]]:
    table: dict[str, st.SearchStrategy[str] | None] = {
        "--scenario": st.sampled_from(["success", "breach", "nope"]),
        "--run-id": st.sampled_from(["r1", "../up", "a/b", ".x", "ok.1"]),
        "--runs-dir": st.sampled_from(["{dir}", "{file}", "{file}/x"]),
        "--seed": NUMBERS,
        "--json": None,
        **_MODEL_FLAGS,
    }
    return draw(_flags(table)), {}


def _resume(draw: st.DrawFn) -> tuple[list[str], dict[str, bytes]]:
    files = {"runs/r1/run.json": draw(Content)}
    run_id = draw(st.sampled_from(["r1", "r2", "../r1", ""]))
    table = {
        "--runs-dir": st.sampled_from(["{root}/runs", "{file}", "{missing}"]),
        "--json": None,
        **_MODEL_FLAGS,
    }
    return [run_id, *draw(_flags(table))], files


#: small sizes (and bad ones) for the bargaining commands: a valid draw stays quick
SIZES = st.sampled_from(["1", "2", "3", "0", "-1", "x", "2.5", "1000000000"])
PARTY = TESTS / "bargaining" / "data" / "party"


def _genius_files(draw: st.DrawFn) -> dict[str, bytes]:
    """A Genius folder ``g``: the real files, one of them maybe mutated or replaced by noise."""
    files = {f"g/{p.name}": p.read_bytes() for p in sorted(PARTY.glob("*.xml"))}
    victim = draw(st.sampled_from([None, *sorted(files)]))
    if victim is not None:
        files[victim] = draw(Content)
    return files


def _scenario_flags(
    draw: st.DrawFn,
) -> tuple[dict[str, st.SearchStrategy[str] | None], dict[str, bytes]]:
    files = {"split.json": draw(Content), **_genius_files(draw)}
    table: dict[str, st.SearchStrategy[str] | None] = {
        "--genius": st.sampled_from(["{root}/g", "{dir}", "{missing}"]),
        "--split": _paths(["split.json"]),
        "--seed": NUMBERS,
        "--issues": SIZES,
        "--values": SIZES,
        "--levels": NUMBERS,
        "--max-outcomes": NUMBERS,
        "--plot": st.sampled_from(["{missing}/x.png", "{dir}", "{dir}/out.png"]),
        "--json": None,
    }
    return table, files


def _analyze(draw: st.DrawFn) -> tuple[list[str], dict[str, bytes]]:
    table, files = _scenario_flags(draw)
    return draw(_flags(table)), files


def _negotiate(draw: st.DrawFn) -> tuple[list[str], dict[str, bytes]]:
    table, files = _scenario_flags(draw)
    agents = st.sampled_from(["pareto", "boulware", "tit-for-tat", "nope"])
    table |= {
        "--first": agents,
        "--second": agents,
        "--protocol": st.sampled_from(["alternating", "protocol1", "protocol2", "nope"]),
        "--rounds": NUMBERS,
        "--max-rounds": NUMBERS,
        "--accept": st.sampled_from(["next", "next-or-late", "nope"]),
    }
    return draw(_flags(table)), files


def _tournament(draw: st.DrawFn) -> tuple[list[str], dict[str, bytes]]:
    files = {"pairs.json": draw(Content), **_genius_files(draw)}
    table: dict[str, st.SearchStrategy[str] | None] = {
        "--agents": st.sampled_from(["pareto", "pareto,linear", "x", ",", ""]),
        "--domain": st.sampled_from(["generated", "priorities", "values", "nope"]),
        "--pairs": _paths(["pairs.json"]),
        "--genius": st.sampled_from(["{root}/g", "{dir}", "{missing}"]),
        "--scenarios": SIZES,
        "--seed": NUMBERS,
        "--issues": SIZES,
        "--values": SIZES,
        "--rounds": NUMBERS,
        "--protocol": st.sampled_from(["alternating", "protocol2", "nope"]),
        "--max-rounds": NUMBERS,
        "--max-outcomes": NUMBERS,
        "--max-scenarios": NUMBERS,
        "--json": None,
    }
    return draw(_flags(table)), files


CASES: dict[str, Callable[[st.DrawFn], tuple[list[str], dict[str, bytes]]]] = {
    "schemas": _schemas,
    "validate": _validate,
    "replay": _replay,
    "mediate": _mediate,
    "market": _market,
    "demo": _demo,
    "resume": _resume,
    "analyze": _analyze,
    "negotiate": _negotiate,
    "tournament": _tournament,
    "verify": _verify,
}
"""Sub-command -> how to draw its arguments and input files."""

#: fewer examples where a valid draw runs a whole delegation (about half a second each)
EXAMPLES = {
    "demo": 12,
    "resume": 20,
    "analyze": 25,
    "negotiate": 25,
    "tournament": 25,
    "verify": 25,
}


def test_every_sub_command_is_fuzzed() -> None:
    assert set(COMMANDS) == set(CASES)


def _materialise(argv: list[str], files: dict[str, bytes], root: Path) -> list[str]:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "dir").mkdir(exist_ok=True)
    (root / "file").write_text("x")
    names = {"root": root, "dir": root / "dir", "file": root / "file", "missing": root / "missing"}
    names |= {name: root / name for name in files}
    return [PLACEHOLDER.sub(lambda m: str(names[m.group(1)]), arg) for arg in argv]


def _run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse's own usage errors and --help
            code = stop.code if isinstance(stop.code, int) else 2
    return code, err.getvalue()


@pytest.mark.parametrize("command", sorted(CASES))
def test_fuzzed_arguments_and_files_never_crash(
    command: str,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # a run folder left to its default lands here
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(var, raising=False)

    @settings(
        max_examples=EXAMPLES.get(command, 40),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(case=_case(command))
    def check(case: tuple[list[str], dict[str, bytes]]) -> None:
        argv, files = case
        root = tmp_path_factory.mktemp(command)
        full = [command, *_materialise(argv, files, root)]
        code, err = _run(full)
        assert code in (0, 1, 2), (full, code, err)
        assert "Traceback" not in err, (full, err)
        assert "out of memory" not in err, (full, err)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert sys.platform != "linux" or peak < PEAK_LIMIT_KIB, (full, peak)

    check()
