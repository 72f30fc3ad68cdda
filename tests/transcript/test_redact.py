"""Redaction of secrets: by key name, by shape, and by the exact strings the caller names."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from negotiator.transcript.redact import REDACTED, Redactor

R = Redactor()


def test_secret_keys_are_replaced_whole_at_any_depth() -> None:
    data = {
        "headers": {"Authorization": "Bearer abc", "X-Api-Key": "k", "Content-Type": "json"},
        "list": [{"api_key": 123, "password": ["a"]}],
    }
    assert R.redact(data) == {
        "headers": {"Authorization": REDACTED, "X-Api-Key": REDACTED, "Content-Type": "json"},
        "list": [{"api_key": REDACTED, "password": REDACTED}],
    }


def test_key_shaped_text_is_replaced_in_place() -> None:
    text = "use sk-proj-abcdefghijklmnop1234 now; Authorization: Bearer tok123456789; api_key=zzzz9"
    assert R.redact(text) == (f"use {REDACTED} now; Authorization: {REDACTED}; api_key={REDACTED}")
    assert R.redact("curl -H 'bearer abcdefgh.ijk'") == f"curl -H 'Bearer {REDACTED}'"


def test_ordinary_text_is_left_alone() -> None:
    for text in ("a risk-averse bidder", "task-7", "sk-short", "prompt_tokens", "tokens: 12"):
        assert R.redact(text) == text
    assert R.redact({"prompt_tokens": 3, "risk": "sk-"}) == {"prompt_tokens": 3, "risk": "sk-"}


def test_named_secrets_of_any_shape() -> None:
    redactor = Redactor(["hunter2-local", "ab"])  # too-short secrets are ignored
    assert redactor.redact(["pw hunter2-local!", "abc"]) == [f"pw {REDACTED}!", "abc"]


secret_bodies = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
    min_size=16,
    max_size=40,
)
surroundings = st.text(max_size=30)


@given(secret_bodies, surroundings, surroundings)
def test_property_sk_keys_never_survive(body: str, before: str, after: str) -> None:
    secret = f"sk-{body}"
    out = json.dumps(Redactor([secret]).redact({"note": before + secret + after}))
    assert secret not in out


@given(secret_bodies, surroundings, surroundings)
def test_property_shaped_keys_never_survive_after_a_separator(
    body: str, before: str, after: str
) -> None:
    secret = f"sk-{body}"
    out = str(R.redact(f"{before} {secret} {after}"))
    assert secret not in out
