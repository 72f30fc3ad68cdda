"""The key registry: which public key speaks for which agent id.

A ``did:key`` id resolves to the key inside it; any other id (``did:web:…``, a plain id) must
be registered. The file form is JSON ``{"keys": {"<agent id>": "<multibase public key>"}}`` —
public keys only, the same text a DID document puts in ``publicKeyMultibase``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from negotiator.errors import FieldError, InvalidInputError, UsageError
from negotiator.trust.didkey import (
    decode_multikey,
    encode_multikey,
    is_did_key,
    public_key_of_did_key,
)
from negotiator.trust.keys import AgentKey

__all__ = ["KeyRegistry"]


class KeyRegistry:
    """Agent id -> Ed25519 public key.

    Example:
        >>> from negotiator.trust.keys import derive_key
        >>> key = derive_key("did:web:fast-coder.ai", 7)
        >>> registry = KeyRegistry.of([key])
        >>> registry.public_key("did:web:fast-coder.ai") == key.public_key
        True
        >>> registry.public_key("did:web:unknown.example") is None
        True
    """

    def __init__(self, keys: Mapping[str, Ed25519PublicKey] | None = None) -> None:
        self._keys: dict[str, Ed25519PublicKey] = dict(sorted((keys or {}).items()))

    @classmethod
    def of(cls, keys: Iterable[AgentKey]) -> KeyRegistry:
        """The registry of the public halves of ``keys``."""
        return cls({k.agent_id: k.public_key for k in keys})

    def public_key(self, agent_id: str) -> Ed25519PublicKey | None:
        """The key of ``agent_id``: registered, or the one a ``did:key`` id holds; else ``None``."""
        if agent_id in self._keys:
            return self._keys[agent_id]
        if is_did_key(agent_id):
            try:
                return public_key_of_did_key(agent_id)
            except InvalidInputError:
                return None
        return None

    def agent_ids(self) -> tuple[str, ...]:
        """The registered ids, sorted (``did:key`` ids need no entry and are not listed)."""
        return tuple(self._keys)

    def merged(self, other: KeyRegistry) -> KeyRegistry:
        """A registry with both sets of keys.

        Raises:
            UsageError: the two registries give one id different keys.
        """
        for agent_id in self._keys.keys() & other._keys.keys():
            if encode_multikey(self._keys[agent_id]) != encode_multikey(other._keys[agent_id]):
                raise UsageError(f"two different keys registered for {agent_id!r}")
        return KeyRegistry(self._keys | other._keys)

    def to_json(self) -> dict[str, dict[str, str]]:
        """The file form: ``{"keys": {id: multibase public key}}``."""
        return {"keys": {i: encode_multikey(k) for i, k in self._keys.items()}}

    @classmethod
    def from_json(cls, data: object, what: str = "key registry") -> KeyRegistry:
        """Parse the file form.

        Raises:
            InvalidInputError: every malformed entry, located by its JSON path.
        """
        keys = data.get("keys") if isinstance(data, dict) else None
        if not isinstance(keys, dict):
            raise InvalidInputError.single(what, "$.keys", "must be an object {id: public key}")
        parsed: dict[str, Ed25519PublicKey] = {}
        errors: list[FieldError] = []
        for agent_id, text in keys.items():
            where = f"$.keys[{json.dumps(agent_id)}]"
            if not isinstance(text, str):
                errors.append(FieldError(where, "must be a multibase public key string"))
                continue
            try:
                parsed[agent_id] = decode_multikey(text, where)
            except InvalidInputError as exc:
                errors.extend(exc.errors)
        if errors:
            raise InvalidInputError(what, errors)
        return cls(parsed)

    @classmethod
    def load(cls, path: str | Path) -> KeyRegistry:
        """Read a registry file.

        Raises:
            UsageError: the file is missing or not JSON; InvalidInputError: a malformed entry.
        """
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:  # ValueError: not UTF-8, or not JSON
            raise UsageError(f"{path}: cannot read the key registry: {exc}") from None
        return cls.from_json(data, str(path))

    def save(self, path: str | Path) -> None:
        """Write the file form (public keys only)."""
        text = json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n"
        Path(path).write_text(text, encoding="utf-8")
