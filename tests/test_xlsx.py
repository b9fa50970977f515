"""The XLSX a bureau uploads: every table of the document (the nine tables, 机构设置, one 绩效目标表 per project,
政府采购, 固定资产) of the department and of every unit, one sheet each after a 目录 sheet, read back with openpyxl and
compared cell by cell with the JSON output; merges equal the Table's spans; fixed bytes."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from budgetgen.document import Banner, Column, Table, expand
from budgetgen.writers.xlsx import sheet_names
from render_util import ROOT, SAMPLE_NAMES, SAMPLES, libreoffice_pdf

NINE = [f"t{i}" for i in range(1, 10)]
MONEY = re.compile(r"-?\d+\.\d\d")
fixed_dates = pytest.mark.skipif(bool(os.environ.get("SOURCE_DATE_EPOCH")),
                                 reason="SOURCE_DATE_EPOCH changes the fixed dates")


@pytest.fixture(scope="module")
def rendered(render_samples) -> dict[str, dict]:
    """Each sample rendered once through the command line to xlsx and json; "json": every table's JSON, "nine": the
    nine tables' JSON; "sheets": the tables' sheets (the workbook's sheets after 目录)."""
    result = render_samples("xlsx")
    for r in result.values():
        wb = openpyxl.load_workbook(r["path"])
        r.update(wb=wb, json=r["json"]["tables"], nine=[t for t in r["json"]["tables"] if t["kind"] in NINE],
                 sheets=wb.worksheets[1:], tables={t.id: t for t in r["doc"].tables()})
    return result


def title_rows(table: dict) -> int:
    """The title row, then the banner row when the table has one."""
    return 1 + (table["banner"] is not None)


def header_top(table: dict) -> int:
    return title_rows(table) + len(table["lead"]) + 1


def body_top(table: dict) -> int:
    """Title row, banner row, lead rows, then the header rows (栏次 included); the body follows."""
    return header_top(table) + len(table["header"])


def sheets(r: dict, nine: bool = False):
    """(table's JSON, its sheet) for every table (or the nine), in document order."""
    assert len(r["json"]) == len(r["sheets"])
    return [(t, ws) for t, ws in zip(r["json"], r["sheets"], strict=True) if not nine or t["kind"] in NINE]


# --- the workbook ------------------------------------------------------------------------------------------


def test_julu_has_a_sheet_for_every_table_named_by_scope_and_table(rendered):
    r = rendered["julu-2023"]
    names = r["wb"].sheetnames
    assert len(names) == 1 + len(r["json"]) == 99  # 目录, then per scope 9 + 机构 + 37 绩效 + 采购 + 资产
    assert names[0] == "目录"
    assert names[1] == "部门-01收支总表"
    assert names[2] == "部门-02收入总表"
    assert names[9] == "部门-09财政拨款“三公”经费支出表"
    assert names[10:13] == ["部门-机构设置情况", "部门-绩效-01", "部门-绩效-02"]
    assert names[47:51] == ["部门-绩效-37", "部门-政府采购预算", "部门-固定资产占用情况表", "201001-01收支总表"]
    assert names[58:60] == ["201001-09财政拨款“三公”经费支出表", "201001-机构设置情况"]
    assert names[-3:] == ["201001-绩效-37", "201001-政府采购预算", "201001-固定资产占用情况表"]
    assert [t["id"] for t in r["json"][:9]] == [f"d201-{k}" for k in NINE]
    kinds = [t["kind"] for t in r["json"]]
    assert kinds.count("performance") == 74 and kinds.count("procurement") == kinds.count("assets") == 2


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_table_has_its_sheet_with_its_title(rendered, name):
    r = rendered[name]
    for table, ws in sheets(r):
        assert ws["A1"].value == table["title"], ws.title
    assert {t.kind for t in r["doc"].tables()} == set(NINE) | {"units", "performance", "procurement", "assets"}


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


def test_sheet_names_of_the_other_tables():
    """Performance tables numbered within their scope; the others by their title without 部门/单位; never 目录."""
    def table(kind: str, title: str, scope: str) -> Table:
        return Table(f"x-{kind}", title, None, [Column("a", "text")], [], [], kind=kind, scope=scope)

    tables = [table("units", "部门机构设置情况", "部门"), table("performance", "1、甲项目绩效目标表", "部门"),
              table("performance", "2、乙项目绩效目标表", "部门"), table("procurement", "部门政府采购预算", "部门"),
              table("assets", "部门固定资产占用情况表", "部门"), table("performance", "1、甲项目绩效目标表", "201001"),
              table("assets", "单位固定资产占用情况表", "201001"), table("other", "目录", ""),
              table("other", "'引'号'", "'")]
    names = sheet_names(tables)
    assert names[:7] == ["部门-机构设置情况", "部门-绩效-01", "部门-绩效-02", "部门-政府采购预算", "部门-固定资产占用情况表",
                         "201001-绩效-01", "201001-固定资产占用情况表"]
    assert "目录" not in names and len({n.casefold() for n in names}) == len(names)
    # a profile's tables beyond the nine keep their number (江苏省级: 公开 10–12 表)
    assert sheet_names([table("t12", "部门政府采购支出预算表", "部门"), table("t10", "政府性基金财政拨款支出预算表", "部门")]) \
        == ["部门-12政府采购支出预算表", "部门-10政府性基金财政拨款支出预算表"]
    assert all(not n.startswith("'") and not n.endswith("'") and len(n) <= 31 for n in names)
    many = sheet_names([table("performance", f"{i}、项目绩效目标表", "1234567890123456789012") for i in range(1, 121)])
    assert many[0] == "1234567890123456789012-绩效-01" and many[119] == "1234567890123456789012-绩效-120"
    assert len(set(many)) == 120 and all(len(n) <= 31 for n in many)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_the_index_sheet_links_every_table(rendered, name):
    r = rendered[name]
    wb = r["wb"]
    index = wb.worksheets[0]
    assert index.title == "目录" and wb.active.title == "目录"
    assert index["A1"].value == f"{r['doc'].title}　公开表目录"
    assert [c.value for c in index[3]] == ["序号", "所属", "表名", "工作表"]
    rows = list(index.iter_rows(min_row=4, values_only=True))
    assert len(rows) == len(r["sheets"])
    for n, (row, (table, ws)) in enumerate(zip(rows, sheets(r), strict=True), start=1):
        assert row[0] == n and row[2] == table["title"] and row[3] == ws.title
        assert row[1] == ("部门：201 " + r["doc"].department_name if ws.title.startswith("部门-")
                          else f"单位：201001 {r['tables']['u201001-t1'].banner.name}")
        link = index.cell(row=3 + n, column=3).hyperlink
        assert link.location == f"'{ws.title}'!A1" and not link.target, ws.title
    assert index.print_title_rows == "$3:$3" and index.freeze_panes == "A4"


def test_the_nine_sheets_are_laid_out_as_without_the_other_tables(rendered, disclosure):
    """The nine tables' sheet XML is the same byte for byte as in a workbook of the nine alone (as before issue 15):
    the other sheets and the 目录 change nothing in them."""
    from budgetgen.writers.xlsx import render_xlsx

    doc = disclosure("wei-2021")
    nine = replace(doc, blocks=[b for b in doc.blocks if not isinstance(b, Table) or b.kind in NINE])
    alone = zipfile.ZipFile(io.BytesIO(render_xlsx(nine)))
    full = zipfile.ZipFile(io.BytesIO(render_xlsx(doc)))
    names = openpyxl.load_workbook(io.BytesIO(render_xlsx(doc)), read_only=True).sheetnames
    for i, ws_name in enumerate(sheet_names(nine.tables()), start=1):
        part = f"xl/worksheets/sheet{names.index(ws_name) + 1}.xml"
        assert alone.read(f"xl/worksheets/sheet{i + 1}.xml") == full.read(part), ws_name


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
    """The nine tables, row by row, column by column: amounts as numbers, 序号 as integers, codes and names as
    text."""
    checked = 0
    for table, ws in sheets(rendered[name], nine=True):
        top = body_top(table)
        kinds = [c["type"] for c in table["columns"]]
        for i, expected in enumerate(table["rows"]):
            got = [ws.cell(row=top + i, column=c + 1) for c in range(len(kinds))]
            for kind, text, cell in zip(kinds, expected, got, strict=True):
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


def shown(cell) -> str:
    """A sheet cell as the JSON writes it: numbers with two decimals (a percent with its %), 序号 as digits."""
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if cell.number_format == "0":
            return str(v)
        text = f"{Decimal(repr(v)):.2f}"
        return text + "%" if cell.number_format.endswith('"%"') else text
    assert isinstance(v, str), cell.coordinate
    return v


def covered_cells(ws) -> set[tuple[int, int]]:
    """The cells of merged ranges other than each range's top-left one."""
    return {(row, col) for m in ws.merged_cells.ranges for (row, col) in m.cells} - {
        (m.min_row, m.min_col) for m in ws.merged_cells.ranges}


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_cell_of_every_table_equals_the_json(rendered, name):
    """Every table (performance tables with their lead rows, procurement, assets, units included): the lead, the
    header and the body, cell by cell as the JSON has them; a merged range's text in its top-left cell only; a zero
    amount left empty, as published; nothing below the table but its notes."""
    checked: dict[str, int] = {}
    for table, ws in sheets(rendered[name]):
        covered = covered_cells(ws)
        amount = [c["type"] == "amount" for c in table["columns"]]
        parts = ((table["lead"], title_rows(table) + 1), (table["header"], header_top(table)),
                 (table["rows"], body_top(table)))
        for grid, top in parts:
            for i, texts in enumerate(grid):
                for c, text in enumerate(texts):
                    cell = ws.cell(row=top + i, column=c + 1)
                    where = f"{ws.title}!{cell.coordinate}"
                    if (cell.row, cell.column) in covered:
                        assert cell.value is None, where
                    elif not (text == "0.00" and amount[c] and cell.value is None):
                        assert shown(cell) == text, where
                        checked[table["kind"]] = checked.get(table["kind"], 0) + bool(text)
        notes = ([table["empty_note"]] if table["empty_note"] else []) + table["notes"]
        after = body_top(table) + len(table["rows"])
        assert [ws.cell(row=after + i, column=1).value for i in range(len(notes))] == notes, ws.title
        assert ws.max_row == after + len(notes) - 1, ws.title
    assert checked["performance"] > 500 and checked["assets"] > 10 and checked["units"] >= 6
    assert checked["procurement"] > (20 if name == "wei-2021" else 10)


def test_a_performance_sheet(rendered):
    """魏县's performance table: banner, the seven lead rows (项目编码 … 绩效目标), the indicator grid, merged as the
    Table says; the budget a number, the spending plan percentages; the lead printed once, not frozen."""
    r = rendered["wei-2021"]
    ws = r["wb"]["部门-绩效-01"]
    assert ws["A1"].value == "1、值班系统保障服务费绩效目标表"
    assert ws["A2"].value == "201001 中国共产党魏县委员会办公室本级" and ws["F2"].value == "单位：万元"
    assert [ws["A3"].value, ws["B3"].value, ws["D3"].value] == ["项目编码", "13043421094ANOGIHASBI", "项目名称"]
    assert ws["C4"].value == 37 and ws["C4"].number_format == "0.00"
    assert ws["B8"].value == 30 and ws["B8"].number_format == '0.00"%"'
    assert ws["A8"].value is None and "A7:A8" in {str(m) for m in ws.merged_cells.ranges}  # 资金支出计划 spans two
    assert ws["A9"].value == "绩效目标" and ws["B9"].value.startswith("1.对全县视频监控")
    assert [c.value for c in ws[10]] == ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
    assert ws["A11"].value == "产出指标" and "A11:A14" in {str(m) for m in ws.merged_cells.ranges}
    assert ws["A3"].font.b and ws["A10"].font.b and not ws["C11"].font.b
    assert ws.freeze_panes is None and ws.print_title_rows == "$10:$10"
    julu = rendered["julu-2023"]["wb"]["201001-绩效-20"]
    assert julu["A1"].value == "20、秘书科工作经费绩效目标表" and julu["A2"].value == "绩效目标"


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
                elif column["type"] == "amount" or column["type"] == "number" and table["kind"] in NINE:
                    assert cell.number_format == "0.00", f"{ws.title}!{cell.coordinate}"
                    assert cell.alignment.horizontal == "right"
                elif column["type"] == "index":
                    assert isinstance(cell.value, int) and cell.number_format == "0"
    ws = rendered[name]["wb"]["部门-02收入总表"]
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
def test_merges_equal_the_table_spans(rendered, name):
    """Below the title and banner, the merged ranges are exactly the Table's spans: lead, header and body (a
    performance table's 一级指标 spanning its rows), and each note across the table."""
    r = rendered[name]
    for table, ws in sheets(r):
        doc_table = r["tables"][table["id"]]
        width = len(table["columns"])
        first = title_rows(table) + 1
        merged = {str(m) for m in ws.merged_cells.ranges if m.min_row >= first}
        expected = (expected_merges(doc_table.lead, width, first)
                    | expected_merges(doc_table.header, width, header_top(table))
                    | expected_merges([row.cells for row in doc_table.rows], width, body_top(table)))
        after = body_top(table) + len(table["rows"])
        notes = (1 if table["empty_note"] else 0) + len(table["notes"])
        expected |= {f"A{row}:{get_column_letter(width)}{row}" for row in range(after, after + notes) if width > 1}
        assert merged == expected, ws.title
        if doc_table.colnum_row is not None:  # the 栏次 row
            assert ws.cell(row=header_top(table) + doc_table.colnum_row, column=1).value == "栏次"
        assert ws.cell(row=header_top(table), column=1).font.b


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
        doc_table = r["tables"][table["id"]]
        width = len(table["columns"])
        last_col = get_column_letter(width)
        merged = {str(m) for m in ws.merged_cells.ranges}
        assert ws["A1"].value == table["title"] and ws["A1"].font.b and ws["A1"].font.sz >= 14
        assert ws["A1"].alignment.horizontal == "center"
        assert f"A1:{last_col}1" in merged
        b = table["banner"]
        if table["kind"] in NINE:
            assert [c.value for c in ws[2] if c.value] == [f"{b['code']} {b['name']}", f"预算年度：{b['year']}",
                                                           "单位：万元"], ws.title
            assert [c.alignment.horizontal for c in ws[2] if c.value] == ["left", "center", "right"]
        elif b is not None:
            banner = doc_table.banner
            assert [c.value for c in ws[2] if c.value] == [x for x in (banner.left, banner.centre, banner.right)
                                                           if x], ws.title
            assert ws["A2"].alignment.horizontal == "left"
        last_header = body_top(table) - 1
        first_repeated = 2 if b is not None and not table["lead"] else header_top(table)
        assert ws.print_title_rows == f"${first_repeated}:${last_header}", ws.title
        assert ws.freeze_panes == (None if table["lead"] else f"A{last_header + 1}"), ws.title
        assert str(ws.page_setup.paperSize) == "9"
        assert ws.page_setup.orientation == ("landscape" if doc_table.landscape else "portrait")
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        header_cell = ws.cell(row=header_top(table), column=1)
        assert header_cell.font.b and header_cell.fill.fgColor.rgb.endswith("EDEDED")
        assert header_cell.border.left.style == "thin"
    kinds = {table["kind"] for table, ws in sheets(r) if ws.page_setup.orientation == "landscape"}
    assert kinds == {"t2", "procurement"}


def test_assets_banner_is_not_clipped(rendered):
    """The assets table (three columns, 截止时间 and no unit on the right): the date takes the right-hand stretch."""
    ws = rendered["wei-2021"]["wb"]["部门-固定资产占用情况表"]
    assert ws["A2"].value == "201 中国共产党魏县委员会办公室"
    assert ws["B2"].value == "截止时间：2020-12-31" and ws["B2"].alignment.horizontal == "right"
    assert "B2:C2" in {str(m) for m in ws.merged_cells.ranges}
    assert [c.value for c in ws[4]] == ["资产总额", None, 634.22] and ws["A4"].font.b


def test_quantities_align_like_the_figures(rendered):
    """数量 (7306 平方米, 22 台) sits at the right of its cell like the value beside it, not at the left like text."""
    ws = rendered["julu-2023"]["wb"]["部门-固定资产占用情况表"]
    assert (ws["B5"].value, ws["B7"].value) == ("7306", "22")
    assert {ws[c].alignment.horizontal for c in ("B5", "B7", "C5", "C7")} == {"right"}


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
    for table, ws in sheets(r, nine=True):
        widths = [ws.column_dimensions[get_column_letter(c + 1)].width
                  for c in range(len(table["columns"]))]
        kinds = [c["type"] for c in table["columns"]]
        for c, kind in enumerate(kinds):
            if kind in ("amount", "code", "index"):
                longest = max((len(row[c]) for row in table["rows"]), default=0)
                assert widths[c] >= longest + 2, (ws.title, c)
        names = [w for w, k in zip(widths, kinds, strict=True) if k == "text"]
        amounts = [w for w, k in zip(widths, kinds, strict=True) if k == "amount"]
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
    assert "公开表目录" in text and "保密机要局专项经费绩效目标表" in text and "855.78" in text
    assert "政府采购预算" in text and "部门机构设置情况" in text
    assert text.count("\f") >= 99  # one page (at least) per sheet
