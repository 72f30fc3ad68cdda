from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.delegation.reputation import damped_update
from negotiator.errors import InvalidInputError, UnknownKeyError


def test_breach_is_damped() -> None:
    u = damped_update("did:web:a", Decimal("0.92"), "breached")
    assert u.after == Decimal("0.7360")  # 0.92 + 0.2 * (0 - 0.92)


def test_completion_moves_towards_one() -> None:
    assert damped_update("a", Decimal("0.92"), "completed").after == Decimal("0.9360")


def test_cancellation_leaves_reputation() -> None:
    assert damped_update("a", Decimal("0.5"), "cancelled").after == Decimal("0.5")


def test_bad_inputs() -> None:
    with pytest.raises(UnknownKeyError, match="expected one of: breached, cancelled, completed"):
        damped_update("a", Decimal("0.5"), "exploded")
    with pytest.raises(InvalidInputError, match=r"\$.before"):
        damped_update("a", Decimal("1.5"), "completed")
    with pytest.raises(InvalidInputError, match=r"\$.damping"):
        damped_update("a", Decimal("0.5"), "completed", Decimal(0))


@given(
    st.decimals(min_value=0, max_value=1, places=4),
    st.sampled_from(["completed", "breached"]),
    st.decimals(min_value=Decimal("0.01"), max_value=1, places=2),
)
def test_one_update_never_jumps_more_than_damping(
    before: Decimal, outcome: str, damping: Decimal
) -> None:
    after = damped_update("a", before, outcome, damping).after
    assert Decimal(0) <= after <= 1
    assert abs(after - before) <= damping + Decimal("0.0001")
