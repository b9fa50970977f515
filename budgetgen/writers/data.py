"""The open-data companion's tables as plain data, shared by its two formats: one JSON file with every table
(json_data), one CSV per table (csv_data)."""

from __future__ import annotations

import re
from decimal import Decimal

from .. import __version__, fmt
from ..document import Cell, Disclosure, Table, expand
from . import fit_bytes


def cell_text(cell: Cell | None) -> str:
    """A cell as open data: amounts always with two decimals (0.00 included), other values as printed."""
    if cell is None or cell.value is None:
        return ""
    if cell.kind in ("amount", "number") and isinstance(cell.value, Decimal):
        return fmt.money(cell.value)
    if cell.kind == "percent" and isinstance(cell.value, Decimal):
        return fmt.percent(cell.value)
    return str(cell.value)


def grid(rows: list[list[Cell]], width: int) -> list[list[str]]:
    """Spanned rows as a full grid: a merged cell's text repeats down its rows, colspans leave blanks after it."""
    out = []
    for line in expand(rows, width):
        texts, previous = [], None
        for cell in line:
            texts.append("" if cell is previous and cell is not None and cell.colspan > 1 else cell_text(cell))
            previous = cell
        out.append(texts)
    return out


def table_data(table: Table) -> dict:
    width = len(table.columns)
    banner = table.banner
    return {
        "id": table.id,
        "kind": table.kind,
        "title": table.title,
        "banner": None if banner is None else {"code": banner.code, "name": banner.name, "year": banner.year,
                                               "unit": banner.unit_label, "extra": banner.extra},
        "columns": [{"key": c.key, "type": c.kind} for c in table.columns],
        "lead": grid(table.lead, width),
        "header": grid(table.header, width),
        "rows": grid([row.cells for row in table.rows], width),
        "levels": [row.level for row in table.rows],
        **({"label": table.label} if table.label else {}),  # 公开 01 表, where the profile numbers its tables
        "empty_note": table.empty_note,
        "notes": table.notes,
    }


def document_data(doc: Disclosure) -> dict:
    return {
        "generator": f"budgetgen {__version__}",
        "title": doc.title,
        "department": {"code": doc.department_code, "name": doc.department_name},
        "year": doc.year,
        "amount_unit": "万元",
        "tables": [table_data(t) for t in doc.tables()],
    }


CSV_NAME_BYTES = 180  # a table title can be a project's name of any length; names are limited to 255 bytes

# A cell a spreadsheet would run as a formula (or as DDE): its first character. Tab and CR as OWASP lists them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")


def csv_safe(value):
    """A CSV cell as text a spreadsheet shows and never executes: a leading apostrophe before =, +, -, @, tab
    or CR, as Excel and LibreOffice users know it; numbers (-0.50, 1841.44, 95.00%) are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_row(row) -> list:
    return [csv_safe(v) for v in row]


def csv_name(index: int, table: Table, digits: int = 3) -> str:
    safe = "".join(ch for ch in table.title if ch not in '\\/:*?"<>|“”' and ch >= " ")
    head = f"{index:0{digits}d}-{table.id}-"
    return head + fit_bytes(safe, CSV_NAME_BYTES - len(head.encode("utf-8")) - 4) + ".csv"
