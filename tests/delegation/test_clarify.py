from __future__ import annotations

import asyncio
from typing import Any

from negotiator.delegation.clarify import (
    NOT_SPECIFIED,
    HumanAnswer,
    HumanAnswers,
    QuestionGroup,
    ask,
    deterministic_answer,
    group_questions,
    human_answers,
    publish,
    question_topic,
    resolved_topics,
)
from negotiator.delegation.demo import BRIEFING
from negotiator.llm.deterministic import DeterministicClient
from negotiator.wire.clarification import Faq, FaqEntry, Question
from negotiator.wire.task import TaskSpec

SEED_Q = "Should the optimisation target bundle size or runtime rendering?"


def q(qid: str, text: str, bidder: str = "did:web:a.ai") -> Question:
    return Question(id=qid, task_id="task-react-dashboard", bidder_id=bidder, text=text)


def test_deterministic_bidders_ask_the_seed_question(task: TaskSpec, bidders: Any) -> None:
    fast = next(b for b in bidders if b.bidder_id == "did:web:fast-coder.ai")
    faq = Faq(task_id=task.id)
    questions, result = asyncio.run(ask(DeterministicClient(), fast, task, faq, 1))
    assert [x.text for x in questions] == [SEED_Q]
    assert questions[0].id == "r1-did:web:fast-coder.ai-1"
    assert questions[0].about_field == "description"
    assert result.source.value == "fallback"


def test_duplicates_are_grouped_and_answered_once() -> None:
    questions = [
        q("q1", SEED_Q, "did:web:a.ai"),
        q("q2", "Are there limits on CPU time, memory or model tokens?", "did:web:b.ai"),
        q("q3", SEED_Q, "did:web:c.ai"),
        q("q4", "What   is the DEADLINE?", "did:web:d.ai"),
        q("q5", "what is the deadline", "did:web:e.ai"),
    ]
    groups = group_questions(questions, Faq(task_id="task-react-dashboard"))
    assert [(g.topic, g.question_ids) for g in groups] == [
        ("performance-focus", ("q1", "q3")),
        ("resource-limits", ("q2",)),
        ("text:what is the deadline", ("q4", "q5")),
    ]


def test_questions_already_in_the_faq_are_dropped() -> None:
    faq = Faq(
        task_id="task-react-dashboard",
        entries=(FaqEntry(question=SEED_Q, answer="Runtime.", question_ids=("old",)),),
    )
    assert group_questions([q("q9", SEED_Q)], faq) == ()
    assert resolved_topics(faq) == ("performance-focus",)


def test_deterministic_answer_sources(task: TaskSpec) -> None:
    group = QuestionGroup(topic="performance-focus", text=SEED_Q, question_ids=("q1",))
    assert deterministic_answer(task, BRIEFING, group) == (
        "Runtime rendering, especially virtual scrolling of large data tables."
    )
    limits = QuestionGroup(
        topic="resource-limits", text="limits?", about_field="resource_bounds", question_ids=("q2",)
    )
    assert deterministic_answer(task, {}, limits) == "No limits on CPU, memory or tokens."
    unknown = QuestionGroup(topic="text:colour", text="Colour?", question_ids=("q3",))
    assert deterministic_answer(task, {}, unknown) == NOT_SPECIFIED


def test_publish_broadcasts_one_faq(task: TaskSpec) -> None:
    groups = [QuestionGroup(topic="performance-focus", text=SEED_Q, question_ids=("q1", "q3"))]
    answers = human_answers(task, BRIEFING, groups, HumanAnswers(answers=()))
    faq, resolved = publish(Faq(task_id=task.id), groups, answers)
    assert resolved == ("performance-focus",)
    assert faq.entries[0].question_ids == ("q1", "q3")
    assert faq.entries[0].answer.startswith("Runtime rendering")


def test_human_answer_wins_over_the_briefing(task: TaskSpec) -> None:
    groups = [QuestionGroup(topic="performance-focus", text=SEED_Q, question_ids=("q1",))]
    reply = HumanAnswers(answers=(HumanAnswer(topic="performance-focus", text="Bundle size."),))
    [a] = human_answers(task, BRIEFING, groups, reply)
    assert a.text == "Bundle size."
    assert a.answered_by == task.delegator_id


def test_question_topic_normalises_free_text() -> None:
    assert question_topic(SEED_Q) == "performance-focus"
    assert question_topic("  Which  browsers?! ") == "text:which browsers"
