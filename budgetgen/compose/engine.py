"""A profile's table declarations + a scope's analysis → Tables: each column a pivot of the ledger's facts, the rows
a classification (grid.classification_rows), a fixed list of items, or one of the named layouts below."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from ..analysis.ledger import ZERO, Fact, Ledger
from ..analysis.sums import INCOME_ROWS, PROCUREMENT_CATEGORIES
from ..document import Banner, Cell, CellKind, Row, Table
from ..fmt import cn_ordinal, grouped
from ..model.budget import AmountUnit, DocumentKind
from ..profiles import (CODE_LENGTH, CODE_PARTS, PART_SLICE, Classification, ClassRows, Column, Item, Layout, Pick,
                        Profile, Value, When, Zero, every_row, fill)
from ..profiles import Table as TableSpec
from .grid import H, classification_rows
from .tables import CHAR_WIDTH, Scope

KINDS: dict[Value, CellKind] = {Value.seq: "index", Value.code: "code", Value.class_: "code", Value.item_: "code",
                                Value.sub: "code", Value.name: "text", Value.label: "text", Value.amount: "amount"}
CODES_WIDTH = 1.8  # of the columns of a code shown in parts (类款项, 类款) together, where the profile gives none


def tables_of(scope: Scope, profile: Profile, document: DocumentKind = DocumentKind.department) -> list[Table]:
    """The profile's tables about one scope in a document of the given kind, in the profile's order."""
    return [table_of(scope, profile, spec) for spec in profile.tables_in(document)]


def table_of(scope: Scope, profile: Profile, spec: TableSpec) -> Table:
    unit = spec.unit or scope.unit
    money: CellKind = "amount" if (spec.zero or profile.zero) is Zero.blank else "number"
    ledger = scope.ledger
    if spec.where is not None:
        where = spec.where
        ledger = ledger.where(lambda f: where.matches(f, scope.catalog))
        if where.running is not None:  # the analysis' 机关运行经费 (or all but it), which a fact cannot tell itself
            split = _running_split(scope, ledger)
            ledger = split.running if where.running else split.other
    rows = _rows(scope, spec, ledger, money)
    unused = _unused_columns(spec, rows)
    if unused:  # columns printed only with money (when: 有金额) that have none: the table laid out without them
        spec = spec.model_copy(update={"columns": _without(spec.columns, unused)})
        rows = _rows(scope, spec, ledger, money)
    words = _words(scope, unit)
    empty = not any(c.value for row in rows for c in row.cells if c.kind in ("amount", "number"))
    note = fill(spec.empty_note, **words) if spec.empty_note is not None and empty else None
    banner = Banner(scope.code, scope.name, scope.year, unit_label=f"单位：{unit.value}")
    if any((profile.banner.left, profile.banner.centre, profile.banner.right)):
        banner.left, banner.centre, banner.right = (fill(p, **words) for p in
                                                    (profile.banner.left, profile.banner.centre, profile.banner.right))
    colnums = profile.colnums if spec.colnums is None else spec.colnums
    table = scope.table(spec.key, fill(spec.title, **words), [_tree(c) for c in spec.columns], rows, note,
                        landscape=spec.landscape, colnums=colnums, unit=unit, banner=banner)
    if profile.thousands if spec.thousands is None else spec.thousands:
        _grouped(table)
    if spec.label is not None:
        table.label = fill(spec.label, **words)
    return table


def _rows(scope: Scope, spec: TableSpec, ledger: Ledger, money: CellKind) -> list[Row]:
    leaves = spec.leaves()
    if spec.layout is not None:
        return _layout(scope, spec, ledger, leaves, money)
    if spec.rows is not None:
        return classified(scope, spec, ledger, leaves, money)
    return fixed(scope, spec.items or [], ledger, leaves, money)


def printed(item: Item, amounts: list[Decimal | None]) -> bool:
    """Whether a row is printed: always, or (when: 有金额) when one of its amounts is not zero."""
    return item.when is When.always or any(amounts)


def _unused_columns(spec: TableSpec, rows: list[Row]) -> set[int]:
    """The columns (ids of leaves) written `when: 有金额` whose cells are all blank or zero. A leaf is one cell of a
    body row, but a code shown in parts (类款项, 类款) one cell per part."""
    leaves = spec.leaves()
    if all(leaf.when is When.always for leaf in leaves):
        return set()
    unused = set()
    at = 0
    for leaf in leaves:
        if leaf.when is When.with_money and not any(row.cells[at].value for row in rows):
            unused.add(id(leaf))
        at += len(CODE_PARTS[leaf.value]) if leaf.value in CODE_PARTS and spec.rows is not None else 1
    return unused


def _without(columns: list[Column], unused: set[int]) -> list[Column]:
    """The columns without the leaves in `unused` (ids), and without the groups that then have none."""
    out = []
    for column in columns:
        if not column.columns:
            if id(column) not in unused:
                out.append(column)
            continue
        children = _without(column.columns, unused)
        if children:
            out.append(column if len(children) == len(column.columns) else
                       column.model_copy(update={"columns": children}))
    return out


def _grouped(table: Table) -> None:
    """Amounts printed with thousands separators (Cell.grouped), their columns widened for the separators."""
    longest = [0] * len(table.columns)
    for row in table.rows:
        at = 0
        for cell in row.cells:
            if cell.kind in ("amount", "number"):
                cell.grouped = True
                if isinstance(cell.value, Decimal) and cell.colspan == 1 and at < len(longest):
                    longest[at] = max(longest[at], len(grouped(cell.value, False)))
            at += cell.colspan
    table.columns = [replace(c, width=max(c.width, n * CHAR_WIDTH)) for c, n in zip(table.columns, longest,
                                                                                   strict=True)]


def _words(scope: Scope, unit: AmountUnit) -> dict[str, str]:
    """What a title, an empty-table note or the banner may say ({称谓} …)."""
    return {"称谓": scope.word, "名称": scope.name, "编码": scope.code, "年度": str(scope.year),
            "上年": str(scope.year - 1), "单位": unit.value}


def _tree(column: Column) -> H:
    if column.columns:
        return H(column.label, [_tree(c) for c in column.columns])
    if column.value in (Value.codes, Value.codes_two):  # 功能分类科目编码 {类 | 款 | 项}: one code column per part
        parts = CODE_PARTS[column.value]
        width = (column.width if "width" in column.model_fields_set else CODES_WIDTH) / len(parts)
        base = column.key or column.label
        return H(column.label, [H(part.value, key=f"{base}.{part.value}", kind="code", width=width) for part in parts])
    return H(column.label, key=column.key, kind=KINDS[column.value], width=column.width)


def _amount_leaves(leaves: list[Column]) -> list[tuple[str, Column]]:
    return [(leaf.key or leaf.label, leaf) for leaf in leaves if leaf.value is Value.amount]


def classified(scope: Scope, spec: TableSpec, ledger: Ledger, leaves: list[Column], money: CellKind) -> list[Row]:
    """合计 and every code with money at the declared levels (grid.classification_rows), its cells in the
    declared column order."""
    assert spec.rows is not None
    catalog = scope.catalog
    amounts = _amount_leaves(leaves)
    keys = [key for key, _ in amounts]

    def values(f: Fact) -> dict[str, Decimal]:
        return {key: f.amount for key, leaf in amounts if leaf.matches(f, catalog)}

    function = spec.rows.classification is Classification.function
    code_of: Callable[[Fact], str | None] = (lambda f: f.function) if function else (lambda f: f.economic)
    name_of = catalog.function_name if function else catalog.economic_name
    levels = tuple(CODE_LENGTH[level] for level in spec.rows.levels)
    rows = classification_rows(ledger, code_of, name_of, values, keys, levels, spec.rows.total)
    plain = [leaf.value for leaf in leaves] == [Value.seq, Value.code, Value.name] + [Value.amount] * len(keys)
    if plain and money == "amount":
        return rows  # the cells as classification_rows makes them
    out = []
    for row in rows:
        index, code, name, figures = row.cells[0], row.cells[1], row.cells[2], iter(row.cells[3:])
        text = str(code.value or "")
        cells = []
        for leaf in leaves:
            if leaf.value is Value.seq:
                cells.append(index)
            elif leaf.value is Value.code:
                cells.append(code)
            elif leaf.value is Value.name:
                cells.append(name)
            elif leaf.value in CODE_PARTS:  # every part the row's code has (合计: none)
                cells.extend(Cell(text[PART_SLICE[part]], "code") for part in CODE_PARTS[leaf.value])
            else:
                figure = next(figures)
                cells.append(Cell(figure.value, money))
        out.append(Row(cells, row.level))
    return out


def fixed(scope: Scope, items: list[Item], ledger: Ledger, leaves: list[Column], money: CellKind) -> list[Row]:
    """A fixed list of rows (nested items): a row with items sums them, any other the facts it picks (a column
    or row written `running: true` only the analysis' 机关运行经费)."""
    catalog = scope.catalog
    amounts = [leaf for _, leaf in _amount_leaves(leaves)]
    if any(leaf.running is not None for leaf in amounts) or any(row.running is not None for row in every_row(items)):
        ledger = _running_split(scope, ledger)
    rows: list[Row] = []

    def walk(item: Item, depth: int) -> list[Decimal]:
        row = Row([], item.level if item.level is not None else depth)
        start = len(rows)
        rows.append(row)
        if item.items:
            parts = [walk(child, depth + 1) for child in item.items]
            sums = [sum((p[i] for p in parts), ZERO) for i in range(len(amounts))]
        else:
            sums = [_total(ledger, catalog, item, leaf) for leaf in amounts]
        figures = iter(sums)
        row.cells = [Cell(None, "index") if leaf.value is Value.seq else
                     Cell(next(figures), money) if leaf.value is Value.amount else Cell(item.label)
                     for leaf in leaves]
        if not printed(item, list(sums)):  # with its rows below it, which have no money either
            del rows[start:]
        return sums

    for item in items:
        walk(item, 0)
    return numbered(rows)


def _total(ledger: Ledger, catalog: Any, *picks: Pick) -> Decimal:
    """The amount of the facts every one of `picks` picks."""
    if isinstance(ledger, _RunningLedger):
        wanted = {p.running for p in picks if p.running is not None}
        if len(wanted) > 1:
            return ZERO
        part: Ledger = ledger if not wanted else ledger.running if wanted.pop() else ledger.other
        return part.total(lambda f: all(p.matches(f, catalog) for p in picks))
    return ledger.total(lambda f: all(p.matches(f, catalog) for p in picks))


# --- 机关运行经费 as a column: the analysis' facts (analysis.sums.running_ledger), not a condition on a fact ----------

class _RunningLedger(Ledger):
    """A table's ledger split into the facts of the analysis' 机关运行经费 and the others."""

    running: Ledger
    other: Ledger


def _running_split(scope: Scope, ledger: Ledger) -> _RunningLedger:
    ids = {id(f) for f in scope.analysis.running.facts}
    split = _RunningLedger(ledger.facts)
    split.running = ledger.where(lambda f: id(f) in ids)
    split.other = ledger.where(lambda f: id(f) not in ids)
    return split


# --- layouts without a 序号 column: laid out with one, which is then left out -------------------------------------

def _layout(scope: Scope, spec: TableSpec, ledger: Ledger, leaves: list[Column], money: CellKind) -> list[Row]:
    assert spec.layout is not None
    if leaves and leaves[0].value is Value.seq:
        return LAYOUTS[spec.layout](scope, spec, ledger, leaves, money)
    rows = LAYOUTS[spec.layout](scope, spec, ledger, [Column(label="序号", value=Value.seq)] + leaves, money)
    for row in rows:
        row.cells = row.cells[1:]
    return rows


def _of_class(ledger: Ledger, code: str) -> Ledger:
    """The facts of one function 类 (none for a 类 without a code)."""
    return ledger.where(lambda f: f.function[:3] == code) if code else Ledger([])


def _sources_only(item: Item) -> frozenset | None:
    """The sources of an income row that picks by source alone (None for any other row)."""
    others = [name for name in Pick.model_fields if name != "source" and getattr(item, name) is not None]
    return None if item.source is None or others else frozenset(item.source)


def analysed_income(scope: Scope) -> dict[frozenset | None, Decimal]:
    """This year's income by source as the analysis sums it (its rows of table 1), by the sources each row sums."""
    return {frozenset(sources): amount for (_, sources), (_, amount) in zip(INCOME_ROWS, scope.analysis.income,
                                                                          strict=True)}


def income_row(item: Item, known: dict[frozenset | None, Decimal], current: Ledger, catalog: Any) -> Decimal:
    """An income row of table 1: the analysis' sums of its sources when it picks by sources alone and the analysis
    has each of them (a row of several sources, such as 单位资金, adds the analysis' rows); else the facts it picks."""
    key = _sources_only(item)
    if key in known:
        return known[key]  # the analysis' own object (computed once)
    if key and all(frozenset([source]) in known for source in key):
        return sum((known[frozenset([source])] for source in key), ZERO)
    return _total(current, catalog, item)


def _classes(spec: TableSpec, classes: tuple[tuple[str, str], ...],
             by_class: dict[str, Decimal]) -> tuple[tuple[str, str], ...]:
    """The 类 a layout's spending side lists: all of the year's, or those with money (spending_classes)."""
    if spec.spending_classes is ClassRows.all:
        return classes
    return tuple((code, name) for code, name in classes if code and by_class.get(code))


def totals_carry(spec: TableSpec) -> bool:
    """Whether a two-sided layout prints a carry-over row (上年结转); without one its income rows include it."""
    return spec.totals is not None and spec.totals.carryover is not None


def numbered(rows: list[Row]) -> list[Row]:
    """Every 序号 cell filled with 1, 2, 3 …"""
    for i, row in enumerate(rows, start=1):
        for cell in row.cells:
            if cell.kind == "index":
                cell.value = i
    return rows


# --- layouts: tables of two sides, their wording from the profile ------------------------------------------------

def summary(scope: Scope, spec: TableSpec, ledger: Ledger, leaves: list[Column], money: CellKind) -> list[Row]:
    """收支总表: this year's income by the declared rows beside spending by the year's 类; then the year's
    totals, carry-over and grand totals. Amount columns declared after the spending side's (some unit documents
    of Shanghai: 人员经费, 公用经费, 项目支出) split each spending row: the facts of its 类 (of the whole table on the
    closing rows) that each column's conditions pick."""
    assert spec.income is not None and spec.spending is not None and spec.totals is not None
    catalog = scope.catalog
    more = leaves[5:]  # after 序号, 项目, 预算数 (income), 项目, 预算数 (spending)

    def split(picked: Ledger | None) -> list[Cell]:
        return [Cell(None if picked is None else _total(picked, catalog, leaf), money) for leaf in more]

    # Without a carry-over row (上海区级) the income rows hold the carried-over money too, so that they add up to
    # 收入总计; with one, they are this year's income and the carry-over row the rest.
    carry_row = spec.totals.carryover is not None
    current = ledger.where(lambda f: not f.carryover) if carry_row else ledger
    analysed = spec.where is None  # the scope's whole ledger: the analysis has these sums already (computed once)
    known = analysed_income(scope) if analysed and carry_row else {}
    income = [(item.label, amount) for item in spec.income
              for amount in [income_row(item, known, current, catalog)] if printed(item, [amount])]
    by_class = scope.analysis.spending_by_class if analysed else ledger.by(lambda f: f.function[:3])
    pattern = spec.spending
    shown = _classes(spec, catalog.classes, by_class)
    spending = [(fill(pattern, 序号=cn_ordinal(i), 名称=name, 编码=code), by_class.get(code, ZERO) if code else ZERO)
                for i, (code, name) in enumerate(shown, start=1)]
    rows = []
    for i in range(max(len(income), len(spending))):
        left: tuple[str, Decimal | None] = income[i] if i < len(income) else ("", None)
        right: tuple[str, Decimal | None] = spending[i] if i < len(spending) else ("", None)
        picked = _of_class(ledger, shown[i][0]) if more and i < len(spending) else None
        rows.append(Row([Cell(None, "index"), Cell(left[0]), Cell(left[1], money), Cell(right[0]),
                         Cell(right[1], money)] + split(picked)))
    if analysed:
        figures = scope.analysis.figures
        year_income, carried, year_spending = figures.income_total, figures.carryover, figures.spending_total
    else:
        year_income, carried, year_spending = current.total(), ledger.total(lambda f: f.carryover), ledger.total()
    totals = spec.totals
    if totals.year is not None:
        rows.append(Row([Cell(None, "index"), Cell(totals.year[0]), Cell(year_income, money), Cell(totals.year[1]),
                         Cell(year_spending, money)] + split(ledger), level=0))
    if totals.carryover is not None:  # 年终结转结余: none budgeted
        rows.append(Row([Cell(None, "index"), Cell(totals.carryover[0]), Cell(carried, money),
                         Cell(totals.carryover[1]), Cell(ZERO, money)] + split(Ledger([]))))
    rows.append(Row([Cell(None, "index"), Cell(totals.total[0]), Cell(year_income + carried, money),
                     Cell(totals.total[1]), Cell(year_spending, money)] + split(ledger), level=0))
    return numbered(rows)


def appropriation(scope: Scope, spec: TableSpec, ledger: Ledger, leaves: list[Column], money: CellKind) -> list[Row]:
    """财政拨款收支总表: income by the declared rows beside spending by the year's 类, one column per declared fund
    column (and their 合计); the year's totals, carry-over by the income rows, grand totals."""
    assert spec.income is not None and spec.spending is not None and spec.totals is not None
    catalog = scope.catalog
    funds = leaves[5:]  # after 序号, 项目, 金额 (income), 项目, 合计 (spending): one column per fund
    current = ledger.where(lambda f: not f.carryover)
    carried = ledger.where(lambda f: f.carryover)

    def spend(label: str, picked: Ledger | None) -> list[Cell]:
        if picked is None:
            return [Cell(label), Cell(None, money)] + [Cell(None, money) for _ in funds]
        parts = [_total(picked, catalog, leaf) for leaf in funds]
        return [Cell(label), Cell(sum(parts, ZERO), money)] + [Cell(p, money) for p in parts]

    def income_of(part: Ledger) -> list[tuple[str, Decimal]]:
        return [(item.label, amount) for item in spec.income or []
                for amount in [_total(part, catalog, item)] if printed(item, [amount])]

    income = income_of(current if totals_carry(spec) else ledger)  # no carry-over row: the rows hold it (summary)
    classes = _classes(spec, catalog.classes, ledger.by(lambda f: f.function[:3]))
    pattern = spec.spending
    rows = []
    for i in range(max(len(income), len(classes))):
        left: tuple[str, Decimal | None] = income[i] if i < len(income) else ("", None)
        if i < len(classes):
            code, name = classes[i]
            right = spend(fill(pattern, 序号=cn_ordinal(i + 1), 名称=name, 编码=code),
                          _of_class(ledger, code))
        else:
            right = spend("", None)
        rows.append(Row([Cell(None, "index"), Cell(left[0]), Cell(left[1], money)] + right))
    year_income, carried_total = current.total(), carried.total()
    totals = spec.totals
    if totals.year is not None:
        rows.append(Row([Cell(None, "index"), Cell(totals.year[0]), Cell(year_income, money)]
                        + spend(totals.year[1], ledger), level=0))
    if totals.carryover is not None:
        rows.append(Row([Cell(None, "index"), Cell(totals.carryover[0]), Cell(carried_total, money)]
                        + spend(totals.carryover[1], Ledger([]))))
        for label, amount in income_of(carried):
            rows.append(Row([Cell(None, "index"), Cell(label), Cell(amount, money)] + spend("", None)))
    rows.append(Row([Cell(None, "index"), Cell(totals.total[0]), Cell(year_income + carried_total, money)]
                    + spend(totals.total[1], ledger), level=0))
    return numbered(rows)


def with_uses(scope: Scope, spec: TableSpec, ledger: Ledger, leaves: list[Column], money: CellKind) -> list[Row]:
    """收支总表（含支出用途）: the 收支总表 (summary) with a third side, spending by the declared uses (基本支出,
    项目支出, 单位预留机动经费 …), its closing rows worded and summed as the 功能分类 side's."""
    assert spec.totals is not None and spec.uses is not None
    rows = summary(scope, spec, ledger, leaves[:5], money)
    closing = 1 + (spec.totals.year is not None) + (spec.totals.carryover is not None)
    body, tail = rows[:len(rows) - closing], rows[len(rows) - closing:]
    uses = [(item.label, amount) for item in spec.uses
            for amount in [_use_total(scope, spec, ledger, item)] if printed(item, [amount])]
    while len(body) < len(uses):
        body.append(Row([Cell(None, "index"), Cell(""), Cell(None, money), Cell(""), Cell(None, money)]))
    for i, row in enumerate(body):
        label, amount = uses[i] if i < len(uses) else ("", None)
        row.cells += [Cell(label), Cell(amount, money)]
    for row in tail:  # the same wording and amount as the 功能分类 side
        row.cells += [Cell(row.cells[3].value), Cell(row.cells[4].value, money)]
    return numbered(body + tail)


def _use_total(scope: Scope, spec: TableSpec, ledger: Ledger, item: Item) -> Decimal:
    """A spending-use row: the analysis' own sums by use when the row picks by kind alone over the whole scope
    (Jiangsu's 一、基本支出 adds four kinds); else the facts it picks."""
    by_kind_only = item.kind is not None and all(getattr(item, name) is None for name in Pick.model_fields
                                                  if name != "kind")
    if spec.where is None and by_kind_only and not item.items:
        assert item.kind is not None
        return sum((scope.analysis.spending_by_use.get(kind.value, ZERO) for kind in item.kind), ZERO)
    return _total(ledger, scope.catalog, item)


def procurement(scope: Scope, spec: TableSpec, ledger: Ledger, leaves: list[Column], money: CellKind) -> list[Row]:
    """政府采购: 合计, then 货物, 工程, 服务 (and lines that give no category, last), each with its lines: the item,
    its 采购组织形式, its amount. Procurement lines are not facts of the ledger: the scope's units give them."""
    lines = [line for unit in scope.analysis.units for line in unit.procurement]
    if not lines:
        return []

    def category(line: Any) -> str | None:
        return line.category.value if line.category is not None else None

    present: list[str | None] = list(PROCUREMENT_CATEGORIES) + ([None] if any(category(x) is None for x in lines) else [])
    totals = scope.analysis.procurement  # the same sums the notes quote
    rows = [Row([Cell(None, "index"), Cell("合计"), Cell(""), Cell(totals.total, money)], level=0)]
    for n, name in enumerate(present, start=1):
        picked = [x for x in lines if category(x) == name]
        rows.append(Row([Cell(None, "index"), Cell(cn_ordinal(n) + (name or "未分类")), Cell(""),
                         Cell(totals.by_category.get(name, ZERO), money)], level=1))
        rows += [Row([Cell(None, "index"), Cell(x.item), Cell(x.form.value if x.form is not None else ""),
                      Cell(x.amount, money)], level=2) for x in picked]
    return numbered(rows)


LAYOUTS: dict[Layout, Callable[[Scope, TableSpec, Ledger, list[Column], CellKind], list[Row]]] = {
    Layout.summary: summary, Layout.appropriation: appropriation, Layout.uses: with_uses,
    Layout.procurement: procurement}
