"""RFC 8785 canonical JSON: the RFC's own test vectors (section 3.2.2, 3.2.3, appendix B)."""

from __future__ import annotations

import hashlib
import json
import struct

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from negotiator.errors import UsageError
from negotiator.trust import canonical_bytes, sha256_of
from negotiator.trust.canonical import _sha256_of_text, clear_hash_cache

# RFC 8785 appendix B: IEEE 754 bit patterns and their ES6 serialisation.
NUMBER_VECTORS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), NUMBER_VECTORS)
def test_numbers_serialise_as_the_rfc_says(bits: str, expected: str) -> None:
    (value,) = struct.unpack(">d", bytes.fromhex(bits))
    assert canonical_bytes(value) == expected.encode()


def test_the_rfc_sample_object() -> None:
    # RFC 8785 section 3.2.2 (input text as in the RFC, whitespace and escapes included)
    text = (
        '{\n  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n'
        '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n'
        '  "literals": [null, true, false]\n}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_bytes(json.loads(text)) == expected.encode("utf-8")


def test_properties_sort_by_utf16_code_units() -> None:
    # RFC 8785 section 3.2.3: the emoji (a surrogate pair) sorts before U+FB33
    data = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    order = list(json.loads(canonical_bytes(data)).values())
    assert order == [
        "Carriage Return",
        "One",
        "Control",
        "Latin Small Letter O With Diaeresis",
        "Euro Sign",
        "Emoji: Grinning Face",
        "Hebrew Letter Dalet With Dagesh",
    ]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 2**60, {"a": object()}])
def test_values_without_a_canonical_form_are_a_clear_error(bad: object) -> None:
    with pytest.raises(UsageError, match="no canonical JSON form"):
        canonical_bytes(bad)
    with pytest.raises(UsageError, match="no canonical JSON form"):
        sha256_of(bad)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(json_values, st.sampled_from([None, 2]), st.booleans())
def test_canonical_form_survives_any_json_round_trip(
    value: object, indent: int | None, ascii_only: bool
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    assert canonical_bytes(json.loads(text)) == canonical_bytes(value)
    assert sha256_of(json.loads(text)) == sha256_of(value)
    assert sha256_of(value) == hashlib.sha256(canonical_bytes(value)).hexdigest()  # cache agrees
    clear_hash_cache()
    assert sha256_of(value) == hashlib.sha256(canonical_bytes(value)).hexdigest()


_any_text = st.text(st.characters(codec=None), max_size=8)  # surrogates and astral included
_keys = st.text(st.characters(codec=None), max_size=4) | st.sampled_from(["\x7f", "\u2028"])
any_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**54), 2**54)
    | st.floats()
    | _any_text
    | st.sampled_from(['\x00\x1f\b\f\n\r\t"\\/', "\ud7ff\ue000\uffff", "\U0010ffff"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(_keys, inner, max_size=4)
    ),
    max_leaves=12,
)


@given(any_json)
def test_the_fast_path_gives_the_rfc8785_bytes_or_the_same_refusal(value: object) -> None:
    try:
        expected = rfc8785.dumps(value)  # type: ignore[arg-type]
    except (rfc8785.CanonicalizationError, TypeError, ValueError):
        with pytest.raises(UsageError, match="no canonical JSON form"):
            canonical_bytes(value)
        with pytest.raises(UsageError, match="no canonical JSON form"):
            sha256_of(value)
        return
    assert canonical_bytes(value) == expected
    assert sha256_of(value) == hashlib.sha256(expected).hexdigest()


def test_plain_values_skip_the_hash_cache() -> None:
    clear_hash_cache()
    plain = {"terms": ["a", 1, None, True], "\u00e9": {"nested": "\u20ac"}}
    assert sha256_of(plain) == hashlib.sha256(rfc8785.dumps(plain)).hexdigest()
    assert _sha256_of_text.cache_info().currsize == 0
    sha256_of({"price": 2.0})  # rfc8785 writes 2, Python 2.0: not plain
    assert _sha256_of_text.cache_info().currsize == 1
