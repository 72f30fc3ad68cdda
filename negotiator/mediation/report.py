"""Plain-text rendering of a mediation result in the shape of seed 002's table 1."""

from __future__ import annotations

from negotiator.mediation.mediator import MediationResult
from negotiator.mediation.space import Proposal

__all__ = ["chosen_line", "table_lines"]


def _row(rank: int | str, p: Proposal, names: list[str], mark: str) -> str:
    values = "".join(f"{p.values[n]:>10g}" for n in names)
    return (
        f"{mark}{rank!s:>4} {p.difference:>10.3f} {p.counterpart:>12} {p.anchor_utility:>9.2f} "
        f"{p.counterpart_utility:>9.2f} {p.total:>9.2f}{values}"
    )


def table_lines(result: MediationResult) -> list[str]:
    """The ranked list (rank, difference, counterpart, U_A, U_B, sum, attribute values).

    The chosen proposal is marked with ``*``; when it ranks below the shown list it is added
    after a ``...`` line.

    Example:
        >>> from negotiator.mediation.mediator import MediationResult, MediationStatus
        >>> r = MediationResult(status=MediationStatus.NO_PROPOSAL, anchor="A", deal_zone=0.5,
        ...     chosen=None, delta=None, chosen_rank=None, proposals=[], feasible=0,
        ...     evaluations=10, generations=1, skipped=[])
        >>> table_lines(r)
        ['(no proposal within the deal zone)']
    """
    if not result.proposals or result.chosen is None:
        return ["(no proposal within the deal zone)"]
    names = list(result.proposals[0].values)
    head = "".join(f"{n[:10]:>10}" for n in names)
    lines = [
        f" {'rank':>4} {'difference':>10} {'counterpart':>12} {result.anchor[:9]:>9} "
        f"{'other':>9} {'sum':>9}{head}"
    ]
    for rank, p in enumerate(result.proposals, start=1):
        lines.append(_row(rank, p, names, "*" if rank == result.chosen_rank else " "))
    if result.chosen_rank is not None and result.chosen_rank > len(result.proposals):
        lines.append("   ...")
        lines.append(_row(result.chosen_rank, result.chosen, names, "*"))
    return lines


def chosen_line(result: MediationResult) -> str:
    """One line: the chosen proposal and its δ (step 10)."""
    p = result.chosen
    if p is None:
        return f"no proposal within the deal zone D = {result.deal_zone:g}"
    values = ", ".join(f"{k} {v:g}" for k, v in p.values.items())
    return (
        f"proposal to {result.anchor} and {p.counterpart}: {values}; "
        f"U_{result.anchor} = {p.anchor_utility:.3f}, U_{p.counterpart} = "
        f"{p.counterpart_utility:.3f}, sum {p.total:.3f}; δ = {p.difference:.3f} "
        f"(rank {result.chosen_rank} of {result.feasible}, deal zone {result.deal_zone:g})"
    )
