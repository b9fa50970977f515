"""Codes shown as 类 / 款 / 项 in separate columns (issue 13; ../shared/profiles.md, Shanghai: "Codes shown as 类 / 款 /
项 in separate columns in some years"): a column `value: 类款项` (function) or `value: 类款` (economic) prints the
code under its label as a spanning header, one column per part, every row with all its parts (类 201; 款 201 | 03;
项 201 | 03 | 01), the 合计 row blank.

The built-in 上海区级 keeps one code column; its profile.yaml carries the alternative as a commented line under each
code column. Here a copy with those lines switched on renders samples/shanghai-street-2025 to every format, read back
each its own way (JSON, CSV, HTML parsed, DOCX with python-docx, XLSX with openpyxl, PDF with pdftotext), against
figures summed by hand from the sample's YAML and against the single-column render of the built-in profile; and a
profile that puts these columns where they cannot go gets a Chinese error at the line."""

from __future__ import annotations

import csv
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from budgetgen import profiles
from budgetgen.cli import main
from budgetgen.errors import Severity
from render_util import edited_profile, SAMPLES, pdftotext, table_grid

SAMPLE = SAMPLES / "shanghai-street-2025"
STEM = SAMPLE.name
PROFILE = profiles.BUILTIN / "上海区级" / "profile.yaml"

# A code line of the built-in and the commented alternative right under it: the alternative takes its place.
ALTERNATIVE = re.compile(r"^( +)- \{label: ([^,]+), value: 编码, key: code, width: 1\.3\}\n"
                         r"\1# (- \{label: \2, value: (类款项|类款), key: code\})[^\n]*\n", re.M)

# Hand-summed from the sample's YAML: function 2080505 (机关事业单位基本养老保险缴费支出) has one basic line per unit,
# economic 30108: 147001 1536800.00 + 147002 468200.00 + 147003 356400.00; no project uses it.
XIANG = ["208", "05", "05", "机关事业单位基本养老保险缴费支出", "2361400.00", "2361400.00", "0.00"]
KUAN = ["208", "05", ""]
LEI = ["208", "", ""]
# economic 30101 (基本工资), all basic and 人员经费: 4215600.00 + 1326000.00 + 968000.00
ECONOMIC = ["301", "01", "基本工资", "6509600.00", "6509600.00", "0.00"]

FUNCTION_TABLES = ("t2", "t3", "t5", "t6", "t7")
AMOUNTS = {"t2": ["合计", "财政拨款收入", "事业收入", "事业单位经营收入", "其他收入"],
           **{k: ["合计", "基本支出", "项目支出"] for k in ("t3", "t5", "t6", "t7")}}
HEADERS = {k: [["功能分类科目编码", "", "", "功能分类科目名称"] + AMOUNTS[k],
               ["类", "款", "项", "功能分类科目名称"] + AMOUNTS[k]] for k in FUNCTION_TABLES}
HEADERS["t8"] = [["部门预算经济分类科目编码", "", "部门预算经济分类科目名称", "合计", "人员经费", "公用经费"],
                 ["类", "款", "部门预算经济分类科目名称", "合计", "人员经费", "公用经费"]]


def switched(text: str) -> str:
    """上海区级's profile.yaml with each commented 类款项 / 类款 line in place of the code line above it."""
    out, n = ALTERNATIVE.subn(lambda m: f"{m.group(1)}{m.group(3)}\n", text)
    assert n == 3  # t2, t3 (whose columns t5–t7 share), t8
    return out


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return edited_profile(tmp_path_factory.mktemp("profile") / "上海-分列", "上海区级", switched)


@pytest.fixture(scope="module")
def out(tmp_path_factory, folder) -> dict[str, Path]:
    """The sample rendered with the copy (split) and with the built-in (single code column)."""
    base = tmp_path_factory.mktemp("render")
    dirs = {"split": base / "split", "single": base / "single"}
    assert main(["render", str(SAMPLE), "--profile", str(folder), "--format", "json,csv,html,docx,xlsx",
                 "--out", str(dirs["split"])]) == 0
    assert main(["render", str(SAMPLE), "--format", "json", "--out", str(dirs["single"])]) == 0
    return dirs


def tables(path: Path) -> dict[str, dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {t["id"]: t for t in data["tables"]}


@pytest.fixture(scope="module")
def split(out) -> dict[str, dict]:
    return tables(out["split"] / f"{STEM}.json")


@pytest.fixture(scope="module")
def single(out) -> dict[str, dict]:
    return tables(out["single"] / f"{STEM}.json")


def test_the_copy_validates_and_the_builtin_keeps_one_code_column(folder, single):
    found, findings = profiles.load(folder)
    assert found is not None and not findings
    assert single["d147-t3"]["header"] == [["功能分类科目编码", "功能分类科目名称", "合计", "基本支出", "项目支出"]]


# --- JSON and CSV: the grouped header as a full grid (as T9's nested columns), the parts as text -------------------

def test_json_header_rows_and_columns(split):
    for kind, header in HEADERS.items():
        table = split[f"d147-{kind}"]
        assert table["header"] == header, kind
        parts = 2 if kind == "t8" else 3
        assert table["columns"][:parts] == [{"key": f"code.{p}", "type": "code"} for p in "类款项"[:parts]], kind


def test_json_rows_hold_the_codes_parts(split):
    t3 = split["d147-t3"]
    assert t3["rows"][0][:4] == ["", "", "", "合计"]  # the total row: no code
    at = t3["rows"].index(XIANG)
    assert t3["levels"][at] == 3
    assert t3["rows"][at - 2][:3] == KUAN and t3["rows"][at - 2][3] == "行政事业单位养老支出"
    assert next(r for r in t3["rows"] if r[:3] == LEI)[3] == "社会保障和就业支出"
    t5 = split["d147-t5"]  # all of 2080505 is 一般公共预算
    assert XIANG in t5["rows"]
    t8 = split["d147-t8"]
    assert t8["rows"][0][:3] == ["", "", "合计"]
    assert ECONOMIC in t8["rows"]
    assert next(r for r in t8["rows"] if r[:2] == ["301", ""])[2] == "工资福利支出"
    t2 = split["d147-t2"]  # 2010399: project 06's 1050000.00 appropriated and 200000.00 事业收入
    assert ["201", "03", "99", "其他政府办公厅（室）及相关机构事务支出", "1250000.00", "1050000.00", "200000.00", "0.00",
            "0.00"] in t2["rows"]


def test_amounts_and_order_unchanged_from_the_single_column(split, single):
    for kind in (*FUNCTION_TABLES, "t8"):
        ident = f"d147-{kind}"
        parts = 2 if kind == "t8" else 3
        a, b = split[ident], single[ident]
        assert (a["title"], a["levels"], a["empty_note"], a["notes"]) == (b["title"], b["levels"], b["empty_note"],
                                                                          b["notes"]), kind
        assert len(a["rows"]) == len(b["rows"]), kind
        for mine, theirs in zip(a["rows"], b["rows"], strict=True):
            assert "".join(mine[:parts]) == theirs[0]  # the parts make the code (合计: blank)
            assert mine[parts:] == theirs[1:]


def test_csv(out, split):
    (path,) = (out["split"] / f"{STEM}-csv").glob("*-d147-t3-*.csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1:3] == HEADERS["t3"]
    assert XIANG in rows[3:]
    (path,) = (out["split"] / f"{STEM}-csv").glob("*-d147-t8-*.csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1:3] == HEADERS["t8"] and ECONOMIC in rows[3:]


# --- HTML: the spanning header cell and the parts' cells -----------------------------------------------------------

class Tables(HTMLParser):
    """Each table section's header cells (text, colspan, rowspan) by row, and its body rows' cell texts."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.head: dict[str, list[list[tuple[str, int, int]]]] = {}
        self.body: dict[str, list[list[str]]] = {}
        self._id = ""
        self._part = ""
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "table-block" in (a.get("class") or ""):
            self._id = a["aria-labelledby"]
            self.head[self._id], self.body[self._id] = [], []
        elif tag in ("thead", "tbody"):
            self._part = tag
        elif tag == "tr" and self._id:
            if "banner" in (a.get("class") or ""):
                self._part = "banner"
            elif self._part == "thead":
                self.head[self._id].append([])
            elif self._part == "tbody":
                self.body[self._id].append([])
        elif tag in ("th", "td") and self._part in ("thead", "tbody"):
            self._cell = []
            self._span = (int(a.get("colspan") or 1), int(a.get("rowspan") or 1))

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            text = "".join(self._cell).strip()
            if self._part == "thead":
                self.head[self._id][-1].append((text, *self._span))
            else:
                self.body[self._id][-1].append(text)
            self._cell = None
        elif tag == "tr" and self._part == "banner":
            self._part = "thead"
        elif tag == "section":
            self._id = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_html(out):
    page = Tables((out["split"] / f"{STEM}.html").read_text(encoding="utf-8"))
    assert page.head["d147-t3"] == [
        [("功能分类科目编码", 3, 1), ("功能分类科目名称", 1, 2), ("合计", 1, 2), ("基本支出", 1, 2), ("项目支出", 1, 2)],
        [("类", 1, 1), ("款", 1, 1), ("项", 1, 1)]]
    body = page.body["d147-t3"]
    assert body[0][:4] == ["", "", "", "合计"]
    assert XIANG[:4] + ["2,361,400.00", "2,361,400.00", ""] in body  # 元 with separators, zero blank
    assert page.head["d147-t8"][0][0] == ("部门预算经济分类科目编码", 2, 1)
    assert page.head["d147-t8"][1] == [("类", 1, 1), ("款", 1, 1)]
    assert ["301", "01", "基本工资", "6,509,600.00", "6,509,600.00", ""] in page.body["d147-t8"]


# --- DOCX and XLSX read back ---------------------------------------------------------------------------------------

def test_docx(out):
    grids = [table_grid(t._tbl) for t in Document(str(out["split"] / f"{STEM}.docx")).tables]
    t3 = next(g for g in grids if HEADERS["t3"][0] in g)  # t2 comes first with other amount columns
    at = t3.index(HEADERS["t3"][0])
    assert t3[at + 1] == HEADERS["t3"][1]
    assert t3[at + 2][:4] == ["", "", "", "合计"]
    assert XIANG[:4] + ["2,361,400.00", "2,361,400.00", ""] in t3
    t8 = next(g for g in grids if HEADERS["t8"][0] in g)
    assert t8[t8.index(HEADERS["t8"][0]) + 1] == HEADERS["t8"][1]
    assert ["301", "01", "基本工资", "6,509,600.00", "6,509,600.00", ""] in t8


def test_xlsx(out):
    wb = openpyxl.load_workbook(out["split"] / f"{STEM}.xlsx")
    ws = wb["部门-03支出预算总表"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    at = next(i for i, r in enumerate(rows) if r[0] == "功能分类科目编码")
    assert rows[at][:4] == ["功能分类科目编码", None, None, "功能分类科目名称"]
    assert rows[at + 1][:3] == ["类", "款", "项"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"A{at + 1}:C{at + 1}" in merged and f"D{at + 1}:D{at + 2}" in merged
    assert rows[at + 2][:4] == [None, None, None, "合计"]
    xiang = next(i for i, r in enumerate(rows) if r[:3] == XIANG[:3])
    assert rows[xiang][3:5] == [XIANG[3], 2361400]
    for col in range(1, 4):  # text cells: the 款 and 项 keep their leading zero
        assert ws.cell(xiang + 1, col).data_type == "s" and ws.cell(xiang + 1, col).number_format == "@"
    ws = wb["部门-08一般公共预算基本支出部门预算经济分类预算表"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    at = next(i for i, r in enumerate(rows) if r[0] == "部门预算经济分类科目编码")
    assert rows[at + 1][:3] == ["类", "款", None]  # 名称 merged down from the row above
    assert ["301", "01", "基本工资", 6509600] == rows[next(i for i, r in enumerate(rows) if r[:2] == ["301", "01"])][:4]


# --- PDF: the same HTML, laid out ----------------------------------------------------------------------------------

@pytest.mark.pdf
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="需要 poppler-utils（pdftotext）")
def test_pdf(tmp_path, folder):
    assert main(["render", str(SAMPLE), "--profile", str(folder), "--format", "pdf", "--out", str(tmp_path)]) == 0
    text = pdftotext(tmp_path / f"{STEM}.pdf")
    page = next(p for p in text.split("\f") if "年预算部门支出预算总表\n" in p)  # its page, not the 目录
    assert re.search(r"\n *功能分类科目编码\n", page) and re.search(r"\n *类 +款 +项\n", page)
    # 2101101 (行政单位医疗), economic 30110: 147001 1012300.00 + 147003 228700.00 (a name that fits on one line)
    assert re.search(r"\n210 +11 +01 +行政单位医疗 +1,241,000\.00 +1,241,000\.00\n", page)
    assert re.search(r"\n +合计 +40,934,900\.00", page)  # the total row: no code


# --- where the columns cannot go: a Chinese error at the line -------------------------------------------------------

def edited(tmp_path: Path, old: str, new: str) -> tuple[list, int]:
    """A copy of the switched profile with `old` replaced by `new` (once): its errors, and the line of `new`."""
    text = switched(PROFILE.read_text(encoding="utf-8"))
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    folder = tmp_path / "bad"
    profiles.copy("上海区级", folder)
    (folder / "profile.yaml").write_text(text, encoding="utf-8")
    found, findings = profiles.load(folder)
    assert found is None
    return [f for f in findings if f.severity is Severity.error], text[:text.index(new)].count("\n") + 1


@pytest.mark.parametrize("old, new, says", [
    # the economic classification has no 项
    ("      - {label: 部门预算经济分类科目编码, value: 类款, key: code}",
     "      - {label: 部门预算经济分类科目编码, value: 类款项, key: code}", "经济分类只有 类、款 两级"),
    # a table of fixed rows (T9) has no codes
    ("      - {label: 机关运行经费预算数, key: running, running: true}",
     "      - {label: 机关运行经费预算数, key: running, running: true}\n      - {label: 科目编码, value: 类款项}",
     "只用于按科目分类列出各行的表"),
    # nor has a layout (T1)
    ("          - {label: 项目, value: 项目, key: income_item, width: 3.2}",
     "          - {label: 项目, value: 类款, key: income_item, width: 3.2}", "只用于按科目分类列出各行的表"),
    # function rows down to 项 printed in two parts would lose the 项
    ("    rows: {classification: 功能分类, levels: [类, 款, 项], total: 合计}\n    columns:\n"
     "      - {label: 功能分类科目编码, value: 类款项, key: code}\n      - {label: 功能分类科目名称, value: 名称, key: name, "
     "width: 3.2}\n      - {label: 合计, key: total}",
     "    rows: {classification: 功能分类, levels: [类, 款, 项], total: 合计}\n    columns:\n"
     "      - {label: 功能分类科目编码, value: 类款, key: code}\n      - {label: 功能分类科目名称, value: 名称, key: name, "
     "width: 3.2}\n      - {label: 合计, key: total}", "项一级的编码印不出来"),
], ids=["economic-with-xiang", "fixed-rows", "layout", "function-xiang-in-two-parts"])
def test_a_misplaced_code_column_is_an_error_at_its_line(tmp_path, old, new, says):
    errors, line = edited(tmp_path, old, new)
    assert len(errors) == 1, [e.render() for e in errors]
    (error,) = errors
    assert says in error.message and error.code == "profile-invalid" and error.fix
    line += next(i for i, part in enumerate(new.split("\n")) if "value: 类款" in part)  # the column written wrong
    assert error.line == line and error.column and error.file.endswith("profile.yaml")
