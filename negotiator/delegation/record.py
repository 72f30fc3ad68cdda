"""What a delegation run's state says: a typed view of it, its outcome and its flow events.

A run's state is plain JSON keyed by artefact (``request``, ``faq``, ``screened``, ``award``,
``contract``, ``verdicts``, ...), so that checkpoints serialise without custom types. A
:class:`RunView` over it validates each artefact the first time it is read and keeps it, so a
step that reads the request three times validates it once; a graph node reads the state through
one view. Across views, the validated artefact is remembered by the *identity* of its JSON value
(the most recent few hundred): the graph hands every step the same JSON objects until a step
replaces them, and no step changes a JSON value in place (each returns new values), so the
request a run's twenty steps read is validated once, not twenty times. The models are frozen,
so sharing one instance is safe. :func:`outcome_of` builds the run's
:class:`~negotiator.delegation.outcome.DelegationOutcome` from the state and the ledger, and
:func:`flow_events` lists what the run did, in flow order, for its transcript.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any, TypeVar

from pydantic import BaseModel

from negotiator.delegation.bidding import SealedBid
from negotiator.delegation.calls import CallRecord
from negotiator.delegation.clarify import QuestionGroup
from negotiator.delegation.hub import Announcement
from negotiator.delegation.ledger import Books
from negotiator.delegation.monitoring import MonitorState, Verdict
from negotiator.delegation.negotiation.mechanisms import NegotiationOutcome
from negotiator.delegation.outcome import (
    BidCounts,
    DelegationOutcome,
    Rejection,
    build_outcome,
    switch_summary,
)
from negotiator.delegation.phases import Phase
from negotiator.delegation.redelegation import FlowLoop, SwitchRecord
from negotiator.delegation.reputation import ReputationUpdate
from negotiator.delegation.request import DelegationRequest
from negotiator.delegation.screening import ScreenResult
from negotiator.delegation.settlement import run_payments
from negotiator.wire.award import Award
from negotiator.wire.clarification import Faq
from negotiator.wire.contract import Contract
from negotiator.wire.settlement import Settlement

__all__ = ["Event", "RunView", "flow_events", "outcome_of"]

B = TypeVar("B", bound=BaseModel)
Json = dict[str, Any]
Event = tuple[str, str, str, Json]
"""A flow event: (step, role, kind, payload)."""

_REMEMBERED = 512
"""How many validated artefacts are remembered by the identity of their JSON value."""
_parsed: OrderedDict[tuple[type[BaseModel], int], tuple[object, BaseModel]] = OrderedDict()
_parsed_lock = threading.Lock()


def _validated(model: type[B], value: Any) -> B:
    """``model`` validated from ``value``, or the instance validated from this very object before.

    The entry holds ``value`` itself, so its id cannot be reused by another object while the
    entry lives.
    """
    key = (model, id(value))
    with _parsed_lock:
        hit = _parsed.get(key)
        if hit is not None and hit[0] is value:
            _parsed.move_to_end(key)
            return hit[1]  # type: ignore[return-value]  # stored under this model
    parsed = model.model_validate(value)
    with _parsed_lock:
        _parsed[key] = (value, parsed)
        if len(_parsed) > _REMEMBERED:
            _parsed.popitem(last=False)
    return parsed


class RunView:
    """Typed, validated-once reads of a run's JSON state (absent artefacts are ``None``).

    Example:
        >>> from negotiator.delegation.demo import demo_setup
        >>> request = demo_setup("success").request
        >>> view = RunView({"run_id": "r1", "phase": "announce",
        ...                 "request": request.model_dump(mode="json")})
        >>> view.phase, view.request.task.id, view.award
        (<Phase.ANNOUNCE: 'announce'>, 'task-react-dashboard', None)
        >>> view.request is view.request
        True
    """

    def __init__(self, state: Mapping[str, Any]) -> None:
        self.state = state

    @property
    def run_id(self) -> str:
        """The run (thread) id."""
        return str(self.state["run_id"])

    @property
    def phase(self) -> Phase:
        """The phase the run is in."""
        return Phase(self.state["phase"])

    @cached_property
    def request(self) -> DelegationRequest:
        """The delegation request (task, policy, preferences, answerer)."""
        return _validated(DelegationRequest, self.state["request"])

    @cached_property
    def announcement(self) -> Announcement:
        """Who may bid and why the others may not."""
        return _validated(Announcement, self.state["announcement"])

    @cached_property
    def faq(self) -> Faq:
        """The published FAQ."""
        return _validated(Faq, self.state["faq"])

    @cached_property
    def pending(self) -> list[QuestionGroup]:
        """The question groups waiting for an answer."""
        return [_validated(QuestionGroup, g) for g in self.state.get("pending", ())]

    @property
    def opened_at(self) -> datetime:
        """When bidding opened."""
        return datetime.fromisoformat(self.state["opened_at"])

    @cached_property
    def sealed(self) -> list[SealedBid]:
        """The sealed envelopes received."""
        return [_validated(SealedBid, s) for s in self.state.get("sealed", ())]

    @cached_property
    def screened(self) -> ScreenResult | None:
        """The opened envelopes: valid bids and rejections."""
        return _optional(ScreenResult, self.state.get("screened"))

    @cached_property
    def award(self) -> Award | None:
        """The award, if one was made."""
        return _optional(Award, self.state.get("award"))

    @cached_property
    def negotiation(self) -> NegotiationOutcome | None:
        """The negotiate phase's outcome, when the run had one."""
        return _optional(NegotiationOutcome, self.state.get("negotiation"))

    @cached_property
    def contract(self) -> Contract | None:
        """The signed contract, if any."""
        return _optional(Contract, self.state.get("contract"))

    @cached_property
    def monitor(self) -> MonitorState:
        """The monitor's running state."""
        return _validated(MonitorState, self.state["monitor"])

    @cached_property
    def verdict(self) -> Verdict | None:
        """The latest monitoring verdict."""
        verdicts = self.state.get("verdicts") or []
        return _validated(Verdict, verdicts[-1]) if verdicts else None

    @cached_property
    def loop(self) -> FlowLoop | None:
        """The re-optimisation loop's state, once the first report was read."""
        return _optional(FlowLoop, self.state.get("loop"))

    @cached_property
    def switches(self) -> list[SwitchRecord]:
        """Every switch of contractor made, in order."""
        return [_validated(SwitchRecord, s) for s in self.state.get("switches", ())]

    @cached_property
    def settlement(self) -> Settlement | None:
        """The settlement, once posted."""
        return _optional(Settlement, self.state.get("settlement"))

    @cached_property
    def reputation(self) -> ReputationUpdate | None:
        """The contractor's reputation update, once made."""
        return _optional(ReputationUpdate, self.state.get("reputation"))

    @cached_property
    def calls(self) -> list[CallRecord]:
        """Every model call of the run."""
        return [_validated(CallRecord, c) for c in self.state.get("calls", ())]


def _optional(model: type[B], value: Any) -> B | None:
    return _validated(model, value) if value else None


def outcome_of(
    state: Mapping[str, Any],
    ledger: Books,
    run_id: str,
    pending: Sequence[QuestionGroup] = (),
) -> DelegationOutcome:
    """Build the :class:`DelegationOutcome` of run ``run_id`` from its state and the ledger."""
    view = RunView(state)
    faq_entries = len(state.get("faq", {}).get("entries", ()))
    screened = view.screened
    outcome = build_outcome(
        run_id=run_id,
        task_id=view.request.task.id,
        phase=view.phase,
        award=view.award,
        clarifications=max(0, faq_entries - len(view.request.task.faq)),
        bids=BidCounts(
            received=len(state.get("sealed", [])),
            rejected=len(screened.rejected) if screened else 0,
        ),
        payments=run_payments(ledger, run_id),
        ledger_balanced=ledger.is_balanced(f"{run_id}/"),
        calls=view.calls,
        settlement=view.settlement,
        verdict=view.verdict,
        reputation=view.reputation,
        failure=state.get("failure"),
        pending_questions=pending,
        negotiation=view.negotiation,
    )
    return outcome.model_copy(update=_details(view))


def _details(view: RunView) -> dict[str, Any]:
    """Why the run ended as it did: rejections, award scores and rule, contract, settlement."""
    rejections: list[Rejection] = []
    if "announcement" in view.state:
        rejections += [
            Rejection(stage="announce", bidder_id=i.bidder_id, reasons=tuple(i.reasons))
            for i in view.announcement.ineligible
        ]
    if view.screened is not None:
        rejections += [
            Rejection(
                stage="screen",
                bidder_id=r.bidder_id,
                reasons=tuple(f"{x.path}: {x.message}" for x in r.reasons),
            )
            for r in view.screened.rejected
        ]
    award = view.award
    return {
        "rejections": tuple(rejections),
        "award_scores": award.scores if award is not None else (),
        "award_rule": (
            f"Pareto front first, then the delegator's {view.request.preferences.describe()}"
            if award is not None
            else None
        ),
        "contract": view.contract,
        "settlement": view.settlement,
        "switches": tuple(switch_summary(r) for r in view.switches),
    }


def _clarify_events(state: Mapping[str, Any], delegator: str) -> list[Event]:
    events: list[Event] = [
        ("clarify", q["bidder_id"], "question", q) for q in state.get("questions", [])
    ]
    events += [("clarify", delegator, "answer", a) for a in state.get("answers", [])]
    if "faq" in state:
        events.append(("clarify", delegator, "faq", state["faq"]))
    return events


def _switch_events(record: Json, delegator: str) -> list[Event]:
    """A switch: the decision, the dropped contract's settlement and reputation update, and the
    replacement's contract."""
    summary = {
        "index": record["index"],
        "dropped_contract_id": record["dropped_contract"]["id"],
        "contract_id": record["contract"]["id"],
        "reason": record["reason"],
        **record["event"],
    }
    return [
        ("monitor", delegator, "switch", summary),
        ("monitor", delegator, "settlement", record["settlement"]),
        ("monitor", delegator, "reputation", record["reputation"]),
        ("monitor", delegator, "contract", record["contract"]),
    ]


def _contracts(state: Mapping[str, Any]) -> list[Json]:
    """Every contract of the run in order: each dropped one, then the one held at the end."""
    switches = state.get("switches", [])
    held = [state["contract"]] if "contract" in state else []
    return [s["dropped_contract"] for s in switches] + held


def _monitor_events(state: Mapping[str, Any], delegator: str) -> list[Event]:
    contracts = _contracts(state)
    reports = {(r["contract_id"], r["sequence"]): r for r in state.get("reports", [])}
    refused = list(state.get("refused_reports", []))
    switches = {s["after_verdicts"]: s for s in state.get("switches", [])}
    held = 0
    events: list[Event] = []
    for n, verdict in enumerate(state.get("verdicts", []), start=1):
        contract = contracts[held]
        report = reports.get((contract["id"], verdict["tick"]))
        if report is not None:
            events.append(("monitor", contract["contractor_id"], "report", report))
        while refused and refused[0]["tick"] == verdict["tick"]:
            events.append(("monitor", delegator, "refused_report", refused.pop(0)))
        events.append(("monitor", delegator, "verdict", verdict))
        if n in switches:
            events += _switch_events(switches[n], delegator)
            held += 1
    return events


def _negotiate_events(state: Mapping[str, Any], delegator: str) -> list[Event]:
    """Every negotiation message (sender, ``offer``), then the phase's end (``negotiation``)."""
    if "negotiation" not in state:
        return []
    outcome = state["negotiation"]
    events: list[Event] = [
        ("negotiate", m["offer"]["sender"], "offer", m)
        for s in outcome["sessions"]
        for m in s["moves"]
    ]
    end = {k: outcome[k] for k in ("mechanism", "contractor_id", "agreed", "stall_reason")}
    if outcome.get("unfunded") is not None:
        end["unfunded"] = outcome["unfunded"]
    events.append(("negotiate", delegator, "negotiation", end))
    return events


def flow_events(state: Mapping[str, Any]) -> list[Event]:
    """The run's flow events in flow order (announce, clarify, bid, screen, award, negotiate,
    contract, monitor, settle), built from its state."""
    delegator = state["request"]["task"]["delegator_id"]
    events: list[Event] = []
    if "advice" in state:
        events.append(("announce", delegator, "advice", state["advice"]))
    if "announcement" in state:
        events.append(("announce", delegator, "announcement", state["announcement"]))
    events += _clarify_events(state, delegator)
    sealed = sorted(state.get("sealed", []), key=lambda s: str(s["sender_id"]))
    events += [("bid", s["sender_id"], "sealed_bid", s) for s in sealed]
    committed = sorted(state.get("committed", []), key=lambda c: str(c["commitment"]["bidder_id"]))
    events += [("bid", c["commitment"]["bidder_id"], "committed_bid", c) for c in committed]
    singles = (("screen", "screened", "screening"), ("award", "award", "award"))
    events += [(step, delegator, kind, state[key]) for step, key, kind in singles if key in state]
    events += _negotiate_events(state, delegator)
    events += [("contract", delegator, "contract", c) for c in _contracts(state)[:1]]
    events += _monitor_events(state, delegator)
    if "settlement" in state:
        events.append(("settle", delegator, "settlement", state["settlement"]))
    if "reputation" in state:
        events.append(("settle", delegator, "reputation", state["reputation"]))
    if "failure" in state:
        events.append(("award", delegator, "failure", {"reason": state["failure"]}))
    return events
