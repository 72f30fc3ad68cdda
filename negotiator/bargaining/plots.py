"""PNG plots of a bargaining scenario: every outcome, the Pareto frontier, Nash and KS points,
and optionally the offers of a negotiation.

Axes are the two parties' normalised utilities (each party's worst outcome 0, best 1).
matplotlib is an optional extra (``pip install 'negotiator[plot]'``), imported only when a plot
is drawn (:func:`negotiator.plotting.write_png`), with the non-interactive Agg backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from negotiator.bargaining.domains import Scenario
from negotiator.bargaining.protocols import TraceEntry
from negotiator.plotting import write_png

__all__ = ["plot_scenario"]


def plot_scenario(
    scenario: Scenario,
    path: str | Path,
    trace: Sequence[TraceEntry[int]] = (),
    agreement: int | None = None,
) -> Path:
    """Write the outcome space, frontier, Nash and KS points (and offers, if any) as a PNG.

    Raises:
        UsageError: matplotlib is not installed.

    Example:
        >>> from negotiator.bargaining import generated_scenario
        >>> plot_scenario(generated_scenario(1, 2, 5), "/tmp/space.png").suffix  # doctest: +SKIP
        '.png'
    """
    a = scenario.analysis
    u = scenario.normalized_matrix

    def draw(axes: Sequence[Any]) -> None:
        ax = axes[0]
        ax.scatter(u[0], u[1], s=8, color="lightgrey", label="outcomes")
        ax.plot(*a.frontier.T[:2], "-o", ms=3, color="tab:blue", label="Pareto frontier")
        for outcome, label, marker in ((a.nash, "Nash", "*"), (a.kalai, "Kalai–Smorodinsky", "D")):
            if outcome is not None:
                ax.scatter(*u[:2, outcome], s=120, marker=marker, zorder=3, label=label)
        for party, colour in ((0, "tab:orange"), (1, "tab:green")):
            offers = [e.offer for e in trace if e.party == party and e.offer is not None]
            if offers:
                ax.plot(
                    u[0, offers], u[1, offers], ".-", color=colour, label=f"offers of party {party}"
                )
        if agreement is not None:
            ax.scatter(
                *u[:2, agreement], s=160, facecolors="none", edgecolors="red", label="agreement"
            )
        ax.set_xlabel("party 0 utility (normalised)")
        ax.set_ylabel("party 1 utility (normalised)")
        ax.set_title(scenario.name)
        ax.legend(loc="lower left", fontsize=8)

    return write_png(path, (6.5, 6), 1, draw)
