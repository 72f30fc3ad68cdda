"""Numeric bilateral bargaining: issues, utility, analysis, strategies, protocols, Genius files.

The pieces, in the order a negotiation uses them:

* :mod:`~negotiator.bargaining.issues` — issues (item splits included) and the enumerated
  :class:`OutcomeSpace`;
* :mod:`~negotiator.bargaining.points` — raw points per unit, exact (:class:`PointsUtility`);
* :mod:`~negotiator.bargaining.itemsplit` — item-split preference pairs and synthetic ones;
* :mod:`~negotiator.bargaining.utility` — :class:`AdditiveUtility` with value functions,
  evaluated over a whole space with numpy;
* :mod:`~negotiator.bargaining.analysis` — exact Pareto / Nash / Kalai–Smorodinsky / welfare;
  :mod:`~negotiator.bargaining.stacked` — the same for many same-sized scenarios at once;
* :mod:`~negotiator.bargaining.strategies` and :mod:`~negotiator.bargaining.acceptance` — pure
  concession and acceptance rules, presets as data;
* :mod:`~negotiator.bargaining.protocols` — seed 001's Protocol I and II and alternating offers;
* :mod:`~negotiator.bargaining.negotiators` — ready-made parties for the protocols;
* :mod:`~negotiator.bargaining.agents` — named agents, the Pareto-seeking default among them;
* :mod:`~negotiator.bargaining.batch` and :mod:`~negotiator.bargaining.tournament` — many
  negotiations at once, every pairing of a list of agents scored;
* :mod:`~negotiator.bargaining.genius` — Genius XML domains and profiles;
* :mod:`~negotiator.bargaining.seed001` — seed 001's table-3 price settings;
* :mod:`~negotiator.bargaining.domains` — the seeded random domain of the NegMAS benchmark.

Example:
    >>> from negotiator.bargaining import Negotiation, generated_scenario, bilateral
    >>> scenario = generated_scenario(seed=1)
    >>> result = Negotiation("alternating", bilateral(scenario), 20).run()
    >>> result.status
    <Status.AGREED: 'agreed'>
    >>> scenario.analysis.score(result.agreement).pareto
    True
"""

from negotiator.bargaining.acceptance import (
    ACCEPTANCE_PRESETS,
    AcceptanceCondition,
    AcceptAny,
    AcceptConstant,
    AcceptNext,
    AcceptTime,
    acceptance,
)
from negotiator.bargaining.agents import AGENTS, DEFAULT_AGENT, AgentSpec, agent
from negotiator.bargaining.analysis import (
    DEFAULT_RTOL,
    OutcomeScores,
    ScenarioAnalysis,
    analyze,
    pareto_mask,
)
from negotiator.bargaining.batch import run_batch
from negotiator.bargaining.domains import Scenario, analyze_many, bilateral, generated_scenario
from negotiator.bargaining.genius import read_genius_folder, write_genius_folder
from negotiator.bargaining.issues import (
    CategoricalIssue,
    ContinuousIssue,
    IntegerIssue,
    Issue,
    ItemIssue,
    OutcomeSpace,
    SpaceLayout,
)
from negotiator.bargaining.itemsplit import (
    PAIR_STYLES,
    ItemSplitPair,
    item_split_scenario,
    synthetic_pairs,
)
from negotiator.bargaining.negotiators import FixedOfferParty, OutcomeNegotiator, Seed001Party
from negotiator.bargaining.points import PointsUtility
from negotiator.bargaining.protocols import (
    PROTOCOLS,
    Message,
    Negotiation,
    NegotiationResult,
    Party,
    ProtocolRules,
    Status,
    TraceEntry,
)
from negotiator.bargaining.seed001 import TABLE3, PriceSetting, run_price_setting
from negotiator.bargaining.stacked import analyze_stack
from negotiator.bargaining.strategies import (
    CONCESSIONS,
    TIME_PRESETS,
    Concession,
    ParetoTarget,
    TimeDependent,
    TitForTat,
    concession,
    multiplicative_step,
    preset_exponent,
    time_dependent_target,
    tit_for_tat_target,
)
from negotiator.bargaining.tournament import PairingReport, tournament
from negotiator.bargaining.utility import (
    AdditiveUtility,
    BinaryValue,
    CurveValue,
    LinearValue,
    PiecewiseLinearValue,
    TableValue,
    ValueFunction,
    additive_space,
)

__all__ = [
    "ACCEPTANCE_PRESETS",
    "AGENTS",
    "CONCESSIONS",
    "DEFAULT_AGENT",
    "DEFAULT_RTOL",
    "PAIR_STYLES",
    "PROTOCOLS",
    "TABLE3",
    "TIME_PRESETS",
    "AcceptAny",
    "AcceptConstant",
    "AcceptNext",
    "AcceptTime",
    "AcceptanceCondition",
    "AdditiveUtility",
    "AgentSpec",
    "BinaryValue",
    "CategoricalIssue",
    "Concession",
    "ContinuousIssue",
    "CurveValue",
    "FixedOfferParty",
    "IntegerIssue",
    "Issue",
    "ItemIssue",
    "ItemSplitPair",
    "LinearValue",
    "Message",
    "Negotiation",
    "NegotiationResult",
    "OutcomeNegotiator",
    "OutcomeScores",
    "OutcomeSpace",
    "PairingReport",
    "ParetoTarget",
    "Party",
    "PiecewiseLinearValue",
    "PointsUtility",
    "PriceSetting",
    "ProtocolRules",
    "Scenario",
    "ScenarioAnalysis",
    "Seed001Party",
    "SpaceLayout",
    "Status",
    "TableValue",
    "TimeDependent",
    "TitForTat",
    "TraceEntry",
    "ValueFunction",
    "acceptance",
    "additive_space",
    "agent",
    "analyze",
    "analyze_many",
    "analyze_stack",
    "bilateral",
    "concession",
    "generated_scenario",
    "item_split_scenario",
    "multiplicative_step",
    "pareto_mask",
    "preset_exponent",
    "read_genius_folder",
    "run_batch",
    "run_price_setting",
    "synthetic_pairs",
    "time_dependent_target",
    "tit_for_tat_target",
    "tournament",
    "write_genius_folder",
]
