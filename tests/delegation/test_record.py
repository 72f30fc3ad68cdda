"""Reading a run's state: each JSON artefact is validated once, however many steps read it."""

from __future__ import annotations

import copy

from negotiator.delegation import record
from negotiator.delegation.demo import demo_setup
from negotiator.delegation.record import RunView


def _state() -> dict[str, object]:
    request = demo_setup("success").request.model_dump(mode="json")
    return {"run_id": "r1", "phase": "announce", "request": request}


def test_the_same_json_object_read_by_two_views_is_validated_once() -> None:
    state = _state()
    first = RunView(state).request
    assert RunView(dict(state)).request is first  # a new state dict holding the same value


def test_an_equal_but_distinct_json_value_is_validated_on_its_own() -> None:
    state = _state()
    again = copy.deepcopy(state)
    assert RunView(again).request == RunView(state).request
    assert RunView(again).request is not RunView(state).request


def test_a_replaced_value_is_read_afresh() -> None:
    state = _state()
    before = RunView(state).request
    task = dict(state["request"]["task"]) | {"id": "task-other"}  # type: ignore[index]
    state["request"] = dict(state["request"]) | {"task": task}  # type: ignore[operator]
    assert RunView(state).request.task.id == "task-other"
    assert before.task.id == "task-react-dashboard"


def test_the_memory_of_validated_values_stays_bounded() -> None:
    states = [_state() for _ in range(record._REMEMBERED + 20)]
    oldest = RunView(states[0]).request
    parsed = [RunView(state).request for state in states[1:]]
    assert len(record._parsed) <= record._REMEMBERED
    assert RunView(states[-1]).request is parsed[-1]  # the recent ones are remembered
    assert RunView(states[0]).request is not oldest  # the oldest was forgotten
