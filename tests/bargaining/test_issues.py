from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.bargaining import (
    CategoricalIssue,
    ContinuousIssue,
    IntegerIssue,
    OutcomeSpace,
    SpaceLayout,
)
from negotiator.errors import InvalidInputError


def space() -> OutcomeSpace:
    return OutcomeSpace(
        issues=(
            CategoricalIssue(name="colour", values=("red", "green", "blue")),
            IntegerIssue(name="days", low=1, high=4),
            ContinuousIssue(name="price", low=0.0, high=1.0, levels=5),
        )
    )


def test_outcomes_are_numbered_in_c_order() -> None:
    s = space()
    assert s.size == 60 and s.shape == (3, 4, 5)
    assert s.outcome(0) == ("red", 1, 0.0)
    assert s.outcome(1) == ("red", 1, 0.25)
    assert s.outcome(59) == ("blue", 4, 1.0)
    assert s.grid.shape == (60, 3)
    assert s.grid[7].tolist() == [0, 1, 2]


@given(st.integers(0, 59))
def test_index_of_inverts_outcome(i: int) -> None:
    s = space()
    assert s.index_of(s.outcome(i)) == i


def test_bad_outcomes_name_the_position() -> None:
    s = space()
    with pytest.raises(InvalidInputError, match=r"\$\[0\].*'purple'"):
        s.index_of(("purple", 1, 0.0))
    with pytest.raises(InvalidInputError, match=r"\$\[1\].*outside"):
        s.index_of(("red", 9, 0.0))
    with pytest.raises(InvalidInputError, match="expected 3 values"):
        s.index_of(("red",))
    with pytest.raises(InvalidInputError, match=r"outside 0\.\.59"):
        s.outcome(60)


def test_issue_validation() -> None:
    with pytest.raises(ValueError, match="distinct"):
        CategoricalIssue(name="c", values=("a", "a"))
    with pytest.raises(ValueError, match="below low"):
        IntegerIssue(name="i", low=3, high=1)
    with pytest.raises(ValueError, match="unique"):
        OutcomeSpace(issues=(IntegerIssue(name="i", low=0, high=1),) * 2)


def test_layout_slots_point_into_one_flat_vector() -> None:
    layout = SpaceLayout.of_shape((2, 3))
    assert layout.starts.tolist() == [0, 2]
    assert layout.issue_of.tolist() == [0, 0, 1, 1, 1]
    assert layout.slots.tolist() == [[0, 2], [0, 3], [0, 4], [1, 2], [1, 3], [1, 4]]
