"""Table plumbing shared by every table spec: column header trees with spans, and classification trees of rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ..analysis.ledger import ZERO, Fact, Ledger
from ..document import Cell, CellKind, Column, Row


@dataclass
class H:
    """A node of a column header tree: a leaf is a column, an inner node a spanning group."""

    label: str
    children: list[H] = field(default_factory=list)
    key: str = ""
    kind: CellKind = "amount"
    width: float = 1.0

    def leaves(self) -> list[H]:
        return [self] if not self.children else [leaf for c in self.children for leaf in c.leaves()]

    def depth(self) -> int:
        return 1 + max((c.depth() for c in self.children), default=0)


def header(tree: list[H], colnums: bool = True) -> tuple[list[list[Cell]], list[Column]]:
    """Header rows with colspans/rowspans, the 栏次 row (栏次, 1, 2 …) and the leaf columns."""
    depth = max(n.depth() for n in tree)
    rows: list[list[Cell]] = [[] for _ in range(depth)]

    def place(node: H, level: int) -> None:
        if node.children:
            rows[level].append(Cell(node.label, "label", colspan=len(node.leaves())))
            for child in node.children:
                place(child, level + 1)
        else:
            rows[level].append(Cell(node.label, "label", rowspan=depth - level))

    for node in tree:
        place(node, 0)
    leaves = [leaf for n in tree for leaf in n.leaves()]
    if colnums:
        rows.append([Cell("栏次", "label")] + [Cell(str(i), "label") for i in range(1, len(leaves))])
    columns = [Column(leaf.key or leaf.label, leaf.kind, leaf.width) for leaf in leaves]
    return rows, columns


def classification_rows(
    ledger: Ledger,
    code_of: Callable[[Fact], str | None],
    name_of: Callable[[str], str],
    values: Callable[[Fact], Mapping[str, Decimal]],
    keys: list[str],
    levels: tuple[int, ...] = (3, 5, 7),
    total_label: str = "合计",
) -> list[Row]:
    """合计, then every 类/款/项 (or economic 类/款) that has money, in code order, parents summing children.

    Each row: 序号, 科目编码, 科目名称, then one amount per key.
    """
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    total: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for fact in ledger.facts:
        code = code_of(fact)
        if code is None:
            continue
        for key, amount in values(fact).items():
            total[key] += amount
            for n in levels:
                sums[code[:n]][key] += amount
    rows: list[Row] = []
    if not any(total.values()):
        return rows
    rows.append(Row([Cell(None, "index"), Cell("", "code"), Cell(total_label, "text")]
                    + [Cell(total[k], "amount") for k in keys], level=0))
    for code in sorted(sums):
        if not any(sums[code].values()):
            continue
        rows.append(Row([Cell(None, "index"), Cell(code, "code"), Cell(name_of(code), "text")]
                        + [Cell(sums[code][k], "amount") for k in keys], level=levels.index(len(code)) + 1))
    return number(rows)


def number(rows: list[Row]) -> list[Row]:
    """Fill the 序号 column (the first cell of every row) with 1, 2, 3 …"""
    for i, row in enumerate(rows, start=1):
        row.cells[0].value = i
    return rows


def merge_down(rows: list[Row], column: int, within: int | None = None) -> None:
    """Merge equal consecutive cells of a column into one cell spanning their rows (一级/二级 of a grid).

    With `within`, a run never crosses a change in that (already merged) column.
    """
    start = 0
    while start < len(rows):
        end = start + 1
        value = rows[start].cells[column].value
        while (end < len(rows) and rows[end].cells[column].value == value
               and (within is None or _group(rows, within, end) == _group(rows, within, start))):
            end += 1
        if end - start > 1:
            rows[start].cells[column].rowspan = end - start
            for r in rows[start + 1:end]:
                r.cells[column].rowspan = 0  # covered: writers skip it
        start = end


def _group(rows: list[Row], column: int, index: int) -> int:
    """The index of the row whose cell spans `column` at `index`."""
    while index > 0 and rows[index].cells[column].rowspan == 0:
        index -= 1
    return index


def drop_covered(rows: list[Row]) -> list[Row]:
    """Remove the cells merge_down marked as covered, so rows follow HTML span semantics."""
    for row in rows:
        row.cells = [c for c in row.cells if c.rowspan != 0]
    return rows
