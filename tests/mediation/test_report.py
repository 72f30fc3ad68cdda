"""The table-1 rendering."""

from __future__ import annotations

import numpy as np

from negotiator.mediation.ga import GAConfig
from negotiator.mediation.mediator import mediate
from negotiator.mediation.report import chosen_line, table_lines
from negotiator.mediation.space import ProposalSpace


def test_table_marks_the_chosen_proposal(one_to_n: ProposalSpace) -> None:
    result = mediate(one_to_n, 1.0, GAConfig(), np.random.default_rng(2), list_size=3)
    lines = table_lines(result)
    assert "difference" in lines[0] and "price" in lines[0] and "days" in lines[0]
    assert len([ln for ln in lines if ln.startswith("*")]) == 1
    assert result.chosen_rank is not None
    if result.chosen_rank > 3:
        assert lines[-2].strip() == "..."
        assert lines[-1].startswith(f"*{result.chosen_rank:>4}")
    line = chosen_line(result)
    assert f"δ = {result.delta:.3f}" in line
    assert f"rank {result.chosen_rank} of {result.feasible}" in line
