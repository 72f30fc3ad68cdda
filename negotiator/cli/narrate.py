"""The story of a recorded run, told from its transcript the way ``negotiator demo`` tells it live.

:func:`story_lines` walks a transcript phase by phase (in the order the flow's own events first
appear). Under each phase come the model calls made for it — each attributed to the agent the
model spoke for and saying whether the model answered or the step fell back, and why — then the
phase's events, told in words by the table :data:`EVENT_STORY` (one formatter per event kind; a
kind it does not know is shown as its fields, ``name=value``, never as raw JSON). A delegation's
sub-runs are told as nested stories, their own model calls inside them (a sub-run's calls are
recorded with a scoped role, :mod:`negotiator.llm.scoped`). The closing line counts the steps as
every summary does (:func:`~negotiator.transcript.counts.answers_line`).

The helpers :func:`clause_status_text` and :func:`subrun_lines` are shared with the live demo so
both tell the same story. Every formatter returns rich markup with the data escaped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.markup import escape

from negotiator.llm.scoped import split_scope
from negotiator.transcript.counts import NO_MODEL_REASON, answers_line
from negotiator.transcript.format import (
    FALLBACK,
    MODEL_KINDS,
    MODEL_REQUEST,
    MODEL_RESPONSE,
    TranscriptEvent,
)
from negotiator.transcript.reader import Transcript

__all__ = [
    "EVENT_STORY",
    "announcement_lines",
    "clause_status_text",
    "report_text",
    "story_lines",
    "subrun_lines",
]

E = escape
_MAX_VALUE_CHARS = 120


def clip(value: object, limit: int = _MAX_VALUE_CHARS) -> str:
    """``value`` as short text (JSON for non-strings), cut with an ellipsis past ``limit``."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fields_text(payload: Mapping[str, Any]) -> str:
    """``name=value`` pairs of a payload's top-level fields, each value clipped."""
    return ", ".join(f"{k}={clip(v, 60)}" for k, v in payload.items())


def clause_status_text(statuses: Sequence[str]) -> str:
    """Say how a contract's clauses stand, pending ones as pending.

    Example:
        >>> clause_status_text(["pending", "ok", "ok"])
        'clauses: 2 ok, 1 pending'
    """
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    order = ["ok", "pending", *sorted(set(counts) - {"ok", "pending"})]
    return "clauses: " + ", ".join(f"{counts[s]} {s}" for s in order if s in counts)


def _money(m: Mapping[str, Any]) -> str:
    return f"{m['amount']} {m['currency']}"


def subrun_lines(sub: Mapping[str, Any], indent: str = "  ") -> list[str]:
    """A sub-delegation as a nested story: its outcome, award, bids and ledger postings.

    ``sub`` is one entry of a delegation outcome's ``subruns`` (``task_id``, ``run_id``,
    ``required``, ``outcome``).
    """
    o = sub["outcome"]
    need = "required" if sub.get("required", True) else "optional"
    lines = [
        f"Sub-delegation {E(str(sub['task_id']))} ({need}, run {E(str(sub.get('run_id')))}): "
        f"[bold]{E(str(o['outcome']))}[/bold]"
    ]
    winner = o.get("winner")
    if winner:
        lines.append(f"{indent}Award: {E(str(winner.get('reason')))}")
    bids = o.get("bids") or {}
    if bids:
        lines.append(
            f"{indent}Bids: {bids.get('received')} received, {bids.get('rejected')} rejected."
        )
    if o.get("failure"):
        lines.append(f"{indent}[red]Failure[/red]: {E(str(o['failure']))}")
    if o.get("payments"):
        lines.append(f"{indent}Ledger:")
        lines += [
            f"{indent}  "
            + E(f"{p['from']} → {p['to']}: {p['amount']} {p.get('currency', '')}".rstrip())
            + E(f" ({p['reason']})")
            for p in o["payments"]
        ]
    lines.append(f"{indent}Ledger balanced: {o.get('ledger_balanced')}.")
    return lines


@dataclass
class _Narrator:
    """Story state across events: the last report (told with the verdict that judged it) and
    the model calls of each sub-delegation (told inside its nested story)."""

    last_report: Mapping[str, Any] | None = None
    lines: list[str] = field(default_factory=list)
    nested_calls: Mapping[str, list[_ModelCall]] = field(default_factory=dict)

    def tell(self, event: TranscriptEvent) -> None:
        teller = EVENT_STORY.get(event.kind)
        if teller is None:
            self.lines.append(f"  {E(event.role)} {E(event.kind)}: {E(fields_text(event.payload))}")
        else:
            self.lines += teller(self, event.payload, event.role)


def announcement_lines(p: Mapping[str, Any]) -> list[str]:
    """The announcement as told live and in a replay: who is eligible, who was filtered, why."""
    lines = [
        f"Announced {E(str(p.get('task_id')))}: {len(p.get('eligible', []))} bidders eligible."
    ]
    lines += [
        f"  [dim]filtered[/dim] {E(i['bidder_id'])}: {E('; '.join(i['reasons']))}"
        for i in p.get("ineligible", [])
    ]
    return lines


def _announcement(_n: _Narrator, p: Mapping[str, Any], _role: str) -> list[str]:
    return announcement_lines(p)


def _question(_n: _Narrator, p: Mapping[str, Any], _role: str) -> list[str]:
    return [f"  [cyan]Q[/cyan] {E(str(p['bidder_id']))}: {E(str(p['text']))}"]


def _answer(_n: _Narrator, p: Mapping[str, Any], _role: str) -> list[str]:
    asked = len(p.get("question_ids", []))
    return [f"  [green]A[/green] {E(str(p['text']))}  [dim]({asked} question(s))[/dim]"]


def _faq(_n: _Narrator, p: Mapping[str, Any], _role: str) -> list[str]:
    return [f"  FAQ now has {len(p.get('entries', []))} entries, sent to every bidder."]


def _sealed_bid(_n: _Narrator, p: Mapping[str, Any], _role: str) -> list[str]:
    return [f"  sealed bid received from {E(str(p['sender_id']))}"]


def bid_line(b: Mapping[str, Any]) -> str:
    """One bid's figures in words (escaped)."""
    return E(
        f"{b['bidder_id']} {_money(b['price'])}, {b['estimated_duration_seconds']} s, "
        f"quality {b['claimed_quality']}, privacy {b['privacy_guarantee']}, "
        f"bond {b['reputation_bond']['amount']}"
    )


def _screening(_n: _Narrator, p: Mapping[str, Any], _role: str) -> list[str]:
    lines = [f"Opened all sealed bids at the deadline: {len(p.get('valid', []))} valid."]
    lines += [f"  {bid_line(b)}" for b in p.get("valid", [])]
    lines += [
        f"  [red]rejected[/red] {E(r['bidder_id'])}: "
        + E("; ".join(f"{x['path']}: {x['message']}" for x in r["reasons"]))
        for r in p.get("rejected", [])
    ]
    return lines


def _award(_n: _Narrator, p: Mapping[str, Any], _role: str) -> list[str]:
    return [f"[bold]Award[/bold]: {E(str(p.get('reason')))}"]


def _contract(_n: _Narrator, p: Mapping[str, Any], _role: str) -> list[str]:
    kinds = ", ".join(cl["kind"] for cl in p.get("clauses", []))
    signatures = p.get("signatures") or [{}]
    digest = str(signatures[0].get("terms_sha256", ""))[:12]
    return [f"Contract {E(str(p['id']))} signed by both parties (sha256 {digest}…): {E(kinds)}."]


def report_text(r: Mapping[str, Any] | None) -> str:
    """What a progress report showed (or that it was missed)."""
    if r is None:
        return "[red]missed[/red]"
    checks = {k: "yes" if x else "NO" for k, x in r.get("checks", {}).items()}
    values = {**r.get("metrics", {}), **checks}
    shown = ", ".join(f"{k} {x}" for k, x in values.items())
    return E(f"progress {r['progress']:.0%}" + (f", {shown}" if shown else ""))


def _report(n: _Narrator, p: Mapping[str, Any], _role: str) -> list[str]:
    n.last_report = p
    return []


def _verdict(n: _Narrator, p: Mapping[str, Any], _role: str) -> list[str]:
    report, n.last_report = n.last_report, None
    status = clause_status_text(p.get("clause_status", []))
    lines = [f"  report {p['tick']}: {report_text(report)}; {status}"]
    if p.get("kind") != "continue":
        lines.append(f"[bold]{E(str(p['kind']))}[/bold]: {E(str(p.get('evidence')))}")
    return lines


def _settlement(_n: _Narrator, p: Mapping[str, Any], _role: str) -> list[str]:
    lines = [f"Settled ({E(str(p['outcome']))}):"]
    lines += [
        "  " + E(f"{x['from_account']} → {x['to_account']}: {_money(x['amount'])} ({x['reason']})")
        for x in p.get("payments", [])
    ]
    return lines


def _reputation(_n: _Narrator, p: Mapping[str, Any], _role: str) -> list[str]:
    return [f"Reputation of {E(str(p['agent_id']))}: {p['before']} → {p['after']} (damped)."]


def _number(value: object, spec: str) -> str:
    """``value`` formatted by ``spec`` when it is a number, else as it was recorded."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format(value, spec)
    return str(value)


def _switch(_n: _Narrator, p: Mapping[str, Any], _role: str) -> list[str]:
    fault = (
        "at fault: settled under the default penalty"
        if p.get("at_fault")
        else "not at fault: settled pro rata"
    )
    told = (
        f"{p.get('dropped')} → {p.get('hired')} after report {p.get('tick')} "
        f"(belief {_number(p.get('belief'), '.2f')} at progress "
        f"{_number(p.get('progress'), '.0%')}; {p.get('reason')}); {fault}."
    )
    return [f"[bold]Switch {E(str(p.get('index')))}[/bold]: {E(told)}"]


def _subrun(n: _Narrator, p: Mapping[str, Any], _role: str) -> list[str]:
    calls = n.nested_calls.get(str(p.get("task_id")), [])
    lines = subrun_lines(p)
    return [lines[0], *(f"  {_model_line(c)}" for c in calls), *lines[1:]]


def _outcome(_n: _Narrator, p: Mapping[str, Any], _role: str) -> list[str]:
    if "outcome" not in p:
        return [f"Outcome: {E(fields_text(p))}"]
    return [f"[bold]{E(str(p['outcome']))}[/bold]; ledger balanced: {p.get('ledger_balanced')}."]


EVENT_STORY: Mapping[str, Callable[[_Narrator, Mapping[str, Any], str], list[str]]] = {
    "announcement": _announcement,
    "question": _question,
    "answer": _answer,
    "faq": _faq,
    "sealed_bid": _sealed_bid,
    "screening": _screening,
    "award": _award,
    "contract": _contract,
    "report": _report,
    "verdict": _verdict,
    "settlement": _settlement,
    "reputation": _reputation,
    "switch": _switch,
    "subrun": _subrun,
    "outcome": _outcome,
}
"""Event kind -> the formatter that tells it."""


@dataclass(eq=False)
class _ModelCall:
    step: str
    role: str
    output: str = ""
    response: Mapping[str, Any] = field(default_factory=dict)
    fallback: str | None = None


def _model_calls(events: Iterable[TranscriptEvent]) -> list[_ModelCall]:
    """Fold each call's request, response and fallback events (joined by step and request key).

    Two identical requests of one step are two calls: a request opens a new call, and the
    response and fallback that follow it belong to the most recent call with that key.
    """
    calls: list[_ModelCall] = []
    latest: dict[tuple[str, str], _ModelCall] = {}
    for e in events:
        key = (e.step, str(e.payload.get("key")))
        call = latest.get(key)
        if e.kind == MODEL_REQUEST or call is None:
            call = _ModelCall(e.step, e.role, str(e.payload.get("output", "")))
            latest[key] = call
            calls.append(call)
        if e.kind == MODEL_RESPONSE:
            call.response = e.payload
        elif e.kind == FALLBACK:
            call.fallback = str(e.payload.get("reason"))
    return calls


def _model_line(call: _ModelCall) -> str:
    r = call.response
    usage = r.get("usage") if isinstance(r.get("usage"), dict) else {}
    assert isinstance(usage, dict)
    attempts = r.get("attempts", 0)
    who = E(split_scope(call.role)[1])
    what = E(call.output.removeprefix("structured:"))
    if call.fallback is not None:
        verdict = (
            "numeric policy (no model asked)"
            if call.fallback == NO_MODEL_REASON
            else f"[red]fell back[/red] after {attempts} attempt(s): {E(clip(call.fallback))}"
        )
        return f"  [dim]model[/dim] for {who} ({E(call.step)}, {what}): {verdict}"
    return (
        f"  [dim]model[/dim] for {who} ({E(call.step)}, {what}): answered after {attempts} "
        f"attempt(s), tokens {usage.get('prompt_tokens')}/{usage.get('completion_tokens')}: "
        f"{E(clip(r.get('value')))}"
    )


def _phase(step: str) -> str:
    return step.split(".", 1)[0]


def story_lines(transcript: Transcript) -> list[str]:
    """Tell ``transcript`` as a story: phases in order, model calls under their phase."""
    h = transcript.header
    s = transcript.summary()
    lines = [
        f"[bold]{E(h.flow)}[/bold] run {E(h.run_id)} seed {h.seed} "
        f"(schema v{h.schema_version}, {len(transcript.events)} events; {answers_line(s.counts)})"
    ]
    flow = [e for e in transcript.events if e.kind not in MODEL_KINDS]
    phases = list(dict.fromkeys(_phase(e.step) for e in flow))
    every_call = _model_calls(e for e in transcript.events if e.kind in MODEL_KINDS)
    calls = [c for c in every_call if split_scope(c.role)[0] is None]
    nested: dict[str, list[_ModelCall]] = {}
    for c in every_call:
        scope = split_scope(c.role)[0]
        if scope is not None:
            nested.setdefault(scope, []).append(c)
    phases += [p for p in dict.fromkeys(_phase(c.step) for c in calls) if p not in phases]
    narrator = _Narrator(lines=lines, nested_calls=nested)
    for phase in phases:
        lines.append(f"[cyan]── {E(phase)}[/cyan]")
        lines += [_model_line(c) for c in calls if _phase(c.step) == phase]
        for e in flow:
            if _phase(e.step) == phase:
                narrator.tell(e)
    lines.append(
        f"{answers_line(s.counts)}; tokens {s.prompt_tokens} in / {s.completion_tokens} out."
    )
    return lines
