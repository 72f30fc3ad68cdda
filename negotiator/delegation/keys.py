"""The keys of one delegation run: who signs with what, and the public keys everyone checks.

In a run every agent the process acts for (the delegator, each in-process bidder, the hub)
signs with its own :class:`~negotiator.trust.keys.AgentKey`; every receiving step checks
signatures against the :class:`~negotiator.trust.registry.KeyRegistry`, which may also hold
keys of agents outside the process. The hub's id is a ``did:key`` (its key is its name), so the
hub's signatures on settlements and on the transcript head need no registry entry. The demo keys
are derived from the run's seed, so a run is reproducible byte for byte (and so demo keys are
for demonstrations only: whoever knows the seed can sign).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from negotiator.errors import UnknownKeyError
from negotiator.trust.keys import AgentKey, derive_did_key, keyring
from negotiator.trust.registry import KeyRegistry

__all__ = ["RunKeys", "hub_key"]

_CACHED_DEMO_KEYS = 64
"""How many (agents, seed) demo key sets a process keeps derived (each derivation costs one
Ed25519 key setup per agent, about 50 µs)."""


def hub_key(seed: int) -> AgentKey:
    """The demo hub's key for ``seed`` (its id is its ``did:key``)."""
    return derive_did_key("market hub", seed)


@dataclass(frozen=True)
class RunKeys:
    """The signing keys held in this process and the registry every check reads.

    Args:
        keys: signing keys of the agents this process acts for, by agent id.
        registry: public keys of every agent whose signatures are checked.
        hub: the market hub's key (signs settlements and seals the transcript).

    Example:
        >>> keys = RunKeys.demo(["acme", "did:web:fast-coder.ai"], seed=7)
        >>> keys.key("acme").agent_id, keys.registry.agent_ids()
        ('acme', ('acme', 'did:web:fast-coder.ai'))
    """

    keys: Mapping[str, AgentKey]
    registry: KeyRegistry
    hub: AgentKey

    @classmethod
    def demo(cls, agent_ids: Iterable[str], seed: int) -> RunKeys:
        """Seed-derived keys for every agent in ``agent_ids`` and the hub.

        The same agents and seed always give the same keys, so they are derived once per
        process and shared (read-only) by every later call.
        """
        return _demo_keys(tuple(sorted(set(agent_ids))), seed)

    def save(self, path: str | Path) -> None:
        """Write the run's ``keys.json``: the registry's public keys and the hub's id (which
        ``negotiator verify`` then requires as the record's sealer) — never a private key."""
        data = self.registry.to_json() | {"hub": self.hub.agent_id}
        Path(path).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    def key(self, agent_id: str) -> AgentKey:
        """The signing key of ``agent_id``.

        Raises:
            UnknownKeyError: this process holds no key for ``agent_id``.
        """
        if agent_id == self.hub.agent_id:
            return self.hub
        if agent_id not in self.keys:
            raise UnknownKeyError("signing key of agent", agent_id, self.keys)
        return self.keys[agent_id]


@functools.lru_cache(maxsize=_CACHED_DEMO_KEYS)
def _demo_keys(agent_ids: tuple[str, ...], seed: int) -> RunKeys:
    keys = keyring(agent_ids, seed)
    return RunKeys(MappingProxyType(dict(keys)), KeyRegistry.of(keys.values()), hub_key(seed))
