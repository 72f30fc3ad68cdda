"""Mediation and brokering: seed 001's neutral broker and seed 002's GA mediator.

* :mod:`~negotiator.mediation.curves` — per-attribute gain curves (anxious, cool-headed, greedy,
  power, piecewise) with exact inverses;
* :mod:`~negotiator.mediation.space`, :mod:`~negotiator.mediation.ga`,
  :mod:`~negotiator.mediation.polish`, :mod:`~negotiator.mediation.mediator` — seed 002's
  proposal space, GA (with an optional final local search) and (proposal, δ);
* :mod:`~negotiator.mediation.exact` — exact optimum and Nash point on enumerable spaces;
* :mod:`~negotiator.mediation.registry`, :mod:`~negotiator.mediation.broker`,
  :mod:`~negotiator.mediation.handoff` — seed 001's broker and the hand-off of its pairs to the
  bargaining protocols;
* :mod:`~negotiator.mediation.explain` — the proposal in words (model or template);
* :mod:`~negotiator.mediation.scenario`, :mod:`~negotiator.mediation.report` — scenario files
  and the table-1 rendering for ``negotiator mediate``;
* :mod:`~negotiator.mediation.generate` — seeded random spaces for tests and benchmarks.

Example:
    >>> from negotiator.mediation import bundled_scenario, load_scenario
    >>> result = load_scenario(bundled_scenario("seed002")).run()
    >>> result.chosen.counterpart, round(result.delta, 3)
    ('B3', 0.102)
"""

from negotiator.mediation.broker import (
    BROKER_MODES,
    BrokerResult,
    CandidateScore,
    Pairing,
    Unmatched,
    attribute_profits,
    broker,
    profits,
)
from negotiator.mediation.curves import (
    STRATEGY_EXPONENTS,
    Curve,
    PiecewiseCurve,
    PowerCurve,
    strategy_curve,
)
from negotiator.mediation.exact import ExactResult, NashResult, exact_best, gap, nash_point
from negotiator.mediation.explain import Explanation, explain_mediation, template_explanation
from negotiator.mediation.ga import GAConfig, GAResult, run_ga
from negotiator.mediation.generate import random_space
from negotiator.mediation.handoff import (
    PairNegotiation,
    negotiate_pair,
    negotiate_pairings,
    negotiators_for,
)
from negotiator.mediation.mediator import (
    MediationResult,
    MediationStatus,
    SkippedCounterpart,
    mediate,
)
from negotiator.mediation.registry import (
    AttributeDef,
    Buyer,
    Condition,
    Range,
    Registry,
    Seller,
)
from negotiator.mediation.scenario import (
    MediationScenario,
    MediationScenarioSpec,
    build_scenario,
    bundled_scenario,
    load_scenario,
    parse_scenario,
)
from negotiator.mediation.space import Attribute, Party, Proposal, ProposalSpace

__all__ = [
    "BROKER_MODES",
    "STRATEGY_EXPONENTS",
    "Attribute",
    "AttributeDef",
    "BrokerResult",
    "Buyer",
    "CandidateScore",
    "Condition",
    "Curve",
    "ExactResult",
    "Explanation",
    "GAConfig",
    "GAResult",
    "MediationResult",
    "MediationScenario",
    "MediationScenarioSpec",
    "MediationStatus",
    "NashResult",
    "PairNegotiation",
    "Pairing",
    "Party",
    "PiecewiseCurve",
    "PowerCurve",
    "Proposal",
    "ProposalSpace",
    "Range",
    "Registry",
    "Seller",
    "SkippedCounterpart",
    "Unmatched",
    "attribute_profits",
    "broker",
    "build_scenario",
    "bundled_scenario",
    "exact_best",
    "explain_mediation",
    "gap",
    "load_scenario",
    "mediate",
    "nash_point",
    "negotiate_pair",
    "negotiate_pairings",
    "negotiators_for",
    "parse_scenario",
    "profits",
    "random_space",
    "run_ga",
    "strategy_curve",
    "template_explanation",
]
