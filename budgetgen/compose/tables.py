"""What a table is about (Scope) and how a built table is finished: amounts in the printed unit, amount columns
wide enough, the 尾差 note. The tables themselves are declared in a profile (budgetgen.profiles) and built by
compose.engine."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from ..analysis import Analysis
from ..analysis.ledger import ZERO, Ledger
from ..catalog import Catalog
from ..document import Banner, Row, Table
from ..fmt import CENT
from ..model.budget import AmountUnit
from .grid import H, header

# The function code columns and the 序号 column as budgetgen's own tables head them (tests lay out tables with them).
FUNCTION_GROUP = H("功能分类科目", [H("科目编码", key="code", kind="code", width=1.3),
                                H("科目名称", key="name", kind="text", width=3.2)])
SEQ = H("序号", key="seq", kind="index", width=0.6)


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
              landscape: bool = False, colnums: bool = True, unit: AmountUnit | None = None,
              banner: Banner | None = None) -> Table:
        """A table about this scope, titled `title`, its amounts (万元) printed in `unit` (the scope's)."""
        unit = unit or self.unit
        head, columns = header(tree, colnums)
        rows = in_unit(rows, unit.per_wan)
        columns = fitted(columns, rows)
        note = rounding_note(rows)
        return Table(id=f"{self.id}-{key}", title=title, banner=banner or self.banner(), columns=columns,
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
