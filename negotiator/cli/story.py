"""The story ``negotiator demo`` tells while a delegation runs: one formatter per graph step
(each returns rich markup; data from the run is escaped), and the closing summary."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape

from negotiator.cli.narrate import (
    announcement_lines,
    clause_status_text,
    report_text,
    subrun_lines,
)
from negotiator.transcript.counts import AnswerCounts, answers_line

__all__ = ["outcome_counts", "print_summary", "story_printer"]

E = escape


def _announce(u: Mapping[str, Any]) -> list[str]:
    return announcement_lines(u.get("announcement", {}))


def _ask(u: Mapping[str, Any]) -> list[str]:
    if "round" not in u:
        return ["Clarification rounds exhausted."]
    qs, groups = u.get("questions", []), u.get("pending", [])
    lines = [f"Round {u['round']}: {len(qs)} question(s), {len(groups)} after deduplication."]
    lines += [
        f"  [cyan]Q[/cyan] {E(g['text'])}  [dim]({len(g['question_ids'])} asked)[/dim]"
        for g in groups
    ]
    return lines


def _answer(u: Mapping[str, Any]) -> list[str]:
    entries = len(u.get("faq", {}).get("entries", []))
    return [f"  [green]A[/green] {E(a['text'])}" for a in u.get("answers", [])] + [
        f"  FAQ now has {entries} entries, sent to every bidder."
    ]


def _bid_line(b: Mapping[str, Any]) -> str:
    return E(
        f"{b['bidder_id']} {b['price']['amount']} {b['price']['currency']}, "
        f"{b['estimated_duration_seconds']} s, quality {b['claimed_quality']}, "
        f"privacy {b['privacy_guarantee']}, bond {b['reputation_bond']['amount']}"
    )


def _screen(u: Mapping[str, Any]) -> list[str]:
    s = u.get("screened", {})
    lines = [f"Opened all sealed bids at the deadline: {len(s.get('valid', []))} valid."]
    lines += [f"  {_bid_line(b)}" for b in s.get("valid", [])]
    lines += [
        f"  [red]rejected[/red] {E(r['bidder_id'])}: "
        + E("; ".join(f"{x['path']}: {x['message']}" for x in r["reasons"]))
        for r in s.get("rejected", [])
    ]
    return lines


def _award(u: Mapping[str, Any]) -> list[str]:
    if "failure" in u:
        return [f"[red]No award[/red]: {E(u['failure'])}"]
    return [f"[bold]Award[/bold]: {E(u['award']['reason'])}"]


def _terms(t: Mapping[str, Any]) -> str:
    return (
        f"price {t['price']}, deadline {t['duration_seconds']} s, report every "
        f"{t['cadence_seconds']} s, penalty {t['penalty_share']:.0%}, bond {t['bond']}, "
        f"cancellation {t['cancellation_rate']:.0%} of pro rata"
    )


def _flat(t: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "price": t["price"]["amount"],
        "duration_seconds": t["estimated_duration_seconds"],
        "cadence_seconds": t["reporting_interval_seconds"],
        "penalty_share": t["penalty_fraction"],
        "bond": t["reputation_bond"]["amount"],
        "cancellation_rate": t["cancellation_rate"],
    }


def _negotiate(u: Mapping[str, Any]) -> list[str]:
    n = u["negotiation"]
    lines = [f"[bold]Negotiation[/bold] ({E(n['mechanism'])}):"]
    for s in n["sessions"]:
        for m in s["moves"]:
            o = m["offer"]
            head = f"  {E(o['sender'])} → {E(o['receiver'])}: {E(o['message_type'])}"
            lines.append(head + (f" [{E(_terms(_flat(o['terms'])))}]" if o["terms"] else ""))
            if o["message"]:
                lines.append(f"    “{E(o['message'])}”")
    if n["agreed"] is None:
        lines.append(f"No agreement ({E(n['stall_reason'])}): the sealed bid stays the basis.")
    else:
        lines.append(
            f"Agreed with {E(n['contractor_id'])}: {E(_terms(n['agreed']))}; gains over the "
            f"sealed bid: delegator {n['delegator_gain']:+.4f}, contractor "
            f"{n['contractor_gain']:+.4f} (utility)."
        )
    if n.get("unfunded") is not None:
        lines.append(f"Not funded ({E(n['unfunded'])}): the sealed award stands.")
    return lines


def _contract(u: Mapping[str, Any]) -> list[str]:
    c = u["contract"]
    kinds = ", ".join(cl["kind"] for cl in c["clauses"])
    digest = c["signatures"][0]["terms_sha256"][:12]
    return [f"Contract {E(c['id'])} signed by both parties (sha256 {digest}…): {E(kinds)}."]


def _monitor(u: Mapping[str, Any]) -> list[str]:
    v = u["verdicts"][-1]
    reports = u.get("reports") or []
    seen = report_text(reports[-1] if reports else None)
    lines = [f"  report {v['tick']}: {seen}; {clause_status_text(v['clause_status'])}"]
    if v["kind"] != "continue":
        lines.append(f"[bold]{E(v['kind'])}[/bold]: {E(v['evidence'])}")
    for switch in u.get("switches") or []:
        lines += _switch(switch)
    return lines


def _switch(record: Mapping[str, Any]) -> list[str]:
    """A switch of contractor: the decision, the dropped contract's settlement, the new one."""
    e, settled = record["event"], record["settlement"]
    fault = "at fault" if e["at_fault"] else "not at fault"
    lines = [
        f"[bold]Switch {record['index']}[/bold]: "
        + E(f"{e['dropped']} → {e['hired']} ({record['reason']}; fee {e['fee']}); {fault}.")
    ]
    lines += _settle({"settlement": settled, "reputation": record["reputation"]})
    lines += _contract({"contract": record["contract"]})
    return lines


def _settle(u: Mapping[str, Any]) -> list[str]:
    s = u["settlement"]
    lines = [f"Settled ({E(s['outcome'])}):"]
    lines += [
        "  "
        + E(
            f"{p['from_account']} → {p['to_account']}: {p['amount']['amount']} "
            f"{p['amount']['currency']} ({p['reason']})"
        )
        for p in s["payments"]
    ]
    r = u["reputation"]
    lines.append(f"Reputation of {E(r['agent_id'])}: {r['before']} → {r['after']} (damped).")
    return lines


_STORY: Mapping[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "announce": _announce,
    "ask": _ask,
    "answer": _answer,
    "bid": lambda u: ["Bidding open; bids stay sealed until the deadline."],
    "submit_bid": lambda u: [f"  sealed bid received from {E(u['sealed'][0]['sender_id'])}"],
    "screen": _screen,
    "award": _award,
    "negotiate": _negotiate,
    "contract": _contract,
    "monitor": _monitor,
    "settle": _settle,
}


def story_printer(console: Console) -> Callable[[str, Mapping[str, Any]], None]:
    """Return the progress callback that tells the story one graph step at a time."""

    def show(node: str, update: Mapping[str, Any]) -> None:
        tell = _STORY.get(node)
        if tell is not None:
            for line in tell(update):
                console.print(line)

    return show


def outcome_counts(outcome: Mapping[str, Any]) -> AnswerCounts:
    """The run's step counts, its sub-delegations' included (as its transcript holds them)."""
    runs = [outcome, *(sub["outcome"] for sub in outcome.get("subruns", ()))]
    steps, model, fallbacks = (
        sum(int(o[k]) for o in runs) for k in ("seam_calls", "model_calls", "fallbacks")
    )
    return AnswerCounts(steps, model, fallbacks, steps - model - fallbacks)


def print_summary(console: Console, outcome: Mapping[str, Any]) -> None:
    """Print the closing lines of the story (the step counts as every summary counts them)."""
    console.print(
        f"\n[bold]{outcome['outcome']}[/bold]; ledger balanced: {outcome['ledger_balanced']}; "
        f"{answers_line(outcome_counts(outcome))}."
    )
    for sub in outcome.get("subruns", ()):
        for line in subrun_lines(sub):
            console.print(line)
    console.print(f"transcript: {escape(str(outcome['transcript']))}")
