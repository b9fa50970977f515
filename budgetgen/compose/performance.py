"""Projects → performance target tables (项目绩效目标表), in the 简式 (巨鹿) or 详式 (魏县) layout."""

from __future__ import annotations

from decimal import Decimal

from pypinyin import Style, lazy_pinyin

from ..document import Banner, Block, Cell, Column, Heading, Row, Table
from ..model.budget import Budget, PerformanceLayout, Project, ProjectOrder
from .grid import drop_covered, merge_down
from .ledger import ZERO

GRID = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
WIDTHS = [1.0, 1.2, 1.6, 2.2, 1.2, 1.6]
QUARTERS = ["3月底", "6月底", "10月底", "12月底"]


def pinyin_key(name: str) -> str:
    """Pinyin with tone numbers, punctuation as a space: reproduces the order 巨鹿 publishes (domain.md §7)."""
    parts = lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True,
                        errors=lambda text: [c if c.isalnum() else " " for c in text])
    return "".join(parts)


def ordered(budget: Budget, indices: list[int]) -> list[int]:
    order = budget.department.options.project_order
    projects = budget.projects
    if order is ProjectOrder.pinyin:
        return sorted(indices, key=lambda i: (pinyin_key(projects[i].name), i))
    if order is ProjectOrder.code:
        # projects without a code go last, in the order written (checks warn about them)
        return sorted(indices, key=lambda i: (projects[i].code is None, projects[i].code or "", i))
    return list(indices)


def goals_text(goals: list[str], separator: str) -> str:
    return separator.join(f"{i}.{g}" for i, g in enumerate(goals, start=1))


def _grid_rows(project: Project) -> list[Row]:
    rows = [Row([Cell(ind.level1, "label"), Cell(ind.level2, "label"), Cell(ind.name), Cell(ind.description),
                 Cell(ind.value), Cell(ind.basis)]) for ind in project.indicators]
    merge_down(rows, 0)
    merge_down(rows, 1, within=0)
    return drop_covered(rows)


def _head_block(budget: Budget, project: Project) -> list[list[Cell]]:
    lines = project.lines()
    total = sum((l.amount for l in lines), ZERO)
    approp = sum((l.amount for l in lines if l.source.appropriation), ZERO)
    plan: list[Decimal | None] = list(project.plan) if project.plan else [None] * 4
    return [
        [Cell("项目编码", "label"), Cell(project.code or "", colspan=2), Cell("项目名称", "label"),
         Cell(project.name, colspan=2)],
        [Cell("预算规模及资金用途", "label", rowspan=3), Cell("预算数", "label"), Cell(total, "number", colspan=4)],
        [Cell("其中：财政资金", "label"), Cell(approp, "number"), Cell("其他资金", "label"),
         Cell(total - approp, "number", colspan=2)],
        [Cell("资金用途", "label"), Cell(project.purpose, colspan=4)],
        [Cell("资金支出计划（%）", "label", rowspan=2)] + [Cell(q, "label") for q in QUARTERS[:3]]
        + [Cell(QUARTERS[3], "label", colspan=2)],
        [Cell(p, "percent") for p in plan[:3]] + [Cell(plan[3], "percent", colspan=2)],
        [Cell("绩效目标", "label"), Cell(goals_text(project.goals, "\n"), colspan=5)],
    ]


def performance_blocks(budget: Budget, indices: list[int], id_prefix: str) -> list[Block]:
    """One table per project, numbered in the department's order; a classified project only as 此项涉密."""
    layout = budget.department.options.performance_layout
    blocks: list[Block] = []
    for n, index in enumerate(ordered(budget, indices), start=1):
        project = budget.projects[index]
        if project.classified:
            blocks.append(Heading(f"{n}、此项涉密", 4, id=f"{id_prefix}-perf-{n:02d}", toc=False))
            continue
        unit = budget.unit_of(project)
        if layout is PerformanceLayout.detailed:
            banner = Banner(unit.code, unit.name, None)
            lead = _head_block(budget, project)
        else:
            banner = None
            lead = [[Cell("绩效目标", "label"), Cell(goals_text(project.goals, " "), colspan=5)]]
        blocks.append(Table(
            id=f"{id_prefix}-perf-{n:02d}", title=f"{n}、{project.name}绩效目标表", banner=banner,
            columns=[Column(f"c{i}", "text", w) for i, w in enumerate(WIDTHS)],
            header=[[Cell(label, "label") for label in GRID]], lead=lead, rows=_grid_rows(project),
            kind="performance", toc=False))
    return blocks
