"""Amounts against the unit the department says it types (元 or 万元): a figure implausible for it is a warning."""

from __future__ import annotations

from decimal import Decimal

from .. import fmt
from ..errors import Finding
from ..model.budget import AmountUnit, Budget, Line, Strict
from .base import W, at

# One line of one unit's budget above 10 亿元 is far more likely a 元 figure typed into a 万元 file.
LARGEST_WAN_LINE = Decimal(100_000)
# A whole department below 10 万元 is far more likely 万元 figures in a file that says 元.
SMALLEST_YUAN_TOTAL = Decimal(100_000)


def _lines(budget: Budget) -> list[tuple[Strict, Decimal]]:
    """Every amount with the line that holds it (for its position in the YAML: a project's shorthand line has the
    project's)."""
    lines: list[Line] = [line for unit in budget.units for line in unit.basic]
    lines += [line for project in budget.projects for line in project.lines()]
    return [(line, line.amount) for line in lines]


def check_amounts(budget: Budget) -> list[Finding]:
    lines = _lines(budget)
    if not lines:
        return []
    per_wan = budget.amount_unit.per_wan
    owner, largest = max(lines, key=lambda item: item[1])
    if budget.amount_unit is AmountUnit.wan and largest >= LARGEST_WAN_LINE:
        count = sum(1 for _, amount in lines if amount >= LARGEST_WAN_LINE)
        return [at(owner, W, f"金额 {fmt.money(largest)} 万元（{fmt.money(largest / 10000)} 亿元）对一个单位的一笔支出"
                             f"过大，像是按元填写的（共 {count} 笔超过 10 亿元）", "amount",
                   "本部门金额按元填写时，在部门文件顶层加一行 amount_unit: 元；否则把金额换算为万元",
                   "amount-looks-like-yuan")]
    if budget.amount_unit is not AmountUnit.yuan:
        return []
    total = sum((amount for _, amount in lines), Decimal(0)) * per_wan
    if total < SMALLEST_YUAN_TOTAL:
        return [at(owner, W, f"本部门全部金额合计只有 {fmt.money(total)} 元，而文件写明 amount_unit: 元，"
                             "像是按万元填写的", "amount",
                   "金额按万元填写时删除 amount_unit: 元（或改为 amount_unit: 万元）", "amount-looks-like-wan")]
    return []
