"""Seed 000's example as a ready-made scenario: optimise a React dashboard's performance.

Five bidders differ in cost, quality, reputation and privacy (all amounts in USDC):

=====================  ==========  =======  ========  ======  ===========================
bidder                 reputation  quality  privacy   cost    what happens to it
=====================  ==========  =======  ========  ======  ===========================
did:web:budget-bot.dev 0.45        0.60     none      1.80    filtered: reputation < 0.60,
                                                              no typescript capability
did:web:cloud-agent.io 0.70        0.78     none      2.60    bids 3.25 (after the FAQ)
did:web:fast-coder.ai  0.92        0.90     tee       4.10    bids 5.00: wins
did:web:local-llm.coop 0.80        0.82     local     3.20    bids 3.68
did:web:premium-labs.ai 0.97       0.97     he        11.00   bids 14.30: over budget
=====================  ==========  =======  ========  ======  ===========================

The task says "performance" without saying which kind, so bidders ask "Should the optimisation
target bundle size or runtime rendering?"; the delegator's briefing answers "Runtime rendering,
especially virtual scrolling of large data tables.", which raises a second-round question about
table sizes. Scenarios (:data:`SCENARIOS`) choose the simulated contractor's script and the
delegator's cancel policy: ``success``, ``breach`` (existing tests fail on delivery: 50 %
penalty, bond forfeited), ``cancel`` (the delegator cancels at 40 % progress: pro-rata
compensation, bond returned), and ``subdelegate`` (recursive delegation: the contractor posts a
sub-task — a virtualised data table, budget 3.00 USDC — to a market of two component builders,
pays for it from its own wallet, and folds the sub-run into its reports; see
:func:`demo_subtasks` and :func:`demo_inputs`), and ``negotiate`` (runs like ``success``, but
after the award the delegator negotiates the terms with the top two bidders of the Pareto front
by alternating offers, :data:`NEGOTIATION`; the contract is built from the agreed terms), and
``switch`` (the winner, Fast Coder, slacks: a quarter of the scripted pace and half the measured
gain; the delegator's re-optimisation drops it at fault after its third report — bond forfeited,
price refunded, a re-delegation fee paid — and hands the work to the next standing bid, Local
LLM Co-op, which completes it under its own contract).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType

from negotiator.delegation.bidders import BidderProfile
from negotiator.delegation.contracting import ContractPolicy
from negotiator.delegation.monitoring import SCRIPTS, CancelPolicy, ExecutorScript
from negotiator.delegation.negotiation.mechanisms import NegotiationSettings
from negotiator.delegation.request import DelegationRequest, DelegationSetup
from negotiator.delegation.subtasks import SubTaskSetup
from negotiator.errors import lookup
from negotiator.money import Money
from negotiator.wire.clauses import PerformanceRequirement, Predicate
from negotiator.wire.common import Comparator, Level, PrivacyLevel
from negotiator.wire.task import TaskSpec

__all__ = [
    "DELEGATOR_ID",
    "SCENARIOS",
    "demo_bidders",
    "demo_inputs",
    "demo_setup",
    "demo_subtasks",
    "demo_task",
]

DELEGATOR_ID = "did:web:acme-analytics.example"
_START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)

#: the demo delegator's contract terms: failing existing tests on a report forfeits half the price
DEMO_POLICY = ContractPolicy(
    penalty_trigger=Predicate(
        subject="existing_tests_pass", comparator=Comparator.EQ, threshold=False
    )
)

#: scenario -> the delegator's cancel policy (the executor script has the same name).
SCENARIOS: Mapping[str, CancelPolicy] = MappingProxyType(
    {
        "success": CancelPolicy(),
        "breach": CancelPolicy(),
        "cancel": CancelPolicy(at_progress=0.4, reason="the dashboard is being replaced"),
        "subdelegate": CancelPolicy(),
        "negotiate": CancelPolicy(),
        "switch": CancelPolicy(),
    }
)

#: scenario -> how the delegator negotiates after the award (scenarios not listed: it does not).
NEGOTIATION: Mapping[str, NegotiationSettings] = MappingProxyType(
    {"negotiate": NegotiationSettings(mechanism="bilateral", top_k=2)}
)

#: scenario -> the simulated contractor's script, where it is not the scenario's own name.
_SCRIPT_OF: Mapping[str, str] = MappingProxyType({"negotiate": "success", "switch": "success"})

#: scenario -> the contractor that slacks while it holds the contract (see ``ExecutorScript``).
_SLACKER: Mapping[str, str] = MappingProxyType({"switch": "did:web:fast-coder.ai"})


def _usdc(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USDC")


def demo_task() -> TaskSpec:
    """Return seed 000's task: optimise a React dashboard's performance."""
    return TaskSpec(
        id="task-react-dashboard",
        delegator_id=DELEGATOR_ID,
        title="Optimise a React dashboard's performance",
        description=(
            "Our React analytics dashboard feels slow. Improve its performance without breaking "
            "the existing test suite; the optimisation technique is up to you."
        ),
        input_requirements=(
            "read access to the dashboard repository (React 18, TypeScript)",
            "the existing Jest test suite",
        ),
        output_requirements=(
            "a pull request with the optimisation",
            "Lighthouse performance reports before and after",
        ),
        role="frontend performance engineer",
        budget=_usdc("12.00"),
        deadline_seconds=3600,
        reporting_interval_seconds=300,
        required_capabilities=("react", "typescript"),
        min_reputation=0.6,
        criticality=Level.MEDIUM,
        uncertainty=Level.HIGH,
        min_bond=_usdc("0.50"),
        performance_requirements=(
            PerformanceRequirement(
                metric="lighthouse_performance_delta",
                comparator=Comparator.GE,
                threshold=20.0,
                unit="percent",
            ),
        ),
    )


def _bidder(**fields: object) -> BidderProfile:
    return BidderProfile.model_validate(fields)


def demo_bidders() -> tuple[BidderProfile, ...]:
    """Return the five demo bidders (see the module table)."""
    common = {"reporting_interval_seconds": 300, "capabilities": ("react", "typescript")}
    return (
        _bidder(
            bidder_id="did:web:fast-coder.ai",
            name="Fast Coder",
            reputation=0.92,
            quality=0.90,
            privacy=PrivacyLevel.TEE,
            cost=Decimal("4.10"),
            margin=Decimal("0.22"),
            uncertainty_premium=Decimal("0.15"),
            base_duration_seconds=300,
            bond_fraction=Decimal("0.10"),
            concerns=("performance-focus", "table-size"),
            style="Fast Coder profiles first, then fixes what the profile shows, inside a TEE.",
            **common,
        ),
        _bidder(
            bidder_id="did:web:budget-bot.dev",
            name="Budget Bot",
            reputation=0.45,
            quality=0.60,
            privacy=PrivacyLevel.NONE,
            cost=Decimal("1.80"),
            margin=Decimal("0.10"),
            uncertainty_premium=Decimal("0.05"),
            base_duration_seconds=600,
            bond_fraction=Decimal("0.05"),
            reporting_interval_seconds=300,
            capabilities=("react",),
        ),
        _bidder(
            bidder_id="did:web:premium-labs.ai",
            name="Premium Labs",
            reputation=0.97,
            quality=0.97,
            privacy=PrivacyLevel.HE,
            cost=Decimal("11.00"),
            margin=Decimal("0.30"),
            uncertainty_premium=Decimal("0.10"),
            base_duration_seconds=1200,
            bond_fraction=Decimal("0.10"),
            concerns=("performance-focus",),
            style="Premium Labs assigns a senior team and computes on encrypted data.",
            **common,
        ),
        _bidder(
            bidder_id="did:web:local-llm.coop",
            name="Local LLM Co-op",
            reputation=0.80,
            quality=0.82,
            privacy=PrivacyLevel.LOCAL,
            cost=Decimal("3.20"),
            margin=Decimal("0.15"),
            uncertainty_premium=Decimal("0.20"),
            base_duration_seconds=900,
            bond_fraction=Decimal("0.10"),
            concerns=("performance-focus", "resource-limits"),
            style="The co-op runs a local model on its own hardware.",
            **common,
        ),
        _bidder(
            bidder_id="did:web:cloud-agent.io",
            name="Cloud Agent",
            reputation=0.70,
            quality=0.78,
            privacy=PrivacyLevel.NONE,
            cost=Decimal("2.60"),
            margin=Decimal("0.25"),
            uncertainty_premium=Decimal("0.10"),
            base_duration_seconds=240,
            bond_fraction=Decimal("0.10"),
            concerns=("performance-focus",),
            style="Cloud Agent scales out on a public cloud LLM.",
            **common,
        ),
    )


BRIEFING: Mapping[str, str] = MappingProxyType(
    {
        "performance-focus": (
            "Runtime rendering, especially virtual scrolling of large data tables."
        ),
        "table-size": "The largest tables hold about 50,000 rows; sorting and filtering must "
        "stay responsive.",
    }
)


def demo_setup(scenario: str = "success") -> DelegationSetup:
    """Return the complete demo scenario ``scenario`` (success, breach, cancel, subdelegate,
    negotiate: the success script, with the terms negotiated with the award's top two; switch:
    the winner slacks and the flow re-optimises).

    Raises:
        UnknownKeyError: unknown scenario.

    Example:
        >>> demo_setup("cancel").request.cancel.at_progress
        0.4
    """
    cancel = lookup(SCENARIOS, scenario, "scenario")
    bidders = demo_bidders()
    funding = {DELEGATOR_ID: _usdc("50.00")} | {b.bidder_id: _usdc("5.00") for b in bidders}
    return DelegationSetup(
        request=DelegationRequest(
            task=demo_task(),
            briefing=dict(BRIEFING),
            cancel=cancel,
            policy=DEMO_POLICY,
            negotiation=NEGOTIATION.get(scenario),
        ),
        bidders=bidders,
        funding=funding,
        script=SCRIPTS[_SCRIPT_OF.get(scenario, scenario)].model_copy(
            update={"slacker": _SLACKER.get(scenario)}
        ),
        start=_START,
    )


#: the contractor of the demo (the expected winner) posts this sub-task.
SUB_TASK_ID = "task-virtual-table"


def demo_sub_bidders() -> tuple[BidderProfile, ...]:
    """Return the two component builders of the ``subdelegate`` scenario's sub-market."""
    common = {"reporting_interval_seconds": 300, "capabilities": ("react", "typescript")}
    return (
        _bidder(
            bidder_id="did:web:grid-smith.dev",
            name="Grid Smith",
            reputation=0.85,
            quality=0.88,
            privacy=PrivacyLevel.TEE,
            cost=Decimal("1.60"),
            margin=Decimal("0.20"),
            uncertainty_premium=Decimal("0.10"),
            base_duration_seconds=600,
            bond_fraction=Decimal("0.10"),
            style="Grid Smith builds windowed React tables with measured scroll performance.",
            **common,
        ),
        _bidder(
            bidder_id="did:web:table-tuner.ai",
            name="Table Tuner",
            reputation=0.75,
            quality=0.80,
            privacy=PrivacyLevel.NONE,
            cost=Decimal("1.20"),
            margin=Decimal("0.25"),
            uncertainty_premium=Decimal("0.10"),
            base_duration_seconds=900,
            bond_fraction=Decimal("0.10"),
            style="Table Tuner adapts an open-source virtual list to the data model.",
            **common,
        ),
    )


def demo_sub_task() -> TaskSpec:
    """Return the sub-task of the ``subdelegate`` scenario (its delegator is replaced at run
    time by whoever won the parent contract)."""
    return TaskSpec(
        id=SUB_TASK_ID,
        delegator_id="did:web:fast-coder.ai",
        title="Build a virtualised data table for 50,000 rows",
        description=(
            "Implement a windowed (virtual-scrolling) data table component for the dashboard's "
            "largest tables; sorting and filtering must stay responsive."
        ),
        role="React component engineer",
        budget=_usdc("3.00"),
        deadline_seconds=1800,
        reporting_interval_seconds=300,
        required_capabilities=("react",),
        min_reputation=0.5,
        uncertainty=Level.LOW,
        min_bond=_usdc("0.20"),
        performance_requirements=(
            PerformanceRequirement(
                metric="scroll_fps", comparator=Comparator.GE, threshold=50.0, unit="fps"
            ),
        ),
    )


def demo_subtasks(script: ExecutorScript | None = None) -> tuple[SubTaskSetup, ...]:
    """Return the ``subdelegate`` scenario's sub-task (``script``: the sub-contractor's, by
    default a clean delivery at 55-60 fps in three reports).

    Example:
        >>> [s.request.task.budget.amount for s in demo_subtasks()]
        [Decimal('3.00')]
    """
    sub_bidders = demo_sub_bidders()
    return (
        SubTaskSetup(
            request=DelegationRequest(task=demo_sub_task(), policy=DEMO_POLICY),
            bidders=sub_bidders,
            funding={b.bidder_id: _usdc("2.00") for b in sub_bidders},
            script=script
            or ExecutorScript(steps=3, final_metric="scroll_fps", final_low=55.0, final_high=60.0),
        ),
    )


def demo_inputs(scenario: str = "success") -> dict[str, object]:
    """Return the ``delegation`` flow's inputs for ``scenario`` (JSON): the setup, plus the
    contractor's sub-tasks for ``subdelegate``.

    Raises:
        UnknownKeyError: unknown scenario.

    Example:
        >>> sorted(demo_inputs("success")), sorted(demo_inputs("subdelegate"))
        (['setup'], ['setup', 'subtasks'])
    """
    inputs: dict[str, object] = {"setup": demo_setup(scenario).model_dump(mode="json")}
    if scenario == "subdelegate":
        inputs["subtasks"] = [s.model_dump(mode="json") for s in demo_subtasks()]
    return inputs
