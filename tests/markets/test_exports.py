"""The markets package's export list resolves and stays sorted (ruff's isort-style order)."""

from __future__ import annotations

import negotiator.markets as markets


def _isort_key(name: str) -> tuple[int, str]:
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2  # CONSTANTS, Classes, rest
    return kind, name


def test_every_exported_name_resolves_and_the_list_is_sorted() -> None:
    assert [name for name in markets.__all__ if not hasattr(markets, name)] == []
    assert list(markets.__all__) == sorted(markets.__all__, key=_isort_key)
    assert len(set(markets.__all__)) == len(markets.__all__)
