"""The layer contract, checked beyond what an import graph shows.

``lint-imports`` (the contracts in ``pyproject.toml``) checks the import graph in CI. This test
reads the same layers and checks what a graph of module-level imports can miss: imports inside
functions, imports under ``TYPE_CHECKING`` (a type-only import still may not reach up), module
paths written in strings (``importlib.import_module("negotiator.graphs...")``), and the
``negotiator/graphs`` symbolic link (followed explicitly). A planted violation of each kind is
shown to fail, by this checker and by ``lint-imports`` itself.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "importlinter"
]
MODULE_PATH = re.compile(r"\bnegotiator(?:\.[a-z_][a-z0-9_]*)+")


def _contract(kind: str) -> list[dict[str, object]]:
    return [c for c in CONFIG["contracts"] if c["type"] == kind]


def _layers() -> list[list[str]]:
    """Layer groups, bottom first; each group's packages are independent siblings."""
    (layers,) = _contract("layers")
    groups = [[p.strip() for p in str(row).split("|")] for row in layers["layers"]]
    return groups[::-1]


LAYERS = _layers()


@dataclass(frozen=True)
class Import:
    """One reference from ``source`` to ``target`` (a module name) and how it was made."""

    source: str
    target: str
    line: int
    how: str  # "import", "local import", "type-only import" or "string"


def _module_files(package_dir: Path) -> Iterator[tuple[str, Path]]:
    """(module name, file) for every module, following symbolic links (``negotiator/graphs``)."""
    for folder, _dirs, files in os.walk(package_dir, followlinks=True):
        rel = Path(folder).relative_to(package_dir.parent)
        for name in sorted(files):
            if name.endswith(".py"):
                parts = [*rel.parts, name.removesuffix(".py")]
                yield ".".join(parts).removesuffix(".__init__"), Path(folder) / name


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, kinds))]
    ids: set[int] = set()
    for node in nodes:
        body = getattr(node, "body", [])
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            ids.add(id(body[0].value))
    return ids


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            ids |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return ids


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    if node.level == 0:
        base = node.module or ""
    else:
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - node.level + 1]
        base = ".".join([*parts, *([node.module] if node.module else [])])
    return [f"{base}.{a.name}" for a in node.names] + [base]


def _inside_functions(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            ids |= {id(n) for n in ast.walk(node) if n is not node}
    return ids


def scan(package_dir: Path) -> list[Import]:
    """Every import and module-path string in the package (top-level, local, type-only)."""
    found: list[Import] = []
    for module, path in _module_files(package_dir):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        typed, docs, local = _type_checking_nodes(tree), _docstrings(tree), _inside_functions(tree)
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            how = "type-only import" if id(node) in typed else "import"
            how = "local import" if id(node) in local else how
            if isinstance(node, ast.Import):
                found += [Import(module, a.name, node.lineno, how) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                targets = _resolve(module, is_package, node)
                found += [Import(module, t, node.lineno, how) for t in targets]
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docs
            ):
                paths = MODULE_PATH.findall(node.value)
                found += [Import(module, m, node.lineno, "string") for m in paths]
    return found


def _layer_of(module: str) -> tuple[int, str] | None:
    for level, group in enumerate(LAYERS):
        for package in group:
            if module == package or module.startswith(package + "."):
                return level, package
    return None


def layer_violations(imports: list[Import]) -> list[str]:
    """References that reach a higher layer or a sibling in the same layer."""
    bad = []
    for imp in imports:
        source, target = _layer_of(imp.source), _layer_of(imp.target)
        if source is None or target is None or source[1] == target[1]:
            continue
        if target[0] >= source[0]:
            where = "a higher layer" if target[0] > source[0] else "a sibling"
            bad.append(f"{imp.source}:{imp.line} {imp.how} of {imp.target} ({where})")
    return bad


def forbidden_violations(imports: list[Import]) -> list[str]:
    """Run-time imports (local ones included) of what a forbidden contract keeps out."""
    bad = []
    for contract in _contract("forbidden"):
        allowed = {tuple(s.split(" -> ")) for s in contract.get("ignore_imports", [])}
        sources, banned = contract["source_modules"], contract["forbidden_modules"]
        for imp in imports:
            if imp.how in ("type-only import", "string"):
                continue
            inside = any(imp.source == s or imp.source.startswith(s + ".") for s in sources)
            hit = any(imp.target == b or imp.target.startswith(b + ".") for b in banned)
            top = imp.target.split(".")[0]
            if inside and hit and (imp.source, top) not in allowed:
                bad.append(f"{imp.source}:{imp.line} {imp.how} of {imp.target}")
    return bad


PACKAGE = ROOT / "negotiator"


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return scan(PACKAGE)


def test_the_scan_follows_the_graphs_link_and_local_imports(imports: list[Import]) -> None:
    sources = {i.source for i in imports}
    assert {"negotiator.graphs.api", "negotiator.graphs.runner"} <= sources
    assert any(i.how == "local import" for i in imports)
    assert any(i.how == "type-only import" for i in imports)


def test_no_layer_reaches_up_or_sideways(imports: list[Import]) -> None:
    assert layer_violations(imports) == []


def test_no_forbidden_import_even_a_local_one(imports: list[Import]) -> None:
    assert forbidden_violations(imports) == []


def test_every_package_is_in_a_layer() -> None:
    packages = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in PACKAGE.iterdir()
        if (p / "__init__.py").is_file() or (p.suffix == ".py" and p.stem != "__init__")
    }
    layered = {package for group in LAYERS for package in group}
    # the root facade (lazy exports) and `python -m negotiator` sit above every layer
    assert packages - layered == {"negotiator.__main__"}


@pytest.fixture()
def planted(tmp_path: Path) -> Path:
    """A copy of the package (links resolved) with one violation of each kind planted."""
    copy = tmp_path / "negotiator"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "bargaining" / "utility.py").open("a", encoding="utf-8") as f:
        f.write("\n\ndef _planted() -> object:\n    from negotiator.graphs import api\n\n")
        f.write("    return api\n")
    with (copy / "flows.py").open("a", encoding="utf-8") as f:
        f.write('\n_PLANTED = {"delegation": "negotiator.graphs.runner"}\n')
    with (copy / "markets" / "cda.py").open("a", encoding="utf-8") as f:
        f.write("\n\ndef _planted() -> object:\n    import openai\n\n    return openai\n")
    with (copy / "delegation" / "ledger.py").open("a", encoding="utf-8") as f:
        f.write("\n\ndef _planted() -> object:\n    import langgraph\n\n    return langgraph\n")
    return copy


def test_a_planted_violation_of_each_kind_fails(planted: Path) -> None:
    imports = scan(planted)
    layers = layer_violations(imports)
    assert any(
        v.startswith("negotiator.bargaining.utility:") and "local import" in v for v in layers
    )
    assert any(v.startswith("negotiator.flows:") and "string" in v for v in layers)
    forbidden = forbidden_violations(imports)
    assert any(v.startswith("negotiator.markets.cda:") and "openai" in v for v in forbidden)
    assert any(
        v.startswith("negotiator.delegation.ledger:") and "langgraph" in v for v in forbidden
    )


def test_lint_imports_fails_on_a_planted_violation(planted: Path) -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    shutil.copy(ROOT / "pyproject.toml", planted.parent / "pyproject.toml")
    env = {**os.environ, "PYTHONPATH": str(planted.parent)}
    out = subprocess.run(
        [str(lint), "--no-cache"],
        cwd=planted.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "negotiator.bargaining.utility -> negotiator.graphs" in out.stdout
    assert "negotiator.markets.cda -> openai" in out.stdout
    assert "negotiator.delegation.ledger -> langgraph" in out.stdout
