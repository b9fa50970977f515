"""No import circles: a module's top-level imports never lead back to it.

Imports made when a module is loaded (its body, and the bodies of if/try/with at its top level) are edges,
and so are imports inside its functions (lazy=True: a deferred import back, as model/messages made of
model/loader, is a circle all the same); imports under `if TYPE_CHECKING:` at the top level are not. A circle
is any strongly connected group of two or more modules (or a module importing itself) that touches one of the
CHECKED packages; the whole package's graph is walked, so a circle through a module outside them is found too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "budgetgen"
# The packages whose modules must stand in no circle (extend as the layers are cleaned up).
CHECKED = ["budgetgen"]
# Modules left out of the graph altogether.
EXCLUDED: list[str] = []


def module_files(root: Path, package: str) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name, for its __init__.py)."""
    out = {}
    for path in sorted((root / package.replace(".", "/")).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _top_level(body: list[ast.stmt], lazy: bool = False):
    """The import statements run when the module loads; with lazy, also those in its functions and classes."""
    if lazy:
        for node in body:
            if not _type_checking(node):
                yield from (n for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom)))
        return
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not _type_checking(node):
                yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _top_level(block)
        elif isinstance(node, ast.With):
            yield from _top_level(node.body)


def _type_checking(node: ast.stmt) -> bool:
    """`if TYPE_CHECKING:` (or typing.TYPE_CHECKING): imports only type checkers see."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"
            or isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(name: str, path: Path, modules: dict[str, Path], lazy: bool = False) -> set[str]:
    """The package's modules that loading this module imports."""
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    found: set[str] = set()
    for node in _top_level(ast.parse(path.read_text(encoding="utf-8")).body, lazy):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = here[: len(here) - node.level + 1] if node.level else []
            stem = ".".join(base + ([node.module] if node.module else []))
            subs = [f"{stem}.{alias.name}" for alias in node.names]
            # from . import loader: the submodule (the package itself is already loading); else the module
            targets = subs if all(s in modules for s in subs) else [stem] + subs
        for target in targets:
            if target in modules:
                found.add(target)
    return found


def import_graph(root: Path = ROOT, package: str = PACKAGE, excluded=EXCLUDED, lazy: bool = False) -> dict[str, set[str]]:
    modules = {n: p for n, p in module_files(root, package).items()
               if not any(n == e or n.startswith(e) for e in excluded)}
    return {n: imports_of(n, p, modules, lazy) for n, p in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups that are circles (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1 or node in graph[node]:
                        out.append(sorted(group))
    return out


def test_the_walker_finds_a_circle_and_its_members():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert sorted(circles(graph)) == [["a", "b", "c"], ["e"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_the_walker_reads_relative_and_conditional_imports(tmp_path):
    pkg = tmp_path / "p"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "sub" / "__init__.py").write_text("from . import b\n", encoding="utf-8")
    (pkg / "a.py").write_text("from .sub.b import x\ntry:\n    import p.c\nexcept ImportError:\n    pass\n"
                              "def f():\n    from . import d\n", encoding="utf-8")
    (pkg / "sub" / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .. import a\n"
                                      "from ..c import y\n", encoding="utf-8")
    (pkg / "c.py").write_text("from .sub import b\n", encoding="utf-8")
    (pkg / "d.py").write_text("", encoding="utf-8")
    graph = import_graph(tmp_path, "p", [])
    assert graph["p.a"] == {"p.sub.b", "p.c"}  # not d: imported inside a function
    assert graph["p.sub.b"] == {"p.c"}  # not a: only for type checkers
    assert graph["p.c"] == {"p.sub.b"}
    assert circles(graph) == [["p.c", "p.sub.b"]]
    assert import_graph(tmp_path, "p", [], lazy=True)["p.a"] == {"p.sub.b", "p.c", "p.d"}


@pytest.mark.parametrize("package", CHECKED)
def test_no_import_circle(package):
    graph = import_graph(lazy=True)
    assert any(n == package or n.startswith(package + ".") for n in graph), f"{package} 不存在"
    found = [c for c in circles(graph) if any(m == package or m.startswith(package + ".") for m in c)]
    assert not found, f"{package} 中有循环导入：{found}"
