"""The one-way flow in one place: load → check → build → write. Commands call this, never the stages piecemeal;
its four public functions are also budgetgen's Python API (budgetgen/__init__.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import checks, compose, profiles, writers
from .analysis import BudgetAnalysis, analyse
from .document import Disclosure
from .errors import Finding, InputError, Severity
from .model.additions import read_additions
from .model.budget import Budget, DocumentKind
from .model.loader import load_budget


def load(path: str | Path, profile: str | Path | None = None) -> Budget:
    """A department's budget from its folder (or single YAML file), with the 科目补充.yaml codes beside it and
    above it, and its profile (`profile`, a profile folder, else the one the department names: profiles.resolve).
    InputError (carrying every finding) when a file has errors; warnings stay on the budget (load_findings) and
    check() reports them."""
    budget = _read(Path(path), _folder(profile))
    if _failed(budget.load_findings):
        raise InputError(_sorted(budget.load_findings))
    return budget


def check(budget: Budget, analysis: BudgetAnalysis | None = None) -> list[Finding]:
    """Every finding about a loaded budget, the loader's included, sorted by file and line; errors mean it
    cannot be built. A check's finding at a place the loader already found wrong is left out: one mistake (an
    economic code 3020l) is one finding, not also "economic missing" about the value the loader had to set aside."""
    wrong = {(f.file, f.path) for f in budget.load_findings if f.severity is Severity.error and f.path}
    found = [f for f in checks.check(budget, analysis or analyse(budget)) if (f.file, f.path) not in wrong]
    return _sorted(budget.load_findings + found)


def build(budget: Budget, templates: Path | None = None, unit: str | None = None) -> Disclosure:
    """The disclosure of a loaded budget (or, with `unit`, that unit's own 单位预算); InputError (with every
    finding) when check() finds errors."""
    analysis = analyse(budget)
    findings = check(budget, analysis)
    if _failed(findings):
        raise InputError(findings)
    return compose.build(budget, analysis, templates, unit=unit)


def write(doc: Disclosure, out: str | Path, formats: Iterable[str] | None = None, *, stem: str | None = None,
          options: writers.Options | None = None) -> list[Path]:
    """The document in the formats asked for (default: the default set, writers.defaults) in folder `out`, named after the
    department's folder unless `stem` is given; the set replaces the earlier one as a whole or not at all."""
    names = list(formats) if formats is not None else writers.defaults()
    return writers.write(doc, Path(out), stem or writers.output_stem(doc.source_name or doc.department_name),
                         names, options)


@dataclass
class Examined:
    """One department loaded, checked and analysed: the analysis the checks computed is the one the document, the
    check report and new-year read (None with the budget when the files could not be loaded)."""

    budget: Budget | None
    analysis: BudgetAnalysis | None
    findings: list[Finding]

    @property
    def failed(self) -> bool:
        return self.budget is None or _failed(self.findings)


def examine(path: Path, profile: Path | None = None) -> Examined:
    """Load, check and analyse one department: every finding, sorted by file and line, and its analysis."""
    try:
        budget = _read(Path(path), profile)
    except InputError as exc:
        return Examined(None, None, _sorted(exc.findings))
    analysis = analyse(budget)  # after the additions: the year's catalog includes them
    return Examined(budget, analysis, check(budget, analysis))


def validate(path: Path, profile: Path | None = None) -> tuple[Budget | None, list[Finding]]:
    """Every finding about one department (and its profile), errors and warnings, sorted by file and line."""
    examined = examine(path, profile)
    return examined.budget, examined.findings


def prepare(path: Path, templates: Path | None = None,
            profile: Path | None = None) -> tuple[Disclosure, list[Finding]]:
    """The disclosure of one department; raises InputError (with every finding) when there are errors."""
    documents, findings = prepare_all(path, templates, profile)
    return documents[0], findings


def prepare_all(path: Path, templates: Path | None = None, profile: Path | None = None,
                units: bool = False) -> tuple[list[Disclosure], list[Finding]]:
    """The department's disclosure and, with `units`, each of its units' own 单位预算 after it (none more when the
    folder is itself one unit's 单位预算), from one analysis; raises InputError (with every finding) on errors."""
    examined = examine(path, profile)
    budget, analysis = examined.budget, examined.analysis
    if budget is None or analysis is None or examined.failed:
        raise InputError(examined.findings)
    documents = [compose.build(budget, analysis, templates)]
    if units and documents[0].kind != DocumentKind.unit.value:
        documents.extend(compose.build(budget, analysis, templates, unit=u.code) for u in budget.units)
    return documents, examined.findings


def _read(path: Path, profile: Path | None = None) -> Budget:
    """The loader's budget with the 科目补充.yaml codes and its profile; its findings, the additions' and the
    profile's on load_findings. InputError only when nothing can be checked (no files, no department)."""
    budget, findings = load_budget(path)
    budget.additions, more = read_additions(path)  # 科目补充.yaml beside the department and above it
    budget.profile, about_profile = profiles.resolve(path, budget.department.options, profile)
    budget.load_findings = findings + more + about_profile
    return budget


def _folder(profile: str | Path | None) -> Path | None:
    """A profile given by a caller: a folder, or the name of a built-in profile."""
    if profile is None:
        return None
    return profiles.locate(profile) if isinstance(profile, str) else Path(profile)


def _failed(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.error for f in findings)


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(set(findings), key=Finding.sort_key)
