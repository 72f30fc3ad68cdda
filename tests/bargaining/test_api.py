from __future__ import annotations

import negotiator.bargaining as bargaining


def isort_key(name: str) -> tuple[int, str]:
    """Ruff's RUF022 order: CONSTANTS, then Classes, then functions, each alphabetical."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_every_exported_name_resolves_and_the_list_is_sorted() -> None:
    names = bargaining.__all__
    assert names == sorted(names, key=isort_key) and len(set(names)) == len(names)
    for name in names:
        assert getattr(bargaining, name) is not None, name
