"""Codes and references: every code known in the year's catalog, every unit and project referred to exists once."""

from __future__ import annotations

from collections import Counter

from .. import catalog as catalogs
from ..errors import Finding
from ..model.budget import Budget, Line, Project, Strict
from ..model.loader import Loc
from .base import E, W, at as _at


def check_codes(budget: Budget) -> list[Finding]:
    """Findings about codes and references; errors here mean the budget cannot be built."""
    years = "、".join(str(y) for y in catalogs.available_years())
    try:
        cat = catalogs.for_year(budget.budget_year)
    except catalogs.UnknownYear:
        return [_at(budget.department, E, f"没有 {budget.budget_year} 年或更早年度的科目表（已有：{years}）",
                    fix="确认 budget_year 是否写错", code="unknown-year")]
    findings: list[Finding] = []
    if cat.year != budget.budget_year:
        message = f"budgetgen 还没有 {budget.budget_year} 年的科目表，暂按 {cat.year} 年科目表检查和生成"
        fix = "如当年科目有调整，请更新 budgetgen 后再生成正式文件"
        loc = budget.department._at
        findings.append(Loc(loc.smap, ()).finding(W, message, "budget_year", fix, "catalog-fallback") if loc
                        else Finding(W, message, fix=fix, code="catalog-fallback"))
    class_codes = {code for code, _ in cat.classes if code}

    def function_code(owner: Strict, code: str | None, field: str = "function") -> None:
        if code is None:
            findings.append(_at(owner, E, "缺少功能分类科目 function", field, "填写 7 位项级科目编码，如 2013101",
                                "missing-function"))
            return
        if code not in cat.function:
            near = cat.nearest_function(code)
            fix = f"是否为 {'、'.join(f'{c} {cat.function[c]}' for c in near)}？" if near else "查阅当年政府收支分类科目"
            parent = next((code[:n] for n in (5, 3) if code[:n] not in cat.function), None)
            why = f"（其上级科目 {parent} 也不存在）" if parent else ""
            findings.append(_at(owner, E, f"功能分类科目编码 {code} 在 {cat.year} 年科目表中不存在{why}", field, fix,
                                "unknown-function-code"))
        elif code[:3] not in class_codes:
            findings.append(_at(owner, E, f"科目 {code} 所属的类 {code[:3]} 不在 {cat.year} 年收支总表的类级科目中", field,
                                code="class-not-listed"))

    def economic_code(owner: Strict, code: str | None, required: bool) -> None:
        if code is None:
            if required:
                findings.append(_at(owner, E, "基本支出必须填写经济分类科目 economic", "economic",
                                    "填写 5 位款级科目编码，如 30101", "missing-economic"))
            return
        if code not in cat.economic:
            near = cat.nearest_economic(code)
            fix = f"是否为 {'、'.join(f'{c} {cat.economic[c]}' for c in near)}？" if near else "查阅部门预算支出经济分类科目"
            findings.append(_at(owner, E, f"经济分类科目编码 {code} 在 {cat.year} 年科目表中不存在", "economic", fix,
                                "unknown-economic-code"))

    dept = budget.department
    unit_codes = Counter(u.code for u in budget.units)
    for unit in budget.units:
        if unit_codes[unit.code] > 1:
            findings.append(_at(unit, E, f"单位编码 {unit.code} 重复", "code", code="duplicate-unit"))
        if not unit.code.startswith(dept.code):
            findings.append(_at(unit, W, f"单位编码 {unit.code} 不以部门编码 {dept.code} 开头", "code",
                                code="unit-not-under-department"))
        for line in unit.basic:
            function_code(line, line.function)
            economic_code(line, line.economic, required=True)

    names = Counter((p.unit or "", p.name) for p in budget.projects)
    codes = Counter(p.code for p in budget.projects if p.code)
    for project in budget.projects:
        if project.unit is None and len(budget.units) > 1:
            findings.append(_at(project, E, "部门有多个单位，项目须写明所属单位 unit", "unit",
                                "填写单位编码：" + "、".join(unit_codes), "missing-unit"))
        elif project.unit is not None and project.unit not in unit_codes:
            findings.append(_at(project, E, f"所属单位 {project.unit} 不存在", "unit",
                                "可用单位编码：" + "、".join(unit_codes), "unknown-unit"))
        if names[(project.unit or "", project.name)] > 1:
            findings.append(_at(project, E, f"项目名称“{project.name}”重复", "name", code="duplicate-project"))
        if project.code and codes[project.code] > 1:
            findings.append(_at(project, E, f"项目编码 {project.code} 重复", "code", code="duplicate-project-code"))
        _project_lines(project, function_code, economic_code)

    if not any(f.severity is E for f in findings):
        for unit in budget.units:
            for line in unit.procurement:
                if budget.project_named(unit.code, line.project) is None:
                    findings.append(_at(line, E, f"政府采购来源项目“{line.project}”不是本单位的项目", "project",
                                        code="unknown-procurement-project"))
    return findings


def _project_lines(project: Project, function_code, economic_code) -> None:
    if project.amounts is None:
        function_code(project, project.function)
        economic_code(project, project.economic, required=False)
        return
    for line in project.amounts:
        owner: Line = line
        if line.function is None and project.function is None:
            function_code(project, None)
        else:
            function_code(owner if line.function else project, line.function or project.function)
        economic_code(owner, line.economic, required=False)
