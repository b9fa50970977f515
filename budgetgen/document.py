"""The Disclosure: a format-neutral document (parts → sections → blocks) that every writer lays out.

Nothing here computes or formats a figure: amounts stay Decimal until a writer calls budgetgen.fmt. What the
writers print besides figures is here too, decided once by compose: which rows and cells are bold, how far a
row's name is indented, the banner line, the 栏次 row, the cover's and the 目录's wording. A writer lays these
fields out; it never re-derives them (from a row's level, a cell's text or a table's id). The grid helpers
(anchors, expand, runs) read a table's rows with HTML span semantics, for every writer alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

# amount: money, empty when zero; number: a figure always shown, money as 0.00 (a Decimal), a quantity as typed
# (its text: 7306, 1.5); label: a header-like caption cell
CellKind = Literal["index", "code", "text", "amount", "number", "percent", "label"]
# Which cells of a body row print bold: none, every cell (合计), or only its text cells (a 类's name)
Emphasis = Literal["", "row", "text"]


@dataclass
class Cell:
    value: Decimal | str | int | None
    kind: CellKind = "text"
    colspan: int = 1
    rowspan: int = 1
    strong: bool = False  # a label cell of a header-like body row (绩效目标, 一级指标 …)
    grouped: bool = False  # an amount printed with thousands separators (1,234,567.89): a profile's tables in 元


@dataclass
class Row:
    cells: list[Cell]
    level: int = 9  # 0 合计, 1 类, 2 款, 3 项; 9 plain (data; compose sets emphasis and indent from it)
    header: bool = False  # a body row printed like a header (the grid head of a performance table)
    emphasis: Emphasis = ""  # bold: "row" every cell, "text" the text cells
    indent: int = 0  # steps the row's text cells are indented (款 1, 项 2)

    def bold(self, cell: Cell) -> bool:
        """Whether a cell of this row prints bold."""
        return cell.strong or self.emphasis == "row" or (self.emphasis == "text" and cell.kind == "text")


@dataclass
class Column:
    key: str
    kind: CellKind
    width: float = 1.0  # relative width, for fixed table layouts


@dataclass
class Banner:
    code: str
    name: str
    year: int | None = None  # 预算年度
    unit_label: str | None = "单位：万元"
    extra: str | None = None  # e.g. 截止时间：2022-12-31
    # The printed line, set by compose: left, centre and right of the line above the table
    left: str = ""  # 201001 中共巨鹿县委办公室
    centre: str = ""  # 预算年度：2023 (or 截止时间：2022-12-31)
    right: str = ""  # 单位：万元


@dataclass
class Table:
    id: str
    title: str
    banner: Banner | None
    columns: list[Column]
    header: list[list[Cell]]  # column header rows with spans (the 栏次 row included); repeat on every page
    rows: list[Row]
    empty_note: str | None = None  # 注：无…预算，空表列示。 — shown when the table has no money
    notes: list[str] = field(default_factory=list)
    landscape: bool = False
    kind: str = "table"  # t1..t9, units, procurement, assets, performance
    toc: bool = True  # listed in the 目录
    lead: list[list[Cell]] = field(default_factory=list)  # rows above the header, printed once (绩效目标, 魏县 head block)
    colnum_row: int | None = None  # index in `header` of the 栏次 row (栏次, 1, 2 …), printed plain
    scope: str = ""  # whom the table is about, as a list of tables names it: 部门, or a unit's code
    label: str = ""  # the table's number printed above its title (公开 01 表), where a profile gives one

    @property
    def is_empty(self) -> bool:
        return self.empty_note is not None


@dataclass
class Paragraph:
    text: str
    style: Literal["body", "lead", "note", "center"] = "body"


@dataclass
class Heading:
    text: str
    level: int  # 1 part, 2 section, 3 subsection, 4 minor
    id: str = ""
    toc: bool = True
    # Its depth in the 目录 and the PDF outline when that is not its level (0): a unit's notes, under the unit's
    # heading in part 2, sit one deeper than the same notes of the department in part 1.
    outline: int = 0

    @property
    def depth(self) -> int:
        return self.outline or self.level


@dataclass
class PageBreak:
    pass


@dataclass
class Chart:
    """A bar chart of a few computed amounts (income by source, spending by function class)."""

    id: str
    title: str
    items: list[tuple[str, Decimal]]  # label, amount (万元), in display order
    unit: str = "万元"


Block = Heading | Paragraph | Table | Chart | PageBreak


@dataclass
class TocEntry:
    text: str
    target: str
    level: int  # the heading's level (4 for a table)
    depth: int = 0  # how far in the 目录 sets it: 1 a part, 2 a section, 3 what a section lists …


@dataclass
class Cover:
    """The cover's lines, set by compose."""

    name: str = ""  # 中共巨鹿县委办公室
    title: str = ""  # 2023年部门预算
    subtitle: str = ""  # （部门预算信息公开）
    notice: str = ""  # on a draft: 草稿：… (else empty)


@dataclass(frozen=True)
class LeafLine:
    """One leaf amount of the department as data (budgetgen render --format lines writes them; budgetgen import
    reads them back): what the nine tables are pivots of, with the names the year's catalog gives the codes."""

    unit_code: str
    unit_name: str
    kind: str  # 基本支出, 项目支出, 经营支出, 上解上级支出, 对附属单位补助支出
    project_code: str  # "" for a non-project line
    project_name: str
    function: str  # 项 (7 digits)
    function_name: str
    economic: str  # 款 (5 digits), "" when not given
    economic_name: str
    source: str  # 一般公共预算 … 其他收入
    carryover: bool  # 上年结转
    amount: Decimal  # 万元, exact
    sub_source: str = ""  # 收入细分来源 (专项收入 …) where the department gives one


@dataclass
class Disclosure:
    title: str  # 中共巨鹿县委办公室2023年部门预算
    department_code: str
    department_name: str
    year: int
    blocks: list[Block]
    source_name: str = ""
    kind: str = "部门预算"  # or 单位预算: a unit's own disclosure (cover, subtitle, properties)
    draft: bool = False  # new-year's draft, not yet gone through: the cover says so (cover.notice)
    cover: Cover = field(default_factory=Cover)  # set by compose
    toc_title: str = ""  # 目　录 (set by compose)
    lines: list[LeafLine] = field(default_factory=list)  # every leaf amount, in input order (set by compose)

    def landscape_intro(self) -> set[int]:
        """Indexes of the blocks that go onto the landscape page of the wide table after them: the heading and
        up to three paragraphs that introduce it (六、政府采购预算情况 …), so that the heading is not left alone
        at the foot of a portrait page, away from its table."""
        blocks, intro = self.blocks, set[int]()
        for i, b in enumerate(blocks):
            if isinstance(b, Table) and b.landscape:
                j = i - 1
                while j >= 0 and i - j <= 3 and isinstance(blocks[j], Paragraph):
                    j -= 1
                k = j
                while k >= 0 and isinstance(blocks[k], Heading):
                    k -= 1
                if k < j:
                    intro.update(range(k + 1, i))
        return intro

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def toc(self) -> list[TocEntry]:
        """The 目录: headings with an id and the tables listed, each table one deeper than the heading above it."""
        entries = []
        depth = 0
        for b in self.blocks:
            if isinstance(b, Heading) and b.toc and b.id:
                entries.append(TocEntry(b.text, b.id, b.level, b.depth))
                depth = b.depth
            elif isinstance(b, Table) and b.toc:
                entries.append(TocEntry(b.title, b.id, 4, depth + 1))
        return entries


# --- grids: a table part's rows with spans (HTML semantics), as every writer reads them ------------------------

def anchors(rows: list[list[Cell]], width: int) -> Iterator[tuple[int, int, Cell]]:
    """HTML span semantics: each cell's top-left (row, column), the next column not covered from the left or above.

    A cell that would start at or beyond `width` is left out.
    """
    covered: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        col = 0
        for cell in row:
            while col < width and (r, col) in covered:
                col += 1
            if col >= width:
                break
            span_c, span_r = max(cell.colspan, 1), max(cell.rowspan, 1)
            covered.update((r + dr, col + dc) for dr in range(span_r) for dc in range(span_c))
            yield r, col, cell
            col += span_c


def expand(rows: list[list[Cell]], width: int) -> list[list[Cell | None]]:
    """Rows with spans → a full grid; a covered position holds the spanning cell (None if never filled).

    Where spans overlap (malformed rows), a cell reaching down from above wins, the later of two such.
    """
    grid: list[list[Cell | None]] = [[None] * width for _ in rows]
    for r, col, cell in anchors(rows, width):
        last = min(col + max(cell.colspan, 1), width)
        for c in range(col, last):
            if grid[r][c] is None:
                grid[r][c] = cell
        for line in grid[r + 1:r + max(cell.rowspan, 1)]:
            line[col:last] = [cell] * (last - col)
    return grid


def runs(line: list[Cell | None]) -> Iterator[tuple[int, Cell | None, int]]:
    """Along a row of an expanded grid: (column, cell, how many columns it spans there), by identity."""
    n, c = len(line), 0
    while c < n:
        cell, span = line[c], 1
        while c + span < n and cell is not None and line[c + span] is cell:
            span += 1
        yield c, cell, span
        c += span
