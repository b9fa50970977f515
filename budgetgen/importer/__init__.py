"""budgetgen import: the budget system's exports (XLSX, CSV) → a department folder in budgetgen's YAML.

The flow, one module per step:
  sheets.py   files → sheets of cell values (openpyxl read-only and data-only; CSV decoded as the loader decodes)
  headers.py  header texts → fields (the documented synonym list; a mapping file overrides), the amounts' unit
  records.py  sheets → records: leaf lines, performance indicators, goals, last year's figures (per unit when
              the sheet names units), procurement lines, units' nature/rank/funding, assets, 是否涉密, each at
              sheet!cell
  build.py    records → units and projects, checked against the year's catalog; the YAML text of each
  folder.py   a new folder, or an existing one updated in place (figures only; hand-written text kept), staged,
              checked as validate checks it, and moved in only when there is no error
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Finding, InputError, Severity
from .headers import UNITS, Mapping


@dataclass
class Request:
    files: list[Path]
    out: Path
    unit: str | None = None  # 元 / 千元 / 万元, declared
    year: int | None = None
    code: str | None = None
    name: str | None = None
    level: str = "县级"
    mapping: Path | None = None


@dataclass
class Result:
    folder: Path
    findings: list[Finding] = field(default_factory=list)  # warnings (errors raise InputError)
    notes: list[str] = field(default_factory=list)
    lines: int = 0
    units: int = 0
    projects: int = 0


def read_mapping(path: Path | None, findings: list[Finding]) -> Mapping:
    """The mapping file (YAML): columns (field → header text or texts), unit, skip."""
    if path is None:
        return Mapping()
    from ..model.loader import display_name, read_yaml
    from .headers import SYNONYMS

    shown = display_name(path)
    data, smap, found = read_yaml(path, shown)
    findings.extend(found)
    if data is None:
        return Mapping()
    mapping = Mapping()
    if not isinstance(data, dict):
        findings.append(Finding(Severity.error, "映射文件应写成“字段: 值”的形式（columns、unit、skip）", shown,
                                code="import-mapping"))
        return mapping
    for key, value in data.items():
        line, col = smap.position((key,))
        if key == "columns" and isinstance(value, dict):
            for name, texts in value.items():
                if name not in SYNONYMS:
                    line, col = smap.position((key, name))
                    findings.append(Finding(Severity.error, f"映射文件中的字段“{name}”不是 import 读取的列", shown, line,
                                            col, f"columns.{name}", "可用的字段：" + "、".join(SYNONYMS),
                                            "import-mapping"))
                    continue
                mapping.columns[name] = tuple(texts) if isinstance(texts, list) else (str(texts),)
        elif key == "unit" and value in UNITS:
            mapping.unit = value
        elif key == "skip" and isinstance(value, list):
            mapping.skip = tuple(str(v) for v in value)
        else:
            findings.append(Finding(Severity.error, f"映射文件中的“{key}”无法识别", shown, line, col, key,
                                    "只能写 columns（字段: 表头）、unit（元/千元/万元）、skip（不读取的工作表）",
                                    "import-mapping"))
    return mapping


def run(request: Request) -> Result:
    """Read the files and write the folder; InputError with every finding when there is an error (then nothing
    is written)."""
    from .. import catalog as catalogs
    from ..model.additions import read_additions
    from ..model.loader import display_name
    from . import build, folder, records, sheets

    findings: list[Finding] = []
    mapping = read_mapping(request.mapping, findings)
    reader = records.Reader(mapping, request.unit, findings)
    names = []
    seen: dict[bytes, str] = {}  # content digest → the file that had it first
    for path in request.files:
        shown = display_name(path)
        names.append(path.name)
        first = _seen_before(path, seen, shown)
        if first is not None:  # the same export given twice would count every line twice
            findings.append(Finding(Severity.error, f"与 {first} 内容完全相同：同一份导出表给了两次，其中每笔明细都会重复计算",
                                    shown, fix=f"命令中只保留 {first} 和 {shown} 中的一个", code="import-same-file"))
            continue
        for sheet in sheets.read(path, shown, findings):
            reader.read(sheet)
    got = reader.records
    build.repeated_lines(got, findings)
    out = request.out
    if out.exists() and not out.is_dir():
        raise InputError(findings + [Finding(Severity.error, "--out 应是部门目录，不是文件", str(out),
                                             code="import-out")])
    try:
        existing = folder.scan(out)
    except folder.ImportFailed as exc:
        raise InputError(findings + [Finding(Severity.error, str(exc), str(out), code="import-out")]) from None
    year = request.year or got.meta.year or existing.year
    if year is None:
        findings.append(Finding(Severity.error, "不知道预算年度：导入表中没有“预算年度：2023”或“2023年……”这样的文字",
                                names[0] if names else "", fix="用 --year 2023 指定预算年度", code="import-no-year"))
    elif existing.year is not None and existing.year != year:
        findings.append(Finding(Severity.error, f"导入表的预算年度是 {year}（{got.meta.year_at or '--year'}），"
                                f"而 {out} 是 {existing.year} 年的目录", str(out), code="import-year",
                                fix="导入到该年度的部门目录（新年度先用 budgetgen new-year 生成目录）"))
    if not (got.lines or got.indicators or got.goals or got.last_year or got.procurement or got.unit_info
            or got.assets) and not any(
            f.severity is Severity.error for f in findings):
        findings.append(Finding(Severity.error, "导入的文件中没有找到可以导入的明细（预算明细、绩效指标、绩效目标、上年数、"
                                "政府采购、单位基本信息或资产）",
                                "、".join(names), code="import-nothing",
                                fix="确认导入的是预算系统导出的明细表；表头写法不同时用 --map 映射文件写明各列"))
    if any(f.severity is Severity.error for f in findings) or year is None:
        raise InputError(_sorted(findings))
    additions, more = read_additions(out)  # a new folder: the county's 科目补充.yaml above it still counts
    findings.extend(f for f in more if f.severity is Severity.error)
    catalog = catalogs.for_year(max(year, catalogs.FIRST_YEAR)).with_additions(additions)
    build.check_codes(got, catalog, findings)
    dept_code = request.code or got.meta.code or _department_code(got, existing)
    dept_name = request.name or got.meta.name
    if existing.department is None and not (dept_code and dept_name):
        findings.append(Finding(Severity.error, "新建部门目录需要部门编码和名称，导入表中没有写明（如“部门编码：201”"
                                "“部门名称：……”）", "、".join(names), code="import-no-department",
                                fix="用 --code 201 --name 部门名称 指定"))
    if existing.department is not None:
        per = UNITS["元" if existing.unit_word == "元" else "万元"]
    else:  # a new folder keeps the sheets' unit: 万元 when they are in 万元, else 元 (exact for 千元 too)
        per = UNITS["万元" if got.unit_word == "万元" else "元"]
    projects: dict[str, set[str]] = {}
    for unit, _, project, _ in existing.projects:
        projects.setdefault(unit, set()).add(project)
    dept = build.assemble(got, year, dept_code or "", dept_name or "", per, existing.unit_names, findings, projects)
    where = got.last_year[0].at if got.last_year else None
    last_year = build.last_year_lines(dept, findings, where) if got.last_year else []
    if any(f.severity is Severity.error for f in findings):
        raise InputError(_sorted(findings))
    sources = "、".join(names)
    the_plan = folder.plan(dept, existing, last_year, request.level, sources)
    try:
        checked = folder.commit(out, the_plan)
    except folder.ImportFailed as exc:
        raise InputError(_sorted(findings) + [Finding(Severity.error, str(exc), str(out), code="import-out")]) from None
    if any(f.severity is Severity.error for f in checked):
        raise InputError(_sorted(findings) + [f for f in checked if f.severity is Severity.error])
    return Result(out, _sorted(findings) + checked, the_plan.notes, len(got.lines), len(dept.units),
                  len(dept.projects))


def _seen_before(path: Path, seen: dict[bytes, str], shown: str) -> str | None:
    """The earlier file with the same bytes as this one (None the first time; an unreadable file is the sheet
    reader's to report)."""
    import hashlib

    try:
        digest = hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return None
    if digest in seen:
        return seen[digest]
    seen[digest] = shown
    return None


def _department_code(got, existing) -> str:
    """The department's code from its units' (201001 → 201) when all share it."""
    codes = {line.unit_code for line in got.lines if line.unit_code} | set(existing.units)
    stems = {c[:-3] for c in codes if len(c) >= 5}
    return stems.pop() if len(stems) == 1 and len(codes) == len([c for c in codes if len(c) >= 5]) else ""


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(dict.fromkeys(findings), key=lambda f: (f.file, f.severity is not Severity.error, f.line, f.column,
                                                        f.message))
