"""The nine tables of 部门预算公开表, each declared once: title, header tree, and how its rows pivot the facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from ..analysis import Analysis
from ..analysis.ledger import PROJECT, ZERO, Fact, Ledger
from ..catalog import Catalog
from ..document import Banner, Cell, Row, Table
from ..fmt import CENT, cn_ordinal
from ..model.budget import AmountUnit, Source
from .grid import H, classification_rows, header, number

FUNCTION_GROUP = H("功能分类科目", [H("科目编码", key="code", kind="code", width=1.3),
                                H("科目名称", key="name", kind="text", width=3.2)])
ECONOMIC_GROUP = H("支出部门经济分类科目", [H("科目编码", key="code", kind="code", width=1.1),
                                     H("科目名称", key="name", kind="text", width=3.0)])
SEQ = H("序号", key="seq", kind="index", width=0.6)

# The income rows of table 1 (INCOME_ROWS) are summed in budgetgen.analysis.sums: the income chart draws them too.
FUNDS: list[tuple[str, Source]] = [("一般公共预算", Source.general), ("政府性基金预算", Source.fund),
                                   ("国有资本经营预算", Source.state_capital)]
SPENDING_KINDS = ["基本支出", "项目支出", "经营支出", "上解上级支出", "对附属单位补助支出"]


@dataclass
class Scope:
    """What a set of tables is about: the department as a whole, or one unit."""

    analysis: Analysis  # the scope's ledger and sums, made once by the pipeline
    code: str
    name: str
    word: str  # 部门 or 单位
    year: int
    catalog: Catalog
    id: str
    unit: AmountUnit = AmountUnit.wan  # the unit the tables print in (facts are in 万元)

    @property
    def ledger(self) -> Ledger:
        return self.analysis.ledger

    def banner(self, year: bool = True) -> Banner:
        return Banner(self.code, self.name, self.year if year else None, unit_label=f"单位：{self.unit.value}")

    def table(self, key: str, title: str, tree: list[H], rows: list[Row], empty_note: str | None = None,
              landscape: bool = False, colnums: bool = True) -> Table:
        head, columns = header(tree, colnums)
        rows = in_unit(rows, self.unit.per_wan)
        columns = fitted(columns, rows)
        note = rounding_note(rows)
        return Table(id=f"{self.id}-{key}", title=f"{self.word}{title}", banner=self.banner(), columns=columns,
                     header=head, rows=rows, empty_note=empty_note, landscape=landscape, kind=key,
                     notes=[note] if note else [], colnum_row=len(head) - 1 if colnums else None,
                     scope="部门" if self.word == "部门" else self.code)


def in_unit(rows: list[Row], per_wan: Decimal) -> list[Row]:
    """Rows with every amount in the printed unit (exact: 万元 × 10⁴ for 元)."""
    if per_wan == 1:
        return rows
    return [Row([replace(c, value=c.value * per_wan) if c.kind in MONEY and isinstance(c.value, Decimal) else c
                 for c in row.cells], row.level, row.header) for row in rows]


MONEY = ("amount", "number")
CHAR_WIDTH = 0.125  # of a width unit, per character of a printed amount (a unit holds 12345.67)


def fitted(columns: list, rows: list[Row]) -> list:
    """Amount columns widened to their longest printed figure (元 tables carry figures of up to 12 digits)."""
    longest = [0] * len(columns)
    for row in rows:
        at = 0
        for cell in row.cells:
            if cell.kind in MONEY and isinstance(cell.value, Decimal) and cell.colspan == 1 and at < len(columns):
                longest[at] = max(longest[at], len(f"{_printed(cell.value):f}"))
            at += cell.colspan
    return [replace(c, width=max(c.width, n * CHAR_WIDTH)) if n * CHAR_WIDTH > c.width else c
            for c, n in zip(columns, longest, strict=True)]
ROUNDED = "注：表中金额按四舍五入列示，部分合计数与各分项之和存在尾差。"
MAY_BE_ROUNDED = "注：表中金额按四舍五入列示，合计数与各分项之和可能存在尾差。"


def _printed(value) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP) if isinstance(value, Decimal) else ZERO


def rounding_note(rows: list[Row]) -> str | None:
    """The 尾差 note, where figures finer than the printed cent make printed parts and totals disagree.

    Each printed figure is rounded from its own exact value (half up). Tables of 类/款/项 rows are checked
    parent against children, column by column; the fixed-row tables (收支总表 …) get the cautious wording as
    soon as any figure was rounded.
    """
    amounts = [c.value for row in rows for c in row.cells if c.kind in MONEY and isinstance(c.value, Decimal)]
    if all(_printed(v) == v for v in amounts):
        return None
    if not any(c.kind == "code" for c in rows[0].cells):  # not a 类/款/项 table
        return MAY_BE_ROUNDED
    for i, row in enumerate(rows):
        if row.level > 3:
            continue
        children = []
        for below in rows[i + 1:]:
            if below.level <= row.level:
                break
            if below.level == row.level + 1:
                children.append(below)
        if not children:
            continue
        for j, cell in enumerate(row.cells):
            if cell.kind in MONEY and isinstance(cell.value, Decimal):
                if _printed(cell.value) != sum((_printed(ch.cells[j].value) for ch in children), ZERO):
                    return ROUNDED
    return None


def t1_summary(s: Scope) -> Table:
    """收支总表: income by source beside expenditure by the year's fixed list of 类."""
    by_class = s.analysis.spending_by_class
    income = [(f"{cn_ordinal(i)}{label}", amount) for i, (label, amount) in enumerate(s.analysis.income, start=1)]
    spending = [(f"{cn_ordinal(i)}{name}", by_class.get(code, ZERO) if code else ZERO)
                for i, (code, name) in enumerate(s.catalog.classes, start=1)]
    rows = []
    for i in range(max(len(income), len(spending))):
        left = income[i] if i < len(income) else ("", None)
        right = spending[i] if i < len(spending) else ("", None)
        rows.append(Row([Cell(None, "index"), Cell(left[0]), Cell(left[1], "amount"), Cell(right[0]),
                         Cell(right[1], "amount")]))
    figures = s.analysis.figures
    year_income, carried, year_spending = figures.income_total, figures.carryover, figures.spending_total
    rows += [
        Row([Cell(None, "index"), Cell("本年收入合计"), Cell(year_income, "amount"), Cell("本年支出合计"),
             Cell(year_spending, "amount")], level=0),
        Row([Cell(None, "index"), Cell("上年结转结余"), Cell(carried, "amount"), Cell("年终结转结余"),
             Cell(ZERO, "amount")]),
        Row([Cell(None, "index"), Cell("收入总计"), Cell(year_income + carried, "amount"), Cell("支出总计"),
             Cell(year_spending, "amount")], level=0),
    ]
    tree = [SEQ, H("收入", [H("项目", key="income_item", kind="text", width=3.2), H("预算数", key="income")]),
            H("支出", [H("项目", key="spending_item", kind="text", width=3.2), H("预算数", key="spending")])]
    return s.table("t1", "预算收支总表", tree, number(rows))


T2_SOURCES = [("财政拨款收入", (Source.general, Source.fund, Source.state_capital)),
              ("财政专户收入", (Source.special_account,)), ("事业收入", (Source.business,)),
              ("经营收入", (Source.operating,)), ("上级补助收入", (Source.higher,)),
              ("附属单位上缴收入", (Source.subsidiary,)), ("其他收入", (Source.other,))]


def t2_income(s: Scope) -> Table:
    """收入总表: income by function, split by source and 上年结转."""
    keys = ["total", "subtotal"] + [label for label, _ in T2_SOURCES] + ["carryover"]

    def values(f: Fact) -> dict[str, Decimal]:
        if f.carryover:
            return {"total": f.amount, "carryover": f.amount}
        label = next(label for label, sources in T2_SOURCES if f.source in sources)
        return {"total": f.amount, "subtotal": f.amount, label: f.amount}

    rows = classification_rows(s.ledger, lambda f: f.function, s.catalog.function_name, values, keys)
    tree = [SEQ, FUNCTION_GROUP, H("合计", key="total"),
            H("本年收入", [H("小计", key="subtotal")] + [H(label, key=label) for label, _ in T2_SOURCES]),
            H("上年结转", key="carryover")]
    return s.table("t2", "预算收入总表", tree, rows, _empty(rows, "收入预算"), landscape=True)


def t3_spending(s: Scope) -> Table:
    """支出总表: spending by function, split by kind."""
    rows = classification_rows(s.ledger, lambda f: f.function, s.catalog.function_name,
                               lambda f: {"合计": f.amount, f.kind: f.amount}, ["合计"] + SPENDING_KINDS)
    tree = [SEQ, FUNCTION_GROUP, H("合计")] + [H(k) for k in SPENDING_KINDS]
    return s.table("t3", "预算支出总表", tree, rows, _empty(rows, "支出预算"))


def t4_appropriation(s: Scope) -> Table:
    """财政拨款收支总表: appropriated money only, by fund."""
    approp = s.ledger.where(lambda f: f.appropriation)
    current = approp.where(lambda f: not f.carryover).by(lambda f: f.source)
    carried = approp.where(lambda f: f.carryover).by(lambda f: f.source)
    by_class = approp.by(lambda f: (f.function[:3], f.source))
    by_fund = approp.by(lambda f: f.source)

    def spend(label: str, get: Callable[[Source], Decimal] | None) -> list[Cell]:
        if get is None:
            return [Cell(label), Cell(None, "amount")] + [Cell(None, "amount") for _ in FUNDS]
        parts = [get(src) for _, src in FUNDS]
        return [Cell(label), Cell(sum(parts, ZERO), "amount")] + [Cell(p, "amount") for p in parts]

    def of_class(code: str) -> Callable[[Source], Decimal]:
        return lambda src: by_class.get((code, src), ZERO) if code else ZERO

    income = [(f"{cn_ordinal(i)}{label}拨款", current.get(src, ZERO)) for i, (label, src) in enumerate(FUNDS, 1)]
    rows = []
    for i, (code, name) in enumerate(s.catalog.classes):
        left = income[i] if i < len(income) else ("", None)
        rows.append(Row([Cell(None, "index"), Cell(left[0]), Cell(left[1], "amount")]
                        + spend(f"{cn_ordinal(i + 1)}{name}", of_class(code))))
    year_income = sum(current.values(), ZERO)
    carried_total = sum(carried.values(), ZERO)
    rows.append(Row([Cell(None, "index"), Cell("本年收入合计"), Cell(year_income, "amount")]
                    + spend("本年支出合计", lambda src: by_fund.get(src, ZERO)), level=0))
    rows.append(Row([Cell(None, "index"), Cell("年初财政拨款结转和结余"), Cell(carried_total, "amount")]
                    + spend("年末财政拨款结转和结余", lambda src: ZERO)))
    for i, (label, src) in enumerate(FUNDS, 1):
        rows.append(Row([Cell(None, "index"), Cell(f"{cn_ordinal(i)}{label}拨款"), Cell(carried.get(src, ZERO), "amount")]
                        + spend("", None)))
    rows.append(Row([Cell(None, "index"), Cell("收入总计"), Cell(year_income + carried_total, "amount")]
                    + spend("支出总计", lambda src: by_fund.get(src, ZERO)), level=0))
    tree = [SEQ, H("收入", [H("项目", key="income_item", kind="text", width=2.6), H("金额", key="income")]),
            H("支出", [H("项目", key="spending_item", kind="text", width=2.6), H("合计", key="spending")]
              + [H(f"{label}财政拨款", key=label) for label, _ in FUNDS])]
    return s.table("t4", "预算财政拨款收支总表", tree, number(rows))


def _fund_spending(s: Scope, key: str, title: str, source: Source, fund_name: str) -> Table:
    """Tables 5, 7, 8: one fund's appropriated spending by function, basic vs project."""
    ledger = s.ledger.where(lambda f: f.source is source)

    def values(f: Fact) -> dict[str, Decimal]:
        return {"合计": f.amount, "项目支出" if f.kind == PROJECT else "基本支出": f.amount}

    rows = classification_rows(ledger, lambda f: f.function, s.catalog.function_name, values,
                               ["合计", "基本支出", "项目支出"])
    tree = [SEQ, FUNCTION_GROUP, H("合计"), H("基本支出"), H("项目支出")]
    return s.table(key, title, tree, rows, _empty(rows, f"{fund_name}财政拨款预算"))


def t5_general(s: Scope) -> Table:
    return _fund_spending(s, "t5", "预算一般公共预算财政拨款支出表", Source.general, "一般公共预算")


def t6_basic(s: Scope) -> Table:
    """一般公共预算财政拨款基本支出表: basic spending by economic 类/款, personnel vs public."""
    ledger = s.ledger.where(lambda f: f.source is Source.general and f.kind != PROJECT)

    def values(f: Fact) -> dict[str, Decimal]:
        # classification_rows skips facts without an economic code before it asks for their values
        personnel = f.economic is not None and s.catalog.is_personnel(f.economic)
        return {"合计": f.amount, "人员经费" if personnel else "公用经费": f.amount}

    rows = classification_rows(ledger, lambda f: f.economic, s.catalog.economic_name, values,
                               ["合计", "人员经费", "公用经费"], levels=(3, 5))
    tree = [SEQ, ECONOMIC_GROUP, H("一般公共预算基本支出", [H("合计"), H("人员经费"), H("公用经费")])]
    return s.table("t6", "预算一般公共预算财政拨款基本支出表", tree, rows, _empty(rows, "一般公共预算财政拨款基本支出预算"))


def t7_fund(s: Scope) -> Table:
    return _fund_spending(s, "t7", "预算政府性基金预算财政拨款支出表", Source.fund, "政府性基金预算")


def t8_state_capital(s: Scope) -> Table:
    return _fund_spending(s, "t8", "预算国有资本经营预算财政拨款支出表", Source.state_capital, "国有资本经营预算")


T9_ROWS = [("合计", "total", 0), ("“三公”经费小计", "sangong", 1), ("一、因公出国（境）费", "abroad", 2),
           ("其中：教学科研人员因公出国（境）费", "abroad_research", 3), ("其他因公出国（境）费", "abroad_other", 3),
           ("二、公务用车购置及运维费", "vehicle", 2), ("其中：公务用车购置费", "vehicle_purchase", 3),
           ("公务用车运行维护费", "vehicle_operation", 3), ("三、公务接待费", "reception", 2),
           ("四、会议费", "meeting", 2), ("五、培训费", "training", 2)]


def t9_sangong(s: Scope) -> Table:
    """财政拨款“三公”经费支出表: by economic code, every subtotal computed (the seed left them blank)."""
    items = s.analysis.sangong
    rows = []
    for label, key, level in T9_ROWS:
        parts = [items[key][src] for _, src in FUNDS]
        rows.append(Row([Cell(None, "index"), Cell(label), Cell(sum(parts, ZERO), "amount")]
                        + [Cell(p, "amount") for p in parts], level=level))
    tree = [SEQ, H("项目", key="item", kind="text", width=3.6),
            H("资金性质", [H("合计", key="total"), H("一般公共预算财政拨款", key="general"),
                       H("政府性基金预算拨款", key="fund"), H("国有资本经营预算财政拨款", key="state_capital")])]
    empty = None if any(sum(v.values(), ZERO) for v in items.values()) else "注：无财政拨款“三公”经费预算，空表列示。"
    return s.table("t9", "预算财政拨款“三公”经费支出表", tree, number(rows), empty)


def _empty(rows: list[Row], what: str) -> str | None:
    return None if rows else f"注：无{what}，空表列示。"


NINE = [t1_summary, t2_income, t3_spending, t4_appropriation, t5_general, t6_basic, t7_fund, t8_state_capital,
        t9_sangong]


def nine_tables(scope: Scope) -> list[Table]:
    return [make(scope) for make in NINE]
