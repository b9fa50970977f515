"""The figures the explanatory notes quote, computed once per scope from the same facts as the tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from ..model.budget import Budget, LastYear, Reasons, SanGong, Source, Unit
from .ledger import BASIC, PROJECT, ZERO
from .sums import rollup

if TYPE_CHECKING:
    from . import Analysis


@dataclass
class Change:
    """This year against last year, as the notes word it."""

    current: Decimal
    last: Decimal

    @property
    def delta(self) -> Decimal:
        return self.current - self.last

    @property
    def direction(self) -> str:
        d = self.delta.quantize(Decimal("0.01"))
        return "增加" if d > 0 else "减少" if d < 0 else "持平"

    @property
    def amount(self) -> Decimal:
        return abs(self.delta)


@dataclass
class ProjectLine:
    name: str
    amount: Decimal
    classified: bool


@dataclass
class Figures:
    year: int
    income_total: Decimal
    income_by_source: dict[str, Decimal]  # general, fund, state_capital, special_account, other
    carryover: Decimal
    spending_total: Decimal
    basic: Decimal
    personnel: Decimal
    public: Decimal
    project: Decimal
    other_kinds: dict[str, Decimal]  # 经营支出, 上解上级支出, 对附属单位补助支出, 单位预留机动经费 when there are any
    projects: list[ProjectLine]
    running: Decimal  # 机关运行经费: 公用经费 of administrative (行政/参公) units
    running_uses: list[tuple[str, Decimal]]
    sangong: dict[str, Decimal]  # item -> total over the three funds
    procurement: Decimal
    assets_total: Decimal
    assets_planned: Decimal
    last: LastYear | None
    last_year: int
    changes: dict[str, Change] = field(default_factory=dict)


def figures_of(budget: Budget, scope: Analysis, catalog) -> Figures:
    """A scope's figures, from its ledger and the sums its Analysis has made already."""
    ledger, units = scope.ledger, scope.units
    by_source = scope.income_by_source  # this year's income (上年结转 apart), as the analysis summed it
    general = by_source.get(Source.general, ZERO)
    fund = by_source.get(Source.fund, ZERO)
    state = by_source.get(Source.state_capital, ZERO)
    special = by_source.get(Source.special_account, ZERO)
    other = sum(by_source.values(), ZERO) - general - fund - state - special
    basic_ledger = ledger.where(lambda f: f.kind == BASIC)  # 经营支出 etc. are neither 基本 nor 项目 (T3's columns)
    personnel = basic_ledger.total(lambda f: f.economic is not None and catalog.is_personnel(f.economic))
    basic = basic_ledger.total()
    project = ledger.total(lambda f: f.kind == PROJECT)
    other_kinds = {kind: amount for kind, amount in ledger.where(lambda f: f.kind not in (BASIC, PROJECT))
                   .by(lambda f: f.kind).items() if amount}

    projects = [ProjectLine(budget.projects[i].name, scope.project_totals[i].total, budget.projects[i].classified)
                for i in scope.projects]

    running = scope.running  # 机关运行经费, by economic 款 in code order
    sangong = {k: sum(v.values(), ZERO) for k, v in scope.sangong.items()}

    last = last_year_of(budget, units)
    figures = Figures(
        year=budget.budget_year, income_total=sum(by_source.values(), ZERO),
        income_by_source={"general": general, "fund": fund, "state_capital": state, "special_account": special,
                          "other": other},
        carryover=ledger.total(lambda f: f.carryover), spending_total=ledger.total(), basic=basic,
        personnel=personnel, public=basic - personnel, project=project, other_kinds=other_kinds, projects=projects,
        # .get: with an unknown code (an error) the checks still compute the figures; nothing is built then
        running=running.total(),
        running_uses=[(catalog.economic.get(c, c), a) for c, a in scope.running_by_economic.items()],
        sangong=sangong, procurement=scope.procurement.total, assets_total=scope.assets.value,
        assets_planned=scope.assets.planned,
        last=last, last_year=(last.year if last and last.year else budget.budget_year - 1),
    )
    if last is not None:
        figures.changes = {
            "total": Change(figures.spending_total, last.basic_total() + last.project),
            "basic": Change(basic, last.basic_total()),
            "project": Change(project, last.project),
        }
        others = sum(other_kinds.values(), ZERO)
        if others:  # 经营支出 etc. have no last-year figure: all of it is new, and the parts still add up
            figures.changes["other"] = Change(others, ZERO)
        if last.personnel is not None and last.public is not None:  # given together (LastYear._basic_once)
            figures.changes["personnel"] = Change(personnel, last.personnel)
            figures.changes["public"] = Change(basic - personnel, last.public)
        if last.sangong is not None:
            figures.changes.update(_sangong_changes(sangong, last.sangong))
        if last.appropriation is not None:  # 财政拨款收入 (this year's money) and 支出 (上年结转 too) against last year's
            appropriated = ledger.where(lambda f: f.appropriation)
            figures.changes["appropriation.income"] = Change(appropriated.total(lambda f: not f.carryover),
                                                             last.appropriation)
            figures.changes["appropriation.spending"] = Change(appropriated.total(), last.appropriation)
    return figures


def last_year_of(budget: Budget, units: list[Unit]) -> LastYear | None:
    """Last year's figures of a scope: a unit's own; the department's, or else the sum of every unit's."""
    if len(units) == 1 and units[0].last_year is not None:
        return units[0].last_year
    if len(units) != len(budget.units):
        return None  # a unit of a multi-unit department that gave no figures of its own
    if budget.department.last_year is not None:
        return budget.department.last_year
    given = [u.last_year for u in units if u.last_year is not None]
    if not given or len(given) != len(units):
        return None
    split = all(g.personnel is not None for g in given)
    sangong = [g.sangong for g in given if g.sangong is not None]
    appropriated = all(g.appropriation is not None for g in given)
    functions: dict[str, Decimal] = {}
    if all(g.functions for g in given):
        for g in given:
            for code, amount in g.functions.items():
                functions[code] = functions.get(code, ZERO) + amount

    def total(attr: str, items: list[LastYear] | list[SanGong]) -> Decimal:
        return sum((getattr(g, attr) for g in items), ZERO)

    return LastYear.model_construct(
        year=given[0].year, project=total("project", given),
        personnel=total("personnel", given) if split else None, public=total("public", given) if split else None,
        basic=None if split else sum((g.basic_total() for g in given), ZERO),
        sangong=SanGong.model_construct(_fields_set=None, **{k: total(k, sangong) for k in SanGong.money}) if sangong else None,
        appropriation=total("appropriation", given) if appropriated else None, functions=functions)


def reasons_of(budget: Budget, units: list[Unit]) -> Reasons:
    """The reasons worded for a scope: a unit's own; the department's for the department (or its only unit)."""
    if len(units) == 1 and units[0].reasons is not None:
        return units[0].reasons
    if len(units) == len(budget.units):
        return budget.department.reasons
    return Reasons()


def _sangong_changes(now: dict[str, Decimal], last: SanGong) -> dict[str, Change]:
    before = rollup({name: getattr(last, name) for name in SanGong.money}, lambda parts: sum(parts, ZERO))
    return {f"sangong.{k}": Change(now[k], v) for k, v in before.items()}

