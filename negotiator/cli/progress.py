"""A progress display for long work, shown only on a terminal (stderr); silent otherwise."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from negotiator.cli.console import on_terminal

__all__ = ["progress"]


@contextmanager
def progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """Yield a ``(done, planned)`` callback drawing a bar on stderr when it is a terminal.

    When stderr is not a terminal (piped, redirected, in CI) the callback does nothing, so
    output stays clean.

    Example:
        >>> with progress("GA generations") as tick:
        ...     tick(1, 10)
    """
    if not on_terminal(sys.stderr):
        yield lambda done, planned: None
        return
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=True,
    )
    task = bar.add_task(label, total=None)
    with bar:
        yield lambda done, planned: bar.update(task, completed=done, total=planned)
