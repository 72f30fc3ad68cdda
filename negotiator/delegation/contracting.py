"""Drafting the contract after the award: terms from numbers, wording from a model or templates.

Terms (seed 000's table, all computed, none invented by a model):

* performance requirements: copied from the task;
* penalty: when the policy names a ``penalty_trigger`` (e.g. ``existing_tests_pass == false``
  in the demo; none by default), that condition forfeits ``policy.penalty_fraction`` (default
  0.5) of the price;
* cancellation compensation: pro rata (or the policy's milestones), bond returned;
* monitoring: a report every ``min(offered, task)`` seconds; ``policy.max_missed_reports``
  consecutive missed reports are a breach;
* autonomy: from the contractor's reputation (:data:`AUTONOMY_BY_REPUTATION`: more trust, more
  autonomy — seed 000's dynamic permissions);
* default penalty: bond forfeited plus the price difference of a replacement.

Both parties sign the SHA-256 of the contract's canonical JSON (see
:class:`negotiator.wire.contract.Contract`). The wording comes from the delegator's model or, as
its fallback, from the clause templates in ``contracts/clauses/``.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.clauses import clause_kind
from negotiator.delegation.keys import RunKeys
from negotiator.delegation.negotiation.mechanisms import NegotiationOutcome, sealed_terms
from negotiator.delegation.negotiation.terms import ContractTerms
from negotiator.errors import FieldError, InvalidInputError
from negotiator.llm.guard import ask_text
from negotiator.llm.prompts import render_prompt
from negotiator.llm.protocol import ModelClient, ModelResult, TextCall
from negotiator.money import Money
from negotiator.wire.award import Award
from negotiator.wire.clauses import (
    Autonomy,
    AutonomyLevel,
    CancellationCompensation,
    Clause,
    CompensationMethod,
    DefaultPenalty,
    Milestone,
    MonitoringAgreement,
    PenaltyClause,
    Predicate,
)
from negotiator.wire.common import canonical_json
from negotiator.wire.contract import Contract
from negotiator.wire.signature import signature_problem
from negotiator.wire.task import TaskSpec

__all__ = [
    "AUTONOMY_BY_REPUTATION",
    "ContractPolicy",
    "draft_contract",
    "sign",
    "template_wording",
    "word_contract",
]

#: (minimum reputation, autonomy) from the most trusted down; the first that fits applies.
AUTONOMY_BY_REPUTATION: tuple[tuple[float, Autonomy], ...] = (
    (0.9, Autonomy.FULL),
    (0.7, Autonomy.METHOD_DELEGATED),
    (0.5, Autonomy.PLAN_APPROVED),
    (0.0, Autonomy.SUPERVISED),
)


class ContractPolicy(BaseModel):
    """The delegator's standing contract terms (the numbers the clauses are built from)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    penalty_trigger: Predicate | None = Field(
        default=None,
        description="Condition on a report that triggers the penalty (None: no penalty clause).",
    )
    penalty_fraction: float = Field(default=0.5, ge=0, le=1, description="Share forfeited.")
    milestones: tuple[Milestone, ...] = Field(
        default=(), description="Cancellation milestones; empty means pro rata."
    )
    max_missed_reports: int = Field(default=2, ge=1, description="K missed reports = breach.")
    bond_forfeited: bool = Field(default=True, description="Default forfeits the bond.")
    charge_replacement_difference: bool = Field(
        default=True, description="Default charges the replacement's extra price."
    )


def _autonomy(reputation: float) -> Autonomy:
    return next(level for floor, level in AUTONOMY_BY_REPUTATION if reputation >= floor)


def _clauses(
    task: TaskSpec,
    terms: ContractTerms,
    reputation: float,
    policy: ContractPolicy,
    permissions: tuple[int, Autonomy] | None,
) -> list[Clause]:
    method = CompensationMethod.MILESTONES if policy.milestones else CompensationMethod.PRO_RATA
    agreed = terms.cadence_seconds
    interval, level = permissions if permissions is not None else (agreed, _autonomy(reputation))
    penalty = (
        []
        if policy.penalty_trigger is None
        else [PenaltyClause(trigger=policy.penalty_trigger, forfeit_fraction=terms.penalty_share)]
    )
    return [
        *task.performance_requirements,
        *penalty,
        CancellationCompensation(
            method=method,
            milestones=policy.milestones,
            bond_returned=True,
            rate=terms.cancellation_rate,
        ),
        MonitoringAgreement(
            report_interval_seconds=interval,
            max_missed_reports=policy.max_missed_reports,
        ),
        AutonomyLevel(level=level, note=f"Granted for reputation {reputation:.2f}."),
        DefaultPenalty(
            bond_forfeited=policy.bond_forfeited,
            replacement_price_difference_charged=policy.charge_replacement_difference,
        ),
    ]


def draft_contract(
    task: TaskSpec,
    award: Award,
    reputation: float,
    policy: ContractPolicy,
    now: datetime,
    *,
    wording: str = "",
    negotiated: NegotiationOutcome | None = None,
    permissions: tuple[int, Autonomy] | None = None,
) -> Contract:
    """Draft the (unsigned) contract for ``award`` from numbers only.

    Args:
        reputation: the contractor's reputation, which sets its autonomy level.
        wording: the plain-language text (see :func:`word_contract`).
        negotiated: the negotiate phase's outcome: the contract goes to its contractor on its
            terms (the agreement, else the winner's sealed bid). Without it the terms are the
            winning bid's and the policy's, as they were before negotiation existed.
        permissions: the reporting interval (seconds) and autonomy to grant, when the hub
            scales them with trust (:func:`negotiator.delegation.trust.permissions`);
            ``None``: the agreed interval and the autonomy the reputation earns. After a
            negotiation the agreed reporting interval holds.

    Example:
        >>> from negotiator.delegation.award import make_award
        >>> from negotiator.delegation.bidders import deterministic_bid
        >>> from negotiator.delegation.demo import demo_setup
        >>> from negotiator.delegation.request import DEFAULT_PREFERENCES
        >>> s = demo_setup()
        >>> task, fast = s.request.task, s.bidders[0]
        >>> bid = deterministic_bid(fast, task, [], [], s.start)
        >>> award = make_award(task.id, [bid], {fast.bidder_id: 0.92}, DEFAULT_PREFERENCES, s.start)
        >>> c = draft_contract(task, award, 0.92, s.request.policy, s.start)
        >>> [clause.kind for clause in c.clauses][:3], str(c.price)
        (['performance_requirement', 'penalty', 'cancellation_compensation'], '6.13 USDC')
    """
    bid = award.winning_bid
    terms = (
        negotiated.terms
        if negotiated is not None
        else sealed_terms(bid, task, policy.penalty_fraction)
    )
    currency = bid.price.currency
    if negotiated is not None and permissions is not None:
        permissions = (terms.cadence_seconds, permissions[1])
    return Contract(
        id=f"contract-{task.id}",
        task_id=task.id,
        delegator_id=task.delegator_id,
        contractor_id=award.winner_id if negotiated is None else negotiated.contractor_id,
        price=Money(amount=terms.price, currency=currency),
        bond=Money(amount=terms.bond, currency=currency),
        deadline_seconds=terms.duration_seconds,
        created_at=now,
        clauses=tuple(_clauses(task, terms, reputation, policy, permissions)),
        wording=wording,
    )


@cache
def _template(kind: str) -> str:
    folder = resources.files("negotiator").joinpath("contracts", "clauses")
    return folder.joinpath(f"{kind}.v1.txt").read_text(encoding="utf-8").strip()


def template_wording(contract: Contract) -> str:
    """Word ``contract`` from the clause templates (one paragraph per clause)."""
    header = _template("header").format(
        contract_id=contract.id,
        task_id=contract.task_id,
        delegator_id=contract.delegator_id,
        contractor_id=contract.contractor_id,
        price=str(contract.price),
        bond=str(contract.bond),
        deadline_seconds=contract.deadline_seconds,
    )
    paragraphs = [header]
    for clause in contract.clauses:
        entry = clause_kind(clause)
        paragraphs.append(_template(entry.kind).format(**entry.wording(clause, contract)).strip())
    return "\n\n".join(paragraphs)


async def word_contract(client: ModelClient, contract: Contract) -> tuple[str, ModelResult[str]]:
    """Word ``contract`` with the delegator's model; the templates are the fallback."""
    terms = canonical_json(contract.model_dump(mode="json", exclude={"wording", "signatures"}))
    call = TextCall(
        step="contract.wording",
        messages=render_prompt("contract.wording", {"terms": terms}),
        fallback=lambda: template_wording(contract),
        agent=contract.delegator_id,
    )
    result = await ask_text(client, call)
    return result.value[:8000], result


def sign(contract: Contract, keys: RunKeys, now: datetime) -> Contract:
    """Return ``contract`` signed by both parties over its canonical terms, each checking the
    other's signature before relying on it: the delegator signs first, the contractor verifies
    that signature and signs, the delegator verifies the contractor's.

    Raises:
        InvalidInputError: a signature does not verify (``$.signatures[i]: ...``).
    """
    signed = contract.signed_by(keys.key(contract.delegator_id), now)
    _require_last(signed, keys)
    both = signed.signed_by(keys.key(contract.contractor_id), now)
    _require_last(both, keys)
    return both


def _require_last(contract: Contract, keys: RunKeys) -> None:
    """Raise unless the newest signature verifies (what the other party checks on receipt)."""
    i = len(contract.signatures) - 1
    problem = signature_problem(contract.signatures[i], contract.terms(), keys.registry)
    if problem is not None:
        raise InvalidInputError(
            f"contract {contract.id}", [FieldError(f"$.signatures[{i}]", problem)]
        )
