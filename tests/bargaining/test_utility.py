from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.bargaining import (
    AdditiveUtility,
    BinaryValue,
    CategoricalIssue,
    CurveValue,
    IntegerIssue,
    LinearValue,
    OutcomeSpace,
    PiecewiseLinearValue,
    TableValue,
    generated_scenario,
)
from negotiator.errors import InvalidInputError

SPACE = OutcomeSpace(
    issues=(
        CategoricalIssue(name="delivery", values=("yes", "no")),
        IntegerIssue(name="price", low=8, high=13),
        CategoricalIssue(name="pay", values=("card", "cash", "wire")),
    )
)


def test_seed001_continuous_formula_for_the_buyer() -> None:
    # P_b = (b_max - x) / (b_max - b_min): the buyer's profit falls linearly with the price.
    v = LinearValue(low=8000, high=13000, increasing=False)
    assert v.on(np.array([8000.0, 10500.0, 13000.0, 20000.0])).tolist() == [1.0, 0.5, 0.0, 0.0]


def test_value_functions() -> None:
    assert BinaryValue(preferred="yes").on(("yes", "no")).tolist() == [1.0, -1.0]
    assert CurveValue(low=0, high=4, exponent=0.5).on(np.array([1.0])).tolist() == [0.5]
    pl = PiecewiseLinearValue(points=((0, 0), (2, 1), (4, 0)))
    assert pl.on(np.array([-1.0, 1.0, 3.0, 9.0])).tolist() == [0.0, 0.5, 0.5, 0.0]
    with pytest.raises(ValueError, match="strictly increase"):
        PiecewiseLinearValue(points=((1, 0), (1, 1)))


def utility(w: tuple[float, float, float]) -> AdditiveUtility:
    return AdditiveUtility(
        weights=w,
        values=(
            BinaryValue(preferred="yes"),
            LinearValue(low=8, high=13, increasing=False),
            TableValue(table={"card": 0.2, "cash": 1.0, "wire": 0.6}),
        ),
        reservation=0.1,
    )


@given(st.lists(st.floats(0.01, 1.0), min_size=3, max_size=3))
def test_space_evaluation_equals_per_outcome_evaluation(raw: list[float]) -> None:
    w = tuple(x / sum(raw) for x in raw)
    w = (w[0], w[1], 1.0 - w[0] - w[1])
    u = utility(w)  # type: ignore[arg-type]
    whole = u.evaluate_space(SPACE)
    one_by_one = [u.evaluate(SPACE.outcome(i)) for i in range(SPACE.size)]
    assert np.allclose(whole, one_by_one)


def test_weights_must_sum_to_one_and_fit_the_space() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        AdditiveUtility(weights=(0.5, 0.4), values=(LinearValue(low=0, high=1),) * 2)
    with pytest.raises(ValueError, match="non-negative"):
        AdditiveUtility(weights=(1.5, -0.5), values=(LinearValue(low=0, high=1),) * 2)
    bad = AdditiveUtility(
        weights=(0.2, 0.4, 0.4),
        values=(
            LinearValue(low=0, high=1),
            TableValue(table={"x": 1.0}),
            TableValue(table={"card": 1.0}),
        ),
    )
    with pytest.raises(InvalidInputError) as err:
        bad.evaluate_space(SPACE)
    paths = [e.path for e in err.value.errors]
    assert paths == ["$.values[0]", "$.values[1]", "$.values[2]"]
    assert "no utility for ['cash', 'wire']" in str(err.value)


def test_discount() -> None:
    u = utility((0.2, 0.4, 0.4)).model_copy(update={"discount": 0.5})
    assert u.discounted(0.8, 1.0) == pytest.approx(0.4)
    assert utility((0.2, 0.4, 0.4)).discounted(0.8, 1.0) == 0.8


def test_generated_domain_is_reproducible_and_normalised() -> None:
    a, b = generated_scenario(7), generated_scenario(7)
    assert np.array_equal(a.utility_matrix, b.utility_matrix)
    assert a.utility_matrix.shape == (2, 1000)
    assert np.allclose(a.utility_matrix.max(axis=1), 1.0)
    assert np.allclose(a.utility_matrix.min(axis=1), 0.0)
    assert not np.array_equal(a.utility_matrix, generated_scenario(8).utility_matrix)
