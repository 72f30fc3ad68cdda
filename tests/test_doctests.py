"""Every docstring example in every module of the package (the graph layer included) runs and
holds; a module without examples is simply listed."""

from __future__ import annotations

import doctest
import importlib
import os
from pathlib import Path

import pytest

import negotiator

PACKAGE = Path(negotiator.__file__).parent


def all_modules() -> list[str]:
    """Every module under ``negotiator/``, following the ``graphs`` link."""
    names = []
    for folder, _dirs, files in os.walk(PACKAGE, followlinks=True):
        rel = Path(folder).relative_to(PACKAGE).parts
        for file in sorted(files):
            if file.endswith(".py") and file != "__main__.py":
                names.append(".".join(["negotiator", *rel, file[:-3]]).removesuffix(".__init__"))
    return sorted(names)


MODULES = all_modules()

#: modules of an optional extra -> the package that extra installs (skipped without it).
OPTIONAL = {"negotiator.delegation.postgres": "psycopg", "negotiator.delegation.distributed": "ray"}


def test_the_list_covers_every_layer() -> None:
    assert {"negotiator.graphs.api", "negotiator.cli.demo", "negotiator.money"} <= set(MODULES)
    assert len(MODULES) > 100


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    if name in OPTIONAL:
        pytest.importorskip(OPTIONAL[name], reason=f"{name} needs an optional extra")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False, report=True)
    assert result.failed == 0
