"""``did:key`` identifiers for Ed25519 keys: ``did:key:z`` + base58btc(0xed 0x01 + 32 key bytes).

The id is the key, so a ``did:key`` signer needs no registry entry (W3C did:key method,
multicodec ``ed25519-pub``, multibase ``z`` = base58btc).
"""

from __future__ import annotations

from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from negotiator.errors import InvalidInputError

__all__ = [
    "decode_multikey",
    "did_key_of",
    "encode_multikey",
    "is_did_key",
    "public_key_of_did_key",
    "raw_public_bytes",
]

_PREFIX: Final = "did:key:"
_ED25519_PUB: Final = b"\xed\x01"  # multicodec varint of 0xed (ed25519-pub)
_ALPHABET: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX: Final = {c: i for i, c in enumerate(_ALPHABET)}


def _b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _ALPHABET[rest] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


def _b58decode(text: str) -> bytes:
    number = 0
    for c in text:
        if c not in _INDEX:
            raise ValueError(f"{c!r} is not a base58btc character")
        number = number * 58 + _INDEX[c]
    pad = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * pad + body


def raw_public_bytes(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def encode_multikey(key: Ed25519PublicKey) -> str:
    """The multibase (``z``…) form of an Ed25519 public key, as in a DID document's
    ``publicKeyMultibase``."""
    return "z" + _b58encode(_ED25519_PUB + raw_public_bytes(key))


def decode_multikey(text: str, where: str = "$") -> Ed25519PublicKey:
    """Parse the multibase form of an Ed25519 public key.

    Raises:
        InvalidInputError: not ``z`` + base58btc of the ed25519-pub multicodec and 32 bytes
            (the error is located at ``where``).
    """
    try:
        if not text.startswith("z"):
            raise ValueError("must start with 'z' (multibase base58btc)")
        data = _b58decode(text[1:])
        if not data.startswith(_ED25519_PUB) or len(data) != 34:
            raise ValueError("is not an ed25519-pub multicodec key of 32 bytes")
        return Ed25519PublicKey.from_public_bytes(data[2:])
    except ValueError as exc:
        raise InvalidInputError.single("public key", where, f"{text[:60]!r} {exc}") from None


def did_key_of(key: Ed25519PublicKey) -> str:
    """The ``did:key`` id of an Ed25519 public key.

    Example:
        >>> from negotiator.trust.keys import derive_key
        >>> did_key_of(derive_key("hub", 7).public_key).startswith("did:key:z6Mk")
        True
    """
    return _PREFIX + encode_multikey(key)


def is_did_key(agent_id: str) -> bool:
    """Whether ``agent_id`` is a ``did:key`` id (its key is in the id)."""
    return agent_id.startswith(_PREFIX)


def public_key_of_did_key(agent_id: str) -> Ed25519PublicKey:
    """The public key a ``did:key`` id stands for.

    Raises:
        InvalidInputError: not a well-formed Ed25519 ``did:key``.
    """
    if not is_did_key(agent_id):
        raise InvalidInputError.single("did:key", "$", f"{agent_id!r} does not start with did:key:")
    return decode_multikey(agent_id[len(_PREFIX) :])
