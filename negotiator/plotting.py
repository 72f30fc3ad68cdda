"""Writing one PNG figure with matplotlib, the optional ``plot`` extra.

matplotlib is imported only when a figure is drawn, with the non-interactive Agg backend; a
missing matplotlib is the caller's mistake with the install command in the message.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from negotiator.errors import UsageError

__all__ = ["write_png"]


def _pyplot() -> ModuleType:
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError:
        raise UsageError(
            "plotting needs matplotlib: install the 'plot' extra (pip install 'negotiator[plot]')"
        ) from None
    matplotlib.use("Agg")
    return importlib.import_module("matplotlib.pyplot")


def write_png(
    path: str | Path,
    size: tuple[float, float],
    panels: int,
    draw: Callable[[Sequence[Any]], None],
) -> Path:
    """Draw ``panels`` side-by-side axes with ``draw`` and write the figure to ``path`` as a PNG.

    Args:
        path: where the PNG goes.
        size: the figure's width and height in inches.
        panels: how many axes, in one row.
        draw: called with the axes, left to right; it fills them in.

    Raises:
        UsageError: matplotlib is not installed (nothing is written).

    Example:
        >>> line = lambda axes: axes[0].plot([0, 1])
        >>> write_png("/tmp/line.png", (4, 3), 1, line).suffix  # doctest: +SKIP
        '.png'
    """
    plt = _pyplot()
    fig, axes = plt.subplots(1, panels, figsize=size, squeeze=False)
    try:
        draw(list(axes[0]))
        fig.tight_layout()
        out = Path(path)
        fig.savefig(out, format="png", dpi=100)
    finally:
        plt.close(fig)
    return out
