"""Clarification topics: what a bidder may need to know before it can price a task.

A topic *applies* to a task when one of its trigger phrases appears in the task's text (title,
description, notes) or in an answer already published in the FAQ, or when the task field it is
about was left unspecified. A bidder asks about the applicable topics it cares about and that are
not yet resolved; each unresolved topic adds to its uncertainty premium. The table is data: add a
row to teach every deterministic bidder a new question.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from negotiator.errors import lookup
from negotiator.wire.task import TaskSpec

__all__ = ["TOPICS", "Topic", "applicable_topics", "field_answer", "topic_for"]


@dataclass(frozen=True)
class Topic:
    """One thing a bidder may ask about.

    Args:
        key: stable id; two questions with the same key are duplicates.
        question: the question a deterministic bidder asks.
        about_field: the task field the question is about.
        triggers: lowercase phrases; the topic applies when one appears in the task or the FAQ.
        unspecified: a task field; the topic applies when that field is empty.
    """

    key: str
    question: str
    about_field: str
    triggers: tuple[str, ...] = ()
    unspecified: str | None = None


TOPICS: tuple[Topic, ...] = (
    Topic(
        "performance-focus",
        "Should the optimisation target bundle size or runtime rendering?",
        "description",
        triggers=("performance",),
    ),
    Topic(
        "table-size",
        "How many rows do the largest data tables hold?",
        "description",
        triggers=("virtual scrolling", "large data tables"),
    ),
    Topic(
        "data-sensitivity",
        "Does the data include personal information that must not leave the executor?",
        "privacy_requirement",
        triggers=("patient", "personal data", "customer data"),
    ),
    Topic(
        "resource-limits",
        "Are there limits on CPU time, memory or model tokens?",
        "resource_bounds",
        unspecified="resource_bounds",
    ),
    Topic(
        "acceptance",
        "Which measurable target decides whether the work is accepted?",
        "performance_requirements",
        unspecified="performance_requirements",
    ),
    Topic(
        "inputs",
        "What access and inputs will the executor be given?",
        "input_requirements",
        unspecified="input_requirements",
    ),
)

_BY_KEY: Mapping[str, Topic] = MappingProxyType({t.key: t for t in TOPICS})


def topic_for(key: str) -> Topic:
    """Return the topic with ``key``.

    Raises:
        UnknownKeyError: no topic has that key.
    """
    return lookup(_BY_KEY, key, "clarification topic")


def _empty(task: TaskSpec, field: str) -> bool:
    value = getattr(task, field)
    if field == "resource_bounds":
        return all(v is None for v in value.model_dump().values())
    return not value


def applicable_topics(task: TaskSpec, answers: Iterable[str] = ()) -> tuple[Topic, ...]:
    """Return the topics that apply to ``task`` given the FAQ ``answers`` published so far.

    Example:
        >>> from negotiator.delegation.demo import demo_task
        >>> [t.key for t in applicable_topics(demo_task())]
        ['performance-focus', 'resource-limits']
        >>> [t.key for t in applicable_topics(demo_task(), ["Virtual scrolling of tables."])]
        ['performance-focus', 'table-size', 'resource-limits']
    """
    text = " ".join([task.title, task.description, *task.notes, *answers]).lower()
    return tuple(
        t
        for t in TOPICS
        if any(p in text for p in t.triggers)
        or (t.unspecified is not None and _empty(task, t.unspecified))
    )


def _limits(task: TaskSpec) -> str:
    b = task.resource_bounds
    parts = [
        f"{name} {value}"
        for name, value in (
            ("CPU seconds", b.max_cpu_seconds),
            ("memory MiB", b.max_memory_mb),
            ("model tokens", b.max_tokens),
        )
        if value is not None
    ]
    return "Limits: " + ", ".join(parts) + "." if parts else "No limits on CPU, memory or tokens."


def _acceptance(task: TaskSpec) -> str:
    reqs = [
        f"{r.metric} {r.comparator.value} {r.threshold:g}" for r in task.performance_requirements
    ]
    return "Accepted when " + " and ".join(reqs) + "." if reqs else "No measurable target is set."


def _inputs(task: TaskSpec) -> str:
    if not task.input_requirements:
        return "No inputs are listed beyond the description."
    return "Provided: " + "; ".join(task.input_requirements) + "."


#: task field -> deterministic answer computed from the spec itself.
_FIELD_ANSWERS: Mapping[str, Callable[[TaskSpec], str]] = MappingProxyType(
    {
        "resource_bounds": _limits,
        "performance_requirements": _acceptance,
        "input_requirements": _inputs,
        "privacy_requirement": lambda t: (
            f"The privacy requirement is '{t.privacy_requirement.value}'."
        ),
    }
)


def field_answer(task: TaskSpec, field: str) -> str | None:
    """Return the answer the spec itself gives about ``field``, or ``None`` if it gives none."""
    answer = _FIELD_ANSWERS.get(field)
    return answer(task) if answer else None
