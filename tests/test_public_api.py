"""The public surface: every exported name resolves, the export list is sorted and complete, and
the names are resolved lazily from one table that the type-checking imports mirror."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import negotiator

INIT = Path(negotiator.__file__)


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


def test_the_lazy_table_covers_exactly_the_export_list() -> None:
    lazy = {name for names in negotiator._EXPORTS.values() for name in names}
    assert lazy | {"__version__"} == set(negotiator.__all__)
    assert sum(len(names) for names in negotiator._EXPORTS.values()) == len(lazy)


def _type_checking_imports() -> dict[str, tuple[str, ...]]:
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    (block,) = [n for n in tree.body if isinstance(n, ast.If)]
    return {
        node.module: tuple(a.name for a in node.names)
        for node in block.body
        if isinstance(node, ast.ImportFrom) and node.module
    }


def test_the_type_checking_imports_mirror_the_lazy_table() -> None:
    assert _type_checking_imports() == negotiator._EXPORTS


def test_each_name_comes_from_the_module_the_table_names() -> None:
    for module, names in negotiator._EXPORTS.items():
        loaded = importlib.import_module(module)
        assert all(getattr(negotiator, n) is getattr(loaded, n) for n in names), module


def test_dir_lists_the_exports_and_an_unknown_name_is_an_attribute_error() -> None:
    assert set(negotiator.__all__) <= set(dir(negotiator))
    with pytest.raises(AttributeError, match="module 'negotiator' has no attribute 'nope'"):
        _ = negotiator.nope  # type: ignore[attr-defined]
