"""Budget → leaf facts: every amount of a department with its unit, function, kind, source and economic code."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from ..model.budget import Budget, Source

PROJECT = "项目支出"
BASIC = "基本支出"
RESERVE = "单位预留机动经费"
ZERO = Decimal("0")
K = TypeVar("K")


@dataclass(frozen=True)
class Fact:
    unit: str
    function: str  # 项 (7 digits)
    kind: str  # 基本支出, 项目支出, 经营支出, 上解上级支出, 对附属单位补助支出, 单位预留机动经费
    source: Source
    carryover: bool
    economic: str | None
    amount: Decimal
    project: int | None = None  # index into Budget.projects
    sub_source: str | None = None  # 收入细分来源 where the department gives one (model.budget.SUB_SOURCES)

    @property
    def appropriation(self) -> bool:
        return self.source.appropriation


class Ledger:
    """The facts of one scope (a department or one unit), with the few sums everything else needs."""

    def __init__(self, facts: Iterable[Fact]):
        self.facts = list(facts)

    def where(self, pred: Callable[[Fact], bool]) -> Ledger:
        return Ledger(f for f in self.facts if pred(f))

    def total(self, pred: Callable[[Fact], bool] | None = None) -> Decimal:
        return sum((f.amount for f in self.facts if pred is None or pred(f)), ZERO)

    def by(self, key: Callable[[Fact], K]) -> dict[K, Decimal]:
        out: dict[K, Decimal] = defaultdict(lambda: ZERO)
        for f in self.facts:
            out[key(f)] += f.amount
        return dict(out)

    def for_unit(self, code: str) -> Ledger:
        return self.where(lambda f: f.unit == code)

    def __bool__(self) -> bool:
        return any(f.amount for f in self.facts)


def facts_of(budget: Budget) -> list[Fact]:
    """The leaf facts; a missing function code (an error of the checks, which still sum) is "" here."""
    facts: list[Fact] = []
    for unit in budget.units:
        for line in unit.basic:
            facts.append(Fact(unit.code, line.function or "", line.kind.value, line.source, line.carryover,
                              line.economic, line.amount, sub_source=line.sub_source))
    for index, project in enumerate(budget.projects):
        unit = budget.unit_of(project)
        for pline in project.lines():
            facts.append(Fact(unit.code, pline.function or project.function or "", PROJECT, pline.source,
                              pline.carryover, pline.economic, pline.amount, index, pline.sub_source))
    return facts
