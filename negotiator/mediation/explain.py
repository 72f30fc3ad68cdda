"""Words from the model, numbers from the mediator: explaining a mediation result.

The mediator's proposal and δ come from :func:`negotiator.mediation.mediator.mediate`; this
module only *words* them, through the model seam (``ModelClient.text``) with a deterministic
template as the fallback. The returned :class:`Explanation` carries the proposal object it was
given, untouched: nothing in the model's text is ever parsed back, so a wrong or manipulated
answer can change the wording but never the numbers.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, Field

from negotiator.llm.guard import ask_text
from negotiator.llm.prompts import render_prompt
from negotiator.llm.protocol import ModelClient, ResultSource, TextCall
from negotiator.mediation.mediator import MediationResult, MediationStatus
from negotiator.mediation.space import Proposal

__all__ = ["EXPLAIN_PROMPT", "Explanation", "explain_mediation", "template_explanation"]

#: Name of the prompt template (``prompts/mediation.explain.v1.md``).
EXPLAIN_PROMPT = "mediation.explain"
STEP = "mediation.explain"


class Explanation(BaseModel):
    """A mediation result put into words; the numbers are the mediator's, never the model's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(description="The explanation (model or template).")
    source: ResultSource = Field(description="Where the text came from.")
    proposal: Proposal | None = Field(description="The mediator's chosen proposal, unchanged.")
    delta: float | None = Field(description="The mediator's δ, unchanged.")


def _values(p: Proposal) -> str:
    return ", ".join(f"{k} {v:g}" for k, v in p.values.items())


def _comparison(chosen: Proposal, equal: Proposal) -> str:
    if equal == chosen:
        return "It is also the most equal proposal found."
    both_more = (
        chosen.anchor_utility > equal.anchor_utility
        and chosen.counterpart_utility > equal.counterpart_utility
        and chosen.counterpart == equal.counterpart
    )
    if both_more:
        return (
            f"The most equal proposal found ({_values(equal)}; difference "
            f"{equal.difference:.2f}) would give both sides less: "
            f"{equal.anchor_utility:.2f} and {equal.counterpart_utility:.2f}."
        )
    return (
        f"The most equal proposal found (with {equal.counterpart}: {_values(equal)}; "
        f"difference {equal.difference:.2f}) has a utility sum of only {equal.total:.2f}."
    )


def template_explanation(result: MediationResult) -> str:
    """The deterministic explanation, built from the numbers alone.

    Example:
        >>> from negotiator.mediation.mediator import MediationResult, MediationStatus
        >>> r = MediationResult(status=MediationStatus.NO_PROPOSAL, anchor="A", deal_zone=0.5,
        ...     chosen=None, delta=None, chosen_rank=None, proposals=[], feasible=0,
        ...     evaluations=10, generations=1, skipped=[])
        >>> template_explanation(r)
        'No proposal found has a utility difference within the deal zone of 0.5.'
    """
    chosen = result.chosen
    if result.status is MediationStatus.NO_PROPOSAL or chosen is None:
        return (
            f"No proposal found has a utility difference within the deal zone of "
            f"{result.deal_zone:g}."
        )
    lines = [
        f"The mediator proposes to {result.anchor} and {chosen.counterpart}: {_values(chosen)}.",
        f"{result.anchor} gets a utility of {chosen.anchor_utility:.2f} and "
        f"{chosen.counterpart} {chosen.counterpart_utility:.2f} (sum {chosen.total:.2f}); "
        f"the difference δ = {chosen.difference:.2f} is within the deal zone of "
        f"{result.deal_zone:g}.",
    ]
    if result.proposals:
        lines.append(_comparison(chosen, result.proposals[0]))
    return " ".join(lines)


def _dump(p: Proposal) -> str:
    return json.dumps(p.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


async def explain_mediation(result: MediationResult, client: ModelClient) -> Explanation:
    """Explain ``result`` in words through ``client`` (template fallback; numbers unchanged).

    Without a proposal no model is asked: the template says that none was found.

    Example:
        >>> import asyncio
        >>> from negotiator.llm.deterministic import DeterministicClient
        >>> from negotiator.mediation.mediator import MediationResult, MediationStatus
        >>> r = MediationResult(status=MediationStatus.NO_PROPOSAL, anchor="A", deal_zone=0.5,
        ...     chosen=None, delta=None, chosen_rank=None, proposals=[], feasible=0,
        ...     evaluations=10, generations=1, skipped=[])
        >>> asyncio.run(explain_mediation(r, DeterministicClient())).source.value
        'fallback'
    """
    fallback = template_explanation(result)
    chosen = result.chosen
    if chosen is None:
        return Explanation(text=fallback, source=ResultSource.FALLBACK, proposal=None, delta=None)
    most_equal = result.proposals[0] if result.proposals else chosen
    messages = render_prompt(
        EXPLAIN_PROMPT,
        {
            "proposal": _dump(chosen),
            "delta": f"{chosen.difference:.6g}",
            "deal_zone": f"{result.deal_zone:g}",
            "most_equal": _dump(most_equal),
        },
    )
    answer = await ask_text(client, TextCall(STEP, messages, lambda: fallback, agent="mediator"))
    text, source = answer.value.strip(), answer.source
    if not text:
        text, source = fallback, ResultSource.FALLBACK
    return Explanation(text=text, source=source, proposal=chosen, delta=result.delta)
