"""Many departments at once: find them under the given paths, render or check each in a worker process.

A folder that holds YAML files directly is one department (its subfolders are its units and projects);
a folder without any is searched further, so a county's tree of departments can be given as one path.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Finding, InputError, Severity, describe_failure
from .model.loader import CATALOG_FILE, PROFILE_POINTER, YAML_SUFFIXES, misnamed_yaml


@dataclass(frozen=True)
class Department:
    path: Path  # a folder or a single YAML file
    relative: Path  # where its outputs go below --out (mirrors the input tree)


@dataclass(frozen=True)
class Skipped:
    """A folder not visited because its real folder was already visited (a symlink loop or a second way in)."""

    path: Path
    real: Path
    reason: str = ""

    def render(self) -> str:
        return f"跳过 {self.path}：{self.reason or f'它与 {self.real} 是同一个目录，已处理过'}"


def discover(paths: list[Path], skipped: list[Skipped] | None = None) -> list[Department]:
    """The departments under the given paths, each real folder once: a symlink that leads back into the tree (a
    loop, or a second name for a folder already seen) is not followed again, and is added to `skipped`.

    Real folders are walked before symlinked ones, so a department keeps the place it really has in the tree."""
    skipped = [] if skipped is None else skipped
    found: list[Department] = []
    seen: set[Path] = set()  # real paths of the folders walked
    departments: list[Path] = []  # real paths of the department folders found
    for root in paths:
        if root.is_file() or not root.exists():
            found.append(Department(root, Path()))
            continue
        links: list[Path] = []
        queue = [root]
        while queue:
            start = queue.pop(0)
            real = _real(start)
            if real is None or real in seen or any(real.is_relative_to(d) for d in departments):
                skipped.append(Skipped(start, real or start, "" if real else "无法解析它指向的位置"))
                continue
            for folder in _department_folders(start, seen, links, skipped):
                departments.append(folder.resolve())
                found.append(Department(folder, folder.relative_to(root) if folder != root else Path()))
            queue += links
            links.clear()
    return found


def _real(path: Path) -> Path | None:
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # a dangling link, or a loop the system refuses to resolve
        return None


def _department_folders(folder: Path, seen: set[Path], links: list[Path], skipped: list[Skipped]) -> Iterator[Path]:
    """Department folders at or below `folder` (walked without entering symlinks; those go to `links`)."""
    seen.add(folder.resolve())
    try:
        entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    except OSError as exc:
        skipped.append(Skipped(folder, folder, f"无法读取这个目录（{exc.strerror or exc}）"))
        return
    # a county's 科目补充.yaml (codes for every department below) and 公开格式.yaml (their profile) do not make its
    # folder a department, and a profile folder (profile.yaml) is none; a folder of misnamed YAML files (a.YAML,
    # a.yaml.txt) is one: the loader names them, never skipped silently
    if any(p.name == "profile.yaml" and p.is_file() for p in entries):
        return
    if any(p.is_file() and p.name not in (CATALOG_FILE, PROFILE_POINTER) and (p.suffix in YAML_SUFFIXES or misnamed_yaml(p.name))
           for p in entries):
        yield folder
        return
    for sub in entries:
        if sub.is_symlink():
            if sub.is_dir():
                links.append(sub)
        elif sub.is_dir():
            yield from _department_folders(sub, seen, links, skipped)


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
    profile: str = ""  # the name of the 公开格式 the department is laid out in

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
               pdf_variant: str | None, stem_of: Callable[[str], str], profile: Path | None = None,
               units: bool = False) -> Outcome:
    """Render one department (with `units`, each unit's own 单位预算 too, in the same set of files); every failure
    is caught and described, so the others carry on."""
    from . import writers
    from .pipeline import prepare_all

    outcome = Outcome(str(dept.path))
    try:
        documents, findings = prepare_all(dept.path, templates, profile, units)
    except InputError as exc:
        outcome.findings = exc.findings
        outcome.failure = outcome.errors[0].render() if outcome.errors else "数据有错误"
        return outcome
    except Exception as exc:  # noqa: BLE001 - one department's surprise must not stop a county
        outcome.failure = describe_failure(exc)
        return outcome
    doc = documents[0]
    outcome.findings, outcome.name, outcome.code = findings, doc.department_name, doc.department_code
    target = out / dept.relative
    options = writers.Options(templates=templates, pdf_variant=pdf_variant)
    # a unit's files: the department's name, then the unit's code and name (unique, and sorted beside it)
    named = [(doc, stem_of(doc.source_name))] + [
        (unit, stem_of(f"{unit.source_name}-{unit.department_code}-{unit.department_name}")) for unit in documents[1:]]
    try:  # every format of every document staged, then moved in together: all or nothing
        outcome.written = [str(p) for p in writers.write_all(named, target, formats, options)]
    except writers.CommitError as exc:
        outcome.failure = commit_failure(exc, target)
    except writers.FormatFailed as exc:
        outcome.failure = f"{exc.name.upper()} 未生成：{describe_failure(exc.cause)}；{UNCHANGED.format(target=target)}"
    except Exception as exc:  # noqa: BLE001
        outcome.failure = f"未能生成：{describe_failure(exc)}；{UNCHANGED.format(target=target)}"
    return outcome


UNCHANGED = "本次没有替换任何文件，{target} 中原有的文件保持不变"


def commit_failure(exc, target: Path) -> str:
    """A set that could not be moved in, in words: what the output folder now holds, exactly."""
    reason = describe_failure(exc.cause)
    if not exc.replaced:
        return f"移入输出目录时出错：{reason}；已撤回，{UNCHANGED.format(target=target)}"
    return (f"移入输出目录时出错：{reason}；以下为新生成的文件：{'、'.join(map(str, exc.replaced))}；"
            f"以下仍是原有的文件：{'、'.join(map(str, exc.kept)) or '无'}。请处理上述问题后重新生成")


def check_one(dept: Department) -> Outcome:
    """Validate one department and collect the headline figures a finance bureau compares."""
    from .fmt import money
    from .pipeline import examine

    outcome = Outcome(str(dept.path))
    try:
        examined = examine(dept.path)
    except Exception as exc:  # noqa: BLE001
        outcome.failure = f"检查失败：{exc}"
        return outcome
    budget, analysis, outcome.findings = examined.budget, examined.analysis, examined.findings
    if budget is not None:
        outcome.name, outcome.code = budget.department.name, budget.department.code
        outcome.profile = budget.profile.name if budget.profile is not None else ""
    if outcome.errors or budget is None or analysis is None:
        outcome.failure = outcome.errors[0].render() if outcome.errors else "数据有错误"
        return outcome
    f = analysis.department.figures  # the figures the checks read
    outcome.figures = {"year": str(budget.budget_year), "units": str(len(budget.units)),
                       "projects": str(len(budget.projects)), "total": money(f.spending_total),
                       "basic": money(f.basic), "project": money(f.project), "sangong": money(f.sangong["sangong"]),
                       "running": money(f.running)}
    return outcome


def duplicate_departments(outcomes: list[Outcome]) -> None:
    """The same department (code and name) in two folders of a county: an error on each, or it is counted twice."""
    same: dict[tuple[str, str], list[Outcome]] = {}
    for o in outcomes:
        if o.code:
            same.setdefault((o.code, o.name), []).append(o)
    for (code, name), group in same.items():
        for o in group if len(group) > 1 else ():
            others = "、".join(x.path for x in group if x is not o)
            message = f"部门 {code} {name} 在 {others} 中也有一份"
            o.findings.append(Finding(Severity.error, message, o.path, fix="删除重复的目录，或核对部门编码和名称",
                                      code="duplicate-department"))
            o.failure = o.failure or message


def identify(dept: Department) -> Outcome:
    """A department's code and name as its YAML gives them, read before anything is rendered (nothing checked:
    a department whose files cannot be read has none, and its render says what is wrong)."""
    from .model.loader import department_files, display_name, read_yaml

    outcome = Outcome(str(dept.path))
    try:
        files, _ = department_files(dept.path)
        for path in files:
            if b"department" not in path.read_bytes():
                continue
            data, _, _ = read_yaml(path, display_name(path))
            head = data.get("department") if isinstance(data, dict) else None
            if isinstance(head, dict) and isinstance(head.get("code"), str) and isinstance(head.get("name"), str):
                outcome.code, outcome.name = head["code"], head["name"]
                break
    except Exception:  # noqa: BLE001 - the render of this department reports it
        pass
    return outcome


def run_unique(tasks: list[Department], work: Callable[[Department], Outcome], jobs: int,
               progress: Callable[[Outcome], None]) -> list[Outcome]:
    """run() for render over a county: the same department (code and name) in two folders is an error on each, as
    `check` reports it (duplicate_departments), and neither is rendered; the other departments are."""
    if len(tasks) <= 1:
        return run(tasks, work, jobs, progress)
    found = run(tasks, identify, jobs, lambda o: None)
    duplicate_departments(found)
    for o in found:
        if o.failed:
            progress(o)
    rest = [i for i, o in enumerate(found) if not o.failed]
    done = dict(zip(rest, run([tasks[i] for i in rest], work, jobs, progress), strict=True))
    return [done.get(i, o) for i, o in enumerate(found)]


def run(tasks: list[Department], work: Callable[[Department], Outcome], jobs: int,
        progress: Callable[[Outcome], None]) -> list[Outcome]:
    """Run work over the departments, in `jobs` processes; results come back in input order."""
    results: dict[int, Outcome] = {}
    if jobs <= 1 or len(tasks) <= 1:
        for i, task in enumerate(tasks):
            results[i] = work(task)
            progress(results[i])
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(work, task): i for i, task in enumerate(tasks)}
            for future in as_completed(futures):
                i = futures[future]
                try:
                    results[i] = future.result()
                except Exception as exc:  # noqa: BLE001 - e.g. a worker killed by the system
                    results[i] = Outcome(str(tasks[i].path), failure=f"处理进程异常退出：{exc}")
                progress(results[i])
    return [results[i] for i in range(len(tasks))]


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
