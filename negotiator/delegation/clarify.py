"""Clarification before bidding: questions, deduplicated, answered once, broadcast as one FAQ.

One round: every eligible bidder asks (its model, or deterministically about the applicable
topics it cares about that are still unresolved, see :mod:`negotiator.delegation.topics`);
questions on the same topic — or with the same normalised text — form one
:class:`QuestionGroup` answered once; the answers are appended to the task's :class:`Faq`,
which every bidder sees (no private answers). An answer may make further topics apply (e.g.
"virtual scrolling" raises the table-size question), so rounds repeat until nobody asks
anything new or the round limit is reached.

The delegator answers with its model, deterministically (:func:`deterministic_answer`: its
briefing, then what the spec itself says, then the FAQ it was given), or through a human.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.bidders import BidderProfile, bidder_questions
from negotiator.delegation.topics import TOPICS, field_answer
from negotiator.llm.guard import ask_structured
from negotiator.llm.prompts import render_prompt
from negotiator.llm.protocol import ModelClient, ModelResult, StructuredCall
from negotiator.wire.clarification import Answer, Faq, FaqEntry, Question
from negotiator.wire.common import TEXT_PATTERN, canonical_json
from negotiator.wire.task import TaskSpec

__all__ = [
    "NOT_SPECIFIED",
    "AnswerText",
    "HumanAnswer",
    "HumanAnswers",
    "QuestionGroup",
    "QuestionList",
    "anonymise",
    "answer",
    "ask",
    "deterministic_answer",
    "group_questions",
    "human_answers",
    "publish",
    "question_topic",
    "resolved_topics",
]

NOT_SPECIFIED = "Not specified in the task; state the reading you assume in your bid."
_WORDS = re.compile(r"[a-z0-9]+")
_BY_QUESTION = {t.question: t for t in TOPICS}

_QuestionText = Annotated[str, Field(min_length=3, max_length=300, pattern=TEXT_PATTERN)]


class QuestionList(BaseModel):
    """What a bidder's model returns when asked for its questions (empty when all is clear)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    questions: tuple[_QuestionText, ...] = Field(
        max_length=3,
        description="At most three short, specific questions about the task; none if it is clear.",
    )


class AnswerText(BaseModel):
    """What the delegator's model returns when asked to answer one question."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=600,
        pattern=TEXT_PATTERN,
        description="A factual, specific answer of one or two sentences.",
    )


class QuestionGroup(BaseModel):
    """Questions that are duplicates of each other, answered once."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: str = Field(description="Dedup key: a topic key or 'text:' + the normalised text.")
    text: str = Field(description="The first question's text.")
    about_field: str | None = Field(default=None, description="Task field it is about, if known.")
    question_ids: tuple[str, ...] = Field(description="Every question in the group.")


def question_topic(text: str) -> str:
    """Return the dedup key of a question: its topic key, or its normalised text."""
    topic = _BY_QUESTION.get(text)
    return topic.key if topic else "text:" + " ".join(_WORDS.findall(text.lower()))


def _answers(faq: Faq) -> list[str]:
    return [e.answer for e in faq.entries]


def resolved_topics(faq: Faq) -> tuple[str, ...]:
    """Return the dedup keys of every question the FAQ answers (resolved topics), in order."""
    return tuple(dict.fromkeys(question_topic(e.question) for e in faq.entries))


async def ask(
    client: ModelClient,
    profile: BidderProfile,
    task: TaskSpec,
    faq: Faq,
    round_no: int,
) -> tuple[tuple[Question, ...], ModelResult[QuestionList]]:
    """Ask ``profile``'s questions for round ``round_no`` (model, or deterministic fallback).

    Returns:
        The questions (provisional ids ``r<round>-<bidder id>-<n>``, private to the hub: see
        :func:`anonymise`) and the seam's result.
    """
    topics = bidder_questions(profile, task, _answers(faq), resolved_topics(faq))
    messages = render_prompt(
        "clarify.question",
        {
            "bidder_id": profile.bidder_id,
            "task": canonical_json(task),
            "faq": canonical_json(faq),
        },
    )
    call = StructuredCall(
        step="clarify.question",
        messages=messages,
        output_type=QuestionList,
        fallback=lambda: QuestionList(questions=tuple(t.question for t in topics[:3])),
        agent=profile.bidder_id,
    )
    result = await ask_structured(client, call)
    questions = tuple(
        Question(
            id=f"r{round_no}-{profile.bidder_id}-{i + 1}",
            task_id=task.id,
            bidder_id=profile.bidder_id,
            text=text,
            about_field=_BY_QUESTION[text].about_field if text in _BY_QUESTION else None,
        )
        for i, text in enumerate(result.value.questions)
    )
    return questions, result


def anonymise(questions: Sequence[Question], round_no: int) -> tuple[Question, ...]:
    """Give a round's questions ids that say nothing about who asked: ``r<round>-q<k>``.

    The FAQ broadcast to every bidder lists the ids of the questions each answer resolves; an id
    holding the asker's id would tell a sealed-bid market who its competitors are. The questions
    are numbered in the order of their text (then asker, only to break exact ties), so neither
    the id nor its number reveals the asker; the hub keeps ``bidder_id`` on the question itself.
    The questions stay in their given order (only the ids change).

    Example:
        >>> q = Question(id="r1-did:web:a.ai-1", task_id="t", bidder_id="did:web:a.ai", text="Why?")
        >>> anonymise([q], 1)[0].id
        'r1-q1'
    """
    ordered = sorted(
        range(len(questions)), key=lambda i: (questions[i].text, questions[i].bidder_id)
    )
    number = {i: k for k, i in enumerate(ordered, start=1)}
    return tuple(
        q.model_copy(update={"id": f"r{round_no}-q{number[i]}"}) for i, q in enumerate(questions)
    )


def group_questions(questions: Sequence[Question], faq: Faq) -> tuple[QuestionGroup, ...]:
    """Group duplicate questions (same topic key), dropping those the FAQ already answers.

    Groups keep the order of their first question; ``questions`` should be in a deterministic
    order (bidders sorted by id).
    """
    answered = set(resolved_topics(faq))
    groups: dict[str, QuestionGroup] = {}
    for q in questions:
        key = question_topic(q.text)
        if key in answered:
            continue
        prev = groups.get(key)
        if prev is None:
            groups[key] = QuestionGroup(
                topic=key, text=q.text, about_field=q.about_field, question_ids=(q.id,)
            )
        else:
            groups[key] = prev.model_copy(update={"question_ids": (*prev.question_ids, q.id)})
    return tuple(groups.values())


def deterministic_answer(task: TaskSpec, briefing: Mapping[str, str], group: QuestionGroup) -> str:
    """Answer ``group`` from the delegator's briefing, the spec itself, or the FAQ it was given.

    Example:
        >>> from negotiator.delegation.demo import demo_task
        >>> g = QuestionGroup(topic="performance-focus", text="Bundle size or runtime?",
        ...     question_ids=("q1",))
        >>> deterministic_answer(demo_task(), {"performance-focus": "Runtime rendering."}, g)
        'Runtime rendering.'
    """
    if group.topic in briefing:
        return briefing[group.topic]
    if group.about_field is not None:
        from_spec = field_answer(task, group.about_field)
        if from_spec is not None:
            return from_spec
    for entry in task.faq:
        if question_topic(entry.question) == group.topic:
            return entry.answer
    return NOT_SPECIFIED


async def answer(
    client: ModelClient,
    task: TaskSpec,
    briefing: Mapping[str, str],
    group: QuestionGroup,
) -> tuple[Answer, ModelResult[AnswerText]]:
    """Answer one question group as the delegator (model, or deterministic fallback)."""
    fallback = deterministic_answer(task, briefing, group)
    messages = render_prompt(
        "clarify.answer",
        {
            "task": canonical_json(task),
            "briefing": "\n".join(f"- {v}" for _, v in sorted(briefing.items())) or "- (none)",
            "question": group.text,
        },
    )
    call = StructuredCall(
        step="clarify.answer",
        messages=messages,
        output_type=AnswerText,
        fallback=lambda: AnswerText(text=fallback),
        agent=task.delegator_id,
    )
    result = await ask_structured(client, call)
    return make_answer(task, group, result.value.text), result


def make_answer(task: TaskSpec, group: QuestionGroup, text: str) -> Answer:
    """Return the delegator's :class:`Answer` to ``group`` with ``text``."""
    return Answer(
        task_id=task.id, question_ids=group.question_ids, text=text, answered_by=task.delegator_id
    )


def publish(
    faq: Faq, groups: Sequence[QuestionGroup], answers: Sequence[Answer]
) -> tuple[Faq, tuple[str, ...]]:
    """Append the answers to the FAQ broadcast to every bidder.

    Returns:
        The new FAQ and the topic keys it resolved.
    """
    entries = tuple(
        FaqEntry(question=g.text, answer=a.text, question_ids=a.question_ids)
        for g, a in zip(groups, answers, strict=True)
    )
    new = faq.model_copy(update={"entries": (*faq.entries, *entries)})
    return Faq.model_validate(new.model_dump()), tuple(g.topic for g in groups)


class HumanAnswer(BaseModel):
    """A human's answer to one pending question group (the interrupt shows the topics)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: str = Field(description="The group's topic key, as shown in the interrupt.")
    text: str = Field(
        min_length=1, max_length=2000, pattern=TEXT_PATTERN, description="The answer."
    )


class HumanAnswers(BaseModel):
    """The typed resume value of the ``answer`` interrupt."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    answers: tuple[HumanAnswer, ...] = Field(description="One answer per pending topic.")


def human_answers(
    task: TaskSpec,
    briefing: Mapping[str, str],
    groups: Sequence[QuestionGroup],
    reply: HumanAnswers,
) -> list[Answer]:
    """Turn a human's reply into answers; a group left unanswered gets the deterministic one."""
    given = {a.topic: a.text for a in reply.answers}
    return [
        make_answer(task, g, given.get(g.topic) or deterministic_answer(task, briefing, g))
        for g in groups
    ]
