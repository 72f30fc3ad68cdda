"""The nodes of the delegation graph: each calls the library and returns a partial state.

Every node that moves the flow on sets ``phase`` through :func:`go`, the guard that reads the
one transition table. ``answer`` with a human answerer calls ``interrupt()`` before anything
else, because the node re-runs from its top on resume. Ledger postings carry idempotency keys,
so a node re-run after a crash moves no money twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from langgraph.runtime import get_runtime
from langgraph.types import Send, interrupt

from negotiator.delegation.award import make_award
from negotiator.delegation.bidding import submit_bid
from negotiator.delegation.calls import record
from negotiator.delegation.clarify import (
    HumanAnswers,
    anonymise,
    answer,
    ask,
    group_questions,
    human_answers,
    publish,
)
from negotiator.delegation.clock import Clock
from negotiator.delegation.commitments import (
    REVEAL_WINDOW_SECONDS,
    CommittedBid,
    open_commitments,
)
from negotiator.delegation.contracting import draft_contract, word_contract
from negotiator.delegation.contracting import sign as sign_contract
from negotiator.delegation.execution import (
    AnyExecutor,
    RunContext,
    collect_report,
    receive_report,
)
from negotiator.delegation.hub import MarketHub
from negotiator.delegation.keys import RunKeys
from negotiator.delegation.ledger import Books
from negotiator.delegation.monitoring import (
    MonitorState,
    VerdictKind,
    evaluate,
    tick_time,
)
from negotiator.delegation.negotiation.mediated import signing_agents
from negotiator.delegation.negotiation.phase import negotiate_award
from negotiator.delegation.phases import Phase, advance
from negotiator.delegation.record import RunView
from negotiator.delegation.redelegation import (
    fundable,
    observe,
    reconsider,
    start_loop,
    switch_contractor,
)
from negotiator.delegation.reoptimise import Candidate, SwitchPolicy, contract_run
from negotiator.delegation.reputation_store import reputation_key
from negotiator.delegation.request import DelegationRequest
from negotiator.delegation.screening import (
    available_funds,
    funds_at_start,
    open_bids,
    stake_bonds,
)
from negotiator.delegation.settlement import (
    escrow_negotiated,
    escrow_payment,
    return_losing_bonds,
    settle,
)
from negotiator.delegation.trust import permissions
from negotiator.errors import FieldError, InsufficientFundsError, InvalidInputError, NoValidBidError
from negotiator.graphs.state import BidTask, DelegationState, Json
from negotiator.graphs.state import dump as _j
from negotiator.llm.protocol import ModelClient
from negotiator.money import Money
from negotiator.wire.award import Award
from negotiator.wire.bid import Bid
from negotiator.wire.clarification import Faq
from negotiator.wire.contract import Contract
from negotiator.wire.report import ProgressReport
from negotiator.wire.signing import sign, signature_errors

__all__ = ["DelegationContext", "DelegationNodes", "go"]

A = TypeVar("A")


def go(current: Phase, nxt: Phase) -> str:
    """Guard the step with the transition table; the state stores the phase's value."""
    return advance(current, nxt).value


@dataclass(frozen=True)
class DelegationContext:
    """One run's collaborators (see ``build_delegation_graph`` for each one's meaning)."""

    hub: MarketHub
    delegator: ModelClient
    bidders: Mapping[str, ModelClient]
    default_bidder: ModelClient
    executor: AnyExecutor
    ledger: Books
    clock: Clock
    latencies: Mapping[str, int]
    keys: RunKeys | None = None
    outside_bids: tuple[CommittedBid, ...] = ()


class DelegationNodes:
    """The graph's nodes. Bound to one run's collaborators (``bound``), or — in the graph built
    once and shared by every run — reading them from the run's LangGraph runtime context (the
    ``context`` the run is invoked with)."""

    def __init__(self, bound: DelegationContext | None = None) -> None:
        self._bound = bound

    @property
    def context(self) -> DelegationContext:
        """The current run's collaborators."""
        if self._bound is not None:
            return self._bound
        return get_runtime(DelegationContext).context

    @property
    def hub(self) -> MarketHub:
        """The market hub."""
        return self.context.hub

    @property
    def delegator(self) -> ModelClient:
        """The delegator's model client."""
        return self.context.delegator

    @property
    def executor(self) -> AnyExecutor:
        """The contractor's executor."""
        return self.context.executor

    @property
    def ledger(self) -> Books:
        """The escrow ledger."""
        return self.context.ledger

    @property
    def clock(self) -> Clock:
        """The run's clock."""
        return self.context.clock

    @property
    def latencies(self) -> Mapping[str, int]:
        """Each bidder's envelope latency, seconds."""
        return self.context.latencies

    @property
    def outside_bids(self) -> tuple[CommittedBid, ...]:
        """The open hub's commit/reveal posts from bidders outside this process."""
        return self.context.outside_bids

    def _keys(self, req: DelegationRequest) -> RunKeys:
        """The run's keys (default: the demo keys of the delegator and every bidder, seed 0)."""
        keys = self.context.keys
        if keys is not None:
            return keys
        return RunKeys.demo(signing_agents(req, self.hub.bidder_ids()), 0)

    def _client(self, bidder_id: str) -> ModelClient:
        ctx = self.context
        return ctx.bidders.get(bidder_id, ctx.default_bidder)

    async def announce(self, state: DelegationState) -> DelegationState:
        """Post the task to the hub; record who may bid and why the others may not."""
        view = RunView(state)
        req = view.request
        ann = self.hub.announce(req.task)
        nxt = Phase.ASK if ann.eligible else Phase.FAILED
        out: DelegationState = {
            "phase": go(Phase.ANNOUNCE, nxt),
            "announcement": _j(ann),
            "faq": _j(Faq(task_id=req.task.id, entries=req.task.faq)),
            "round": 0,
        }
        if not ann.eligible:
            out["failure"] = f"no eligible bidder among {len(ann.ineligible)}"
        return out

    async def ask(self, state: DelegationState) -> DelegationState:
        """One clarification round: every eligible bidder asks; duplicates are grouped."""
        view = RunView(state)
        req = view.request
        round_no = state["round"] + 1
        if round_no > req.max_rounds:
            return {"phase": go(Phase.ASK, Phase.BID)}
        faq = view.faq
        eligible = view.announcement.eligible
        results = await asyncio.gather(
            *(ask(self._client(b), self.hub.bidder(b), req.task, faq, round_no) for b in eligible)
        )
        questions = anonymise([q for qs, _ in results for q in qs], round_no)
        groups = group_questions(questions, faq)
        return {
            "phase": go(Phase.ASK, Phase.ANSWER if groups else Phase.BID),
            "round": round_no,
            "questions": [_j(q) for q in questions],
            "pending": [_j(g) for g in groups],
            "calls": [_j(record("clarify.question", r)) for _, r in results],
        }

    async def answer(self, state: DelegationState) -> DelegationState:
        """Answer each question group once (model, or a human via interrupt); publish the FAQ."""
        view = RunView(state)
        req = view.request
        groups = view.pending
        calls: list[Json] = []
        if req.answerer == "human":
            reply = interrupt(
                {"task_id": req.task.id, "questions": [_j(g) for g in groups]},
                response_schema=HumanAnswers,
            )
            answers = human_answers(req.task, req.briefing, groups, reply)
        else:
            results = await asyncio.gather(
                *(answer(self.delegator, req.task, req.briefing, g) for g in groups)
            )
            answers = [a for a, _ in results]
            calls = [_j(record("clarify.answer", r)) for _, r in results]
        faq, _ = publish(view.faq, groups, answers)
        nxt = Phase.ASK if state["round"] < req.max_rounds else Phase.BID
        return {
            "phase": go(Phase.ANSWER, nxt),
            "faq": _j(faq),
            "answers": [_j(a) for a in answers],
            "pending": [],
            "calls": calls,
        }

    async def open_bidding(self, state: DelegationState) -> DelegationState:
        """Open the call for bids at the clock's time."""
        return {
            "phase": go(Phase.BID, Phase.SCREEN),
            "opened_at": self.clock.now().isoformat(),
        }

    async def fan_out(self, state: DelegationState) -> list[Send]:
        """Send one ``submit_bid`` branch per eligible bidder (async, like every routing
        function of the graph: run on the event loop, not in a worker thread)."""
        eligible = RunView(state).announcement.eligible
        return [
            Send(
                "submit_bid",
                BidTask(
                    bidder_id=b,
                    request=state["request"],
                    faq=state["faq"],
                    opened_at=state["opened_at"],
                ),
            )
            for b in eligible
        ]

    async def submit_bid(self, state: BidTask) -> DelegationState:
        """One bidder's sealed bid (model or cost model), stamped with its arrival time."""
        view = RunView(state)
        req = view.request
        sealed, result = await submit_bid(
            self._client(state["bidder_id"]),
            self.hub.bidder(state["bidder_id"]),
            self.hub.personal_task(req.task, state["bidder_id"]),
            view.faq,
            datetime.fromisoformat(state["opened_at"]),
            latency_seconds=self.latencies.get(state["bidder_id"], 0),
            closes_at=_deadline(state["opened_at"], req),
            funds=self.ledger.balance(state["bidder_id"], req.task.budget.currency),
        )
        signed = sign(result.value, self._keys(req).key(state["bidder_id"]), sealed.received_at)
        sealed = sealed.model_copy(update={"payload": signed.model_dump(mode="json")})
        return {"sealed": [_j(sealed)], "calls": [_j(record("bid", result))]}

    async def screen(self, state: DelegationState) -> DelegationState:
        """Open every envelope together at the deadline (the open hub's outside bidders' after
        their reveals are matched to their commitments); escrow the valid bids' bonds."""
        view = RunView(state)
        req = view.request
        deadline = _deadline(state["opened_at"], req)
        reveal_by = deadline + timedelta(seconds=REVEAL_WINDOW_SECONDS)
        registry = self._keys(req).registry
        opened = open_commitments(self.outside_bids, req.task.id, deadline, reveal_by, registry)
        envelopes = [*view.sealed, *opened.envelopes]
        senders = [e.sender_id for e in envelopes]
        funds = available_funds(self.ledger, state["run_id"], senders, req.task.budget.currency)
        profiles = {b: self.hub.bidder(b) for b in self.hub.bidder_ids()}
        tasks = {b: self.hub.personal_task(req.task, b) for b in senders}
        result = open_bids(
            req.task,
            envelopes,
            deadline,
            deadline,
            funds=funds,
            profiles=profiles,
            tasks=tasks,
            registry=registry,
        )
        result = result.model_copy(update={"refused": opened.refused})
        result = stake_bonds(self.ledger, state["run_id"], result)
        return {
            "phase": go(Phase.SCREEN, Phase.AWARD),
            "screened": _j(result),
            "committed": [_j(p) for p in self.outside_bids],
        }

    async def award(self, state: DelegationState) -> DelegationState:
        """Rank the valid bids; escrow the price and return the losers' bonds."""
        view = RunView(state)
        req = view.request
        screened = _present(view.screened)
        task, run_id = req.task, state["run_id"]
        try:
            award = make_award(
                task.id,
                screened.valid,
                self.hub.reputations(),
                req.preferences,
                _deadline(state["opened_at"], req),
                rejected=screened.rejected,
            )
        except NoValidBidError as exc:
            return {"phase": go(Phase.AWARD, Phase.FAILED), "failure": str(exc)}
        award = sign(award, self._keys(req).key(task.delegator_id), award.awarded_at)
        if req.negotiation is not None and req.negotiation.top_k > 0:
            return {"phase": go(Phase.AWARD, Phase.NEGOTIATE), "award": _j(award)}
        failed = self._escrow_award(run_id, task.delegator_id, screened.valid, award, Phase.AWARD)
        if failed is not None:
            return failed
        return {"phase": go(Phase.AWARD, Phase.CONTRACT), "award": _j(award)}

    def _escrow_award(
        self, run_id: str, delegator_id: str, valid: Sequence[Bid], award: Award, at: Phase
    ) -> DelegationState | None:
        """Escrow the award's winning price and return the losers' bonds; when the delegator
        cannot pay, return every bond and the failed phase's update (``None``: escrowed)."""
        try:
            escrow_payment(self.ledger, run_id, delegator_id, award.winning_bid)
        except InsufficientFundsError as exc:
            return_losing_bonds(self.ledger, run_id, valid, None)
            failure = f"the delegator cannot fund the winning price: {exc}"
            return {"phase": go(at, Phase.FAILED), "failure": failure}
        return_losing_bonds(self.ledger, run_id, valid, award.winner_id)
        return None

    async def negotiate(self, state: DelegationState) -> DelegationState:
        """Negotiate the terms with the award's top-k; escrow the agreed price and bond."""
        view = RunView(state)
        req = view.request
        award = _present(view.award)
        valid = _present(view.screened).valid
        task, currency, run_id = req.task, req.task.budget.currency, state["run_id"]
        assert req.negotiation is not None  # the award routes here only when it is set
        outcome = await negotiate_award(
            task,
            award,
            valid,
            preferences=req.preferences,
            penalty_share=req.policy.penalty_fraction,
            settings=req.negotiation,
            profiles=self.hub.bidder,
            reputations=self.hub.reputations(),
            funds=funds_at_start(self.ledger, run_id, [b.bidder_id for b in valid], currency),
            delegator_client=self.delegator,
            bidder_client=self._client,
            keys=self._keys(req),
        )
        terms = outcome.terms
        calls = [_j(c) for c in outcome.calls]
        try:
            escrow_negotiated(
                self.ledger,
                run_id,
                task.delegator_id,
                valid,
                outcome.contractor_id,
                Money(amount=terms.price, currency=currency),
                Money(amount=terms.bond, currency=currency),
            )
        except InsufficientFundsError as exc:
            # The agreed deal cannot be funded: the sealed award stands (or fails like it), and
            # the negotiation stays on record with the reason.
            failed = self._escrow_award(run_id, task.delegator_id, valid, award, Phase.NEGOTIATE)
            phase = go(Phase.NEGOTIATE, Phase.CONTRACT) if failed is None else failed["phase"]
            unfunded = outcome.model_copy(update={"unfunded": f"the agreed terms: {exc}"})
            return {
                **(failed or {}),
                "phase": phase,
                "negotiation": _j(unfunded),
                "calls": calls,
            }
        return {
            "phase": go(Phase.NEGOTIATE, Phase.CONTRACT),
            "negotiation": _j(outcome),
            "calls": calls,
        }

    async def contract(self, state: DelegationState) -> DelegationState:
        """Draft the terms from numbers, word them, and have both parties sign."""
        view = RunView(state)
        req = view.request
        award = _present(view.award)
        errors = signature_errors(award, self._keys(req).registry, signer=req.task.delegator_id)
        if errors:
            raise InvalidInputError(f"award of task {award.task_id}", errors)
        now = award.awarded_at
        negotiated = view.negotiation
        if negotiated is not None and not negotiated.binding:
            negotiated = None  # the agreed terms could not be escrowed: the sealed award stands
        contractor = award.winner_id if negotiated is None else negotiated.contractor_id
        reputation = self.hub.reputation(contractor)
        granted = None
        if self.hub.trust is not None:
            offered = award.winning_bid.offered_reporting_interval_seconds
            granted = permissions(req.task, offered, reputation, self.hub.trust)
        draft = draft_contract(
            req.task, award, reputation, req.policy, now, negotiated=negotiated, permissions=granted
        )
        wording, result = await word_contract(self.delegator, draft)
        worded = draft_contract(
            req.task,
            award,
            reputation,
            req.policy,
            now,
            wording=wording,
            negotiated=negotiated,
            permissions=granted,
        )
        return {
            "phase": go(Phase.CONTRACT, Phase.MONITOR),
            "contract": _j(sign_contract(worded, self._keys(req), now)),
            "monitor": _j(MonitorState()),
            "calls": [_j(record("contract.wording", result))],
        }

    async def monitor(self, state: DelegationState) -> DelegationState:
        """One tick: ask the executor for its report and check every clause; on a report that
        leaves the contract running, re-optimise (and switch contractor when it pays)."""
        view = RunView(state)
        req = view.request
        contract = _present(view.contract)
        current = view.monitor
        context = RunContext(
            run_id=state["run_id"],
            ledger=self.ledger,
            clock=self.clock,
            reputation=self.hub.reputation_store,
        )
        at = tick_time(contract, current.tick)
        made = await collect_report(
            self.executor, contract, current.tick, at, context, progress=current.progress
        )
        report, refused = receive_report(made, contract, self._keys(req), at)
        nxt_state, verdict = evaluate(contract, current, report, req.cancel)
        nxt = Phase.MONITOR if verdict.kind is VerdictKind.CONTINUE else Phase.SETTLE
        out: DelegationState = {
            "phase": go(Phase.MONITOR, nxt),
            "monitor": _j(nxt_state),
            "reports": [_j(report)] if report is not None else [],
            "refused_reports": [_refusal(current.tick, made, refused)] if refused else [],
            "verdicts": [_j(verdict)],
        }
        if verdict.kind is VerdictKind.CONTINUE and req.reoptimise is not None:
            observed = (current.tick, report, nxt_state.progress, at)
            out |= self._reoptimise(view, req.reoptimise, contract, observed)
        return out

    def _reoptimise(
        self,
        view: RunView,
        policy: SwitchPolicy,
        contract: Contract,
        observed: tuple[int, ProgressReport | None, float, datetime],
    ) -> DelegationState:
        """Feed the tick's report to the loop; carry out the switch it decides, if any."""
        tick, report, progress, at = observed
        req, run_id = view.request, view.run_id
        flow = view.loop or start_loop(
            contract, _present(view.screened).valid, self.hub.reputations(), policy
        )
        obs = observe(contract, report, tick, progress=progress, belief=flow.loop.belief)
        done = view.switches
        first = done[0].dropped_contract if done else contract

        def fits(candidate: Candidate, fee: Decimal) -> bool:
            return fundable(
                self.ledger,
                run_id,
                first=first,
                switches=done,
                current=contract,
                progress=obs.progress,
                candidate=candidate,
                fee=fee,
            )

        value = req.task.budget.amount
        flow, decision = reconsider(flow, obs, tick, policy=policy, value=value, fits=fits)
        if decision.switch is None:
            return {"loop": _j(flow)}
        record = switch_contractor(
            self.ledger,
            self.hub,
            self._keys(req),
            req,
            run_id,
            decision=decision,
            dropped=contract,
            bids=_present(view.screened).valid,
            n=len(done) + 1,
            after_verdicts=len(view.state.get("verdicts", ())) + 1,
            at=at,
        )
        return {
            "loop": _j(flow),
            "switches": [_j(record)],
            "contract": _j(record.contract),
            "monitor": _j(MonitorState()),
        }

    async def settle(self, state: DelegationState) -> DelegationState:
        """Post the settlement once and update the contractor's reputation (damped), once."""
        view = RunView(state)
        contract, verdict, award = (
            _present(view.contract),
            _present(view.verdict),
            _present(view.award),
        )
        settlement = settle(
            self.ledger,
            contract_run(state["run_id"], len(state.get("switches", ()))),
            contract,
            verdict,
            verdict.at,
            replacement=_replacement(award, view, contract.contractor_id),
        )
        settlement = sign(settlement, self._keys(view.request).hub, verdict.at)
        update = self.hub.record_outcome(
            reputation_key(state["run_id"], contract.id), contract.contractor_id, verdict.kind.value
        )
        return {
            "phase": go(Phase.SETTLE, _FINAL[verdict.kind]),
            "settlement": _j(settlement),
            "reputation": _j(update),
        }


_FINAL: Mapping[VerdictKind, Phase] = {
    VerdictKind.COMPLETED: Phase.COMPLETED,
    VerdictKind.BREACHED: Phase.BREACHED,
    VerdictKind.CANCELLED: Phase.CANCELLED,
}


def _present(artefact: A | None) -> A:
    """An artefact the transition table guarantees at this step."""
    assert artefact is not None, "the phase table guarantees this artefact at this step"
    return artefact


def _refusal(tick: int, report: ProgressReport | None, errors: list[FieldError]) -> Json:
    """The record of a refused report: the tick, the report as received and every reason."""
    return {
        "tick": tick,
        "report": _j(report) if report is not None else None,
        "reasons": [{"path": e.path, "message": e.message} for e in errors],
    }


def _deadline(opened_at: str, req: DelegationRequest) -> datetime:
    """When bidding closes: ``bid_window_seconds`` after it opened."""
    return datetime.fromisoformat(opened_at) + timedelta(seconds=req.bid_window_seconds)


def _replacement(award: Award, view: RunView, contractor: str) -> Money | None:
    """The price of the best-ranked valid bid other than the contractor's: what replacing the
    contractor would cost."""
    runner_up = next((s.bidder_id for s in award.scores if s.bidder_id != contractor), None)
    if runner_up is None:
        return None
    valid = _present(view.screened).valid
    bid: Bid = next(b for b in valid if b.bidder_id == runner_up)
    return bid.price
