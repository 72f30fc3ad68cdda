"""Clarification before bidding: a bidder's :class:`Question`, the delegator's :class:`Answer`,
and the :class:`Faq` broadcast to every bidder."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from negotiator.wire.common import SCHEMA_VERSION, AgentId, Identifier, ShortText, Text, WireModel

__all__ = ["Answer", "Faq", "FaqEntry", "Question"]


class Question(WireModel):
    """A bidder's question about a task, asked before it bids.

    Example:
        >>> Question(id="q1", task_id="t1", bidder_id="did:web:fast-coder.ai",
        ...          text="Bundle size or runtime rendering?").about_field is None
        True
    """

    schema_version: Literal[1] = Field(
        default=SCHEMA_VERSION, description="Wire format version; always 1."
    )
    id: Identifier = Field(description="Unique id of this question, e.g. q-3.")
    task_id: Identifier = Field(description="Id of the task the question is about.")
    bidder_id: AgentId = Field(description="Id of the bidder asking.")
    text: Annotated[Text, Field(min_length=1)] = Field(
        description="The question, one clear sentence, e.g. 'Bundle size or runtime rendering?'."
    )
    about_field: ShortText | None = Field(
        default=None,
        description="Name of the task field the question is about (e.g. 'description'), if any.",
    )


class Answer(WireModel):
    """The delegator's answer to one or more (duplicate) questions."""

    schema_version: Literal[1] = Field(
        default=SCHEMA_VERSION, description="Wire format version; always 1."
    )
    task_id: Identifier = Field(description="Id of the task the answer is about.")
    question_ids: Annotated[tuple[Identifier, ...], Field(min_length=1, max_length=64)] = Field(
        description="Ids of the questions this answers; duplicates are answered together."
    )
    text: Annotated[Text, Field(min_length=1)] = Field(
        description=(
            "The answer, factual and specific, e.g. 'Runtime rendering, especially virtual "
            "scrolling of large data tables.'"
        )
    )
    answered_by: AgentId = Field(description="Id of the delegator (or human) who answered.")

    @model_validator(mode="after")
    def _distinct_questions(self) -> Answer:
        if len(set(self.question_ids)) != len(self.question_ids):
            raise ValueError("question_ids must not repeat an id")
        return self


class FaqEntry(WireModel):
    """One question and its answer, as published to every bidder."""

    question: Annotated[Text, Field(min_length=1)] = Field(
        description="The question as asked (the first of any duplicates)."
    )
    answer: Annotated[Text, Field(min_length=1)] = Field(description="The delegator's answer.")
    question_ids: tuple[Identifier, ...] = Field(
        default=(), max_length=64, description="Ids of the questions this entry answers."
    )


class Faq(WireModel):
    """The clarifications of one task, broadcast to all bidders at once (no private answers)."""

    schema_version: Literal[1] = Field(
        default=SCHEMA_VERSION, description="Wire format version; always 1."
    )
    task_id: Identifier = Field(description="Id of the task.")
    entries: tuple[FaqEntry, ...] = Field(
        default=(), max_length=256, description="Questions and answers, in the order answered."
    )
