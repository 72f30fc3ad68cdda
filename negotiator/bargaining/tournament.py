"""Tournaments: every pairing of a list of agents over a list of scenarios, scored exactly.

:func:`tournament` runs, for each ordered pairing ``(first, second)`` of the agents (self-play
included) and each scenario, one negotiation under a protocol and round limit, and reports per
pairing (:class:`PairingReport`): agreement rate, each side's mean normalised utility, mean
joint utility (normalised and raw), welfare as a share of the maximum, the share of negotiations
ending Pareto-optimal, mean Pareto and Nash distances, fairness (mean ``|u_a − u_b|``,
normalised), mean rounds and negotiations per second.

Alternating-offers pairings of :data:`~negotiator.bargaining.AGENTS` run vectorised across the
scenarios (:mod:`~negotiator.bargaining.batch`, the same decisions as one at a time); other
protocols run one negotiation at a time. The scenarios' exact analyses are computed once, for
all pairings, same-sized scenarios together (:func:`~negotiator.bargaining.analyze_many`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import product
from typing import Any

import numpy as np

from negotiator.bargaining.agents import agent
from negotiator.bargaining.batch import Group, batch_groups, run_batch
from negotiator.bargaining.domains import Scenario, analyze_many
from negotiator.bargaining.protocols import PROTOCOLS
from negotiator.errors import InvalidInputError, lookup

__all__ = ["PairingReport", "run_pairing", "tournament"]

#: Largest round limit accepted (a guard against runaway runs; pass ``max_rounds`` to raise it).
MAX_ROUNDS = 100_000


@dataclass(frozen=True)
class PairingReport:
    """The figures of one pairing over all scenarios (module docstring).

    Attributes:
        first: agent of side A (party 0, opens).
        second: agent of side B.
        negotiations: negotiations run.
        agreement: share that ended in agreement.
        agreement_in_zone: share agreed among scenarios with a non-empty agreement zone.
        agreements_without_zone: agreements in scenarios without a zone (always 0).
        utility_first: side A's mean normalised utility (the reservation without a deal).
        utility_second: side B's mean normalised utility.
        joint: mean normalised joint utility.
        joint_raw: mean joint utility in raw units (points for item splits).
        welfare_share: total raw joint utility over the total maximum welfare (a negotiation
            without agreement counts its reservation point, so high walk-away values can
            lift this above 1).
        pareto_share: share of negotiations ending in a Pareto-optimal agreement.
        pareto_distance: mean normalised distance to the Pareto frontier.
        nash_distance: mean normalised distance to the Nash point (scenarios with a zone).
        fairness: mean ``|u_a − u_b|`` of the normalised utilities.
        rounds: mean rounds begun.
        per_second: negotiations per second: wall time of the pairing's runs plus an equal
            share of the preparation all pairings share (analysing the scenarios together,
            stacking and sorting each scenario's utilities once); building the scenarios and
            scoring are excluded.
    """

    first: str
    second: str
    negotiations: int
    agreement: float
    agreement_in_zone: float
    agreements_without_zone: int
    utility_first: float
    utility_second: float
    joint: float
    joint_raw: float
    welfare_share: float
    pareto_share: float
    pareto_distance: float
    nash_distance: float
    fairness: float
    rounds: float
    per_second: float

    def as_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict (an undefined figure, NaN, becomes None)."""
        return {
            k: None if isinstance(v, float) and math.isnan(v) else v
            for k, v in asdict(self).items()
        }


Outcome = tuple[int | None, int]


def run_pairing(
    scenarios: Sequence[Scenario],
    first: str,
    second: str,
    rounds: int,
    *,
    protocol: str = "alternating",
    groups: list[Group] | None = None,
) -> tuple[list[Outcome], float]:
    """Run one pairing over the scenarios: ``(agreement or None, rounds)`` each, and seconds.

    Raises:
        UnknownKeyError: for an unknown agent or protocol.
    """
    agent(first), agent(second), lookup(PROTOCOLS, protocol, "protocol")
    t0 = time.perf_counter()
    outcomes = run_batch(scenarios, first, second, rounds, protocol=protocol, groups=groups)
    return outcomes, time.perf_counter() - t0


def _score(
    scenarios: Sequence[Scenario], outcomes: list[Outcome], pair: tuple[str, str], sec: float
) -> PairingReport:
    rows = []
    for s, (agreement, rounds) in zip(scenarios, outcomes, strict=True):
        a = s.analysis
        sc = a.score(agreement)
        best = float(a.point(a.max_welfare).sum())
        rows.append(
            (
                agreement is not None,
                not a.zone_empty,
                *sc.normalized[:2],
                sc.welfare,
                best,
                sc.pareto,
                sc.pareto_distance,
                sc.nash_distance,
                rounds,
            )
        )
    m = np.array(rows, dtype=np.float64)
    agreed, zone = m[:, 0] > 0, m[:, 1] > 0
    return PairingReport(
        first=pair[0],
        second=pair[1],
        negotiations=len(rows),
        agreement=float(agreed.mean()),
        agreement_in_zone=float(agreed[zone].mean()) if zone.any() else float("nan"),
        agreements_without_zone=int((agreed & ~zone).sum()),
        utility_first=float(m[:, 2].mean()),
        utility_second=float(m[:, 3].mean()),
        joint=float((m[:, 2] + m[:, 3]).mean()),
        joint_raw=float(m[:, 4].mean()),
        welfare_share=float(m[:, 4].sum() / m[:, 5].sum()) if m[:, 5].sum() else float("nan"),
        pareto_share=float(m[:, 6].mean()),
        pareto_distance=float(m[:, 7].mean()),
        nash_distance=float(np.nanmean(m[zone, 8])) if zone.any() else float("nan"),
        fairness=float(np.abs(m[:, 2] - m[:, 3]).mean()),
        rounds=float(m[:, 9].mean()),
        per_second=len(rows) / sec if sec > 0 else float("inf"),
    )


def tournament(
    scenarios: Sequence[Scenario],
    agents: Sequence[str],
    rounds: int = 20,
    protocol: str = "alternating",
    *,
    max_rounds: int = MAX_ROUNDS,
    pairings: Sequence[tuple[str, str]] | None = None,
) -> list[PairingReport]:
    """Every ordered pairing of ``agents`` (self-play included) over every scenario.

    Args:
        scenarios: the scenarios (each negotiated once per pairing; party 0 opens).
        agents: agent names from :data:`~negotiator.bargaining.AGENTS`.
        rounds: the round limit of every negotiation.
        protocol: a protocol name (alternating offers runs vectorised).
        max_rounds: the guard on ``rounds`` (raise it deliberately for longer runs).
        pairings: run only these ``(first, second)`` pairings instead of every pairing.

    Raises:
        InvalidInputError: for no scenario, no agent or a round limit outside ``1..max_rounds``.
        UnknownKeyError: for an unknown agent or protocol.

    Example:
        >>> from negotiator.bargaining import generated_scenario
        >>> reports = tournament([generated_scenario(s) for s in range(3)], ["pareto"], rounds=10)
        >>> reports[0].agreement
        1.0
    """
    if not scenarios or not (agents or pairings):
        raise InvalidInputError.single("tournament", "$", "need at least one scenario and agent")
    if not 1 <= rounds <= max_rounds:
        raise InvalidInputError.single(
            "tournament", "$.rounds", f"{rounds} outside 1..{max_rounds} (raise max_rounds)"
        )
    pairs = list(pairings) if pairings else [(a, b) for a, b in product(agents, repeat=2)]
    for pair in pairs:
        agent(pair[0]), agent(pair[1])
    lookup(PROTOCOLS, protocol, "protocol")
    t0 = time.perf_counter()
    analyze_many(scenarios)
    groups = batch_groups(scenarios) if protocol == "alternating" else None
    shared = (time.perf_counter() - t0) / len(pairs)
    reports = []
    for pair in pairs:
        outcomes, sec = run_pairing(
            scenarios, pair[0], pair[1], rounds, protocol=protocol, groups=groups
        )
        reports.append(_score(scenarios, outcomes, pair, sec + shared))
    return reports
