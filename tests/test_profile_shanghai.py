"""The built-in profile 上海区级 (issue 13) on samples/shanghai-street-2025 and on one of its units published alone
(单位预算): table titles and order, header rows, the banner and units line, empty-table notes, the cover and the
order of the sections, compared with ../shared/profiles.md ("Shanghai district"), whose wording the expected strings
below copy (written here independently of the profile); and the identities of shared/checks.md that hold for
Shanghai's column layout."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from budgetgen.cli import main
from budgetgen.document import Heading, Table
from budgetgen.pipeline import prepare
from identities import T, check_shanghai_between, check_shanghai_inside, named
from render_util import SAMPLES

SAMPLE = SAMPLES / "shanghai-street-2025"
NAME = "上海市普陀区人民政府澄溪街道办事处"
Y = 2025

# profiles.md: "Table titles (unit wording; the department's say 部门)", in this order (the economic table 8th).
TITLES = ["{Y}年预算{w}财务收支预算总表", "{Y}年预算{w}收入预算总表", "{Y}年预算{w}支出预算总表",
          "{Y}年预算{w}财政拨款收支预算总表", "{Y}年预算{w}一般公共预算支出功能分类预算表",
          "{Y}年预算{w}政府性基金预算支出功能分类预算表", "{Y}年预算{w}国有资本经营预算支出功能分类预算表",
          "{Y}年预算{w}一般公共预算基本支出部门预算经济分类预算表", "{Y}年预算{w}“三公”经费和机关运行经费预算表"]
# profiles.md: T3, T5, T6, T7: 编码 | 名称 | 合计 | 基本支出 | 项目支出
BASIC_PROJECT = [["功能分类科目编码", "功能分类科目名称", "合计", "基本支出", "项目支出"]]
HEADERS = {
    "t1": [["收入", "", "支出", ""], ["项目", "预算数", "项目", "预算数"]],
    # T2: 功能分类科目编码 | 名称 | 合计 | 财政拨款收入 | 事业收入 | 事业单位经营收入 | 其他收入
    "t2": [["功能分类科目编码", "功能分类科目名称", "合计", "财政拨款收入", "事业收入", "事业单位经营收入", "其他收入"]],
    "t3": BASIC_PROJECT,
    # T4: 项目 | 预算数 || 项目 | 合计 | 一般公共预算 | 政府性基金预算 | 国有资本经营预算
    "t4": [["收入", "", "支出", "", "", "", ""],
           ["项目", "预算数", "项目", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"]],
    "t5": BASIC_PROJECT, "t6": BASIC_PROJECT, "t7": BASIC_PROJECT,
    # T8: 部门预算经济分类 编码 | 名称 | 合计 | 人员经费 | 公用经费
    "t8": [["部门预算经济分类科目编码", "部门预算经济分类科目名称", "合计", "人员经费", "公用经费"]],
    # T9 (万元): “三公”经费预算数 {合计 | 因公出国(境)费 | 公务接待费 | 公务用车购置及运行费 {小计 | 购置费 | 运行费}}
    # | 机关运行经费预算数
    "t9": [["“三公”经费预算数", "", "", "", "", "", "机关运行经费预算数"],
           ["合计", "因公出国(境)费", "公务接待费", "公务用车购置及运行费", "", "", "机关运行经费预算数"],
           ["合计", "因公出国(境)费", "公务接待费", "小计", "购置费", "运行费", "机关运行经费预算数"]],
}
# profiles.md: 一 主要职能; 二 机构设置; 三 名词解释; 四 预算编制说明; 五 预算表; 六 其他相关情况说明;
# (department) 七 项目经费情况说明
SECTIONS = ["一、主要职能", "二、机构设置", "三、名词解释", "四、预算编制说明", "五、预算表", "六、其他相关情况说明"]
DEPARTMENT_ONLY = ["七、项目经费情况说明"]
# 其他相关情况说明: （一）三公 （二）机关运行经费 （三）政府采购 （四）绩效目标 （五）国有资产
OTHER = ["（一）", "（二）", "（三）", "（四）", "（五）"]


def empty_note(w: str, what: str) -> str:
    return f"注：本{w}{Y}年无{what}，故本表为空表。"


@pytest.fixture(scope="module")
def department():
    return prepare(SAMPLE)[0]


@pytest.fixture(scope="module")
def unit_dir(tmp_path_factory) -> Path:
    """社区事务受理服务中心 alone, as its own 单位预算 (a 事业 unit: no “三公”, no 机关运行经费)."""
    folder = tmp_path_factory.mktemp("unit") / "受理中心"
    (folder / "units").mkdir(parents=True)
    (folder / "projects").mkdir()
    text = (SAMPLE / "department.yaml").read_text(encoding="utf-8").replace("../../schemas", "../../../schemas")
    assert "    profile: 上海区级\n" in text
    text = text.replace("    profile: 上海区级\n", "    profile: 上海区级\n    document: 单位预算\n")
    (folder / "department.yaml").write_text(text, encoding="utf-8")
    shutil.copy(SAMPLE / "units" / "02-社区事务受理服务中心.yaml", folder / "units")
    shutil.copy(SAMPLE / "projects" / "06-社区事务受理窗口运行维护.yaml", folder / "projects")
    return folder


@pytest.fixture(scope="module")
def unit(unit_dir):
    return prepare(unit_dir)[0]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("sh-json")
    assert main(["render", str(SAMPLE), "--format", "json", "--out", str(out)]) == 0
    return json.loads((out / "shanghai-street-2025.json").read_text(encoding="utf-8"))


def nine(doc) -> list[Table]:
    return [t for t in doc.tables() if t.kind in HEADERS]


def header_texts(table: Table) -> list[list[str]]:
    """The header rows as printed, a spanned cell followed by blanks for the columns it covers (as the JSON has
    them), a cell spanning rows repeated below."""
    width = len(table.columns)
    grid: list[list[str | None]] = [[None] * width for _ in table.header]
    for r, row in enumerate(table.header):
        c = 0
        for cell in row:
            while grid[r][c] is not None:
                c += 1
            for dr in range(cell.rowspan):
                grid[r + dr][c] = str(cell.value)
                for dc in range(1, cell.colspan):
                    grid[r + dr][c + dc] = ""
            c += cell.colspan
    return [[text or "" for text in row] for row in grid]


# --- titles, order, headers, banner and units line ------------------------------------------------------------

@pytest.mark.parametrize("which", ["department", "unit"])
def test_titles_in_profiles_md_order(which, request):
    doc = request.getfixturevalue(which)
    w = "部门" if which == "department" else "单位"
    assert [t.title for t in nine(doc)] == [title.format(Y=Y, w=w) for title in TITLES]
    assert [t.kind for t in nine(doc)] == [f"t{i}" for i in range(1, 10)]


def test_header_rows(department):
    for table in nine(department):
        assert header_texts(table) == HEADERS[table.kind], table.kind
        assert table.colnum_row is None  # no 栏次 row in Shanghai's tables


@pytest.mark.parametrize("which", ["department", "unit"])
def test_banner_and_units_line(which, request):
    doc = request.getfixturevalue(which)
    w = "部门" if which == "department" else "单位"
    name = doc.department_name
    for table in nine(doc):
        assert table.banner is not None
        assert table.banner.left == f"编制{w}：{name}"
        assert table.banner.right == ("单位：万元" if table.kind == "t9" else "单位：元"), table.kind


def test_amounts_in_yuan_with_separators_and_t9_in_wan(department, data):
    t1 = next(t for t in data["tables"] if t["kind"] == "t1")
    total = next(r for r in t1["rows"] if r[0] == "收入总计")
    assert total[1] == "40934900.00"  # the JSON keeps plain figures
    table = next(t for t in nine(department) if t.kind == "t1")
    cell = next(r for r in table.rows if r.cells[0].value == "收入总计").cells[1]
    from budgetgen.fmt import cell_text
    assert cell_text(cell) == "40,934,900.00"
    t9 = next(t for t in data["tables"] if t["kind"] == "t9")
    assert t9["rows"] == [["33.40", "0.00", "1.80", "31.60", "22.00", "9.60", "210.57"]]


def test_t1_income_rows(department):
    table = next(t for t in nine(department) if t.kind == "t1")
    income = [r.cells[0].value for r in table.rows if r.cells[0].value]
    assert income == ["一、财政拨款收入", "1. 一般公共预算", "2. 政府性基金预算", "3. 国有资本经营预算", "二、事业收入",
                      "三、事业单位经营收入", "四、其他收入", "收入总计"]
    assert table.rows[-1].cells[2].value == "支出总计"


# --- empty tables --------------------------------------------------------------------------------------------

def test_empty_table_notes(department, unit):
    by_kind = {t.kind: t for t in nine(department)}
    assert by_kind["t6"].empty_note == empty_note("部门", "政府性基金预算财政拨款安排的预算")
    assert by_kind["t7"].empty_note == empty_note("部门", "国有资本经营预算财政拨款安排的预算")
    assert by_kind["t9"].empty_note is None
    by_kind = {t.kind: t for t in nine(unit)}
    # profiles.md, literally: 注：本单位{Y}年无政府性基金预算财政拨款安排的预算，故本表为空表。 (and the same for 国有资本经营;
    # for T9 …无“三公”经费和机关运行经费预算，故本表为空表。)
    assert by_kind["t6"].empty_note == "注：本单位2025年无政府性基金预算财政拨款安排的预算，故本表为空表。"
    assert by_kind["t7"].empty_note == "注：本单位2025年无国有资本经营预算财政拨款安排的预算，故本表为空表。"
    assert by_kind["t9"].empty_note == "注：本单位2025年无“三公”经费和机关运行经费预算，故本表为空表。"
    assert not by_kind["t6"].rows and not by_kind["t7"].rows


# --- cover and sections ----------------------------------------------------------------------------------------

def test_cover(department, unit):
    cover = department.cover
    assert cover.name + cover.title == f"上海市普陀区{Y}年区级部门预算"
    assert cover.subtitle == f"预算主管部门：{NAME}"
    cover = unit.cover
    assert cover.name + cover.title == f"上海市普陀区{Y}年区级单位预算"
    assert cover.subtitle == "预算单位：上海市普陀区澄溪街道社区事务受理服务中心"


@pytest.mark.parametrize("which", ["department", "unit"])
def test_section_order(which, request):
    doc = request.getfixturevalue(which)
    assert doc.toc_title.replace("　", "") == "目录"
    headings = [b for b in doc.blocks if isinstance(b, Heading)]
    assert [h.text for h in headings if h.level == 2] == SECTIONS + (DEPARTMENT_ONLY if which == "department" else [])
    assert not [h for h in headings if h.level == 1]  # no 第一部分 / 第二部分: each unit publishes its own document
    kinds = [b.kind if isinstance(b, Table) else b.text for b in doc.blocks if isinstance(b, (Heading, Table))
             and (isinstance(b, Table) and b.kind in HEADERS or isinstance(b, Heading) and b.level == 2)]
    at = kinds.index("五、预算表")
    assert kinds[at + 1:at + 10] == [f"t{i}" for i in range(1, 10)] and kinds[at + 10] == "六、其他相关情况说明"
    six = next(i for i, h in enumerate(headings) if h.text == "六、其他相关情况说明")
    other = [h.text for h in headings[six + 1:] if h.level == 3 or h.level == 2 and h.text.startswith("七、")]
    other = other[:other.index(DEPARTMENT_ONLY[0])] if which == "department" else other
    assert [text[:3] for text in other] == OTHER


def test_narrative_in_wan(department):
    from budgetgen.document import Paragraph
    text = "\n".join(b.text for b in department.blocks if isinstance(b, Paragraph))
    assert f"{Y}年，{NAME}收入预算4093.49万元，其中：财政拨款收入4055.49万元，比2024年预算增加125.61万元；事业收入38.00万元" in text
    assert "“一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）行政运行（项）”科目1346.42万元" in text
    assert "机关运行经费预算为210.57万元" in text
    assert "下属1家机关和1家参公事业单位" in text


# --- identities (shared/checks.md) that hold for Shanghai's layout ------------------------------------------------

def _tables(data: dict) -> dict[str, T]:
    return {t["kind"]: named(t) for t in data["tables"] if t["kind"] in HEADERS}


def test_identities_inside_tables(data):
    check_shanghai_inside(_tables(data))  # identities.py: A1–A7 as Shanghai lays its tables out


def test_identities_between_tables(data, department):
    t = _tables(data)
    check_shanghai_between(t, running=Decimal("210.57"))  # X1–X5; 机关运行经费 = the analysis' figure the notes quote
