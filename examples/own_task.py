"""Your own task, your own bidders, your own executor — delegated in plain Python.

A documentation team delegates translating its user guide into German. Three translation agents
bid; the contract carries the team's own quality requirement (a terminology score of at least
0.95) and its own penalty (a failed style check forfeits 30 % of the price); the executor is the
team's code, called at the agreed reporting cadence. Nothing here comes from the built-in demo.

The delegation is also registered as a flow (``translation``) so that a run can be recorded as a
transcript and replayed offline (see ``examples/test_own_flow_offline.py``).

Run: ``python examples/own_task.py``
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from negotiator import (
    BidderProfile,
    Comparator,
    Contract,
    ContractPolicy,
    DelegationOutcome,
    DelegationRequest,
    FixedClock,
    FlowRun,
    ModelClient,
    Money,
    PerformanceRequirement,
    PrivacyLevel,
    ProgressReport,
    TaskSpec,
    adelegate,
    register_flow,
)
from negotiator.llm import DeterministicClient
from negotiator.wire.clauses import Predicate

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
TEAM = "did:web:docs-team.example"


def eur(amount: str) -> Money:
    """An amount in euros."""
    return Money(amount=Decimal(amount), currency="EUR")


def translation_task() -> TaskSpec:
    """The team's task: translate the user guide, judged by its terminology score."""
    return TaskSpec(
        id="task-guide-de",
        delegator_id=TEAM,
        title="Translate the user guide into German",
        description="Translate the 40-page user guide into German, keeping the product glossary.",
        input_requirements=("the guide in Markdown", "the product glossary"),
        output_requirements=("the German guide in Markdown",),
        role="technical translator",
        budget=eur("400.00"),
        deadline_seconds=7 * 24 * 3600,
        reporting_interval_seconds=24 * 3600,
        required_capabilities=("translation-de",),
        min_reputation=0.5,
        min_bond=eur("10.00"),
        performance_requirements=(
            PerformanceRequirement(
                metric="terminology_score", comparator=Comparator.GE, threshold=0.95, unit="ratio"
            ),
        ),
    )


def translators() -> tuple[BidderProfile, ...]:
    """Three translation agents with their own costs, quality and privacy."""
    common: dict[str, Any] = {
        "capabilities": ("translation-de",),
        "reporting_interval_seconds": 24 * 3600,
        "bond_fraction": Decimal("0.05"),
    }
    return (
        BidderProfile(
            bidder_id="did:web:lingua.ai",
            name="Lingua",
            reputation=0.88,
            quality=0.93,
            privacy=PrivacyLevel.TEE,
            cost=Decimal("240"),
            margin=Decimal("0.20"),
            uncertainty_premium=Decimal("0.05"),
            base_duration_seconds=4 * 24 * 3600,
            **common,
        ),
        BidderProfile(
            bidder_id="did:web:wordsmith.dev",
            name="Wordsmith",
            reputation=0.72,
            quality=0.85,
            privacy=PrivacyLevel.NONE,
            cost=Decimal("150"),
            margin=Decimal("0.15"),
            uncertainty_premium=Decimal("0.05"),
            base_duration_seconds=3 * 24 * 3600,
            **common,
        ),
        BidderProfile(
            bidder_id="did:web:atelier.coop",
            name="Atelier",
            reputation=0.95,
            quality=0.97,
            privacy=PrivacyLevel.LOCAL,
            cost=Decimal("330"),
            margin=Decimal("0.10"),
            uncertainty_premium=Decimal("0.05"),
            base_duration_seconds=6 * 24 * 3600,
            **common,
        ),
    )


def translation_request() -> DelegationRequest:
    """The team's request with its own contract policy (its own penalty condition)."""
    policy = ContractPolicy(
        penalty_trigger=Predicate(
            subject="style_check_passed", comparator=Comparator.EQ, threshold=False
        ),
        penalty_fraction=0.3,
    )
    return DelegationRequest(task=translation_task(), policy=policy)


class TranslationExecutor:
    """The team's executor: asked for report ``sequence`` at ``at``, it returns what it sees."""

    CHAPTERS = 4

    def report(self, contract: Contract, sequence: int, at: datetime) -> ProgressReport | None:
        """One chapter per report; the terminology score is measured on what is done so far."""
        done = min(sequence + 1, self.CHAPTERS)
        return ProgressReport(
            contract_id=contract.id,
            sequence=sequence,
            timestamp=at,
            progress=done / self.CHAPTERS,
            status="completed" if done == self.CHAPTERS else "working",
            metrics={"terminology_score": 0.93 + 0.01 * done},
            checks={"style_check_passed": True},
        )


FUNDING = {TEAM: eur("1000.00")} | {b.bidder_id: eur("50.00") for b in translators()}


async def delegate_translation(client: ModelClient) -> DelegationOutcome:
    """Delegate the translation (in memory) with ``client`` as every agent's model."""
    return await adelegate(
        translation_request(),
        bidders=translators(),
        executor=TranslationExecutor(),
        client=client,
        clock=FixedClock(START),
        funding=FUNDING,
        run_id="guide-de-1",
        runs_dir=None,
    )


@register_flow("translation", replace=True)
async def translation_flow(run: FlowRun) -> dict[str, object]:
    """The delegation as a recordable flow: its outcome is the flow's outcome."""
    outcome = await delegate_translation(run.client)
    result: dict[str, object] = outcome.model_dump(mode="json")
    return result


def main() -> DelegationOutcome:
    """Delegate offline and print what happened."""
    outcome = asyncio.run(delegate_translation(DeterministicClient()))
    assert outcome.winner is not None
    print(f"{outcome.outcome.value}: {outcome.winner.bidder_id} at {outcome.winner.price}")
    print(f"why: {outcome.winner.reason}")
    for p in outcome.payments:
        print(f"  {p.from_account} -> {p.to_account}: {p.amount} ({p.reason.value})")
    print(f"ledger balanced: {outcome.ledger_balanced}")
    return outcome


if __name__ == "__main__":
    main()
