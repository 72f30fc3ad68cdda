"""Agents' Ed25519 signing keys: generated at random, or derived from a seed for a reproducible
demo. A key's private half never leaves :class:`AgentKey` in any printable form."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from negotiator.trust.didkey import encode_multikey
from negotiator.trust.signing import b64url_encode

__all__ = ["AgentKey", "derive_did_key", "derive_key", "generate_key", "keyring"]

_DERIVATION_LABEL: Final = b"negotiator demo key v1\0"


class AgentKey:
    """One agent's Ed25519 key pair, bound to the agent id it signs as.

    ``repr`` and ``str`` show the id and the public key only; there is no method that returns
    the private bytes, so the key cannot end up in a transcript, a ledger or a log by accident.

    Example:
        >>> key = derive_key("did:web:fast-coder.ai", 7)
        >>> len(key.sign(b"hello"))
        86
    """

    __slots__ = ("_private", "agent_id", "public_key")

    def __init__(self, agent_id: str, private: Ed25519PrivateKey) -> None:
        self.agent_id = agent_id
        self._private = private
        self.public_key: Ed25519PublicKey = private.public_key()

    def sign(self, message: bytes) -> str:
        """The Ed25519 signature of ``message`` in unpadded base64url (86 characters)."""
        return b64url_encode(self._private.sign(message))

    def __repr__(self) -> str:
        return f"AgentKey({self.agent_id!r}, public={encode_multikey(self.public_key)})"

    __str__ = __repr__


def _derived(label: str, seed: int) -> Ed25519PrivateKey:
    material = hashlib.sha256(_DERIVATION_LABEL + f"{seed}\0{label}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(material)


def derive_key(agent_id: str, seed: int) -> AgentKey:
    """The demo key of ``agent_id`` for run seed ``seed``: the same seed gives the same key.

    Only for demonstrations and tests — anyone who knows the seed knows the key.
    """
    return AgentKey(agent_id, _derived(agent_id, seed))


def derive_did_key(label: str, seed: int) -> AgentKey:
    """A demo key derived from ``label`` and ``seed`` whose agent id is its own ``did:key``.

    Example:
        >>> derive_did_key("hub", 7).agent_id == derive_did_key("hub", 7).agent_id
        True
    """
    private = _derived(label, seed)
    return AgentKey("did:key:" + encode_multikey(private.public_key()), private)


def generate_key(agent_id: str) -> AgentKey:
    """A fresh random key for ``agent_id`` (from the operating system's generator)."""
    return AgentKey(agent_id, Ed25519PrivateKey.generate())


def keyring(agent_ids: Iterable[str], seed: int) -> Mapping[str, AgentKey]:
    """Demo keys of every agent in ``agent_ids`` for ``seed``, by id."""
    return {agent_id: derive_key(agent_id, seed) for agent_id in agent_ids}
