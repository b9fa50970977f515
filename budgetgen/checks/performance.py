"""Rules a performance target table and a spending plan follow (domain.md §5, §7)."""

from __future__ import annotations

import re
from decimal import Decimal

from .. import fmt
from ..analysis import BudgetAnalysis
from ..errors import Finding
from ..model.budget import Budget, Indicator, Project, ProjectOrder
from .base import E, W, at

LEVELS: dict[str, set[str]] = {
    "产出指标": {"数量指标", "质量指标", "时效指标", "成本指标"},
    "效益指标": {"经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"},
    "满意度指标": {"服务对象满意度指标"},
}
# The 2021 framework (财政部 项目支出绩效目标) makes 成本指标 a 一级指标 of its own; accepted beside the older form
# (成本指标 as a 二级指标 of 产出指标), never required.
COST_LEVEL1 = {"成本指标": {"经济成本指标", "社会成本指标", "生态环境成本指标"}}
ACCEPTED = {**LEVELS, **COST_LEVEL1}
# What a clerk writes about a major project (项目经费情况说明), with the words the notes print before it (checks.texts
# says which are needed); never published for a classified project.
DESCRIPTION = {"overview": "项目概述", "basis": "立项依据", "implementer": "实施主体", "approach": "实施方案",
               "period": "实施周期"}
PLACEHOLDER = re.compile(r"目标内容\s*\d|XX|xx|××|\{[^}]*\}|待填写|待补充|……|\.\.\.\.\.\.")
MONEY = re.compile(r"(\d+(?:\.\d+)?)\s*(万元|元)")
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
BARE_NUMBER = re.compile(r"^[≥≤><=＞＜]*\s*(\d+(?:\.\d+)?)$")


def placeholder(text: str) -> str | None:
    m = PLACEHOLDER.search(text)
    return m.group(0) if m else None


def money_in(text: str) -> Decimal | None:
    """The amount a cost indicator names, in 万元 (元 converted), or None."""
    m = MONEY.search(text)
    if not m:
        return None
    value = Decimal(m.group(1))
    return value / 10000 if m.group(2) == "元" else value


def check_performance(budget: Budget, analysis: BudgetAnalysis) -> list[Finding]:
    findings: list[Finding] = []
    if budget.department.options.project_order is ProjectOrder.code:
        uncoded = [p for p in budget.projects if not p.code]
        if uncoded:
            findings.append(at(uncoded[0], W, f"绩效目标表按项目编码排序，但有 {len(uncoded)} 个项目没有编码（如“{uncoded[0].name}”），"
                                              "这些项目排在最后", "code", "给每个项目填写 code，或改用 project_order: 拼音",
                               "project-without-code"))
    for project in budget.projects:
        total = analysis.total_of(project).total
        if project.classified:
            described = [name for name in DESCRIPTION if getattr(project, name)]
            if project.goals or project.indicators or project.purpose or described:
                findings.append(at(project, W, f"涉密项目“{project.name}”填写了绩效目标、资金用途或项目经费情况说明；"
                                               "这些内容不会公开，也不应留在数据文件中", "classified",
                                   f"删除 {'、'.join(['goals', 'indicators', 'purpose'] + described)}，只保留金额",
                                   "classified-details"))
            continue
        findings.extend(_plan(project))
        findings.extend(_goals(project))
        findings.extend(_grid(project, total))
    return findings


def _plan(project: Project) -> list[Finding]:
    if project.plan is None:
        return []
    out = []
    for i in range(1, 4):
        if project.plan[i] < project.plan[i - 1]:
            quarters = ["3月底", "6月底", "10月底", "12月底"]
            out.append(at(project, E, f"资金支出计划是累计进度，不能下降：{quarters[i - 1]} {fmt.percent(project.plan[i - 1])}，"
                                      f"{quarters[i]} {fmt.percent(project.plan[i])}", "plan",
                          "按累计百分比填写，如 [30, 60, 90, 100]", "plan-decreasing"))
    if project.plan[3] != 100:
        out.append(at(project, E, f"资金支出计划到 12月底 应累计达到 100%，实际为 {fmt.percent(project.plan[3])}", "plan",
                      code="plan-not-complete"))
    return out


def _goals(project: Project) -> list[Finding]:
    out = []
    if not project.goals:
        out.append(at(project, W, f"项目“{project.name}”没有填写绩效目标", "goals", code="missing-goals"))
    for i, goal in enumerate(project.goals):
        if (hit := placeholder(goal)):
            out.append(at(project, W, f"绩效目标中有模板占位文字「{hit}」：{goal}", ("goals", i),
                          "写明本项目的实际目标", "placeholder"))
    return out


def _grid(project: Project, budget: Decimal) -> list[Finding]:
    out: list[Finding] = []
    rows = project.indicators
    if not rows:
        return [at(project, W, f"项目“{project.name}”没有绩效指标", "indicators", code="missing-indicators")]
    present = {row.level1 for row in rows}
    for level1 in LEVELS:
        if level1 not in present:
            out.append(at(project, W, f"绩效指标缺少一级指标“{level1}”", "indicators",
                          f"至少填写一行 level1: {level1}", "missing-level1"))
    seen: set[tuple[str, str, str, str]] = set()
    costs = [row for row in rows if row.level2 == "成本指标"]
    if any(row.level1 == "产出指标" for row in rows) and not costs and "成本指标" not in present:
        out.append(at(project, W, "产出指标中没有成本指标", "indicators", code="missing-cost"))
    for row in rows:
        out.extend(_row(row, budget))
        key = (row.level1, row.level2, row.name, row.value)
        if key in seen:
            out.append(at(row, W, f"指标行重复：{row.level2}“{row.name}” {row.value}", "name", code="duplicate-indicator"))
        seen.add(key)
    if len(costs) > 1:
        out.append(at(costs[1], W, f"成本指标出现 {len(costs)} 行", "level2", "合并为一行，写明项目总成本", "several-costs"))
    return out


# A standard per person, per student, per year … (600元/生·年, 每人每年1200元) is not the project's total cost.
UNIT_COST = re.compile(r"(万元|元)\s*[/／每]|每[^\d]{0,6}\d|[/／]\s*[人生户次年月天件台套个]")


def _cost(row: Indicator, budget: Decimal) -> list[Finding]:
    """A 成本指标 against the project's budget; unit-cost standards and capped values are not totals."""
    if UNIT_COST.search(row.value):
        return []
    amount = money_in(row.value)
    if amount is None:
        bare = BARE_NUMBER.match(row.value.strip())
        if bare:
            return [at(row, W, f"成本指标“{row.name}”的指标值「{row.value}」只有数字，没有写明单位（万元或元）", "value",
                       f"写成 {bare.group(1)}万元（或 …元）", "cost-without-unit")]
        return [at(row, W, f"成本指标“{row.name}”的指标值「{row.value}」没有写明金额", "value",
                   f"写明项目成本，如 {fmt.money(budget)}万元", "cost-without-amount")]
    if amount.quantize(fmt.CENT) != budget.quantize(fmt.CENT) and not row.value.lstrip().startswith(("≤", "<", "＜")):
        return [at(row, W, f"成本指标写的是 {fmt.money(amount)} 万元，而项目预算是 {fmt.money(budget)} 万元", "value",
                   f"改为 {fmt.money(budget)}万元，或核对项目金额", "cost-mismatch")]
    return []


def _row(row: Indicator, budget: Decimal) -> list[Finding]:
    out: list[Finding] = []
    if row.level1 not in ACCEPTED:
        out.append(at(row, W, f"一级指标“{row.level1}”不是产出指标、成本指标、效益指标或满意度指标", "level1",
                      code="unknown-level1"))
    elif row.level2 not in ACCEPTED[row.level1]:
        owner = next((k for k, v in ACCEPTED.items() if row.level2 in v), None)
        fix = f"“{row.level2}”属于{owner}" if owner else "可选：" + "、".join(ACCEPTED[row.level1])
        out.append(at(row, W, f"二级指标“{row.level2}”不属于一级指标“{row.level1}”", "level2", fix, "level2-mismatch"))
    for field in ("name", "description", "value", "basis"):
        if (hit := placeholder(getattr(row, field))):
            out.append(at(row, W, f"指标中有模板占位文字「{hit}」", field, "写明实际内容", "placeholder"))
    if row.level2 == "成本指标":
        out.extend(_cost(row, budget))
    for m in PERCENT.finditer(row.value):
        if Decimal(m.group(1)) > 100 and "增长" not in row.name + row.description:
            out.append(at(row, W, f"百分比 {m.group(0)} 超过 100%，疑似录入错误", "value",
                          "完成率、满意度等不超过 100%：核对是否多打了数字（如 100100% 应为 100%）；确为增长幅度时在三级指标"
                          "或描述中写明“增长”", "percent-over-100"))
    bare = BARE_NUMBER.match(row.value.strip())
    if bare and "率" in row.name + row.description and Decimal(bare.group(1)) > 100:
        out.append(at(row, W, f"“{row.name}”是比率，指标值「{row.value}」却是大于 100 的数字，疑似漏写或错写“%”", "value",
                      code="rate-not-percent"))
    unit = re.search(r"[（(]万([^）)]+)[）)]", row.name)
    if unit and re.search(rf"\d\s*{re.escape(unit.group(1))}", row.value) and f"万{unit.group(1)}" not in row.value:
        out.append(at(row, W, f"三级指标以“万{unit.group(1)}”计，指标值「{row.value}」却以“{unit.group(1)}”计", "value",
                      code="unit-mismatch"))
    return out
