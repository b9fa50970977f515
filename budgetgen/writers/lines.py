"""Disclosure → the department's leaf lines as one Excel sheet, in the layout `budgetgen import` reads back.

Not a publication format (render writes it only when asked: --format lines): a bureau exchanges a department's
figures with it, or keeps them beside the budget system's own exports. One row per leaf amount, in input order:
unit, spending kind, project, function and economic codes with their names, source and sub-source, 上年结转,
amount in 元
(exact: a 万元 figure has at most two decimals, so in 元 it has none to lose). Above the header, the lines
import reads for the department: 部门编码：…, 部门名称：…, 预算年度：…, 单位：元.

Codes are text cells; amounts are numbers holding their exact decimal digits. The bytes are reproducible, as
the other workbooks' are.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from ..document import Disclosure, LeafLine
from . import Options, xml_safe

SHEET = "预算明细"
TARGET = "预算明细工作簿"
# The header of the sheet; budgetgen/importer/headers.py lists each text as its column's first synonym.
COLUMNS: list[tuple[str, float]] = [
    ("单位编码", 10), ("单位名称", 24), ("支出类型", 10), ("项目编码", 16), ("项目名称", 30),
    ("功能分类科目编码", 12), ("功能分类科目名称", 22), ("经济分类科目编码", 12), ("经济分类科目名称", 18),
    ("资金性质", 14), ("收入细分来源", 16), ("上年结转", 8), ("金额", 16),
]
HEADER_ROW = 4
AMOUNT_FORMAT = "#,##0.00"
YUAN_PER_WAN = Decimal(10000)


def row_of(line: LeafLine) -> list:
    """A line as the sheet's cells (the amount in 元)."""
    return [line.unit_code, line.unit_name, line.kind, line.project_code, line.project_name, line.function,
            line.function_name, line.economic, line.economic_name, line.source, line.sub_source, "是" if line.carryover else "",
            line.amount * YUAN_PER_WAN]


def build_workbook(doc: Disclosure):
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from .xlsx import set_decimal, set_properties, set_text

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = xml_safe(f"{doc.title}明细", TARGET)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = xml_safe(f"部门编码：{doc.department_code}", TARGET)
    ws["C2"] = xml_safe(f"部门名称：{doc.department_name}", TARGET)
    ws["F2"] = f"预算年度：{doc.year}"
    ws.cell(2, len(COLUMNS), "单位：元")
    for col, (title, width) in enumerate(COLUMNS, start=1):
        c = ws.cell(HEADER_ROW, col, title)
        c.font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, line in enumerate(doc.lines, start=HEADER_ROW + 1):
        for col, value in enumerate(row_of(line), start=1):
            c = ws.cell(r, col)
            if isinstance(value, Decimal):
                set_decimal(c, value)  # the exact digits, never through a float
                c.number_format = AMOUNT_FORMAT
            else:
                set_text(c, value)  # text is text, never a formula
                c.number_format = "@"
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    set_properties(wb, doc, "预算明细")
    return wb


def render(doc: Disclosure, options: Options) -> bytes:
    from openpyxl.writer.excel import ExcelWriter

    from .xlsx import repack

    wb = build_workbook(doc)
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()  # not Workbook.save, which stamps `modified` with the current time
    return repack(raw.getvalue(), wb.properties.created, {})
