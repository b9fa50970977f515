"""The sums a scope's tables, charts and notes share, each made once from its ledger or its units."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..model.budget import Source, Unit
from .ledger import ZERO, Ledger

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

    def add(*keys: str) -> dict[Source, Decimal]:
        return {src: sum((items[k][src] for k in keys), ZERO) for src in APPROPRIATED}

    items["abroad"] = add("abroad_research", "abroad_other")
    items["vehicle"] = add("vehicle_purchase", "vehicle_operation")
    items["sangong"] = add("abroad", "vehicle", "reception")
    items["total"] = add("sangong", "meeting", "training")
    return items


ASSET_VALUES = ("buildings_value", "vehicles_value", "equipment_value", "other_value")
ASSET_FIELDS = ("buildings_area", "buildings_value", "office_area", "office_value", "vehicles", "vehicles_value",
                "equipment", "equipment_value", "other_value")


@dataclass(frozen=True)
class AssetTotals:
    """The fixed assets of a scope's units: each field summed (None where no unit gave it), the total value
    (资产总额) and the purchases planned this year."""

    fields: dict[str, Decimal | None]
    value: Decimal
    planned: Decimal


def asset_totals(units: list[Unit]) -> AssetTotals:
    assets = [u.assets for u in units if u.assets is not None]

    def total(attr: str) -> Decimal | None:
        values = [getattr(a, attr) for a in assets if getattr(a, attr) is not None]
        return sum(values, ZERO) if values else None

    fields = {attr: total(attr) for attr in ASSET_FIELDS}
    value = sum((fields[attr] or ZERO for attr in ASSET_VALUES), ZERO)
    return AssetTotals(fields, value, sum((a.planned_purchase for a in assets), ZERO))


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
    """The procurement lines of a scope's units: by fund (the table's 合计 row), their total and the SME reserve."""

    by_fund: dict[str, Decimal]
    sme: Decimal

    @property
    def total(self) -> Decimal:
        return sum(self.by_fund.values(), ZERO)


def procurement_totals(units: list[Unit]) -> ProcurementTotals:
    by_fund = {f: ZERO for f in PROCUREMENT_FUNDS}
    for unit in units:
        for line in unit.procurement:
            by_fund[procurement_fund(line.source, line.carryover)] += line.amount
    sme = sum((line.sme_reserved or ZERO for u in units for line in u.procurement), ZERO)
    return ProcurementTotals(by_fund, sme)
