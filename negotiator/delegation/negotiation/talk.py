"""The model's part in a negotiation: choose one of the policy's feasible offers and word it.

The side's numeric policy computes up to :data:`MAX_OPTIONS` offers it would send (option 1 is
the policy's own; the others are at least as good for the side). The model answers an
:class:`OfferReply` — an option number the JSON grammar bounds, and a note for the other side —
so even a small model can only choose among feasible offers. The chosen terms are checked once
more against the side's policy (:func:`policy_problems`: never below the reservation, never
over budget, never worse for the side than the policy's own offer); a choice that fails, an
invalid answer after the re-ask, or a call slower than the timeout sends option 1, and the
record says why. The other side's note reaches the prompt as quoted data only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from negotiator.delegation.negotiation.terms import ContractTerms
from negotiator.llm.prompts import render_prompt
from negotiator.llm.protocol import ModelClient, ModelResult, ResultSource, StructuredCall
from negotiator.wire.common import Text

__all__ = ["MAX_OPTIONS", "OfferReply", "Option", "choose_offer", "policy_problems"]

#: Offers shown to the model at most (the JSON schema bounds the answer's option number).
MAX_OPTIONS = 3


class OfferReply(BaseModel):
    """A side's model answer: which feasible offer to send, and the note that goes with it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    option: int = Field(ge=1, le=MAX_OPTIONS, description="Number of the offer to send: 1, 2 or 3.")
    message: Text = Field(
        max_length=400, description="One or two sentences to the other side about this offer."
    )


@dataclass(frozen=True)
class Option:
    """One feasible offer: its grid outcome, its terms and the side's own utility of it."""

    outcome: int
    terms: ContractTerms
    utility: float


def policy_problems(
    terms: ContractTerms, utility: float, floor: float, reservation: float, budget: float
) -> list[str]:
    """Why the side's numeric policy refuses to send ``terms`` (empty when it accepts them).

    Example:
        >>> from decimal import Decimal
        >>> t = ContractTerms(price=Decimal("50"), duration_seconds=300, cadence_seconds=300,
        ...     penalty_share=0.5, bond=Decimal("0.50"), cancellation_rate=1.0)
        >>> policy_problems(t, 0.1, 0.2, 0.15, 10.0)[0]
        '$.price.amount: 50 is over the budget of 10'
    """
    problems = []
    if float(terms.price) > budget + 1e-9:
        problems.append(f"$.price.amount: {terms.price} is over the budget of {budget:g}")
    if utility < reservation - 1e-9:
        problems.append(f"$: utility {utility:.4f} is below the reservation {reservation:.4f}")
    if utility < floor - 1e-9:
        problems.append(f"$: utility {utility:.4f} is below the policy's offer {floor:.4f}")
    return problems


def _options_text(options: Sequence[Option], currency: str) -> str:
    return "\n".join(f"{i}. {o.terms.describe(currency)}" for i, o in enumerate(options, 1))


def _fallback_note(role: str, terms: ContractTerms, currency: str) -> str:
    verb = "propose" if role == "delegator" else "offer"
    return f"We {verb}: {terms.describe(currency)}."


async def choose_offer(
    client: ModelClient,
    *,
    agent_id: str,
    role: str,
    counterpart: str,
    received: str,
    options: Sequence[Option],
    reservation: float,
    budget: float,
    currency: str,
    timeout: float,
) -> tuple[Option, str, ModelResult[OfferReply]]:
    """Ask the side's model to choose one of ``options`` and word it; fall back to option 1.

    Returns:
        The chosen option, the note for the other side, and the model result (its source and
        fallback reason are what the transcript records).
    """
    policy = options[0]

    def fallback() -> OfferReply:
        return OfferReply(option=1, message=_fallback_note(role, policy.terms, currency))

    def check(reply: OfferReply) -> list[str]:
        if reply.option > len(options):
            return [f"$.option: {reply.option} is not one of the {len(options)} options"]
        chosen = options[reply.option - 1]
        return policy_problems(chosen.terms, chosen.utility, policy.utility, reservation, budget)

    call = StructuredCall(
        step="negotiate.offer",
        messages=render_prompt(
            "negotiate.offer",
            {
                "agent_id": agent_id,
                "role": role,
                "counterpart": counterpart,
                "received": received,
                "options": _options_text(options, currency),
            },
        ),
        output_type=OfferReply,
        fallback=fallback,
        check=check,
        agent=agent_id,
    )
    result = await _with_timeout(client, call, timeout, fallback)
    reply = result.value
    if check(reply):  # a stand-in that skipped the check cannot move a number either
        reply = fallback()
        result = ModelResult(
            reply,
            ResultSource.FALLBACK,
            result.usage,
            result.attempts,
            "the chosen offer failed the policy check",
            result.meta,
        )
    return options[reply.option - 1], reply.message, result


async def _with_timeout(
    client: ModelClient,
    call: StructuredCall[OfferReply],
    timeout: float,
    fallback: Callable[[], OfferReply],
) -> ModelResult[OfferReply]:
    try:
        return await asyncio.wait_for(client.structured(call), timeout)
    except TimeoutError:
        reason = f"timeout: no answer within {timeout:g} s"
        return ModelResult(fallback(), ResultSource.FALLBACK, fallback_reason=reason)
