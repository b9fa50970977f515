"""Disclosure → one CSV file per table, UTF-8 with BOM so Excel opens it (the open-data companion); `write` puts
them in a folder of their own (<stem>-csv), which replaces the old one as a whole."""

from __future__ import annotations

import csv
import io

from ..document import Disclosure
from . import Options
from .data import csv_name, csv_row, table_data


def render(doc: Disclosure, options: Options) -> dict[str, bytes]:
    """The folder's files by name, in table order."""
    files: dict[str, bytes] = {}
    tables = doc.tables()
    digits = max(3, len(str(len(tables))))
    for i, table in enumerate(tables, start=1):
        data = table_data(table)
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        b = table.banner
        if table.label:  # 公开 01 表, where the profile numbers its tables
            writer.writerow(csv_row([table.label]))
        if b:  # the 预算年度 in its own column, a note such as 截止时间 with the unit's
            writer.writerow(csv_row([table.title, b.left, b.centre if b.year else "", b.right or b.extra or ""]))
        else:
            writer.writerow(csv_row([table.title]))
        writer.writerows(csv_row(r) for r in data["lead"] + data["header"] + data["rows"])
        if table.empty_note:
            writer.writerow(csv_row([table.empty_note]))
        files[csv_name(i, table, digits)] = text.getvalue().encode("utf-8-sig")
    return files
