"""A scope's ledger → its appropriated (财政拨款) spending by function 项 and each fund's figures as the fund's own
tables print them: what 上海区级's 预算编制说明 and 江苏省级's 情况说明 quote, summed here once per scope."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from ..model.budget import Project, Source
from .ledger import PROJECT, RESERVE, ZERO, Ledger


@dataclass(frozen=True)
class AppropriationItem:
    """One function 项 of appropriated spending: its names at each level, amount (with its 上年结转 part), basic part
    and the projects it pays for. The texts (use, last, reason) are the department's, set by compose on a copy."""

    code: str
    class_name: str
    item_name: str
    name: str
    amount: Decimal
    basic: Decimal
    projects: list[str]
    carryover: Decimal = ZERO
    last: Decimal | None = None  # last year's 一般公共预算当年拨款 of the 项 (last_year.functions)
    reason: str = ""  # why it changed (reasons.functions)
    use: str = ""  # what the clerk writes the money is mainly for (Department.uses), without “主要用于”

    @property
    def class_code(self) -> str:
        return self.code[:3]


@dataclass(frozen=True)
class FundFigures:
    """One appropriated fund (一般公共预算, 政府性基金预算) of a scope, as 江苏省级's tables of that fund print it
    (上年结转 included, as they include it): by function 项; the basic spending in the broad sense (every kind but
    项目支出 and 单位预留机动经费), its 人员经费 and 公用经费 and the names of their economic 款 with money; the “三公”,
    会议费 and 培训费 items; the 机关运行经费 on economic 302 and the names of its 款."""

    total: Decimal
    carryover: Decimal
    items: list[AppropriationItem]
    basic: Decimal
    personnel: Decimal
    public: Decimal
    personnel_uses: list[str]
    public_uses: list[str]
    sangong: dict[str, Decimal]
    running: Decimal
    running_uses: list[str]
    last: Decimal | None = None  # last year's 当年拨款 of the fund (the sum of last_year.functions)


def appropriation_items(ledger: Ledger, projects: list[Project], catalog,
                        source: Source | None = None) -> list[AppropriationItem]:
    """Appropriated spending (or one fund's, `source`) by function 项, in code order; a classified project is named
    涉密项目."""
    facts = [f for f in ledger.facts if f.appropriation and f.amount and (source is None or f.source is source)]
    out = []
    for code in sorted({f.function for f in facts}):
        mine = [f for f in facts if f.function == code]
        names = list(dict.fromkeys("涉密项目" if projects[f.project].classified else projects[f.project].name
                                   for f in mine if f.project is not None))
        out.append(AppropriationItem(code, catalog.function_name(code[:3]), catalog.function_name(code[:5]),
                                     catalog.function_name(code), sum((f.amount for f in mine), ZERO),
                                     sum((f.amount for f in mine if f.project is None), ZERO), names,
                                     carryover=sum((f.amount for f in mine if f.carryover), ZERO)))
    return out


def fund_figures(ledger: Ledger, running: Ledger, sangong: dict[str, dict[Source, Decimal]],
                 items: list[AppropriationItem], catalog, source: Source,
                 before: Mapping[str, Decimal] | None = None) -> FundFigures:
    """One fund's figures: `ledger` the scope's, `running` its 机关运行经费 facts, `items` the fund's by 项 and
    `before` last year's 当年拨款 by 项 where the department gives it (a 项 it does not list had none)."""
    if before:
        items = [replace(item, last=before.get(item.code, ZERO)) for item in items]
    mine = ledger.where(lambda f: f.source is source)
    basic = mine.where(lambda f: f.kind not in (PROJECT, RESERVE))  # T8: 基本支出 and the other non-project kinds

    def personnel(f) -> bool:
        return f.economic is not None and catalog.is_personnel(f.economic)

    def names(part: Ledger) -> list[str]:
        by_code = part.by(lambda f: f.economic or "")
        return [catalog.economic.get(code, code) for code in sorted(by_code) if code and by_code[code]]

    runs = running.where(lambda f: f.source is source and (f.economic or "").startswith("302"))  # 江苏省级 T11
    people = basic.where(personnel)
    public = basic.where(lambda f: not personnel(f))
    return FundFigures(
        total=mine.total(), carryover=mine.total(lambda f: f.carryover), items=items, basic=basic.total(),
        personnel=people.total(), public=public.total(), personnel_uses=names(people), public_uses=names(public),
        sangong={item: by_fund[source] for item, by_fund in sangong.items()},
        running=runs.total(), running_uses=names(runs), last=sum(before.values(), ZERO) if before else None)
