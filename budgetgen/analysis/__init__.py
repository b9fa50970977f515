"""Budget → its analysis: per scope (the department, each unit) the ledger of facts and every sum and figure the
checks, the tables, the charts and the notes read — computed once per command, then only read.

The pipeline makes one BudgetAnalysis per department (`analyse`) and hands it to the checks and to compose; each
scope's Analysis is made the first time it is asked for, and at most once.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property

from .. import catalog as catalogs
from ..model.budget import Budget, Nature, Project, Source, Unit
from .figures import Figures, figures_of
from .funds import AppropriationItem, FundFigures, appropriation_items, fund_figures
from .ledger import Ledger, facts_of
from .projects import ProjectTotal, ordered, project_totals
from .sums import (AssetTotals, ProcurementTotals, asset_totals, income_rows, procurement_totals,
                   running_by_economic, running_ledger, sangong_items, spending_by_use)

__all__ = ["Analysis", "BudgetAnalysis", "analyse"]


class Analysis:
    """One scope — the department as a whole, or one unit: its ledger, its figures and the sums its tables, charts
    and notes share."""

    def __init__(self, budget: Budget, units: list[Unit], ledger: Ledger, catalog,
                 totals: dict[int, ProjectTotal] | None = None):
        self.units = list(units)
        self._catalog = catalog
        self._appropriation: dict[Source | None, list[AppropriationItem]] = {}
        self._funds: dict[Source, FundFigures] = {}
        self.ledger = ledger
        self._of_budget = budget.projects
        codes = {u.code for u in self.units}
        # the scope's projects (indices into Budget.projects) in the department's order
        self.projects: list[int] = ordered(budget, [i for i, p in enumerate(budget.projects)
                                                    if budget.unit_of(p).code in codes])
        totals = project_totals(ledger) if totals is None else totals
        self.project_totals: dict[int, ProjectTotal] = {i: totals.get(i, ProjectTotal()) for i in self.projects}
        # this year's income (without 上年结转) by source; `income` is table 1's income rows and the income chart's
        self.income_by_source = ledger.where(lambda f: not f.carryover).by(lambda f: f.source)
        self.income: list[tuple[str, Decimal]] = income_rows(self.income_by_source)
        # all spending by use (基本支出, 项目支出, …, 单位预留机动经费): Jiangsu T1's 支出用途 block
        self.spending_by_use: dict[str, Decimal] = spending_by_use(ledger)
        # 机关运行经费: its facts, and by economic 款 (Jiangsu T11, the notes' main uses)
        profile = budget.profile.profile if budget.profile is not None else None
        self.running: Ledger = running_ledger(ledger, self.units, catalog, profile and profile.running_sources)
        self.running_by_economic: dict[str, Decimal] = running_by_economic(self.running)
        # spending by function 类: table 1's spending rows and the spending chart
        self.spending_by_class = ledger.by(lambda f: f.function[:3])
        self.sangong: dict[str, dict[Source, Decimal]] = sangong_items(ledger)  # table 9 and the notes
        self.assets: AssetTotals = asset_totals(self.units)
        # each unit's own, for the units that give their assets (上海区级 prints them unit by unit)
        self.assets_by_unit: dict[str, AssetTotals] = {u.code: asset_totals([u]) for u in self.units
                                                       if u.assets is not None}
        self.procurement: ProcurementTotals = procurement_totals(self.units)
        self.figures: Figures = figures_of(budget, self, catalog)

    def appropriation(self, source: Source | None = None) -> list[AppropriationItem]:
        """Appropriated spending (or one fund's) by function 项, in code order: made when first asked for."""
        if source not in self._appropriation:
            self._appropriation[source] = appropriation_items(self.ledger, self._of_budget, self._catalog, source)
        return self._appropriation[source]

    def fund(self, source: Source) -> FundFigures:
        """One appropriated fund's figures as its own tables print them: made when first asked for."""
        if source not in self._funds:
            last = self.figures.last
            before = last.functions if last is not None and source is Source.general else {}  # 当年拨款 by 项
            self._funds[source] = fund_figures(self.ledger, self.running, self.sangong, self.appropriation(source),
                                               self._catalog, source, before)
        return self._funds[source]

    @cached_property
    def natures(self) -> dict[str, int]:
        """How many of the scope's units are 行政, 事业, 参公."""
        return {n.value: sum(1 for u in self.units if u.nature is n) for n in Nature}

    def total_of(self, project: Project) -> ProjectTotal:
        """The totals of one of the scope's projects."""
        return next(self.project_totals[i] for i in self.projects if self._of_budget[i] is project)


class BudgetAnalysis:
    """The analysis of one department: `department` and `unit(code)`, each made when first asked for."""

    def __init__(self, budget: Budget, catalog=None):
        self.budget = budget
        self._given_catalog = catalog
        self._units: dict[str, Analysis] = {}
        self._ledgers: dict[str, Ledger] = {}

    @cached_property
    def catalog(self):
        """The year's catalog (with the department's additions: read it after the pipeline has set them)."""
        return self._given_catalog if self._given_catalog is not None else catalogs.for_budget(self.budget)

    @cached_property
    def department(self) -> Analysis:
        """The department as a whole: the sum of its units."""
        return Analysis(self.budget, self.budget.units, Ledger(facts_of(self.budget)), self.catalog)

    def ledger_of(self, code: str) -> Ledger:
        """The facts of one unit (a part of the department's)."""
        if code not in self._ledgers:
            self._ledgers[code] = self.department.ledger.for_unit(code)
        return self._ledgers[code]

    def unit(self, code: str) -> Analysis:
        """One unit; a department of one unit is that unit, and its analysis the department's."""
        if code not in self._units:
            budget = self.budget
            unit = next(u for u in budget.units if u.code == code)
            if len(budget.units) == 1:
                self._units[code] = self.department
            else:
                self._units[code] = Analysis(budget, [unit], self.ledger_of(code), self.catalog,
                                             self.department.project_totals)
        return self._units[code]

    @cached_property
    def alone(self) -> Analysis:
        """The scope of a 单位预算 (a disclosure of the first unit alone): the department's ledger with that unit."""
        budget = self.budget
        if len(budget.units) == 1:
            return self.department
        return Analysis(budget, budget.units[:1], self.department.ledger, self.catalog, self.department.project_totals)

    def total_of(self, project: Project) -> ProjectTotal:
        """A project's totals."""
        return self.department.total_of(project)


def analyse(budget: Budget, catalog=None) -> BudgetAnalysis:
    """The analysis of a loaded budget; nothing is computed until a scope is asked for."""
    return BudgetAnalysis(budget, catalog)


def compute(budget: Budget, ledger: Ledger, units: list[Unit], catalog) -> Figures:
    """The figures of a scope given by its ledger and units: those of a new Analysis of it (commands use the one
    the pipeline made, BudgetAnalysis, and never call this)."""
    return Analysis(budget, units, ledger, catalog).figures
