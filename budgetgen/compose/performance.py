"""Projects → performance target tables (项目绩效目标表), in the 简式 (巨鹿) or 详式 (魏县) layout."""

from __future__ import annotations

from decimal import Decimal

from ..analysis import Analysis
from ..analysis.projects import ProjectTotal
from ..document import Banner, Block, Cell, Column, Heading, Row, Table
from ..model.budget import Budget, PerformanceLayout, Project
from .grid import drop_covered, merge_down

GRID = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
WIDTHS = [1.0, 1.2, 1.6, 2.2, 1.2, 1.6]
QUARTERS = ["3月底", "6月底", "10月底", "12月底"]


def goals_text(goals: list[str], separator: str) -> str:
    return separator.join(f"{i}.{g}" for i, g in enumerate(goals, start=1))


def _grid_rows(project: Project) -> list[Row]:
    rows = [Row([Cell(ind.level1, "label"), Cell(ind.level2, "label"), Cell(ind.name), Cell(ind.description),
                 Cell(ind.value), Cell(ind.basis)]) for ind in project.indicators]
    merge_down(rows, 0)
    merge_down(rows, 1, within=0)
    return drop_covered(rows)


def _head_block(project: Project, totals: ProjectTotal) -> list[list[Cell]]:
    total, approp = totals.total, totals.appropriation
    plan: list[Decimal | None] = list(project.plan) if project.plan else [None] * 4
    return [
        [Cell("项目编码", "label"), Cell(project.code or "", colspan=2), Cell("项目名称", "label"),
         Cell(project.name, colspan=2)],
        [Cell("预算规模及资金用途", "label", rowspan=3), Cell("预算数", "label"), Cell(total, "number", colspan=4)],
        [Cell("其中：财政资金", "label"), Cell(approp, "number"), Cell("其他资金", "label"),
         Cell(totals.other, "number", colspan=2)],
        [Cell("资金用途", "label"), Cell(project.purpose, colspan=4)],
        [Cell("资金支出计划（%）", "label", rowspan=2)] + [Cell(q, "label") for q in QUARTERS[:3]]
        + [Cell(QUARTERS[3], "label", colspan=2)],
        [Cell(p, "percent") for p in plan[:3]] + [Cell(plan[3], "percent", colspan=2)],
        [Cell("绩效目标", "label"), Cell(goals_text(project.goals, "\n"), colspan=5)],
    ]


def performance_blocks(budget: Budget, scope: Analysis, id_prefix: str) -> list[Block]:
    """One table per project of the scope, numbered in the department's order (the analysis has them so, with
    their totals); a classified project only as 此项涉密."""
    layout = budget.department.options.performance_layout
    blocks: list[Block] = []
    for n, index in enumerate(scope.projects, start=1):
        project = budget.projects[index]
        if project.classified:
            blocks.append(Heading(f"{n}、此项涉密", 4, id=f"{id_prefix}-perf-{n:02d}", toc=False))
            continue
        unit = budget.unit_of(project)
        if layout is PerformanceLayout.detailed:
            banner = Banner(unit.code, unit.name, None)
            lead = _head_block(project, scope.project_totals[index])
        else:
            banner = None
            lead = [[Cell("绩效目标", "label"), Cell(goals_text(project.goals, " "), colspan=5)]]
        blocks.append(Table(
            id=f"{id_prefix}-perf-{n:02d}", title=f"{n}、{project.name}绩效目标表", banner=banner,
            columns=[Column(f"c{i}", "text", w) for i, w in enumerate(WIDTHS)],
            header=[[Cell(label, "label") for label in GRID]], lead=lead, rows=_grid_rows(project),
            kind="performance", toc=False))
    return blocks
