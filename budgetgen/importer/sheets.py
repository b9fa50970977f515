"""Export files → sheets of cell values: XLSX through openpyxl (read-only, cached values only: no formula is ever
evaluated, no macro run), CSV decoded as the YAML loader decodes files (UTF-8 with or without BOM, UTF-16 with a
BOM, GBK when it reads as Chinese). A sheet keeps its merged ranges, which read-only openpyxl does not report."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Finding, Severity

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000


def ref(row: int, col: int) -> str:
    """A cell's name as Excel shows it (1-based): ref(17, 3) == 'C17'."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


_REF = re.compile(r"([A-Z]+)([0-9]+)")


def parse_ref(text: str) -> tuple[int, int]:
    m = _REF.fullmatch(text)
    if not m:
        raise ValueError(text)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


@dataclass
class Sheet:
    """One sheet's values by 1-based (row, column), and its merged ranges (min_row, min_col, max_row, max_col)."""

    file: str  # as the clerk named it
    name: str  # the sheet's name (a CSV file's stem)
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def value(self, row: int, col: int) -> Any:
        if 1 <= row <= len(self.rows) and 1 <= col <= len(self.rows[row - 1]):
            return self.rows[row - 1][col - 1]
        return None

    def at(self, row: int, col: int) -> str:
        """sheet!cell, as messages name a place: 基本支出!C17."""
        return f"{self.name}!{ref(row, col)}"

    def merge_of(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        for m in self.merged:
            if m[0] <= row <= m[2] and m[1] <= col <= m[3]:
                return m
        return None


def read(path: Path, display: str, findings: list[Finding]) -> list[Sheet]:
    """The sheets of one export file; a file that cannot be read is a finding (and no sheets)."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as exc:
        findings.append(Finding(Severity.error, f"无法读取文件：{exc.strerror or exc}", display, code="import-io",
                                fix="检查文件路径"))
        return []
    if size > MAX_BYTES:
        findings.append(Finding(Severity.error, f"文件过大（{size / 1024 / 1024:.0f} MB），不像是预算系统导出的表",
                                display, code="import-too-big", fix="检查是否选错了文件"))
        return []
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx(path, display, findings)
    if suffix in (".csv", ".txt"):
        return _csv(path, display, findings)
    if suffix == ".xls":
        findings.append(Finding(Severity.error, "不能读取旧版 Excel 97-2003 格式（.xls）", display, code="import-format",
                                fix="在 Excel 或 WPS 中打开后“另存为”Excel 工作簿（.xlsx），再导入"))
        return []
    findings.append(Finding(Severity.error, f"不能读取扩展名为“{path.suffix}”的文件", display, code="import-format",
                            fix="导入预算系统导出的 .xlsx 或 .csv 文件"))
    return []


def _xlsx(path: Path, display: str, findings: list[Finding]) -> list[Sheet]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - a damaged or disguised file: said, not a traceback
        findings.append(Finding(Severity.error, f"无法作为 Excel 工作簿读取（{type(exc).__name__}）", display,
                                code="import-format", fix="在 Excel 或 WPS 中打开并另存为 .xlsx 后重试"))
        return []
    sheets = []
    try:
        merges = _merged_ranges(path)
        for ws in wb.worksheets:
            if not hasattr(ws, "iter_rows"):
                continue
            rows: list[list[Any]] = []
            for values in ws.iter_rows(values_only=True):
                rows.append(list(values))
                if len(rows) > MAX_ROWS:
                    findings.append(Finding(Severity.error, f"工作表“{ws.title}”超过 {MAX_ROWS} 行，不像是预算明细",
                                            display, code="import-too-big", fix="检查是否选错了文件"))
                    break
            while rows and all(v is None or str(v).strip() == "" for v in rows[-1]):
                rows.pop()
            sheets.append(Sheet(display, ws.title, rows, merges.get(getattr(ws, "_worksheet_path", ""), [])))
    finally:
        wb.close()
    return sheets


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*ref="([A-Z]+[0-9]+)(?::([A-Z]+[0-9]+))?"')


def _merged_ranges(path: Path) -> dict[str, list[tuple[int, int, int, int]]]:
    """Per worksheet part (xl/worksheets/sheet1.xml), its merged ranges: read from the part's <mergeCells>, which
    openpyxl's read-only mode skips. A plain scan of the part (no XML entities are expanded)."""
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            data = archive.read(name)
            ranges = []
            for m in _MERGE.finditer(data):
                r1, c1 = parse_ref(m.group(1).decode())
                r2, c2 = parse_ref(m.group(2).decode()) if m.group(2) else (r1, c1)
                if (r1, c1) != (r2, c2):
                    ranges.append((r1, c1, r2, c2))
            out[name] = out["/" + name] = ranges
    return out


def _csv(path: Path, display: str, findings: list[Finding]) -> list[Sheet]:
    from ..model.loader import decode_text

    decoding: list[Finding] = []
    text = decode_text(path.read_bytes(), display, decoding)
    for f in decoding:  # the loader's words, with import's code
        findings.append(Finding(f.severity, f.message, f.file, f.line, f.column, code="import-" + f.code,
                                fix=f.fix.replace("用文本编辑器将文件另存为", "在 Excel 或文本编辑器中另存为")))
    if text is None:
        return []
    text = text.removeprefix("\ufeff")
    head = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(head, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Any]] = [[c if c.strip() else None for c in r] for r in csv.reader(io.StringIO(text), dialect)]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return [Sheet(display, path.stem, rows)]
