"""The one-way flow in one place: load → check → build. Commands call this, never the stages piecemeal."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .analysis import BudgetAnalysis, analyse
from .compose import build
from .checks import check
from .document import Disclosure
from .errors import Finding, InputError, Severity
from .model.budget import Budget
from .model.additions import read_additions
from .model.loader import load_budget


@dataclass
class Examined:
    """One department loaded, checked and analysed: the analysis the checks computed is the one the document, the
    check report and new-year read (None with the budget when the files could not be loaded)."""

    budget: Budget | None
    analysis: BudgetAnalysis | None
    findings: list[Finding]

    @property
    def failed(self) -> bool:
        return self.budget is None or any(f.severity is Severity.error for f in self.findings)


def examine(path: Path) -> Examined:
    """Load, check and analyse one department: every finding, sorted by file and line, and its analysis."""
    try:
        budget, findings = load_budget(path)
    except InputError as exc:
        return Examined(None, None, _sorted(exc.findings))
    budget.additions, more = read_additions(Path(path))  # 科目补充.yaml beside the department and above it
    analysis = analyse(budget)  # after the additions: the year's catalog includes them
    return Examined(budget, analysis, _sorted(findings + more + check(budget, analysis)))


def validate(path: Path) -> tuple[Budget | None, list[Finding]]:
    """Every finding about one department, errors and warnings, sorted by file and line."""
    examined = examine(path)
    return examined.budget, examined.findings


def prepare(path: Path, templates: Path | None = None) -> tuple[Disclosure, list[Finding]]:
    """The disclosure of one department; raises InputError (with every finding) when there are errors."""
    examined = examine(path)
    budget, analysis = examined.budget, examined.analysis
    if budget is None or analysis is None or examined.failed:
        raise InputError(examined.findings)
    return build(budget, analysis, templates), examined.findings


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(set(findings), key=Finding.sort_key)
