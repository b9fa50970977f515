"""Codes and references: every code known in the year's catalog, every unit and project referred to exists once."""

from __future__ import annotations

import unicodedata
from collections import Counter

from .. import catalog as catalogs
from ..errors import Finding
from ..model.budget import Budget, Kind, Project, Source, Strict
from ..model.positions import position_in_file
from .base import E, W, at as _at


FUND_OF_SOURCE = {Source.fund: "政府性基金预算", Source.state_capital: "国有资本经营预算"}


def check_year(budget: Budget) -> list[Finding]:
    """The budget year against the lists budgetgen has: before the first is an error, a stand-in list a warning."""
    years = catalogs.available_years()
    year = budget.budget_year
    if year < years[0]:
        return [_year_finding(budget, E, f"budgetgen 的科目表从 {years[0]} 年起，没有 {year} 年的科目表",
                              f"确认 budget_year 是否写错；以下科目暂按 {years[0]} 年科目表检查", "unknown-year")]
    cat = catalogs.for_year(year)
    if cat.year != year:
        return [_year_finding(budget, W, f"budgetgen 还没有 {year} 年的科目表，暂按 {cat.label()}检查和生成",
                              "当年科目有调整时，在 科目补充.yaml 中补充，或更新 budgetgen 后再生成正式文件",
                              "catalog-fallback")]
    if cat.provisional:
        return [_year_finding(budget, W, f"{year} 年政府收支分类科目尚未正式公布，budgetgen 暂按最近一年的科目表"
                                         "检查和生成（暂定）", "正式科目公布后请更新 budgetgen 并重新生成",
                              "catalog-provisional")]
    return []


def _year_finding(budget: Budget, severity, message: str, fix: str, code: str) -> Finding:
    where = position_in_file(budget.department, ("budget_year",))
    if where is None:
        return Finding(severity, message, fix=fix, code=code)
    return where.finding(severity, message, fix, code)


def check_additions(budget: Budget, cat: catalogs.Catalog) -> list[Finding]:
    """Codes a 科目补充.yaml adds: each needs its parent; one the official list names otherwise is a warning."""
    official = catalogs.official_for(budget)
    findings = []
    for a in budget.additions:
        listed = (official.function if a.kind == "function" else official.economic).get(a.code)
        known = cat.function if a.kind == "function" else cat.economic

        def here(severity, message, fix="", code="", *, a=a):  # `a` bound now (here is only called in this pass)
            return Finding(severity, message, a.file, a.line, a.column, f"{a.kind}.{a.code}", fix, code)

        if listed == a.name:
            findings.append(here(W, f"科目 {a.code} {a.name} 已在 {official.label()}中，无需补充", "删除这一行",
                                 "catalog-addition-known"))
        elif listed is not None:
            findings.append(here(W, f"科目 {a.code} 在 {official.label()}中名为“{listed}”，补充文件写作“{a.name}”，"
                                    f"各表按补充文件的“{a.name}”列示", f"如无特别需要，删除这一行以使用“{listed}”",
                                 "catalog-addition-renames"))
        if len(a.code) > 3 and a.code[:-2] not in known:
            findings.append(here(E, f"补充的科目 {a.code} 缺少上级科目 {a.code[:-2]}",
                                 f"同时补充 {a.code[:-2]}（名称按当年科目表）", "catalog-addition-parent"))
    return findings


def check_codes(budget: Budget) -> list[Finding]:
    """Findings about codes and references; errors here mean the budget cannot be built."""
    findings: list[Finding] = check_year(budget)
    cat = catalogs.for_budget(budget)
    findings += check_additions(budget, cat)
    class_codes = {code for code, _ in cat.classes if code}

    def add_line(kind: str, code: str) -> str:
        return f"如确为当年科目，在部门目录（或全县的上级目录）的 科目补充.yaml 中 {kind}: 下加一行 \"{code}\": 科目名称"

    def function_code(owner: Strict, code: str | None, field: str = "function", source: Source = Source.general
                      ) -> None:
        if code is None:
            findings.append(_at(owner, E, "缺少功能分类科目 function", field, "填写 7 位项级科目编码，如 2013101",
                                "missing-function"))
            return
        if code not in cat.function:
            near = cat.nearest_function(code, FUND_OF_SOURCE.get(source, catalogs.GENERAL))
            hint = f"是否为 {'、'.join(f'{c} {cat.function[c]}' for c in near)}？" if near else ""
            parent = next((code[:n] for n in (3, 5) if code[:n] not in cat.function), None)
            why = f"（其上级科目 {parent} 也不在其中）" if parent else ""
            findings.append(_at(owner, E, f"功能分类科目 {code} 不在 budgetgen 的 {cat.label()}中{why}", field,
                                hint + add_line("function", code),
                                "unknown-function-code"))
        elif code[:3] not in class_codes:
            findings.append(_at(owner, E, f"科目 {code} 所属的类 {code[:3]} 不在 {cat.label()}的类级科目中", field,
                                code="class-not-listed"))

    def economic_code(owner: Strict, code: str | None, required: bool) -> None:
        if code is None:
            if required:
                findings.append(_at(owner, E, "基本支出必须填写经济分类科目 economic", "economic",
                                    "填写 5 位款级科目编码，如 30101", "missing-economic"))
            return
        if code not in cat.economic:
            near = cat.nearest_economic(code)
            hint = f"是否为 {'、'.join(f'{c} {cat.economic[c]}' for c in near)}？" if near else ""
            findings.append(_at(owner, E, f"经济分类科目 {code} 不在 budgetgen 的 {cat.label()}中", "economic",
                                hint + add_line("economic", code),
                                "unknown-economic-code"))

    dept = budget.department
    unit_codes = Counter(u.code for u in budget.units)
    for unit in budget.units:
        if unit_codes[unit.code] > 1:
            findings.append(_at(unit, E, f"单位编码 {unit.code} 重复", "code", code="duplicate-unit"))
        if not unit.code.startswith(dept.code) and not budget.partial:
            findings.append(_at(unit, W, f"单位编码 {unit.code} 不以部门编码 {dept.code} 开头", "code",
                                code="unit-not-under-department"))
        for line in unit.basic:
            function_code(line, line.function, source=line.source)
            # a reserve (单位预留机动经费) is not yet assigned to an economic 款
            economic_code(line, line.economic, required=line.kind is not Kind.reserve)

    # The same project twice (in two files, say) would be counted twice: compared by the unit it belongs to as
    # the department means it (no unit = the only/first unit) and by its name as printed, whatever the spacing
    # or full/half width; project codes department-wide.
    names = Counter((budget.unit_code_of(p), same(p.name)) for p in budget.projects)
    spellings: dict[tuple[str, str], set[str]] = {}
    for p in budget.projects:
        spellings.setdefault((budget.unit_code_of(p), same(p.name)), set()).add(p.name)
    codes = Counter(same(p.code) for p in budget.projects if p.code)
    for project in budget.projects:
        if project.unit is None and len(budget.units) > 1:
            findings.append(_at(project, E, "部门有多个单位，项目须写明所属单位 unit", "unit",
                                "填写单位编码：" + "、".join(unit_codes), "missing-unit"))
        elif project.unit is not None and project.unit not in unit_codes and budget.hidden_units is not None \
                and project.unit not in budget.hidden_units:  # a unit left out for its own errors is not unknown
            findings.append(_at(project, E, f"所属单位 {project.unit} 不存在", "unit",
                                "可用单位编码：" + "、".join(unit_codes), "unknown-unit"))
        key = (budget.unit_code_of(project), same(project.name))
        if names[key] > 1:
            others = sorted(spellings[key] - {project.name})
            also = f"（与“{'”“'.join(others)}”只差空格或全角、半角）" if others else ""
            findings.append(_at(project, E, f"项目名称“{project.name}”重复{also}", "name",
                                "同一项目只写一次；不同项目请用不同名称", "duplicate-project"))
        if project.code and codes[same(project.code)] > 1:
            findings.append(_at(project, E, f"项目编码 {project.code} 重复", "code", code="duplicate-project-code"))
        _project_lines(project, function_code, economic_code)

    if not any(f.severity is E for f in findings):
        for unit in budget.units:
            for item in unit.procurement:
                if budget.project_named(unit.code, item.project) is None:
                    findings.append(_at(item, E, f"政府采购来源项目“{item.project}”不是本单位的项目", "project",
                                        code="unknown-procurement-project"))
    return findings


def same(text: str) -> str:
    """A name or code as compared for duplicates: NFKC (full/half width), without whitespace or invisible format
    characters (zero-width space, BOM)."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if not c.isspace() and unicodedata.category(c) != "Cf")


def _project_lines(project: Project, function_code, economic_code) -> None:
    """Each code once, where it is written: a project's own codes (also the defaults of its lines), then each
    line's own."""
    lines = project.amounts
    if lines is None or any(line.function is None for line in lines):
        function_code(project, project.function, source=project.source)
    if lines is None or project.economic is not None:
        economic_code(project, project.economic, required=False)
    for line in lines or ():
        if line.function is not None:
            function_code(line, line.function, source=line.source)
        if "economic" not in line._inherited:
            economic_code(line, line.economic, required=False)
