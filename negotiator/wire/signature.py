"""An author's Ed25519 signature over a wire object's canonical content: :class:`Signature`.

What is signed: the content is the object's JSON without its signature field(s); its
``terms_sha256`` is the SHA-256 of the content's RFC 8785 canonical JSON; ``value`` is the
party's Ed25519 signature of the canonical JSON of ``{party_id, terms_sha256, signed_at}``.
Any change to the content, the signer or the time breaks the signature; a JSON round trip
(key order, whitespace, number spelling) does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import AwareDatetime, Field

from negotiator.trust.canonical import canonical_bytes, sha256_of
from negotiator.trust.signing import verify_bytes
from negotiator.wire.common import AgentId, WireModel

if TYPE_CHECKING:
    from negotiator.trust.keys import AgentKey
    from negotiator.trust.registry import KeyRegistry

__all__ = ["SIGNATURE_FIELD", "Signature", "make_signature", "signature_problem", "unsigned"]

SIGNATURE_FIELD: dict[str, Any] = {"readOnly": True}
"""JSON Schema extra of a signature field: filled in by the author's software, never asked of a
language model (the model-facing schema leaves ``readOnly`` properties out)."""


def unsigned(value: object) -> bool:
    """Whether a signature field is empty (an unsigned object is dumped without the field)."""
    return value is None


class Signature(WireModel):
    """A party's Ed25519 signature over a wire object's canonical content."""

    party_id: AgentId = Field(description="Id of the signing party.")
    terms_sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="Lower-case hex SHA-256 of the RFC 8785 canonical JSON of the content.",
    )
    signed_at: AwareDatetime = Field(description="When the party signed (RFC 3339).")
    value: str = Field(
        pattern=r"^[A-Za-z0-9_-]{86}$",
        description="Ed25519 signature (unpadded base64url) of the canonical JSON of "
        "party_id, terms_sha256 and signed_at.",
    )

    def signed_message(self) -> bytes:
        """The exact bytes ``value`` signs."""
        return canonical_bytes(self.model_dump(mode="json", exclude={"value"}))


def make_signature(content: Mapping[str, object], key: AgentKey, at: datetime) -> Signature:
    """Sign ``content`` (plain JSON, without any signature field) as ``key.agent_id`` at ``at``.

    Raises:
        pydantic.ValidationError: ``at`` has no time zone, or the agent id is malformed.
    """
    terms = sha256_of(dict(content))
    # validated with a placeholder first, so a naive time is refused before anything is signed
    header = Signature(party_id=key.agent_id, terms_sha256=terms, signed_at=at, value="A" * 86)
    return header.model_copy(update={"value": key.sign(header.signed_message())})


def signature_problem(
    signature: Signature, content: Mapping[str, object], registry: KeyRegistry
) -> str | None:
    """Why ``signature`` does not hold for ``content``, or ``None`` when it verifies.

    The message reads after a JSON path, e.g. ``does not verify for did:web:fast-coder.ai``.
    """
    party = signature.party_id
    key = registry.public_key(party)
    if key is None:
        return f"no public key is known for {party}"
    if signature.terms_sha256 != sha256_of(dict(content)):
        return f"does not verify for {party} (the content changed after signing)"
    if not verify_bytes(key, signature.signed_message(), signature.value):
        return f"does not verify for {party}"
    return None
