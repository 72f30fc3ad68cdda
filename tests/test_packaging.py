"""Packaging: typed marker, licence file, and every directly imported package declared."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string (PEP 503)."""
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match is not None, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _imported_top_levels() -> set[str]:
    names: set[str] = set()
    for folder in ("negotiator", "graphs"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"negotiator", "graphs"}


def test_every_directly_imported_package_is_declared() -> None:
    declared = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    optional = {
        _name(r) for reqs in PYPROJECT["project"]["optional-dependencies"].values() for r in reqs
    }
    owners = packages_distributions()
    missing = {}
    for module in sorted(_imported_top_levels()):
        dists = {_name(d) for d in owners.get(module, [module])}
        if not dists & (declared | optional):
            missing[module] = sorted(dists)
    assert missing == {}, f"imported but not declared in [project.dependencies]: {missing}"
    assert {"httpx2", "langchain-core", "pydantic-core"} <= declared


def test_the_package_is_marked_typed() -> None:
    assert (ROOT / "negotiator" / "py.typed").is_file()


def test_the_licence_file_is_the_declared_apache_licence() -> None:
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    assert "LICENSE" in PYPROJECT["project"]["license-files"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.lstrip().startswith("Apache License\n")
    assert "Version 2.0, January 2004" in text and "END OF TERMS AND CONDITIONS" in text
