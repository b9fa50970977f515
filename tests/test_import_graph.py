"""Writers depend only on the document: no module of budgetgen/writers imports what composes or checks it
(design.md: a writer never computes a figure; Pandoc's writers see only the AST)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WRITERS = Path(__file__).resolve().parent.parent / "budgetgen" / "writers"
FORBIDDEN = ("budgetgen.compose", "budgetgen.analysis", "budgetgen.model", "budgetgen.checks", "budgetgen.catalog",
             "budgetgen.pipeline")


def imported(path: Path) -> set[str]:
    """Every module a file imports, as an absolute name (`from .. import x` gives budgetgen.x), wherever the
    import statement stands (at the top, inside a function, under TYPE_CHECKING)."""
    package = ["budgetgen", "writers"]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)  # from .. import compose
    return names


def test_the_writers_are_found():
    assert {"html", "docx", "xlsx", "pdf"} <= {p.stem for p in WRITERS.glob("*.py")}


@pytest.mark.parametrize("path", sorted(WRITERS.glob("*.py")), ids=lambda p: p.name)
def test_a_writer_imports_only_the_document_the_formatter_and_the_templates(path):
    bad = sorted(name for name in imported(path) if any(name == f or name.startswith(f + ".") for f in FORBIDDEN))
    assert not bad, f"{path.name} imports {', '.join(bad)}: writers lay out the Disclosure, they never compose it"


def test_the_check_sees_relative_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from ..compose.grid import expand\nfrom .. import pipeline\ndef f():\n    import budgetgen.model\n",
                      encoding="utf-8")
    found = imported(sample)
    assert {"budgetgen.compose.grid", "budgetgen.pipeline", "budgetgen.model"} <= found
