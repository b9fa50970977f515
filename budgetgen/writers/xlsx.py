"""Disclosure → one Excel workbook of every table, one sheet per table, in the standard printed layout.

What bureaus upload to publication platforms: for the department (第一部分) and for every unit (第二部分) the
nine 公开表 and the tables of the notes (机构设置情况, 绩效目标表 one per project, 政府采购预算, 固定资产占用情况表),
in document order, each on its own sheet ("部门-01收支总表", "部门-绩效-01", "201001-政府采购预算" …; see
sheet_names) with the title, the banner (code + name, 预算年度, 单位：万元) when the table has one, a performance
table's lead rows (绩效目标 …), the header rows merged exactly as the Table's spans (栏次 row included), and the
body rows. A first sheet, 目录, lists every table's sheet with a link to it.

Cell conventions:
- amounts are real numbers with format 0.00 (two decimals, no thousands separator, as the seeds print them);
  a zero amount stays an empty cell, as the published tables print it (`number` cells show 0.00);
- codes (201, 2013101) are text, so they keep every digit and are never summed; 序号 are integers;
- Decimal values go into the file as their own decimal digits (see `set_decimal`), never through a float.

The bytes are reproducible: fixed document properties and dates (SOURCE_DATE_EPOCH, else 1 January of the
budget year) and a re-packed zip with fixed member dates, so two renders of the same data are identical.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from copy import copy
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .. import fmt
from ..document import Cell, Disclosure, Row, Table, anchors
from . import Options, core_properties, fixed_zip, xml_safe

FONT = "宋体"
BODY_SIZE = 10
TITLE_SIZE = 16
HEADER_FILL = "EDEDED"
AMOUNT_FORMAT = "0.00"
GROUPED_FORMAT = "#,##0.00"  # a profile's tables in 元 (Cell.grouped)
WIDTH_UNIT = 11.0  # Excel width units (≈ digit widths) per unit of Column.width
MIN_WIDTH = {"index": 5.5, "code": 9.0, "amount": 11.0, "number": 11.0, "percent": 9.0}
CJK_WIDTH = 1.8
TEXT_STRETCH = 1.4  # a text column may grow to this multiple of its relative width to avoid wrapping
LINE_HEIGHT = 14.0  # points per text line at BODY_SIZE
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
TARGET = "Excel 工作簿"
INDEX_SHEET = "目录"  # the first sheet: every table's sheet, linked


def set_text(c, value) -> None:
    """A cell's value; text is text: never a formula (openpyxl reads "=…" as one), never a character XML forbids."""
    if isinstance(value, str):
        xml_safe(value, TARGET)
    c.value = value
    if isinstance(value, str) and c.data_type == "f":
        c.data_type = "s"


@dataclass
class Placed:
    """A cell at its top-left grid position (1-based sheet coordinates)."""

    row: int
    col: int
    cell: Cell


def place(rows: list[list[Cell]], width: int, top: int) -> list[Placed]:
    """HTML span semantics (document.anchors) → sheet positions, the first row at `top`."""
    return [Placed(top + r, col + 1, cell) for r, col, cell in anchors(rows, width)]


def sheet_names(tables: list[Table]) -> list[str]:
    """A sheet name per table, ≤ 31 characters, unique (ignoring case), none of []:*?/\\ and never 目录.

    The scope first (Table.scope: 部门, or a unit's code), then the table: 部门-01收支总表 … 部门-09… for the nine
    (… 部门-12… where a profile has more),
    部门-绩效-01 … for the performance tables (numbered within the scope, the full title is in the sheet's first
    row), 部门-机构设置情况, 部门-政府采购预算, 部门-固定资产占用情况表 for the others."""
    names: list[str] = []
    seen: set[str] = {INDEX_SHEET.casefold()}
    counted: dict[tuple[str, str], int] = {}
    for table in tables:
        scope = table.scope or "表"
        # 部门预算收支总表 → 收支总表; 2025年预算部门财务收支预算总表 (上海区级) → 财务收支预算总表
        short = re.sub(r"^([0-9]{4}年)?(预算)?(部门|单位)(预算)?", "", table.title) or table.title
        numbered = re.fullmatch(r"t([0-9]{1,2})", table.kind)  # a profile's tables t1 … t12 (江苏省级: 公开 12 表)
        if numbered:
            stem = f"{scope}-{int(numbered[1]):02d}{short}"
        elif table.kind == "performance":
            n = counted[scope, table.kind] = counted.get((scope, table.kind), 0) + 1
            stem = f"{scope}-绩效-{n:02d}"
        else:
            stem = f"{scope}-{short}"
        base = SHEET_FORBIDDEN.sub("_", stem).strip("'")[:31].strip("'") or "表"
        name, n = base, 2
        while name.casefold() in seen:
            suffix = f"({n})"
            name, n = base[:31 - len(suffix)] + suffix, n + 1
        seen.add(name.casefold())
        names.append(name)
    return names


def display_width(text: str) -> float:
    """Width in Excel width units (digit widths of the default font): a Chinese character is about 1.8."""
    return sum(CJK_WIDTH if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def cell_value(cell: Cell) -> tuple[object, str | None]:
    """What goes into the sheet, and its number format."""
    v = cell.value
    if v is None:
        return None, AMOUNT_FORMAT if cell.kind in ("amount", "number") else None
    if cell.kind == "index":
        return (int(v), "0") if isinstance(v, int) or str(v).isdigit() else (str(v), "@")
    if cell.kind == "code":
        return str(v), "@"
    if isinstance(v, Decimal):
        if cell.kind == "amount" and v == 0:
            return None, AMOUNT_FORMAT  # the genre leaves zero amounts empty
        # written through fmt.money (two decimals) wherever it is used
        if cell.kind == "percent":
            return v, '0.00"%"'  # the value as printed (95.00%), not a fraction
        return v, GROUPED_FORMAT if cell.grouped else AMOUNT_FORMAT
    return str(v), None


def set_decimal(c, value: Decimal) -> None:
    """A number cell holding exactly the decimal digits of `value`.

    openpyxl would serialise a Decimal through float ('%.16g' % value gives 74.29000000000001 for 74.29);
    a numeric cell whose stored value is the digit string is written verbatim as <v>74.29</v>.
    """
    c.value = None
    c._value = fmt.money(value)
    c.data_type = "n"


def cell_text(cell: Cell) -> str:
    value, _ = cell_value(cell)
    if isinstance(value, Decimal):
        return fmt.grouped(value, False) if cell.grouped else fmt.money(value)
    return "" if value is None else str(value)


def column_widths(table: Table) -> list[float]:
    """Excel widths from the Table's relative widths, widened so no figure or code shows as ####."""
    base = [max(c.width * WIDTH_UNIT, MIN_WIDTH.get(c.kind, 6.0)) for c in table.columns]
    widths = list(base)
    for p in place([r.cells for r in table.rows], len(widths), 0):
        if p.cell.colspan != 1:
            continue
        need = display_width(cell_text(p.cell)) + 2.5
        i = p.col - 1
        if p.cell.kind in ("amount", "number", "percent", "code", "index"):
            widths[i] = max(widths[i], need)  # never ####
        elif p.cell.kind in ("text", "label"):
            widths[i] = max(widths[i], min(need, base[i] * TEXT_STRETCH))  # wrap only what is really long
    return [round(w, 2) for w in widths]


def lines_needed(text: str, width: float) -> int:
    """Wrapped lines of text in a cell `width` digit widths wide (a rough, font-independent estimate)."""
    usable = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in (text.split("\n") or [""]))


class SheetWriter:
    """Lays out one Table on one worksheet."""

    def __init__(self, ws, table: Table, styles):
        self.ws, self.table, self.s = ws, table, styles
        self.width = len(table.columns)
        self.widths = column_widths(table)
        self.heights: dict[int, float] = {}

    def write(self) -> None:
        ws, table = self.ws, self.table
        from openpyxl.utils import get_column_letter

        for i, w in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        row = 1
        if table.label:  # 公开 01 表, where the profile numbers its tables
            self.merged_text(row, table.label, self.s.note)
            row += 1
        self.merged_text(row, table.title, self.s.title, height=30)
        row += 1
        banner_row = row
        if table.banner is not None:
            self.banner(row)
            row += 1
        if table.lead:
            row = self.block(table.lead, row, header=False)
        header_top = row
        row = self.block(table.header, row, header=True)
        header_bottom = row - 1
        body_top = row
        row = self.body(row)
        for note in ([table.empty_note] if table.empty_note else []) + list(table.notes):
            self.merged_text(row, note, self.s.note)
            row += 1
        for r, h in self.heights.items():
            ws.row_dimensions[r].height = h
        if not table.lead:  # a lead block (a performance table's 绩效目标 …) is tall: frozen, it would fill the screen
            ws.freeze_panes = ws.cell(row=body_top, column=1).coordinate
        # banner and header repeat on every printed page (a lead block is printed once, so then only the header)
        self.print_setup(banner_row if table.banner is not None and not table.lead else header_top, header_bottom)

    # --- pieces -------------------------------------------------------------------------------------------

    def merged_text(self, row: int, text: str, style, height: float | None = None) -> None:
        ws = self.ws
        c = ws.cell(row=row, column=1)
        set_text(c, text)
        style.apply(c)
        if self.width > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=self.width)
        lines = lines_needed(text, sum(self.widths) * (BODY_SIZE / style.size))
        self.heights[row] = max(height or 0, lines * LINE_HEIGHT * style.size / BODY_SIZE + 4)

    def banner(self, row: int) -> None:
        """<code> <name> left, 预算年度：2023 centre, 单位：万元 right — three merged stretches of the width."""
        b = self.table.banner
        assert b is not None  # write() calls this only for a table with a banner
        left, middle, right = b.left.strip(), b.centre, b.right
        w = self.width
        if w >= 3 and not right:
            # nothing on the right (截止时间 of the assets table): the centre text takes the right-hand stretch,
            # aligned right, so a narrow table does not clip it
            n_left = max(1, math.ceil(w / 2) - 1)
            spans = [(1, n_left, left, "left"), (n_left + 1, w, middle, "right")]
        elif w >= 3:
            n_right = max(1, w // 4)
            n_left = max(1, math.ceil((w - n_right) / 2))
            spans = [(1, n_left, left, "left"), (n_left + 1, w - n_right, middle, "center"),
                     (w - n_right + 1, w, right, "right")]
        else:
            spans = [(1, w, "　　".join(x for x in (left, middle, right) if x), "left")]
        for start, end, text, align in spans:
            c = self.ws.cell(row=row, column=start)
            set_text(c, text or None)
            self.s.banner[align].apply(c)
            if end > start:
                self.ws.merge_cells(start_row=row, start_column=start, end_row=row, end_column=end)
        self.heights[row] = 20

    def block(self, rows: list[list[Cell]], top: int, header: bool) -> int:
        """Header (or lead) rows with their merges; returns the row after them."""
        for p in place(rows, self.width, top):
            style = self.s.header if header or p.cell.kind == "label" else self.s.for_cell(p.cell, p.cell.strong, 0)
            self.put(p, style)
        return top + len(rows)

    def body(self, top: int) -> int:
        rows: list[Row] = self.table.rows
        placed = place([r.cells for r in rows], self.width, top)
        for p in placed:
            row = rows[p.row - top]
            if row.header:
                style = self.s.header
            else:
                style = self.s.for_cell(p.cell, row.bold(p.cell), row.indent)
            self.put(p, style)
        return top + len(rows)

    def put(self, p: Placed, style) -> None:
        ws = self.ws
        value, number_format = cell_value(p.cell)
        if isinstance(value, Decimal):
            c = ws.cell(row=p.row, column=p.col)
            set_decimal(c, value)
        else:
            c = ws.cell(row=p.row, column=p.col)
            set_text(c, value)
        style.apply(c)
        if number_format:
            c.number_format = number_format
        cs, rs = max(p.cell.colspan, 1), max(p.cell.rowspan, 1)
        end_col = min(p.col + cs - 1, self.width)
        end_row = p.row + rs - 1
        if end_col > p.col or end_row > p.row:
            # openpyxl gives the edge cells of the range the anchor's border, so the merged block is boxed
            ws.merge_cells(start_row=p.row, start_column=p.col, end_row=end_row, end_column=end_col)
        # row height for wrapped text (spread over the rows a cell spans)
        text = "" if value is None else (fmt.money(value) if isinstance(value, Decimal) else str(value))
        if text:
            width = sum(self.widths[p.col - 1:end_col]) - 2 * (style.alignment.indent or 0)
            need = (lines_needed(text, width) * LINE_HEIGHT + 6) / rs
            for r in range(p.row, end_row + 1):
                self.heights[r] = max(self.heights.get(r, 0), need, 18)

    def print_setup(self, first: int, last: int) -> None:
        print_setup(self.ws, self.table.landscape, first, last)


def print_setup(ws, landscape: bool, first: int, last: int) -> None:
    """A4, as wide as one page and as long as it takes, rows first … last repeated on every page, page numbers."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_title_rows = f"{first}:{last}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9


class Style:
    """A cell style, applied attribute by attribute (openpyxl shares identical styles in the file)."""

    def __init__(self, font, alignment, border=None, fill=None):
        self.font, self.alignment, self.border, self.fill = font, alignment, border, fill
        self.size = font.sz or BODY_SIZE
        self._array = None  # the style's indices into the workbook's lists, once applied to a fresh cell

    def apply(self, c) -> None:
        """The style on a cell not styled yet. The first time attribute by attribute (openpyxl looks each up by
        its hash, which is slow), after that as a copy of the indices that gave (a workbook of every table has
        tens of thousands of cells; a Style belongs to one workbook's Styles)."""
        if self._array is not None:
            c._style = copy(self._array)
            return
        c.font = self.font
        c.alignment = self.alignment
        if self.border is not None:
            c.border = self.border
        if self.fill is not None:
            c.fill = self.fill
        self._array = copy(c._style)


class Styles:
    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="000000")
        box = Border(left=thin, right=thin, top=thin, bottom=thin)
        self._Font, self._Alignment, self._box = Font, Alignment, box
        self.title = Style(Font(name=FONT, size=TITLE_SIZE, bold=True),
                           Alignment(horizontal="center", vertical="center", wrap_text=True))
        self.banner = {a: Style(Font(name=FONT, size=BODY_SIZE), Alignment(horizontal=a, vertical="center"))
                       for a in ("left", "center", "right")}
        self.note = Style(Font(name=FONT, size=BODY_SIZE), Alignment(horizontal="left", vertical="center",
                                                                      wrap_text=True))
        self.header = Style(Font(name=FONT, size=BODY_SIZE, bold=True),
                            Alignment(horizontal="center", vertical="center", wrap_text=True), box,
                            PatternFill("solid", fgColor=HEADER_FILL))
        self._cache: dict[tuple, Style] = {}

    def for_cell(self, cell: Cell, bold: bool, indent_steps: int) -> Style:
        if cell.kind in ("amount", "number", "percent"):
            horizontal, indent, wrap = "right", 0, False
        elif cell.kind == "index":
            horizontal, indent, wrap = "center", 0, False
        elif cell.kind == "code":
            horizontal, indent, wrap = "left", 0, False
        elif cell.kind == "label":
            horizontal, indent, wrap = "center", 0, True
        else:
            horizontal, indent, wrap = "left", indent_steps, True
        key = (bold, horizontal, indent, wrap)
        if key not in self._cache:
            self._cache[key] = Style(self._Font(name=FONT, size=BODY_SIZE, bold=bold),
                                     self._Alignment(horizontal=horizontal, vertical="center", wrap_text=wrap,
                                                     indent=indent), self._box)
        return self._cache[key]


class IndexWriter:
    """The 目录 sheet: one row per table sheet (序号, 所属, 表名 linked to its sheet, 工作表), in document order."""

    HEADER = ("序号", "所属", "表名", "工作表")
    MAX_WIDTH = (6.0, 44.0, 64.0, 60.0)  # a longer text wraps

    def __init__(self, ws, doc: Disclosure, styles: Styles):
        self.ws, self.doc, self.s = ws, doc, styles

    def write(self, entries: list[tuple[Table, str]]) -> None:
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.hyperlink import Hyperlink

        ws, s = self.ws, self.s
        owners = scope_labels([t for t, _ in entries])
        lines = [[str(n), owners.get(t.scope, t.scope), t.title, name] for n, (t, name) in enumerate(entries, 1)]
        widths = [min(max(display_width(x) + 2.5 for x in column), most)
                  for column, most in zip(zip(self.HEADER, *lines, strict=True), self.MAX_WIDTH, strict=True)]
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = round(w, 2)
        for row, text, style, height in ((1, f"{self.doc.title}　公开表目录", s.title, 30.0),
                                         (2, "点击表名打开该表的工作表", s.note, 20.0)):
            c = ws.cell(row=row, column=1)
            set_text(c, text)
            style.apply(c)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(widths))
            ws.row_dimensions[row].height = height
        for col, label in enumerate(self.HEADER, start=1):
            c = ws.cell(row=3, column=col)
            set_text(c, label)
            s.header.apply(c)
        ws.row_dimensions[3].height = 20
        plain = s.for_cell(Cell(None, "text"), False, 0)
        link = Style(Font(name=FONT, size=BODY_SIZE, color="0563C1", underline="single"), plain.alignment,
                     plain.border)
        styles = [s.for_cell(Cell(1, "index"), False, 0), plain, link, plain]
        for n, ((_, name), texts) in enumerate(zip(entries, lines, strict=True), start=1):
            row = 3 + n
            for col, (text, style) in enumerate(zip(texts, styles, strict=True), start=1):
                c = ws.cell(row=row, column=col)
                set_text(c, n if col == 1 else text)
                style.apply(c)
            target = ws.cell(row=row, column=3)
            quoted = name.replace("'", "''")
            target.hyperlink = Hyperlink(ref=target.coordinate, location=f"'{quoted}'!A1", display=texts[2])
            needed = max(lines_needed(text, w) for text, w in zip(texts, widths, strict=True))
            ws.row_dimensions[row].height = max(needed * LINE_HEIGHT + 6, 18)
        ws.freeze_panes = "A4"
        print_setup(ws, False, 3, 3)


def scope_labels(tables: list[Table]) -> dict[str, str]:
    """Table.scope → whom it names, as the banners print it: 部门 → 部门：201 中共巨鹿县委办公室, a unit's code →
    单位：201001 中共巨鹿县委办公室本级 (the first banner of that scope; the bare scope when none has one)."""
    labels: dict[str, str] = {}
    for table in tables:
        if table.scope and table.scope not in labels and table.banner is not None and table.banner.left.strip():
            word = "部门" if table.scope == "部门" else "单位"
            labels[table.scope] = f"{word}：{table.banner.left.strip()}"
    return labels


# python-docx's property names (core_properties) → openpyxl's
OPENPYXL_NAMES = {"author": "creator", "last_modified_by": "lastModifiedBy", "comments": "description"}


def build_workbook(doc: Disclosure):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    styles = Styles()
    tables = doc.tables()
    names = sheet_names(tables)
    for table, name in zip(tables, names, strict=True):
        ws = wb.create_sheet(title=xml_safe(name, TARGET))
        SheetWriter(ws, table, styles).write()
    if tables:
        number_styles(wb)  # before the index exists, so the tables' sheets keep the style numbers they had
        index = wb.create_sheet(title=INDEX_SHEET, index=0)
        IndexWriter(index, doc, styles).write(list(zip(tables, names, strict=True)))
        wb.active = 0
    else:
        wb.create_sheet(title="无公开表")
    set_properties(wb, doc, f"{doc.year}年{doc.kind}公开表")
    return wb


def set_properties(wb, doc: Disclosure, subject: str) -> None:
    """The workbook's document properties (core_properties, under openpyxl's names)."""
    for name, value in core_properties(doc, subject).items():
        if isinstance(value, str):
            xml_safe(value, TARGET)
        setattr(wb.properties, OPENPYXL_NAMES.get(name, name), value)


def number_styles(wb) -> None:
    """Give every styled cell its style number now, in the order the file writer would (sheet by sheet, row by
    row): openpyxl numbers styles as it first writes them, and a 目录 sheet written first would renumber them all."""
    for ws in wb.worksheets:
        for key in sorted(ws._cells):
            cell = ws._cells[key]
            if cell.has_style:
                cell.style_id  # noqa: B018 - the property registers the style


def render_xlsx(doc: Disclosure) -> bytes:
    """The workbook as bytes, identical for identical input."""
    from openpyxl.writer.excel import ExcelWriter

    wb = build_workbook(doc)
    stamp = wb.properties.created
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        # ExcelWriter, not Workbook.save: save() stamps `modified` with the current time.
        ExcelWriter(wb, archive).save()
    return repack(raw.getvalue(), stamp, code_ranges(wb))


def code_ranges(wb) -> dict[str, str]:
    """Per sheet part name, the cells holding codes as text (to silence Excel's 'number stored as text')."""
    from openpyxl.utils import get_column_letter

    out = {}
    for ws in wb.worksheets:
        rows_of: dict[int, list[int]] = {}
        for row in ws.iter_rows():
            for c in row:
                if c.number_format == "@" and isinstance(c.value, str) and c.value.isdigit():
                    rows_of.setdefault(c.column, []).append(c.row)
        refs = []
        start: int | None  # the first row of the current run (None once the last has closed)
        for col, rows in sorted(rows_of.items()):
            letter, start = get_column_letter(col), rows[0]
            for prev, cur in zip(rows, rows[1:] + [None], strict=True):
                if cur != prev + 1:  # close a run of consecutive rows: B7:B34
                    refs.append(f"{letter}{start}" + (f":{letter}{prev}" if prev != start else ""))
                    start = cur
        if refs:
            out[ws.path.lstrip("/")] = " ".join(refs)
    return out


def repack(data: bytes, stamp: datetime, ignored: dict[str, str]) -> bytes:
    """Re-zip with fixed member dates (openpyxl stamps each member with the current time), codes' sheets with
    their <ignoredErrors>."""
    when = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = [(name, _ignore_errors(src.read(name), ignored[name]) if name in ignored else src.read(name))
                   for name in src.namelist()]
    return fixed_zip(members, when)


def _ignore_errors(sheet: bytes, sqref: str) -> bytes:
    """Append <ignoredErrors> (its schema place is after headerFooter; our sheets have nothing after that)."""
    text = sheet.decode("utf-8")
    if re.search(r"<(drawing|legacyDrawing|tableParts|extLst|smartTags)\b", text):
        return sheet
    element = f'<ignoredErrors><ignoredError sqref="{sqref}" numberStoredAsText="1"/></ignoredErrors>'
    return text.replace("</worksheet>", element + "</worksheet>", 1).encode("utf-8")


def render(doc: Disclosure, options: Options) -> bytes:
    return render_xlsx(doc)


__all__ = ["render", "render_xlsx", "sheet_names", "place"]
