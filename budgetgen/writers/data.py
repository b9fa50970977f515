"""Disclosure → the open-data companion: one JSON file with every table, one CSV per table."""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from .. import __version__, fmt
from ..build.grid import expand
from ..document import Cell, Disclosure, Table
from . import atomic, publish_dir


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
    for r, line in enumerate(expand(rows, width)):
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


def write_json(doc: Disclosure, out: Path, stem: str) -> list[Path]:
    path = out / f"{stem}.json"
    with atomic(path) as handle:
        json.dump(document_data(doc), handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    return [path]


def csv_name(index: int, table: Table) -> str:
    safe = "".join(ch for ch in table.title if ch not in '\\/:*?"<>|“”')
    return f"{index:03d}-{table.id}-{safe}.csv"


def write_csv(doc: Disclosure, out: Path, stem: str) -> list[Path]:
    """One CSV per table in a folder, UTF-8 with BOM so Excel opens it; the folder is replaced as a whole."""
    folder = out / f"{stem}-csv"
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=out))
    try:
        for i, table in enumerate(doc.tables(), start=1):
            data = table_data(table)
            with open(staging / csv_name(i, table), "w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                if table.banner:
                    writer.writerow([table.title, f"{table.banner.code} {table.banner.name}",
                                     f"预算年度：{table.banner.year}" if table.banner.year else "",
                                     table.banner.unit_label or table.banner.extra or ""])
                else:
                    writer.writerow([table.title])
                writer.writerows(data["lead"] + data["header"] + data["rows"])
                if table.empty_note:
                    writer.writerow([table.empty_note])
        publish_dir(staging)
        old = None
        if folder.exists():
            old = out / f".{folder.name}.old"
            shutil.rmtree(old, ignore_errors=True)
            os.replace(folder, old)
        os.replace(staging, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [folder]
