"""Raw Ed25519 verification and the unpadded base64url text form of signatures."""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

__all__ = ["b64url_decode", "b64url_encode", "verify_bytes"]


def b64url_encode(data: bytes) -> str:
    """Unpadded base64url (RFC 4648 §5), as JWS writes signatures."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes | None:
    """Decode unpadded base64url; ``None`` when ``text`` is not valid base64url."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def verify_bytes(key: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64url) is ``key``'s Ed25519 signature of ``message``."""
    raw = b64url_decode(signature)
    if raw is None or len(raw) != 64:
        return False
    try:
        key.verify(raw, message)
    except InvalidSignature:
        return False
    return True
