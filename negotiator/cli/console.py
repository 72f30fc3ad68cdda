"""The one way the CLI makes a rich console: wrapped to the terminal's width on a terminal,
never hard-wrapped when piped or redirected (a line of output stays one line)."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console

__all__ = ["PIPED_WIDTH", "make_console", "on_terminal"]

#: the width tables are laid out for when the output is not a terminal (text never wraps)
PIPED_WIDTH = 160


def on_terminal(stream: TextIO | None = None) -> bool:
    """Whether ``stream`` (default: stdout) is an interactive terminal."""
    target = sys.stdout if stream is None else stream
    isatty = getattr(target, "isatty", None)
    return bool(isatty and isatty())


def make_console(stream: TextIO | None = None) -> Console:
    """Return a console on ``stream`` (default stdout) that soft-wraps unless on a terminal.

    Example:
        >>> import io
        >>> make_console(io.StringIO()).soft_wrap
        True
    """
    terminal = on_terminal(stream)
    return Console(
        file=stream,
        highlight=False,
        soft_wrap=not terminal,
        width=None if terminal else PIPED_WIDTH,
    )
