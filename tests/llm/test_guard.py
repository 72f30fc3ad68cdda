"""The model-answer text rules: the quick whole-text looks agree with the careful per-text ones."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from negotiator.llm.guard import _bad_character, _first_bad_character, _printable, _strings

# ordinary text, with now and then a control character, a C1 character or a bidi override
_texts = st.text(
    st.characters(codec="utf-8")
    | st.sampled_from(["\x00", "\x07", "\t", "\n", "\r", "\x1b", "\x7f", "\x9b", "\u202e"]),
    max_size=12,
)


@given(st.lists(_texts, max_size=6))
def test_the_first_bad_character_is_the_one_the_text_by_text_search_finds(
    texts: list[str],
) -> None:
    expected = next((c for t in texts if (c := _bad_character(t))), None)
    assert _first_bad_character(texts) == expected


@given(_texts)
def test_printable_replaces_exactly_the_characters_the_rules_forbid(text: str) -> None:
    expected = "".join(c if c in "\t\n\r" or _bad_character(c) is None else "?" for c in text)
    assert _printable(text) == expected


def test_strings_lists_keys_and_values_in_document_order() -> None:
    data = {"a": ["b", {"c": "d", "n": 1}], "e": ("f", None)}
    assert list(_strings(data)) == ["a", "b", "c", "d", "n", "e", "f"]
