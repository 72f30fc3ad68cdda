"""Check the demo runs made against a real model server, replay them offline, print a summary.

Run by ``scripts/real-model-check`` (in its own venv, after the demo runs); not part of the
package. For every scenario it reads ``RUNS/<scenario>.json`` (the demo's ``--json`` output) and
asserts:

- the run ended with the scenario's expected outcome and a balanced ledger;
- the conversational steps really went to the model (``model_calls`` > 0, and the transcript
  holds model answers with completion tokens: a real server answered);
- every model answer was accounted for: each ``model_request`` has one ``model_response``; an
  answer the flow used (``source: model``) validates again, here, against its type's strict wire
  schema and pydantic model; an answer that fell back has its ``fallback`` event with a reason
  (never "deterministic client": a model was configured);
- ``negotiator replay <transcript> --check`` exits 0 and reproduces the same outcome.

Values the flow *accepted* from the model that still look absurd (control characters, numbers
far outside any sensible range) are listed as "suspicious" — material for validator rules — and
written with ``--suspicious-out``; they fail the check only with ``--fail-on-suspicious``.

Usage: real_model_check.py check --runs DIR --negotiator PATH --scenarios S... --times K=SECONDS...
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from pydantic import ValidationError

from negotiator.llm.schema import strict_wire_schema

EXPECTED_OUTCOME = {
    "success": "completed",
    "breach": "breached",
    "cancel": "cancelled",
    "negotiate": "completed",
}

# flow step -> the kind of structured or worded answer it asks for (the per-kind summary)
STEP_KIND = {
    "clarify.question": "question",
    "clarify.answer": "answer",
    "bid": "bid",
    "negotiate.offer": "offer",
    "contract.wording": "wording",
    "mediation.explain": "wording",
}
KINDS = ("question", "answer", "bid", "offer", "wording")
# at least this share of the structured answers must be valid on the first try or after a re-ask
MIN_VALID_SHARE = 0.8
# the steps whose answer carries numbers the model chose (a bid or an offer of its own)
OWN_CHOICE_KINDS = frozenset({"bid", "offer"})

# "structured:<Type>" -> where the type lives (answers of other types are counted, not re-validated)
OUTPUT_TYPES = {
    "Bid": "negotiator.wire.bid:Bid",
    "QuestionList": "negotiator.delegation.clarify:QuestionList",
    "AnswerText": "negotiator.delegation.clarify:AnswerText",
    "BidChoice": "negotiator.delegation.bidding:BidChoice",
    "OfferReply": "negotiator.delegation.negotiation.talk:OfferReply",
}

# Fields (last path segment) that hold money amounts, and the sane range for an amount here:
# the demo's budget is 12 USDC; anything below a cent or above a million is absurd.
MONEY_KEYS = frozenset({"amount"})
MONEY_RANGE = (Decimal("0.01"), Decimal("1000000"))
# Other numbers: anything with a magnitude below 1e-6 (but not 0) or above 1e9 is absurd.
NUMBER_TINY, NUMBER_HUGE = 1e-6, 1e9
CONTROL_OK = frozenset("\n\t")
TRANSPORT = "transport:"  # how the client's fallback reason starts when the server never answered
CIRCUIT = "circuit open:"  # a step skipped after the server kept failing (never asked either)


@dataclass
class Tally:
    """Model-call figures of one or more runs."""

    model_calls: int = 0
    first_try: int = 0
    after_reask: int = 0
    fallbacks: int = 0
    http_requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    revalidated: int = 0
    fallback_reasons: Counter[str] = field(default_factory=Counter)
    by_kind: dict[str, Counter[str]] = field(default_factory=dict)

    def count(self, kind: str, outcome: str) -> None:
        """Count one answer of a step kind as ``first``, ``reask`` or ``fallback``."""
        self.by_kind.setdefault(kind, Counter())[outcome] += 1

    def add(self, other: Tally) -> None:
        """Add ``other``'s figures to these."""
        for name in (
            "model_calls",
            "first_try",
            "after_reask",
            "fallbacks",
            "http_requests",
            "prompt_tokens",
            "completion_tokens",
            "revalidated",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.fallback_reasons.update(other.fallback_reasons)
        for kind, counts in other.by_kind.items():
            self.by_kind.setdefault(kind, Counter()).update(counts)

    def structured_valid_share(self) -> float:
        """Share of structured answers valid on the first try or after a re-ask."""
        counts = [c for k, c in self.by_kind.items() if k != "wording"]
        total = sum(sum(c.values()) for c in counts)
        valid = sum(c["first"] + c["reask"] for c in counts)
        return valid / total if total else 1.0

    def own_choices(self) -> int:
        """Bids and offers that are the model's own (not fallen back)."""
        return sum(
            c["first"] + c["reask"] for k, c in self.by_kind.items() if k in OWN_CHOICE_KINDS
        )


@dataclass
class RunCheck:
    """What checking one scenario found."""

    scenario: str
    tally: Tally = field(default_factory=Tally)
    problems: list[str] = field(default_factory=list)
    suspicious: list[dict[str, Any]] = field(default_factory=list)
    replay_seconds: float = 0.0
    outcome: str = "?"
    winner: str = "?"


def read_events(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return a transcript's header and events (plain JSON, read independently of the package)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    return header, [json.loads(line) for line in lines[1:]]


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _load_type(output: str) -> Any:
    name = output.removeprefix("structured:")
    target = OUTPUT_TYPES.get(name)
    if target is None:
        return None
    module, attr = target.split(":")
    return getattr(importlib.import_module(module), attr)


def revalidate(output: str, value: object) -> list[str] | None:
    """Validate a model answer again: strict wire schema, then the strict pydantic model.

    Returns the problems found, or ``None`` when the output type is not one this script knows.
    """
    model = _load_type(output)
    if model is None:
        return None
    problems = [
        f"{e.json_path}: {e.message}"
        for e in Draft202012Validator(strict_wire_schema(model)).iter_errors(value)
    ]
    if not problems:
        try:
            model.model_validate_json(json.dumps(value), strict=True)
        except ValidationError as exc:
            problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    return problems


def walk(value: object, path: str = "$") -> Iterator[tuple[str, object]]:
    """Yield every leaf of a JSON value with its JSON path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk(item, f"{path}[{i}]")
    else:
        yield path, value


def _absurd_amount(text: str) -> str | None:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    low, high = MONEY_RANGE
    if amount != 0 and not low <= abs(amount) <= high:
        return f"money amount {text} outside [{low}, {high}]"
    return None


def absurdities(value: object) -> list[tuple[str, str]]:
    """Return (JSON path, why) for each leaf of an accepted answer that looks absurd."""
    found: list[tuple[str, str]] = []
    for path, leaf in walk(value):
        key = path.rsplit(".", 1)[-1]
        why: str | None = None
        if isinstance(leaf, str):
            bad = sorted(
                {c for c in leaf if (ord(c) < 32 or ord(c) == 127) and c not in CONTROL_OK}
            )
            if bad:
                why = f"control characters {[hex(ord(c)) for c in bad]} in a string"
            elif key in MONEY_KEYS:
                why = _absurd_amount(leaf)
        elif isinstance(leaf, int | float) and not isinstance(leaf, bool):
            number = float(leaf)
            if key in MONEY_KEYS:
                why = _absurd_amount(repr(leaf))
            elif not math.isfinite(number) or (
                number != 0 and not NUMBER_TINY <= abs(number) <= NUMBER_HUGE
            ):
                why = f"number {leaf!r} outside magnitude [{NUMBER_TINY:g}, {NUMBER_HUGE:g}]"
        if why:
            found.append((path, why))
    return found


def check_transcript(path: Path, check: RunCheck, *, allow_transport: bool = False) -> None:
    """Account for every model call of one transcript; fill ``check``.

    A fallback for a transport failure (timeout, connection refused, HTTP error) is a problem
    unless ``allow_transport``: against a local server it means the step never reached the model.
    """
    _header, events = read_events(path)
    requests: Counter[str] = Counter()
    fell_back: Counter[str] = Counter()
    fallback_events: dict[str, list[str]] = {}
    tally = check.tally
    for event in events:
        kind, payload = event["kind"], event["payload"]
        key = str(payload.get("key"))
        if kind == "model_request":
            requests[key] += 1
        elif kind == "fallback":
            fallback_events.setdefault(key, []).append(str(payload.get("reason") or ""))
        elif kind == "model_response":
            if requests[key] <= 0:
                check.problems.append(f"seq {event['seq']}: model_response without its request")
            requests[key] -= 1
            _count_response(event, tally, check, fell_back)
    for key, n in requests.items():
        if n > 0:
            check.problems.append(f"request {key[:12]}: {n} request(s) never answered")
    _check_fallbacks(fell_back, fallback_events, check, allow_transport)


def _check_fallbacks(
    fell_back: Counter[str],
    fallback_events: dict[str, list[str]],
    check: RunCheck,
    allow_transport: bool,
) -> None:
    """Each answer that fell back has its fallback event, with a reason that is acceptable."""
    for key, n in fell_back.items():
        reasons = fallback_events.get(key, [])
        if len(reasons) != n or not all(reasons):
            check.problems.append(
                f"request {key[:12]}: {n} fallback answer(s) but fallback events {reasons}"
            )
        for reason in reasons:
            if reason == "deterministic client":
                check.problems.append(f"request {key[:12]}: no model was asked")
            elif reason.startswith((TRANSPORT, CIRCUIT)) and not allow_transport:
                check.problems.append(f"request {key[:12]}: the model did not answer: {reason}")
            check.tally.fallback_reasons[_reason_class(reason)] += 1


def _reason_class(reason: str) -> str:
    """The first line of a fallback reason, clipped, for grouping."""
    return reason.splitlines()[0][:140]


def _count_response(
    event: dict[str, Any], tally: Tally, check: RunCheck, fell_back: Counter[str]
) -> None:
    payload = event["payload"]
    source, attempts = payload.get("source"), _int(payload.get("attempts"))
    usage = payload.get("usage") or {}
    meta = payload.get("meta") or {}
    tally.model_calls += 1
    tally.prompt_tokens += _int(usage.get("prompt_tokens"))
    tally.completion_tokens += _int(usage.get("completion_tokens"))
    tally.http_requests += int(meta.get("http_requests", 0) or 0)
    where = f"seq {event['seq']} ({event['step']})"
    kind = STEP_KIND.get(str(event["step"]), str(event["step"]))
    if source == "fallback":
        tally.count(kind, "fallback")
        tally.fallbacks += 1
        fell_back[str(payload.get("key"))] += 1
        return
    if source != "model":
        check.problems.append(f"{where}: answer source {source!r} (expected model or fallback)")
        return
    if attempts < 1:
        check.problems.append(f"{where}: a model answer with {attempts} attempts")
    tally.first_try += attempts == 1
    tally.after_reask += attempts > 1
    tally.count(kind, "first" if attempts == 1 else "reask")
    output, value = str(payload.get("output")), payload.get("value")
    if output.startswith("structured:"):
        problems = revalidate(output, value)
        if problems:
            check.problems.append(f"{where}: accepted answer is invalid: {problems[:3]}")
        tally.revalidated += problems is not None
    for path, why in absurdities(value):
        check.suspicious.append(
            {
                "scenario": check.scenario,
                "seq": event["seq"],
                "step": event["step"],
                "output": output,
                "path": path,
                "why": why,
                "value": value,
            }
        )


def _comparable(outcome: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in outcome.items() if k not in {"transcript", "run_dir"}}


def check_scenario(
    scenario: str, runs: Path, negotiator: str, *, allow_transport: bool = False
) -> RunCheck:
    """Check one scenario's demo output, transcript and offline replay."""
    check = RunCheck(scenario)
    try:
        out = json.loads((runs / f"{scenario}.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        check.problems.append(f"demo output is not one JSON object: {exc}")
        return check
    check.outcome = str(out.get("outcome"))
    check.winner = str((out.get("winner") or {}).get("bidder_id"))
    if out.get("outcome") != EXPECTED_OUTCOME[scenario]:
        check.problems.append(
            f"outcome {out.get('outcome')!r}, expected {EXPECTED_OUTCOME[scenario]!r}"
        )
    if out.get("ledger_balanced") is not True:
        check.problems.append(f"ledger_balanced is {out.get('ledger_balanced')!r}")
    if not _int(out.get("model_calls")) > 0:
        check.problems.append(
            f"model_calls is {out.get('model_calls')!r}: nothing went to the model"
        )
    transcript = Path(str(out.get("transcript")))
    if not transcript.is_file():
        check.problems.append(f"transcript {transcript} is missing")
        return check
    check_transcript(transcript, check, allow_transport=allow_transport)
    if check.tally.completion_tokens == 0:
        check.problems.append("no completion tokens in the transcript: no real server answered")
    if check.tally.own_choices() == 0:
        check.problems.append("no bid or offer is the model's own: every one fell back")
    start = time.monotonic()
    proc = subprocess.run(
        [negotiator, "replay", str(transcript), "--check", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    check.replay_seconds = time.monotonic() - start
    if proc.returncode != 0:
        check.problems.append(f"replay --check exited {proc.returncode}: {proc.stderr[-500:]}")
        return check
    replayed = json.loads(proc.stdout).get("check", {})
    if replayed.get("ok") is not True:
        check.problems.append(f"replay --check not ok: {str(replayed.get('diff'))[:500]}")
    elif _comparable(replayed.get("outcome") or {}) != _comparable(out):
        check.problems.append("replayed outcome differs from the demo's --json output")
    return check


def _parse_times(items: Sequence[str]) -> dict[str, float]:
    times: dict[str, float] = {}
    for item in items:
        name, _, seconds = item.partition("=")
        times[name] = float(seconds)
    return times


def _row(cells: Sequence[object]) -> str:
    widths = (10, 10, 24, 6, 6, 6, 9, 10, 11, 7, 9)
    return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def print_summary(checks: Sequence[RunCheck], times: Mapping[str, float]) -> dict[str, Any]:
    """Print the human summary and return it as JSON-able data."""
    total = Tally()
    print(
        _row(
            [
                "scenario",
                "outcome",
                "winner",
                "calls",
                "first",
                "reask",
                "fallback",
                "tokens_in",
                "tokens_out",
                "demo_s",
                "replay_s",
            ]
        )
    )
    for c in checks:
        t = c.tally
        total.add(t)
        print(
            _row(
                [
                    c.scenario,
                    c.outcome,
                    c.winner.removeprefix("did:web:")[:24],
                    t.model_calls,
                    t.first_try,
                    t.after_reask,
                    t.fallbacks,
                    t.prompt_tokens,
                    t.completion_tokens,
                    f"{times.get('demo_' + c.scenario, 0):.1f}",
                    f"{c.replay_seconds:.1f}",
                ]
            )
        )
    print(
        _row(
            [
                "total",
                "",
                "",
                total.model_calls,
                total.first_try,
                total.after_reask,
                total.fallbacks,
                total.prompt_tokens,
                total.completion_tokens,
                f"{sum(times.get('demo_' + c.scenario, 0) for c in checks):.1f}",
                f"{sum(c.replay_seconds for c in checks):.1f}",
            ]
        )
    )
    print(
        f"structured outputs: {total.first_try} valid on first try, {total.after_reask} valid "
        f"after re-ask, {total.fallbacks} fell back; {total.http_requests} HTTP requests; "
        f"{total.revalidated} accepted answers re-validated here"
    )
    print("per step kind (valid first try / after re-ask / fell back):")
    for kind in KINDS:
        c = total.by_kind.get(kind, Counter())
        print(f"  {kind:<9} {c['first']:>4} / {c['reask']:>4} / {c['fallback']:>4}")
    share = total.structured_valid_share()
    print(f"structured answers valid (first try or after one re-ask): {share:.1%}")
    for reason, n in total.fallback_reasons.most_common():
        print(f"  fallback x{n}: {reason}")
    suspicious = [s for c in checks for s in c.suspicious]
    print(f"suspicious values the flow accepted: {len(suspicious)}")
    for s in suspicious[:10]:
        print(f"  {s['scenario']} seq {s['seq']} {s['output']} {s['path']}: {s['why']}")
    parts = dict(times) | {f"replay_{c.scenario}": round(c.replay_seconds, 1) for c in checks}
    print("wall time (s): " + ", ".join(f"{k} {v:.1f}" for k, v in parts.items()))
    return {
        "scenarios": {
            c.scenario: {
                "outcome": c.outcome,
                "winner": c.winner,
                "tally": _tally_json(c.tally),
                "problems": c.problems,
            }
            for c in checks
        },
        "total": _tally_json(total),
        "suspicious": suspicious,
        "wall_seconds": parts,
    }


def _tally_json(t: Tally) -> dict[str, Any]:
    data = {k: v for k, v in vars(t).items() if k not in {"fallback_reasons", "by_kind"}}
    return data | {
        "fallback_reasons": dict(t.fallback_reasons),
        "by_kind": {k: dict(c) for k, c in t.by_kind.items()},
        "structured_valid_share": round(t.structured_valid_share(), 4),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Check the runs; print the summary; return 0 when every check passed."""
    parser = argparse.ArgumentParser(prog="real_model_check.py")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("check", help="check demo runs made against a real model")
    p.add_argument("--runs", type=Path, required=True, help="folder with <scenario>.json files")
    p.add_argument("--negotiator", required=True, help="the negotiator executable to replay with")
    p.add_argument("--scenarios", nargs="+", choices=sorted(EXPECTED_OUTCOME), required=True)
    p.add_argument("--times", nargs="*", default=[], help="part=seconds, shown in the summary")
    p.add_argument("--summary-out", type=Path, help="also write the summary as JSON here")
    p.add_argument(
        "--fail-on-suspicious",
        action="store_true",
        help="fail when the flow accepted an absurd-looking value",
    )
    p.add_argument(
        "--allow-transport-failures",
        action="store_true",
        help="accept steps that fell back because the server never answered (timeouts ...)",
    )
    args = parser.parse_args(argv)
    checks = [
        check_scenario(s, args.runs, args.negotiator, allow_transport=args.allow_transport_failures)
        for s in args.scenarios
    ]
    summary = print_summary(checks, _parse_times(args.times))
    if args.summary_out:
        args.summary_out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    failed = [(c.scenario, p) for c in checks for p in c.problems]
    share = summary["total"]["structured_valid_share"]
    if share < MIN_VALID_SHARE:
        failed.append(("all", f"only {share:.1%} of structured answers valid (< 80 %)"))
    if args.fail_on_suspicious:
        failed += [
            (s["scenario"], f"suspicious: {s['path']}: {s['why']}") for s in summary["suspicious"]
        ]
    for scenario, problem in failed:
        print(f"real-model-check: FAIL [{scenario}] {problem}", file=sys.stderr)
    print(
        f"real-model-check: {'FAIL' if failed else 'PASS'} "
        f"({len(checks)} scenarios, {len(failed)} problem(s))"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
