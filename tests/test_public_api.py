"""The public surface: every exported name resolves, the export list is sorted, no lazy maps."""

from __future__ import annotations

import negotiator


def test_every_exported_name_resolves() -> None:
    missing = [name for name in negotiator.__all__ if not hasattr(negotiator, name)]
    assert missing == []


def test_export_list_is_unique() -> None:
    # the order is ruff's (RUF022: constants, classes, then functions), checked by `ruff check`
    names = list(negotiator.__all__)
    assert len(names) == len(set(names))


def test_every_public_object_is_exported() -> None:
    public = {
        name
        for name, value in vars(negotiator).items()
        if not name.startswith("_") and not isinstance(value, type(negotiator))
    }
    assert public <= set(negotiator.__all__)


def test_no_lazy_export_map() -> None:
    assert not hasattr(negotiator, "__getattr__")
