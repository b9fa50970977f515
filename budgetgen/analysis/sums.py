"""The sums a scope's tables, charts and notes share, each made once from its ledger or its units."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..model.budget import Kind, Nature, ProcurementCategory, ProcurementForm, Source, Unit, VehicleUses
from .ledger import BASIC, PROJECT, ZERO, Ledger

# The income rows of table 1, in order: (label, the sources they sum); the income chart draws the same rows.
INCOME_ROWS: list[tuple[str, tuple[Source, ...]]] = [
    ("一般公共预算拨款收入", (Source.general,)),
    ("政府性基金预算拨款收入", (Source.fund,)),
    ("国有资本经营预算拨款收入", (Source.state_capital,)),
    ("财政专户管理资金收入", (Source.special_account,)),
    ("事业收入", (Source.business,)),
    ("事业单位经营收入", (Source.operating,)),
    ("上级补助收入", (Source.higher,)),
    ("附属单位上缴收入", (Source.subsidiary,)),
    ("其他收入", (Source.other,)),
]


def income_rows(by_source: Mapping[Any, Decimal]) -> list[tuple[str, Decimal]]:
    """This year's income by the rows of table 1: (label, amount); `by_source` as Ledger.by gives it."""
    return [(label, sum((by_source.get(src, ZERO) for src in sources), ZERO)) for label, sources in INCOME_ROWS]


# The spending uses (支出用途) in the order a table lists them: 基本, 项目, then the other kinds as Kind declares them.
SPENDING_USES: tuple[str, ...] = (BASIC, PROJECT) + tuple(k.value for k in Kind if k is not Kind.basic)


def spending_by_use(ledger: Ledger) -> dict[str, Decimal]:
    """All spending (上年结转 included) by use, every use of SPENDING_USES present (zero where none)."""
    by_kind = ledger.by(lambda f: f.kind)
    return {use: by_kind.get(use, ZERO) for use in SPENDING_USES}


# 机关运行经费 is the 公用经费 of administrative (行政) and 参公 units.
ADMINISTRATIVE = (Nature.administrative, Nature.civil_service_managed)


def running_ledger(ledger: Ledger, units: list[Unit], catalog, sources: Collection[Source] | None = None) -> Ledger:
    """The facts of 机关运行经费: basic spending of the scope's administrative units on non-personnel 款, paid by
    `sources` where the profile sets that 口径 (running_sources), else by any source."""
    admin = {u.code for u in units if u.nature in ADMINISTRATIVE}
    return ledger.where(lambda f: f.kind == BASIC and f.unit in admin and f.economic is not None
                        and not catalog.is_personnel(f.economic) and (sources is None or f.source in sources))


def running_by_economic(running: Ledger) -> dict[str, Decimal]:
    """机关运行经费 by economic 款 (5 digits), in code order."""
    by_code = running.by(lambda f: f.economic or "")
    return {code: by_code[code] for code in sorted(by_code)}


# The appropriated funds, in the order of the tables' columns.
APPROPRIATED = (Source.general, Source.fund, Source.state_capital)

# “三公” economic codes (domain.md §3).
ABROAD = {"30212"}
VEHICLE_PURCHASE = {"31013", "30913"}
VEHICLE_OPERATION = {"30231"}
RECEPTION = {"30217"}
MEETING = {"30215"}
TRAINING = {"30216"}


def sangong_items(ledger: Ledger) -> dict[str, dict[Source, Decimal]]:
    """The “三公” and meeting/training amounts of appropriated money, by item and fund."""
    approp = ledger.where(lambda f: f.appropriation and f.economic is not None)

    def fund_total(codes: set[str], src: Source) -> Decimal:
        return approp.total(lambda f: f.economic in codes and f.source is src)

    def of(codes: set[str]) -> dict[Source, Decimal]:
        return {src: fund_total(codes, src) for src in APPROPRIATED}

    items = {"abroad_research": {src: ZERO for src in APPROPRIATED}, "abroad_other": of(ABROAD),
             "vehicle_purchase": of(VEHICLE_PURCHASE), "vehicle_operation": of(VEHICLE_OPERATION),
             "reception": of(RECEPTION), "meeting": of(MEETING), "training": of(TRAINING)}

    return rollup(items, lambda parts: {src: sum((p[src] for p in parts), ZERO) for src in APPROPRIATED})


# How the “三公” items add up, parts first: the tables', the notes' and last year's (SanGong) alike.
SANGONG_TREE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("abroad", ("abroad_research", "abroad_other")), ("vehicle", ("vehicle_purchase", "vehicle_operation")),
    ("sangong", ("abroad", "vehicle", "reception")), ("total", ("sangong", "meeting", "training")))


def rollup(items: dict[str, Any], add: Callable[[list[Any]], Any]) -> dict[str, Any]:
    """`items` with the totals of SANGONG_TREE added where all their parts are there (`add` sums a list of parts);
    an item given as it stands (last year's 因公出国（境）费) is kept."""
    out = dict(items)
    for total, parts in SANGONG_TREE:
        if total not in out and all(part in out for part in parts):
            out[total] = add([out[part] for part in parts])
    return out


ASSET_VALUES = ("buildings_value", "vehicles_value", "equipment_value", "other_value")
ASSET_FIELDS = ("buildings_area", "buildings_value", "office_area", "office_value", "vehicles", "vehicles_value",
                "equipment", "equipment_value", "large_equipment", "large_equipment_value", "other_value")
VEHICLE_USES: tuple[str, ...] = tuple(VehicleUses.model_fields)  # minister … other, in the order Shanghai lists them


@dataclass(frozen=True)
class AssetTotals:
    """The fixed assets of a scope's units: each field summed (None where no unit gave it), the total value
    (资产总额), the purchases planned this year and the vehicles by use (None where no unit gave them; each use
    summed over the units that did)."""

    fields: dict[str, Decimal | None]
    value: Decimal
    planned: Decimal
    vehicles_by_use: dict[str, int] | None = None


def asset_totals(units: list[Unit]) -> AssetTotals:
    assets = [u.assets for u in units if u.assets is not None]

    def own(a: Any, attr: str) -> Any:
        # a unit that gives its vehicles by use only has as many vehicles as their sum
        if attr == "vehicles" and a.vehicles is None and a.vehicles_by_use is not None:
            return a.vehicles_by_use.total()
        return getattr(a, attr)

    def total(attr: str) -> Decimal | None:
        values = [own(a, attr) for a in assets if own(a, attr) is not None]
        return sum(values, ZERO) if values else None

    fields = {attr: total(attr) for attr in ASSET_FIELDS}
    value = sum((fields[attr] or ZERO for attr in ASSET_VALUES), ZERO)
    uses = [a.vehicles_by_use for a in assets if a.vehicles_by_use is not None]
    by_use = {use: sum(getattr(u, use) or 0 for u in uses) for use in VEHICLE_USES} if uses else None
    return AssetTotals(fields, value, sum((a.planned_purchase for a in assets), ZERO), by_use)


PROCUREMENT_FUNDS = ["一般公共预算拨款", "基金预算拨款", "国有资本经营预算拨款", "财政专户核拨", "单位资金", "财政拨款结转",
                     "非财政拨款结转结余"]


def procurement_fund(source: Source, carryover: bool) -> str:
    """The column of the procurement table a line's money belongs to."""
    if carryover:
        return "财政拨款结转" if source.appropriation else "非财政拨款结转结余"
    return {Source.general: "一般公共预算拨款", Source.fund: "基金预算拨款", Source.state_capital: "国有资本经营预算拨款",
            Source.special_account: "财政专户核拨"}.get(source, "单位资金")


@dataclass(frozen=True)
class ProcurementTotals:
    """The procurement lines of a scope's units: by fund (the table's 合计 row), their total and the SME reserve;
    by category (货物/工程/服务) and by organisation form (采购组织形式), None for lines that give none, with the SME
    reserve by category."""

    by_fund: dict[str, Decimal]
    sme: Decimal
    by_category: dict[str | None, Decimal] = field(default_factory=dict)
    by_form: dict[str | None, Decimal] = field(default_factory=dict)
    by_category_form: dict[tuple[str | None, str | None], Decimal] = field(default_factory=dict)
    sme_by_category: dict[str | None, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.by_fund.values(), ZERO)


PROCUREMENT_CATEGORIES: tuple[str, ...] = tuple(c.value for c in ProcurementCategory)
PROCUREMENT_FORMS: tuple[str, ...] = tuple(f.value for f in ProcurementForm)


def procurement_totals(units: list[Unit]) -> ProcurementTotals:
    by_fund = {f: ZERO for f in PROCUREMENT_FUNDS}
    by_category: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    by_form: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    by_both: dict[tuple[str | None, str | None], Decimal] = defaultdict(lambda: ZERO)
    sme_by_category: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    for unit in units:
        for line in unit.procurement:
            by_fund[procurement_fund(line.source, line.carryover)] += line.amount
            category = line.category.value if line.category is not None else None
            form = line.form.value if line.form is not None else None
            by_category[category] += line.amount
            by_form[form] += line.amount
            by_both[category, form] += line.amount
            sme_by_category[category] += line.sme_reserved or ZERO
    sme = sum(sme_by_category.values(), ZERO)
    return ProcurementTotals(by_fund, sme, dict(by_category), dict(by_form), dict(by_both), dict(sme_by_category))
