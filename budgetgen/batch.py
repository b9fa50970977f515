"""Many departments at once: find them under the given paths, render or check each in a worker process.

A folder that holds YAML files directly is one department (its subfolders are its units and projects);
a folder without any is searched further, so a county's tree of departments can be given as one path.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .errors import Finding, InputError, Severity, describe_failure
from .model.loader import CATALOG_FILE, YAML_SUFFIXES


@dataclass(frozen=True)
class Department:
    path: Path  # a folder or a single YAML file
    relative: Path  # where its outputs go below --out (mirrors the input tree)


def discover(paths: list[Path]) -> list[Department]:
    found: list[Department] = []
    for root in paths:
        if root.is_file() or not root.exists():
            found.append(Department(root, Path()))
            continue
        for folder in _department_folders(root):
            found.append(Department(folder, folder.relative_to(root) if folder != root else Path()))
    return found


def _department_folders(folder: Path) -> Iterator[Path]:
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    # a county's 科目补充.yaml (codes for every department below) does not make its folder a department
    if any(p.is_file() and p.suffix in YAML_SUFFIXES and p.name != CATALOG_FILE for p in entries):
        yield folder
        return
    for sub in entries:
        if sub.is_dir():
            yield from _department_folders(sub)


@dataclass
class Outcome:
    """What happened to one department (sent back from a worker, so plain data only)."""

    path: str
    name: str = ""
    code: str = ""
    written: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    failure: str = ""  # the first error, in words, when the department failed
    figures: dict[str, str] = field(default_factory=dict)  # headline figures for the report

    @property
    def failed(self) -> bool:
        return bool(self.failure)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.warning]


def render_one(dept: Department, out: Path, formats: list[str], templates: Path | None,
               pdf_variant: str | None, stem_of: Callable[[str], str]) -> Outcome:
    """Render one department; every failure is caught and described, so the others carry on."""
    from . import writers
    from .pipeline import prepare

    outcome = Outcome(str(dept.path))
    try:
        doc, findings = prepare(dept.path, templates)
    except InputError as exc:
        outcome.findings = exc.findings
        outcome.failure = outcome.errors[0].render() if outcome.errors else "数据有错误"
        return outcome
    except Exception as exc:  # noqa: BLE001 - one department's surprise must not stop a county
        outcome.failure = describe_failure(exc)
        return outcome
    outcome.findings, outcome.name, outcome.code = findings, doc.department_name, doc.department_code
    target = out / dept.relative
    try:
        for name in formats:
            kwargs = {"templates": templates} if name in ("html", "pdf", "docx") else {}
            if name == "pdf":
                kwargs["variant"] = pdf_variant
            for path in writers.get(name)(doc, target, stem_of(doc.source_name), **kwargs):
                outcome.written.append(str(path))
    except Exception as exc:  # noqa: BLE001
        outcome.failure = f"{name.upper()} 未生成：{describe_failure(exc)}；已有的旧文件保持不变"
    return outcome


def check_one(dept: Department) -> Outcome:
    """Validate one department and collect the headline figures a finance bureau compares."""
    from .build.figures import department_figures
    from .fmt import money
    from .pipeline import validate

    outcome = Outcome(str(dept.path))
    try:
        budget, findings = validate(dept.path)
    except Exception as exc:  # noqa: BLE001
        outcome.failure = f"检查失败：{exc}"
        return outcome
    outcome.findings = findings
    if budget is not None:
        outcome.name, outcome.code = budget.department.name, budget.department.code
    if outcome.errors:
        outcome.failure = outcome.errors[0].render()
        return outcome
    f = department_figures(budget)
    outcome.figures = {"year": str(budget.budget_year), "units": str(len(budget.units)),
                       "projects": str(len(budget.projects)), "total": money(f.spending_total),
                       "basic": money(f.basic), "project": money(f.project), "sangong": money(f.sangong["sangong"]),
                       "running": money(f.running)}
    return outcome


def run(tasks: list[Department], work: Callable[[Department], Outcome], jobs: int,
        progress: Callable[[Outcome], None]) -> list[Outcome]:
    """Run work over the departments, in `jobs` processes; results come back in input order."""
    results: dict[int, Outcome] = {}
    if jobs <= 1 or len(tasks) <= 1:
        if len(tasks) > 1:
            _worker_init()  # --jobs 1 over many departments: one process, and the PDF writer keeps to it too
        for i, task in enumerate(tasks):
            results[i] = work(task)
            progress(results[i])
    else:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init) as pool:
            futures = {pool.submit(work, task): i for i, task in enumerate(tasks)}
            for future in as_completed(futures):
                i = futures[future]
                try:
                    results[i] = future.result()
                except Exception as exc:  # noqa: BLE001 - e.g. a worker killed by the system
                    results[i] = Outcome(str(tasks[i].path), failure=f"处理进程异常退出：{exc}")
                progress(results[i])
    return [results[i] for i in range(len(tasks))]


def _worker_init() -> None:
    # Inside a pool every core is already busy: the PDF writer must not start processes of its own.
    os.environ["BUDGETGEN_PDF_PROCESSES"] = "1"


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
