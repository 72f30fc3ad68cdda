"""Named negotiating agents: a concession curve, an acceptance rule and offering parameters.

Every time-dependent preset and tit-for-tat (:data:`~negotiator.bargaining.CONCESSIONS`) is an
agent with AC_next acceptance and the offering band of
:class:`~negotiator.bargaining.OutcomeNegotiator`. The toolkit's default, ``"pareto"``
(:data:`DEFAULT_AGENT`), is the Pareto-seeking agent:

* **opponent model** — the frequency model of :class:`OutcomeNegotiator` (how often the opponent
  offered each issue value, weighted by how stubbornly it keeps each issue), used from the
  opponent's first offer on;
* **offers near the estimated Pareto frontier** — among the outcomes whose own utility lies in a
  band at the current target (``[τ, τ + 0.05]``), the one the model rates best for the
  opponent. On item splits (every issue ordered, modelled linearly and reliably) the band is
  every outcome worth at least the target and the choice maximises the estimated joint utility
  (the opponent's estimate scaled to 1 plus the own utility), except at the own last turn, where
  the opponent's estimate alone decides: the opponent's walk-away is unknown, and the most
  generous offer at the target is the one most likely to clear it (on item splits with binding
  walk-aways this lifted agreement where a zone exists from about 95 % to 99.5 %);
* **time-dependent target** — :class:`~negotiator.bargaining.ParetoTarget`: from the best
  utility down to the higher of the reservation and the opponent's best offer so far, along
  ``1 − t^e``. On spaces with an integer or continuous issue (a scale the parties pull in
  opposite directions, as in Genius domains) it never concedes below the own utility of the
  estimated Nash outcome (the largest product of the own gain over the reservation and the
  opponent's estimated utility to the power 1.5) and offers from a narrower band (0.02), so
  agreements settle nearer the Nash point than the Kalai–Smorodinsky point. The floor holds up
  to the own last offer; only the acceptance relaxes at the own last turn. The power 1.5 leans
  the estimate towards the opponent: with the plain product each side placed its floor too far
  towards itself, and the two floors left about a third of the Genius-style negotiations
  deadlocked until the last turn (with the power, about a fifth). Chosen by measurement
  (``bench/default_agent.py``, 200 scenarios per domain): there the floor raised welfare by
  1.1–1.5 points, and the power with the floor held at the last offer by a further 0.3–0.7
  points in 14 of 15 runs (seeds 7, 500, 1000, 3000, 9000 × 10, 20, 100 rounds; −0.02 in the
  other); on purely categorical spaces the floor lowered welfare by about 0.4 points (up to 0.3
  with the power) and on item splits by up to 1.4 points, so it is off there;
* **purely categorical spaces** (no integer, continuous or ordered issue) — the model gives a
  value the opponent never offered 0.2 of its issue's weight instead of nothing (offered values
  0.5–1 by frequency; :func:`~negotiator.bargaining.negotiators.frequency_scores`), and the band
  above the target is at most half the time between the own turns (0.05 at 10 rounds, about
  0.026 at 20, 0.005 at 100). Chosen by measurement on the generated domain (200 scenarios,
  seeds 7, 500, 1000, 3000, 9000 × 10, 20, 100 rounds): welfare rose in 11 of the 15 runs (means
  +0.1 / +0.2 / +0.2 points), was unchanged in one and fell by 0.02–0.05 points in three; the
  prior alone moved it by a few thousandths either way;
* **weight-robust improvement on purely categorical spaces** — the frequency model orders each
  issue's values (how often the opponent offered them) far more reliably than it weighs the
  issues. Once the opponent has offered, the chosen offer is replaced by the outcome best for
  oneself among those the opponent values at least as much under every additive utility with that
  value order, whatever its weights (on every issue the same value, or one offered at least as
  often as a value the opponent has offered, or any offered value in place of one it never
  offered; :func:`~negotiator.bargaining.negotiators.dominating_mask`), when one is worth more to
  oneself: the offer then gives up nothing the opponent is known to want. Chosen by measurement
  on the generated domain (200 scenarios, seeds 7, 500, 1000, 3000, 9000 × 10, 20, 100 rounds):
  welfare rose in all 15 runs (+0.2 to +0.5 points at 10 rounds, +0.2 to +0.5 at 20, +0.3 to
  +0.6 at 100). Counting equally offered values as equal rather than requiring strictly more
  offers added up to 0.13 points (14 of 15 runs; −0.01 in one); treating never-offered values as
  equal to each other left welfare 1.3–2.8 points below the agent without the lift; taking the
  model's favourite among the candidates instead of the best for oneself moved welfare by −0.05
  to +0.04 points at 10 rounds and +0.05 to +0.11 at 100; lifting the opponent's offer before
  accepting it changed no agreement (100 scenarios, seeds 7, 500, 3000, 10 and 20 rounds);
* **acceptance** — AC_next (the offer is at least the own next offer, discounted by the domain's
  time discount over the wait), and at the own last turn anything worth the reservation.

Parameters were chosen on generated domains, Genius-format domains and item-split preference
pairs (``bench/default_agent.py``) at 10, 20 and 100 rounds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from negotiator.bargaining.acceptance import AcceptanceCondition, AcceptNext
from negotiator.bargaining.issues import SpaceLayout
from negotiator.bargaining.negotiators import OutcomeNegotiator
from negotiator.bargaining.strategies import CONCESSIONS, Concession, ParetoTarget
from negotiator.errors import lookup

__all__ = ["AGENTS", "DEFAULT_AGENT", "AgentSpec", "agent", "build_agent"]


@dataclass(frozen=True)
class AgentSpec:
    """How a named agent negotiates (see :class:`OutcomeNegotiator` for each parameter)."""

    concession: Concession
    accept: AcceptanceCondition = field(default_factory=AcceptNext)
    window: float = 0.01
    slack: float = 0.01
    model_after: int = 3
    accept_last: bool = False
    model_ordinal: bool = False
    own_weight: float = 0.0
    ordered_window: float | None = None
    ordered_own_weight: float | None = None
    nash_floor: bool = False  # only on spaces with an integer or continuous issue
    floor_window: float | None = None  # the window where the Nash floor applies
    categorical_prior: tuple[float, float] | None = None  # value prior, categorical spaces
    categorical_window_per_step: float | None = None  # window cap per turn gap, categorical
    categorical_dominance: bool = False  # weight-robust improvement of offers, categorical


#: The toolkit's default agent for both sides.
DEFAULT_AGENT = "pareto"

#: Named agents: every concession preset, and the Pareto-seeking default.
AGENTS: Mapping[str, AgentSpec] = MappingProxyType(
    {name: AgentSpec(c) for name, c in CONCESSIONS.items()}
    | {
        DEFAULT_AGENT: AgentSpec(
            ParetoTarget(2.0),
            window=0.05,
            slack=0.0,
            model_after=1,
            accept_last=True,
            model_ordinal=True,
            ordered_window=1.0,
            ordered_own_weight=1.0,
            nash_floor=True,
            floor_window=0.02,
            categorical_prior=(0.2, 0.5),
            categorical_window_per_step=0.5,
            categorical_dominance=True,
        )
    }
)


def agent(name: str) -> AgentSpec:
    """The named agent.

    Raises:
        UnknownKeyError: listing the names.

    Example:
        >>> agent("pareto").accept_last
        True
    """
    return lookup(AGENTS, name, "strategy")


def build_agent(  # noqa: PLR0917 - documented positional order
    spec: AgentSpec,
    utilities: NDArray[np.float64],
    layout: SpaceLayout,
    reservation: float,
    discount: float | None = None,
    accept: AcceptanceCondition | None = None,
    ordinal: Sequence[int] | None = None,
    *,
    numeric: bool = False,
) -> OutcomeNegotiator:
    """An :class:`OutcomeNegotiator` following ``spec`` on normalised utilities.

    Args:
        spec: the agent.
        utilities: own normalised utility of every outcome.
        layout: the space's index arrays.
        reservation: own normalised reservation.
        discount: own time discount (None: none).
        accept: an acceptance condition replacing the agent's own.
        ordinal: per issue, the direction the opponent gains in (0: unordered; see
            :class:`OutcomeNegotiator`). Only agents with ``model_ordinal`` use it.
        numeric: the space has an integer or continuous issue (agents with ``nash_floor``
            use the floor only there; the ``categorical_*`` settings apply only where there
            is neither such an issue nor an ordered one).
    """
    ordered = spec.model_ordinal and ordinal is not None and all(ordinal)
    floor = spec.nash_floor and numeric and not ordered
    categorical = not numeric and not (ordinal is not None and any(ordinal))
    window = _pick(spec.window, spec.ordered_window, ordered)
    return OutcomeNegotiator(
        utilities,
        layout,
        reservation,
        spec.concession,
        accept or spec.accept,
        _pick(window, spec.floor_window, floor),
        spec.slack,
        spec.model_after,
        discount,
        spec.accept_last,
        ordinal if spec.model_ordinal else None,
        _pick(spec.own_weight, spec.ordered_own_weight, ordered),
        floor,
        spec.categorical_prior if categorical else None,
        spec.categorical_window_per_step if categorical else None,
        spec.categorical_dominance and categorical,
    )


def _pick(general: float, ordered_value: float | None, ordered: bool) -> float:
    return ordered_value if ordered and ordered_value is not None else general
