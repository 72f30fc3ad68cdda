"""Keys, did:key ids and the key registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from negotiator.errors import InvalidInputError, UsageError
from negotiator.trust import (
    KeyRegistry,
    derive_did_key,
    derive_key,
    did_key_of,
    generate_key,
    is_did_key,
    public_key_of_did_key,
    verify_bytes,
)
from negotiator.trust.didkey import decode_multikey, encode_multikey, raw_public_bytes

FAST = "did:web:fast-coder.ai"


def test_demo_keys_are_reproducible_and_distinct() -> None:
    assert derive_key(FAST, 7).sign(b"m") == derive_key(FAST, 7).sign(b"m")
    assert derive_key(FAST, 7).sign(b"m") != derive_key(FAST, 8).sign(b"m")
    assert derive_key(FAST, 7).sign(b"m") != derive_key("did:web:other.ai", 7).sign(b"m")
    assert generate_key(FAST).sign(b"m") != generate_key(FAST).sign(b"m")


def test_a_signature_verifies_only_for_its_key_and_message() -> None:
    key, other = derive_key(FAST, 1), derive_key(FAST, 2)
    signature = key.sign(b"terms")
    assert verify_bytes(key.public_key, b"terms", signature)
    assert not verify_bytes(key.public_key, b"terms!", signature)
    assert not verify_bytes(other.public_key, b"terms", signature)
    assert not verify_bytes(key.public_key, b"terms", "not base64 !")
    assert not verify_bytes(key.public_key, b"terms", "AAAA")


def test_the_printed_key_shows_no_private_half() -> None:
    key = derive_key(FAST, 1)
    secret = key._private.private_bytes_raw()  # the test peeks; the API offers no way
    for shown in (repr(key), str(key), f"{key}"):
        assert secret.hex() not in shown and FAST in shown
    assert not any("private" in name for name in dir(key) if not name.startswith("_"))


def test_did_key_round_trips_and_uses_the_ed25519_multicodec() -> None:
    key = derive_key(FAST, 3)
    did = did_key_of(key.public_key)
    assert did.startswith("did:key:z6Mk") and is_did_key(did) and not is_did_key(FAST)
    assert raw_public_bytes(public_key_of_did_key(did)) == raw_public_bytes(key.public_key)
    hub = derive_did_key("hub", 3)
    assert hub.agent_id == did_key_of(hub.public_key)


@pytest.mark.parametrize("text", ["z", "x6Mk", "z0OIl", "z" + "1" * 40])
def test_malformed_multikeys_are_located_errors(text: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        decode_multikey(text, "$.keys.a")
    assert err.value.errors[0].path == "$.keys.a"
    with pytest.raises(InvalidInputError):
        public_key_of_did_key("did:key:" + text)


def test_registry_resolves_registered_ids_and_did_keys(tmp_path: Path) -> None:
    fast, hub = derive_key(FAST, 1), derive_did_key("hub", 1)
    registry = KeyRegistry.of([fast])
    assert registry.public_key(FAST) == fast.public_key
    assert registry.public_key(hub.agent_id) == hub.public_key  # the id is the key
    assert registry.public_key("did:web:unknown.example") is None
    assert registry.public_key("did:key:zBroken") is None
    path = tmp_path / "keys.json"
    registry.save(path)
    assert json.loads(path.read_text())["keys"] == {FAST: encode_multikey(fast.public_key)}
    assert KeyRegistry.load(path).public_key(FAST) == fast.public_key


def test_registry_file_errors_name_each_entry(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"keys": {"a": "zBad", "b": 5, FAST: "x"}}))
    with pytest.raises(InvalidInputError) as err:
        KeyRegistry.load(path)
    assert [e.path for e in err.value.errors] == ['$.keys["a"]', '$.keys["b"]', f'$.keys["{FAST}"]']
    path.write_text("[]")
    with pytest.raises(InvalidInputError, match=r"\$\.keys"):
        KeyRegistry.load(path)
    with pytest.raises(UsageError, match="cannot read"):
        KeyRegistry.load(tmp_path / "missing.json")
    path.write_bytes(b"\x80")
    with pytest.raises(UsageError, match="cannot read"):
        KeyRegistry.load(path)


def test_merging_refuses_two_keys_for_one_id() -> None:
    a, b = KeyRegistry.of([derive_key(FAST, 1)]), KeyRegistry.of([derive_key(FAST, 2)])
    assert a.merged(a).agent_ids() == (FAST,)
    with pytest.raises(UsageError, match="two different keys"):
        a.merged(b)
