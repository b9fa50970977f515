"""The optional facts jurisdiction profiles print: income sub-sources, 单位预留机动经费, procurement categories and
forms, vehicles by use and equipment ≥ 100 万元. A department whose profile does not print them writes none, and
nothing here says anything about it."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from decimal import Decimal

from .. import fmt
from ..errors import Finding
from ..model.budget import SUB_SOURCES, Assets, Budget, Kind, Line, Procurement, Project, Source, Strict, Unit
from ..profiles import every_row
from .base import E, W, at

ZERO = Decimal(0)


def check_facts(budget: Budget, catalog) -> list[Finding]:
    out: list[Finding] = []
    out += _sub_sources(budget)
    out += _reserve(budget, catalog)
    out += _procurement(budget)
    out += _unshown_sources(budget)
    for unit in budget.units:
        if unit.assets is not None:
            out += _assets(unit.assets)
        else:  # every layout prints the assets (table or sentences): not written would print as none at all
            out.append(at(unit, W, f"单位“{unit.name}”没有填写国有资产（assets），公开文件中房屋、车辆、设备将印为 0",
                          "assets", "按上年末（上海：8月31日）的资产填写 assets，确实没有的写 0，如 "
                                    "assets: {buildings_area: 0, vehicles: 0, vehicles_value: 0, other_value: 0}",
                          "missing-assets"))
    return out


def _lines(budget: Budget) -> Iterator[tuple[Line, Strict]]:
    """Every line with the object a finding about its sub-source points at: the line, or the project that gave it."""
    for unit in budget.units:
        for basic in unit.basic:
            yield basic, basic
    for project in budget.projects:
        for line in project.lines():
            yield line, _owner(project, line)


def _owner(project: Project, line: Line) -> Strict:
    # a line of amounts that took the project's sub-source (a shorthand's one line has the project's place)
    return project if "sub_source" in line._inherited else line


def _sub_sources(budget: Budget) -> list[Finding]:
    out: list[Finding] = []
    itemised: set[Source] = set()  # sources some line itemises
    for line, owner in _lines(budget):
        if line.sub_source is None:
            continue
        itemised.add(line.source)
        allowed = SUB_SOURCES.get(line.source, ())
        if line.sub_source in allowed:
            if line.carryover:
                out.append(at(owner, W, f"上年结转资金在收入表中只列“上年结转”，不按细分来源列示，"
                                        f"细分来源“{line.sub_source}”不起作用", "sub_source",
                              "删除这笔资金的 sub_source", "sub-source-carryover"))
            continue
        elsewhere = [src.value for src, subs in SUB_SOURCES.items() if line.sub_source in subs]
        if elsewhere:
            fix = f"“{line.sub_source}”属于{elsewhere[0]}：改为 source: {elsewhere[0]}，或改正 sub_source"
        elif allowed:
            close = difflib.get_close_matches(line.sub_source, allowed, n=1, cutoff=0.3)
            fix = (f"是否应为 {close[0]}？" if close else "") + "可选：" + "、".join(allowed)
        else:
            fix = "删除 sub_source；细分来源只用于" + "、".join(src.value for src in SUB_SOURCES)
        what = f"资金来源“{line.source.value}”的细分来源只能是 {'、'.join(allowed)}" if allowed else \
            f"资金来源“{line.source.value}”不再细分来源"
        out.append(at(owner, E, f"细分来源“{line.sub_source}”不正确：{what}", "sub_source", fix, "unknown-sub-source"))
    # A source itemised by some lines and not by others: its itemised rows would not add up to it.
    for source in sorted(itemised, key=list(Source).index):
        missing = [(line, owner) for line, owner in _lines(budget) if line.source is source and not line.carryover
                   and line.sub_source is None]
        if missing:
            line, owner = missing[0]
            amount = sum((m.amount for m, _ in missing), ZERO)
            out.append(at(owner, W, f"部门的{source.value}资金有的写了细分来源 sub_source，有的没写（共 {len(missing)} 笔、"
                                    f"{fmt.money(amount)} 万元没写），逐项列示细分来源的表各项之和将小于{source.value}合计",
                          None,
                          "给这些资金也写上 sub_source，可选：" + "、".join(SUB_SOURCES[source]), "sub-source-partial"))
    return out


def reserve_printed(budget: Budget) -> bool:
    """Whether the department's tables print 单位预留机动经费 on its own: some column or row of its profile's tables
    (profiles.Table: columns, fixed rows, spending uses) picks that kind alone. The nine tables of today's (Hebei)
    layout do not; Jiangsu's do."""
    loaded = budget.profile
    if loaded is None:
        return False

    for table in loaded.profile.tables_in(budget.department.options.document):
        for pick in [*table.leaves(), *every_row(table.items or []), *(table.uses or [])]:
            if pick.kind is not None and [k.value for k in pick.kind] == [Kind.reserve.value]:
                return True
    return False


def _unshown_sources(budget: Budget) -> list[Finding]:
    """Money of a source that no income row of the profile's 收支总表 picks: counted in 收入合计 but shown on no
    row of its own, so the rows would not add up to the total. A row printed only with money (when: 有金额, as
    江苏省级's 3. 国有资本经营预算) is printed for it: it counts as shown."""
    loaded = budget.profile
    if loaded is None:
        return []
    summary = next((t for t in loaded.profile.tables_in(budget.department.options.document) if t.income), None)
    if summary is None:
        return []

    rows = [row for row in every_row(summary.income or []) if not row.items]
    if any(row.source is None for row in rows):  # a row without a source condition takes every source
        return []
    shown = {source for row in rows for source in row.source or []}
    out = []
    for source in Source:
        lines = [(line, owner) for line, owner in _lines(budget) if line.source is source and line.amount]
        if source in shown or not lines:
            continue
        total = sum((line.amount for line, _ in lines), ZERO)
        out.append(at(lines[0][1], W, f"资金来源“{source.value}”共 {fmt.money(total)} 万元（{len(lines)} 笔）计入收入合计，"
                                      f"但公开格式“{loaded.name}”的{summary.title}没有这种来源的收入行，各行之和将小于合计",
                      "source", "核对资金来源；确有这种资金时选用列示它的公开格式，或在格式的收入各行中加上它"
                      "（可写 when: 有金额，只在有这种资金时印出）",
                      "source-not-printed"))
    return out


def _reserve(budget: Budget, catalog) -> list[Finding]:
    out: list[Finding] = []
    reserves: list[tuple[Unit, Line]] = [(u, line) for u in budget.units for line in u.basic if line.kind is Kind.reserve]
    for _, line in reserves:
        if line.economic is not None and catalog.is_personnel(line.economic):
            out.append(at(line, W, f"单位预留机动经费用了人员经费科目 {line.economic}：机动经费是尚未安排用途的资金，"
                                   "人员经费应列入基本支出", "economic",
                          "确已安排为人员经费的，把 kind 改为 基本支出；否则删除 economic 或改用 302 等非人员经费科目",
                          "reserve-personnel"))
    if reserves and not reserve_printed(budget):
        _, line = reserves[0]
        total = sum((line.amount for _, line in reserves), ZERO)
        out.append(at(line, W, f"单位预留机动经费 {fmt.money(total)} 万元（共 {len(reserves)} 笔）计入支出合计，但九张公开表的"
                               "支出总表没有“单位预留机动经费”栏，各栏之和将小于合计；一般公共预算财政拨款支出表把它列入基本支出",
                      "kind", "选用单列单位预留机动经费的公开表样式（如江苏省级）；或确定用途后改写为基本支出或项目",
                      "reserve-not-printed"))
    return out


def _procurement(budget: Budget) -> list[Finding]:
    out: list[Finding] = []
    lines: list[Procurement] = [line for u in budget.units for line in u.procurement]
    for line in lines:
        if line.sme_reserved is not None and line.sme_reserved > line.amount:
            out.append(at(line, E, f"预留中小微企业份额 {fmt.money(line.sme_reserved)} 万元超过采购金额 "
                                   f"{fmt.money(line.amount)} 万元", "sme_reserved",
                          "预留份额不能超过采购金额：改正 sme_reserved 或 amount", "sme-over-amount"))
    for name, what, allowed in (("category", "采购品目类别", "货物、工程、服务"),
                                ("form", "采购组织形式", "集中采购、部门集中采购、分散采购")):
        given = [line for line in lines if getattr(line, name) is not None]
        missing = [line for line in lines if getattr(line, name) is None]
        if given and missing:
            amount = sum((line.amount for line in missing), ZERO)
            out.append(at(missing[0], W, f"政府采购有的写了{what} {name}，有的没写（共 {len(missing)} 条、"
                                         f"{fmt.money(amount)} 万元没写），按{what}分列的合计将小于政府采购总额", None,
                          f"给每条采购都写上 {name}（{allowed}）", f"procurement-partial-{name}"))
    return out


def _assets(assets: Assets) -> list[Finding]:
    out: list[Finding] = []
    uses = assets.vehicles_by_use
    if uses is not None and assets.vehicles is not None and uses.total() != assets.vehicles:
        out.append(at(assets, E, f"车辆按用途合计 {uses.total()} 辆，与车辆总数 vehicles {assets.vehicles} 辆不符",
                      "vehicles_by_use",
                      "改正各用途台数或 vehicles；也可删除 vehicles，车辆总数即取各用途之和", "vehicles-by-use-sum"))
    if assets.large_equipment is not None and assets.equipment is not None and assets.large_equipment > assets.equipment:
        out.append(at(assets, E, f"单位价值100万元以上的设备 {assets.large_equipment} 台（套）多于单价20万元以上的设备 "
                                 f"{assets.equipment} 台（套）：前者是后者的一部分", "large_equipment",
                      "改正 large_equipment 或 equipment", "large-equipment-over"))
    if (assets.large_equipment_value is not None and assets.equipment_value is not None
            and assets.large_equipment_value > assets.equipment_value):
        out.append(at(assets, E, f"单位价值100万元以上设备的价值 {fmt.money(assets.large_equipment_value)} 万元超过单价20万元以上"
                                 f"设备的价值 {fmt.money(assets.equipment_value)} 万元：前者是后者的一部分",
                      "large_equipment_value", "改正 large_equipment_value 或 equipment_value", "large-equipment-over"))
    return out
