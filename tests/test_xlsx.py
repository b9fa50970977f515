"""The XLSX a bureau uploads: the nine tables of the department and of every unit, one sheet each, read back with
openpyxl and compared figure by figure with the JSON output; merges equal the Table's spans; fixed bytes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from budgetgen.document import Banner, Column, Table, expand
from budgetgen.writers.xlsx import sheet_names
from render_util import ROOT, SAMPLE_NAMES, SAMPLES, libreoffice_pdf

NINE = [f"t{i}" for i in range(1, 10)]
MONEY = re.compile(r"-?\d+\.\d\d")
fixed_dates = pytest.mark.skipif(bool(os.environ.get("SOURCE_DATE_EPOCH")),
                                 reason="SOURCE_DATE_EPOCH changes the fixed dates")


@pytest.fixture(scope="module")
def rendered(render_samples) -> dict[str, dict]:
    """Each sample rendered once through the command line to xlsx and json; "json": the nine tables' JSON."""
    result = render_samples("xlsx")
    for r in result.values():
        r.update(wb=openpyxl.load_workbook(r["path"]), json=[t for t in r["json"]["tables"] if t["kind"] in NINE],
                 tables={t.id: t for t in r["doc"].tables()})
    return result


def body_top(table: dict) -> int:
    """Title row, banner row, then the header rows (栏次 included); the body follows."""
    return 3 + len(table["lead"]) + len(table["header"])


def sheets(r: dict):
    return zip(r["json"], r["wb"].worksheets)


# --- the workbook ------------------------------------------------------------------------------------------


def test_julu_has_eighteen_sheets_named_by_scope_and_table(rendered):
    r = rendered["julu-2023"]
    names = r["wb"].sheetnames
    assert len(names) == 18 == len(r["json"])
    assert names[0] == "部门-01收支总表"
    assert names[1] == "部门-02收入总表"
    assert names[8] == "部门-09财政拨款“三公”经费支出表"
    assert names[9] == "201001-01收支总表"
    assert names[17] == "201001-09财政拨款“三公”经费支出表"
    assert [t["id"] for t in r["json"]] == [f"d201-{k}" for k in NINE] + [f"u201001-{k}" for k in NINE]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sheet_names_are_valid_and_unique(rendered, name):
    names = rendered[name]["wb"].sheetnames
    assert len({n.casefold() for n in names}) == len(names)
    for n in names:
        assert 0 < len(n) <= 31
        assert not re.search(r"[\[\]:*?/\\]", n)
        assert not n.startswith("'") and not n.endswith("'")


def test_sheet_names_stay_short_unique_and_clean():
    def table(ident: str, code: str, kind: str, title: str) -> Table:
        return Table(ident, title, Banner(code, "x"), [Column("a", "text")], [], [], kind=kind, scope=code)

    long_code = "1234567890123456"
    tables = [table(f"u{long_code}-t5", long_code, "t5", "单位预算一般公共预算财政拨款支出表"),
              table(f"u{long_code}1-t5", long_code + "1", "t5", "单位预算一般公共预算财政拨款支出表"),
              table("u9-t1", "9", "t1", "单位预算收[支]:总*表?/\\"),
              table("u9-t1", "9", "t1", "单位预算收[支]:总*表?/\\")]
    names = sheet_names(tables)
    assert all(len(n) <= 31 for n in names)
    assert len(set(names)) == 4
    assert names[2] == "9-01收_支__总_表___"
    assert names[3].endswith("(2)")


@fixed_dates
def test_properties_are_fixed(rendered):
    r = rendered["julu-2023"]
    props = r["wb"].properties
    assert props.creator == "中共巨鹿县委办公室"
    assert props.title == r["doc"].title
    assert props.created == props.modified == datetime(2023, 1, 1)
    with zipfile.ZipFile(r["path"]) as z:
        assert {info.date_time for info in z.infolist()} == {(2023, 1, 1, 0, 0, 0)}


def _render_in_subprocess(out: Path, seed: str) -> bytes:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONHASHSEED"] = seed
    subprocess.run([sys.executable, "-m", "budgetgen", "render", str(SAMPLES / "julu-2023"), "--format", "xlsx",
                    "--out", str(out)], check=True, env=env, cwd=ROOT, capture_output=True)
    return (out / "julu-2023.xlsx").read_bytes()


@fixed_dates
def test_two_renders_are_byte_identical(rendered, tmp_path):
    first = _render_in_subprocess(tmp_path / "a", "1")
    second = _render_in_subprocess(tmp_path / "b", "2")
    assert first == second
    assert first == rendered["julu-2023"]["path"].read_bytes()


# --- every figure ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_figure_equals_the_json(rendered, name):
    """Row by row, column by column: amounts as numbers, 序号 as integers, codes and names as text."""
    checked = 0
    for table, ws in sheets(rendered[name]):
        top = body_top(table)
        kinds = [c["type"] for c in table["columns"]]
        for i, expected in enumerate(table["rows"]):
            got = [ws.cell(row=top + i, column=c + 1) for c in range(len(kinds))]
            for kind, text, cell in zip(kinds, expected, got):
                where = f"{ws.title}!{cell.coordinate}"
                if kind in ("amount", "number"):
                    if text in ("", "0.00"):
                        assert cell.value is None, where  # zero amounts stay empty, as published
                    else:
                        assert isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool), where
                        assert f"{Decimal(repr(cell.value)):.2f}" == text, where
                        checked += 1
                elif kind == "index":
                    assert cell.value == (int(text) if text else None), where
                else:
                    assert cell.value == (text or None), where
                    assert cell.value is None or isinstance(cell.value, str), where
        last = top + len(table["rows"]) - 1 + (1 if table["empty_note"] else 0) + len(table["notes"])
        assert ws.max_row == last, ws.title  # nothing below the table but its notes
        if table["empty_note"]:
            assert ws.cell(row=top + len(table["rows"]), column=1).value == table["empty_note"]
    assert checked > 100


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_numbers_are_stored_as_their_decimal_digits(rendered, name):
    """Every <v> of the sheets is an integer or a two-decimal figure: no float noise like 74.29000000000001."""
    with zipfile.ZipFile(rendered[name]["path"]) as z:
        for member in z.namelist():
            if member.startswith("xl/worksheets/sheet"):
                for value in re.findall(r"<v>([^<]*)</v>", z.read(member).decode("utf-8")):
                    assert re.fullmatch(r"-?\d+(\.\d\d)?", value), (member, value)


def test_julu_totals(rendered):
    wb = rendered["julu-2023"]["wb"]
    t2 = wb["部门-02收入总表"]
    assert [c.value for c in t2[6][:4]] == [1, None, "合计", 1841.44]
    t6 = wb["部门-06一般公共预算财政拨款基本支出表"]
    assert [c.value for c in t6[6][2:6]] == ["合计", 630.67, 565.72, 64.95]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_codes_are_text_and_amounts_have_two_decimals(rendered, name):
    for table, ws in sheets(rendered[name]):
        top = body_top(table)
        for i, row in enumerate(table["rows"]):
            for c, column in enumerate(table["columns"]):
                cell = ws.cell(row=top + i, column=c + 1)
                if column["type"] == "code":
                    assert cell.number_format == "@"
                    if row[c]:
                        assert cell.data_type == "s" and cell.value == row[c]
                elif column["type"] in ("amount", "number"):
                    assert cell.number_format == "0.00", f"{ws.title}!{cell.coordinate}"
                    assert cell.alignment.horizontal == "right"
                elif column["type"] == "index":
                    assert isinstance(cell.value, int) and cell.number_format == "0"
    ws = rendered[name]["wb"].worksheets[1]
    assert ws["B7"].value == "201"  # a 类 code keeps its digits and stays text


# --- layout ------------------------------------------------------------------------------------------------


def expected_merges(rows, width: int, top: int) -> set[str]:
    """The merged ranges a block of rows must produce: each spanning Cell's bounding box in the expanded grid."""
    boxes: dict[int, list[int]] = {}
    for r, line in enumerate(expand(rows, width)):
        for c, cell in enumerate(line):
            if cell is not None:
                box = boxes.setdefault(id(cell), [r, c, r, c])
                box[2], box[3] = max(box[2], r), max(box[3], c)
    return {f"{get_column_letter(c0 + 1)}{top + r0}:{get_column_letter(c1 + 1)}{top + r1}"
            for r0, c0, r1, c1 in boxes.values() if (r0, c0) != (r1, c1)}


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_header_merges_equal_the_table_spans(rendered, name):
    r = rendered[name]
    for table, ws in sheets(r):
        doc_table = r["tables"][table["id"]]
        width = len(table["columns"])
        first = 3 + len(table["lead"])
        last = first + len(table["header"]) - 1
        merged = {str(m) for m in ws.merged_cells.ranges}
        in_header = {m for m in merged if first <= int(re.search(r"\d+", m).group()) <= last}
        assert in_header == expected_merges(doc_table.header, width, first), ws.title
        # every header cell's text sits in its anchor (as the JSON grid has it); covered cells are empty
        covered = {(row, col) for m in in_header for (row, col) in CellRange(m).cells} - {
            (CellRange(m).min_row, CellRange(m).min_col) for m in in_header}
        for row_offset, texts in enumerate(table["header"]):
            for c, text in enumerate(texts):
                cell = ws.cell(row=first + row_offset, column=c + 1)
                if (cell.row, cell.column) in covered:
                    assert cell.value is None, f"{ws.title}!{cell.coordinate}"
                else:
                    assert cell.value == text, f"{ws.title}!{cell.coordinate}"
        # the 栏次 row
        assert ws.cell(row=last, column=1).value == "栏次"
        assert all(cell.font.b for cell in ws[first][:1])


def test_t2_header_spans(rendered):
    ws = rendered["julu-2023"]["wb"]["部门-02收入总表"]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"E3:L3", "B3:C3", "A3:A4", "D3:D4", "M3:M4"} <= merged  # 本年收入 × 8, 功能分类科目 × 2, rowspans
    assert ws["E3"].value == "本年收入" and ws["B3"].value == "功能分类科目"
    assert [ws.cell(row=5, column=c).value for c in range(1, 14)] == ["栏次"] + [str(i) for i in range(1, 13)]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_title_banner_print_setup(rendered, name):
    r = rendered[name]
    for table, ws in sheets(r):
        width = len(table["columns"])
        last_col = get_column_letter(width)
        merged = {str(m) for m in ws.merged_cells.ranges}
        assert ws["A1"].value == table["title"] and ws["A1"].font.b and ws["A1"].font.sz >= 14
        assert ws["A1"].alignment.horizontal == "center"
        assert f"A1:{last_col}1" in merged
        banner = [c.value for c in ws[2] if c.value]
        b = table["banner"]
        assert banner == [f"{b['code']} {b['name']}", f"预算年度：{b['year']}", "单位：万元"], ws.title
        aligned = [c.alignment.horizontal for c in ws[2] if c.value]
        assert aligned == ["left", "center", "right"]
        last_header = 2 + len(table["lead"]) + len(table["header"])
        assert ws.print_title_rows == f"$2:${last_header}"
        assert ws.freeze_panes == f"A{last_header + 1}"
        assert str(ws.page_setup.paperSize) == "9"
        assert ws.page_setup.orientation == ("landscape" if table["kind"] == "t2" else "portrait")
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        header_cell = ws.cell(row=3, column=1)
        assert header_cell.font.b and header_cell.fill.fgColor.rgb.endswith("EDEDED")
        assert header_cell.border.left.style == "thin"


def test_borders_and_wrap(rendered):
    """Every cell of the table is boxed: a plain cell on all sides, a merged block on its outer edges."""
    ws = rendered["julu-2023"]["wb"]["部门-03支出总表"]
    ranges = [m for m in ws.merged_cells.ranges if m.min_row >= 3]
    for row in ws.iter_rows(min_row=3, max_row=ws.max_row):
        for cell in row:
            block = next((m for m in ranges if cell.coordinate in m), None)
            b = cell.border
            sides = {"left": b.left.style, "right": b.right.style, "top": b.top.style, "bottom": b.bottom.style}
            if block is None:
                assert set(sides.values()) == {"thin"}, cell.coordinate
            else:
                assert sides["left"] == "thin" or cell.column > block.min_col, cell.coordinate
                assert sides["right"] == "thin" or cell.column < block.max_col, cell.coordinate
                assert sides["top"] == "thin" or cell.row > block.min_row, cell.coordinate
                assert sides["bottom"] == "thin" or cell.row < block.max_row, cell.coordinate
    assert ws["C7"].alignment.wrap_text  # name column
    assert ws["C6"].font.b  # 合计 row


def test_column_widths_follow_the_table(rendered):
    r = rendered["julu-2023"]
    for table, ws in sheets(r):
        widths = [ws.column_dimensions[get_column_letter(c + 1)].width
                  for c in range(len(table["columns"]))]
        kinds = [c["type"] for c in table["columns"]]
        for c, kind in enumerate(kinds):
            if kind in ("amount", "code", "index"):
                longest = max((len(row[c]) for row in table["rows"]), default=0)
                assert widths[c] >= longest + 2, (ws.title, c)
        names = [w for w, k in zip(widths, kinds) if k == "text"]
        amounts = [w for w, k in zip(widths, kinds) if k == "amount"]
        assert min(names) > max(amounts) > widths[0]


def test_empty_table_note(rendered):
    wb = rendered["julu-2023"]["wb"]
    ws = wb["部门-07政府性基金预算财政拨款支出表"]
    assert ws["A6"].value == "注：无政府性基金预算财政拨款预算，空表列示。"
    assert "A6:F6" in {str(m) for m in ws.merged_cells.ranges}
    assert ws.freeze_panes == "A6"


# --- LibreOffice opens it ----------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_converts_it_without_hashes(rendered, tmp_path):
    text = libreoffice_pdf([rendered["julu-2023"]["path"]], tmp_path, layout=True, timeout=300)["julu-2023"]
    assert "###" not in text  # no column too narrow for its figures
    assert "1841.44" in text and "部门预算收入总表" in text and "2013101" in text
    assert text.count("\f") >= 18  # one page (at least) per sheet
