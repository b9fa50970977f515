"""The Disclosure: a format-neutral document (parts → sections → blocks) that every writer lays out.

Nothing here computes or formats a figure: amounts stay Decimal until a writer calls budgetgen.fmt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Union

# amount: money, empty when zero; number: money always shown (0.00); label: a header-like caption cell
CellKind = Literal["index", "code", "text", "amount", "number", "percent", "label"]


@dataclass
class Cell:
    value: Decimal | str | int | None
    kind: CellKind = "text"
    colspan: int = 1
    rowspan: int = 1
    strong: bool = False  # a label cell of a header-like body row (绩效目标, 一级指标 …)


@dataclass
class Row:
    cells: list[Cell]
    level: int = 9  # 0 合计, 1 类, 2 款, 3 项 (for emphasis and indent); 9 plain
    header: bool = False  # a body row printed like a header (the grid head of a performance table)


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


Block = Union[Heading, Paragraph, Table, Chart, PageBreak]


@dataclass
class TocEntry:
    text: str
    target: str
    level: int


@dataclass
class Disclosure:
    title: str  # 中共巨鹿县委办公室2023年部门预算
    department_code: str
    department_name: str
    year: int
    blocks: list[Block]
    source_name: str = ""
    kind: str = "部门预算"  # or 单位预算: a unit's own disclosure (cover, subtitle, properties)
    draft: bool = False  # new-year's draft, not yet gone through: the cover says so (draft_notice)

    @property
    def draft_notice(self) -> str:
        """The cover's line on a draft, the same in every format; '' for a finished document."""
        return "草稿：由 budgetgen new-year 生成，尚未核对，不得公开" if self.draft else ""

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def toc(self) -> list[TocEntry]:
        entries = []
        for b in self.blocks:
            if isinstance(b, Heading) and b.toc and b.id:
                entries.append(TocEntry(b.text, b.id, b.level))
            elif isinstance(b, Table) and b.toc:
                entries.append(TocEntry(b.title, b.id, 4))
        return entries
