"""Keys, identities and signatures: what makes every claim in a run checkable by a third party.

Each agent holds an Ed25519 key (:class:`AgentKey`); a :class:`KeyRegistry` maps agent ids to
public keys (a ``did:key:`` id *is* its key); :func:`canonical_bytes` is RFC 8785 (JCS)
canonical JSON, the only form that is ever hashed or signed.
"""

from negotiator.trust.canonical import canonical_bytes, sha256_of
from negotiator.trust.didkey import did_key_of, is_did_key, public_key_of_did_key
from negotiator.trust.keys import AgentKey, derive_did_key, derive_key, generate_key, keyring
from negotiator.trust.registry import KeyRegistry
from negotiator.trust.signing import b64url_decode, b64url_encode, verify_bytes

__all__ = [
    "AgentKey",
    "KeyRegistry",
    "b64url_decode",
    "b64url_encode",
    "canonical_bytes",
    "derive_did_key",
    "derive_key",
    "did_key_of",
    "generate_key",
    "is_did_key",
    "keyring",
    "public_key_of_did_key",
    "sha256_of",
    "verify_bytes",
]
