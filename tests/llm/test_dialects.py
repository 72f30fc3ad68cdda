"""The llama.cpp schema dialect: patterns its grammar converter can compile, same language."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.llm.dialects import grammar_safe_pattern, llama_cpp_schema
from negotiator.llm.schema import strict_wire_schema
from negotiator.money import AMOUNT_PATTERN, Money

# escapes the GBNF grammar parser accepts; any other "\<c>" kills llama-cpp-python's server
_GBNF_OK = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|[tnr\\\"\[\]]|[\[\]()|{}*+?])")


def _only_gbnf_escapes(pattern: str) -> bool:
    return "\\" not in _GBNF_OK.sub("", pattern)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (AMOUNT_PATTERN, r"^[0-9]{1,12}([\x2E][0-9]{1,6})?$"),
        (r"^[A-Z][A-Z0-9]{2,9}$", r"^[A-Z][A-Z0-9]{2,9}$"),
        (r"^[^\x00-\x1f\x7f]*$", r"^[^\x22\x5C\x00-\x1F\x00-\x1f\x7f]*$"),
        (r"^a\-b[\-x]\/c$", r"^a[\x2D]b[\x2Dx][\x2F]c$"),
        (
            r"^\w+\s\S\D$",
            r"^[A-Za-z0-9_]+[ \t\n\r\x0B\x0C\x1C-\x1F][^ \t\n\r\x0B\x0C\x1C-\x1F][^0-9]$",
        ),
        (r"^[\d\w]\(x\)$", r"^[0-9A-Za-z0-9_]\(x\)$"),
    ],
)
def test_patterns_are_rewritten(pattern: str, expected: str) -> None:
    safe = grammar_safe_pattern(pattern)
    assert safe == expected
    assert _only_gbnf_escapes(safe)


@pytest.mark.parametrize("pattern", ["abc", "^abc", "^(?:a|b)$", r"^[\D]$"])
def test_patterns_the_converter_cannot_take_are_dropped(pattern: str) -> None:
    assert grammar_safe_pattern(pattern) is None
    schema = {"type": "object", "properties": {"x": {"type": "string", "pattern": pattern}}}
    assert llama_cpp_schema(schema)["properties"]["x"] == {"type": "string"}


def test_money_schema_is_rewritten_and_the_original_untouched() -> None:
    original = strict_wire_schema(Money)
    safe = llama_cpp_schema(original)
    amount = safe["properties"]["amount"]["anyOf"][1]
    assert amount["pattern"] == r"^[0-9]{1,12}([\x2E][0-9]{1,6})?$"
    assert original["properties"]["amount"]["anyOf"][1]["pattern"] == AMOUNT_PATTERN
    # everything but the patterns is identical
    amount["pattern"] = AMOUNT_PATTERN
    assert safe == original


def test_enum_and_example_strings_are_not_touched() -> None:
    schema = {"type": "string", "enum": [r"\d"], "examples": [{"pattern": r"\d"}]}
    assert llama_cpp_schema(schema) == schema


ASCII = st.characters(codec="ascii")
SAME_LANGUAGE = [
    AMOUNT_PATTERN,
    r"^a\-b[\-x]\/c\.$",
    r"^\w{1,5}\s\S\D$",
    r"^[A-Za-z0-9][A-Za-z0-9._:%/-]{0,8}$",
]


@pytest.mark.parametrize("pattern", SAME_LANGUAGE)
@given(data=st.data())
def test_property_rewritten_pattern_accepts_the_same_ascii_strings(
    pattern: str, data: st.DataObject
) -> None:
    safe = grammar_safe_pattern(pattern)
    assert safe is not None
    from_original = data.draw(st.from_regex(pattern, fullmatch=True, alphabet=ASCII))
    from_safe = data.draw(st.from_regex(safe, fullmatch=True, alphabet=ASCII))
    assert re.fullmatch(safe, from_original)
    assert re.fullmatch(pattern, from_safe)


@given(st.text(alphabet=ASCII, max_size=40))
def test_negated_classes_exclude_what_would_end_or_break_a_json_string(text: str) -> None:
    # the grammar applies a class to the raw characters of the JSON string: admitting '"' let
    # every bid "close" its rationale with content and run on to max_tokens on llama.cpp
    pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # the wire's paragraph text
    safe = grammar_safe_pattern(pattern)
    assert safe is not None and _only_gbnf_escapes(safe)
    if re.fullmatch(safe, text):
        assert re.fullmatch(pattern, text)
    plain = not any(c in text for c in '"\\') and all(0x20 <= ord(c) < 0x7F for c in text)
    assert bool(re.fullmatch(safe, text)) == plain
