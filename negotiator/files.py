"""Reading the files users hand to negotiator: one reader, one kind of error.

Every input file (a run's ``run.json``, a transcript, a schedule, a scenario, a wire object, a
list of pairs) is read here, so a missing file, an unreadable one, bytes that are not UTF-8 or
text that is not JSON all end as one :class:`~negotiator.errors.InvalidInputError` that names the
file and says what is wrong, never as a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

from negotiator.errors import InvalidInputError

__all__ = ["parse_json_text", "read_json", "read_text"]


def _unreadable(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    return exc.strerror or type(exc).__name__


def read_text(path: str | Path) -> str:
    """The UTF-8 text of the file at ``path``.

    Raises:
        InvalidInputError: the file cannot be read or is not UTF-8 text; the error names the file.

    Example:
        >>> read_text("missing.json")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        negotiator.errors.InvalidInputError: invalid missing.json (1 error(s)):
          $: cannot read: no such file
    """
    where = str(path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError.single(where, "$", f"cannot read: {_unreadable(exc)}") from None
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 text: {exc.reason} at byte {exc.start}"
        raise InvalidInputError.single(where, "$", reason) from None


def parse_json_text(text: str, where: str) -> object:
    """Parse ``text`` (read from ``where``) as JSON.

    Raises:
        InvalidInputError: the text is not JSON (with line and column), holds a number Python
            will not convert, or nests too deeply; the error names ``where``.

    Example:
        >>> parse_json_text('{"a": [1]}', "a.json")
        {'a': [1]}
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    except RecursionError:
        reason = "not valid JSON: nested too deeply"
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        reason = f"not valid JSON: {exc}"
    raise InvalidInputError.single(where, "$", reason)


def read_json(path: str | Path) -> object:
    """The JSON value in the UTF-8 file at ``path``.

    Raises:
        InvalidInputError: the file cannot be read, is not UTF-8 or is not JSON; names the file.
    """
    return parse_json_text(read_text(path), str(path))
