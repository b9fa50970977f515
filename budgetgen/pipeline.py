"""The one-way flow in one place: load → check → build. Commands call this, never the stages piecemeal."""

from __future__ import annotations

from pathlib import Path

from .compose import build
from .checks import check
from .document import Disclosure
from .errors import Finding, InputError, Severity
from .model.budget import Budget
from .model.additions import read_additions
from .model.loader import load_budget


def validate(path: Path) -> tuple[Budget | None, list[Finding]]:
    """Every finding about one department, errors and warnings, sorted by file and line."""
    try:
        budget, findings = load_budget(path)
    except InputError as exc:
        return None, _sorted(exc.findings)
    budget.additions, more = read_additions(Path(path))  # 科目补充.yaml beside the department and above it
    return budget, _sorted(findings + more + check(budget))


def prepare(path: Path, templates: Path | None = None) -> tuple[Disclosure, list[Finding]]:
    """The disclosure of one department; raises InputError (with every finding) when there are errors."""
    budget, findings = validate(path)
    if budget is None or any(f.severity is Severity.error for f in findings):
        raise InputError(findings)
    return build(budget, templates), findings


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(set(findings), key=Finding.sort_key)
