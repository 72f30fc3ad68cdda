"""Schema dialects: the strict wire schema rewritten for servers that compile it to a grammar.

The llama-cpp-python server turns the schema of ``{"type": "json_object", "schema": ...}`` into a
GBNF grammar with its own converter, which copies regex escapes it does not know straight into
the grammar. ``\\d`` or ``\\.`` in a ``pattern`` (e.g. the Money amount pattern
``^\\d{1,12}(\\.\\d{1,6})?$``) then makes a grammar the C++ parser rejects — and the server
*process dies* ("failed to parse grammar"), failing every later call. Seen with
llama-cpp-python 0.3.36.

:func:`llama_cpp_schema` rewrites every ``pattern`` into the subset that converter and GBNF both
understand (same language, ASCII): shorthand classes become explicit ones (``\\d`` ->
``[0-9]``), any other escaped character becomes a hex escape (``\\.`` -> ``[\\x2E]``), and a pattern
the converter cannot take at all (not anchored with ``^...$``, or with ``(?`` groups) is dropped
from the request. A negated class also excludes ``"``, ``\\`` and raw control characters: the
grammar applies it to the raw characters of the JSON string, so otherwise the model may "close" a
string with a quote the grammar takes as content and run on to ``max_tokens`` (every bid did,
before this rule), or write a raw newline, which is not JSON. Only the *request* changes: answers
are still validated against the original strict schema, so a dropped or loosened pattern is still
enforced — by a re-ask.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["grammar_safe_pattern", "llama_cpp_schema"]

# ASCII members of Python's classes (answers are validated with Python's ``re``)
_SHORTHANDS = {"d": "0-9", "w": "A-Za-z0-9_", "s": " \\t\\n\\r\\x0B\\x0C\\x1C-\\x1F"}
_NEGATED = {"D": "d", "W": "w", "S": "s"}
# escapes that both the converter and GBNF take as they are
_KEEP = frozenset('tnrxuU\\"')
_CONVERTER_META = frozenset("[]()|{}*+?")  # the converter unescapes these itself (outside [])
_JSON_STRING_SPECIALS = "\\x22\\x5C\\x00-\\x1F"  # quote, backslash, raw control characters


def _hex(char: str) -> str:
    return f"\\x{ord(char):02X}" if ord(char) < 0x100 else f"\\u{ord(char):04X}"


def _escape(char: str, in_class: bool) -> str | None:
    """The grammar-safe spelling of the regex escape ``\\<char>`` (None: not expressible)."""
    if char in _SHORTHANDS:
        return _SHORTHANDS[char] if in_class else f"[{_SHORTHANDS[char]}]"
    if char in _NEGATED:
        return None if in_class else f"[^{_SHORTHANDS[_NEGATED[char]]}]"
    if char in _KEEP or (char in _CONVERTER_META and not in_class):
        return "\\" + char
    if in_class and char in "[]":
        return "\\" + char
    return _hex(char) if in_class else f"[{_hex(char)}]"


def grammar_safe_pattern(pattern: str) -> str | None:
    """Rewrite ``pattern`` for llama.cpp's grammar converter, or None when it cannot be.

    Example:
        >>> grammar_safe_pattern(r"^\\d{1,12}(\\.\\d{1,6})?$")
        '^[0-9]{1,12}([\\\\x2E][0-9]{1,6})?$'
        >>> grammar_safe_pattern("no-anchors") is None
        True
    """
    if not (pattern.startswith("^") and pattern.endswith("$")) or "(?" in pattern:
        return None
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            piece = _escape(pattern[i + 1], in_class)
            if piece is None:
                return None
            out.append(piece)
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            if pattern.startswith("[^", i):
                # the grammar's class matches raw characters inside the JSON string: a negated
                # class must not admit the quote that ends it, a backslash or a raw control
                # character, or the model "closes" the string with content and runs on
                out.append("[^" + _JSON_STRING_SPECIALS)
                i += 2
                continue
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


def _rewrite(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _rewrite(item)
        return
    if not isinstance(node, dict):
        return
    pattern = node.get("pattern")
    if isinstance(pattern, str) and node.get("type") == "string":
        safe = grammar_safe_pattern(pattern)
        if safe is None:
            node.pop("pattern")
        else:
            node["pattern"] = safe
    for key, value in node.items():
        if key not in ("enum", "const", "examples", "default"):
            _rewrite(value)


def llama_cpp_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``schema`` whose patterns llama.cpp's grammar converter can compile.

    Example:
        >>> llama_cpp_schema({"type": "string", "pattern": r"^\\d+$"})
        {'type': 'string', 'pattern': '^[0-9]+$'}
    """
    out = copy.deepcopy(schema)
    _rewrite(out)
    return out
