from __future__ import annotations

import pytest

from negotiator.delegation.phases import (
    A2A_STATE,
    TERMINAL,
    TRANSITIONS,
    A2ATaskState,
    Phase,
    advance,
)
from negotiator.errors import IllegalTransitionError


def test_table_covers_every_phase_and_maps_to_a2a() -> None:
    assert set(TRANSITIONS) == set(Phase)
    assert set(A2A_STATE) == set(Phase)
    assert {Phase.COMPLETED, Phase.BREACHED, Phase.CANCELLED, Phase.FAILED} == TERMINAL


def test_a2a_mapping_of_key_phases() -> None:
    assert A2A_STATE[Phase.ANNOUNCE] is A2ATaskState.SUBMITTED
    assert A2A_STATE[Phase.ANSWER] is A2ATaskState.INPUT_REQUIRED
    assert A2A_STATE[Phase.MONITOR] is A2ATaskState.WORKING
    assert A2A_STATE[Phase.COMPLETED] is A2ATaskState.COMPLETED
    assert A2A_STATE[Phase.CANCELLED] is A2ATaskState.CANCELED
    assert A2A_STATE[Phase.BREACHED] is A2ATaskState.FAILED


def test_every_phase_is_reachable_from_announce() -> None:
    seen, todo = {Phase.ANNOUNCE}, [Phase.ANNOUNCE]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(Phase)


@pytest.mark.parametrize("current", list(Phase))
def test_advance_allows_exactly_the_table(current: Phase) -> None:
    for nxt in Phase:
        if nxt in TRANSITIONS[current]:
            assert advance(current, nxt) is nxt
        else:
            with pytest.raises(IllegalTransitionError, match=f"from '{current.value}'"):
                advance(current, nxt)


def test_illegal_step_names_the_allowed_ones() -> None:
    with pytest.raises(IllegalTransitionError, match="allowed next phases: contract, failed"):
        advance(Phase.AWARD, Phase.SETTLE)
