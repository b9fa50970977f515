"""The built-in profile 江苏省级 (issue 13) on samples/jiangsu-dept-2019: the tables' 公开 NN 表 headings and titles
in order, T1's three blocks, T3's columns, the banner and units line, compared with ../shared/profiles.md ("Jiangsu
province"), whose wording the expected strings below copy (written here independently of the profile); the identities
of shared/checks.md that hold for Jiangsu's column layout; and the 单位预留机动经费 it prints (no warning)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from budgetgen.cli import main
from budgetgen.document import Heading, Table
from budgetgen.pipeline import prepare, validate
from identities import ZERO, T, check_a3, check_a6, check_jiangsu, check_tree, figure
from render_util import SAMPLES, pdf_pages

SAMPLE = SAMPLES / "jiangsu-dept-2019"
NAME = "江苏省质量和标准化厅"
Y = 2019

# profiles.md: 01 收支预算总表 … 12 政府采购支出预算表
TITLES = ["收支预算总表", "收入预算总表", "支出预算总表", "财政拨款收支预算总表", "财政拨款支出预算表",
          "财政拨款基本支出预算表", "一般公共预算支出预算表", "一般公共预算基本支出预算表",
          "一般公共预算“三公”经费、会议费、培训费支出预算表", "政府性基金财政拨款支出预算表",
          "一般公共预算机关运行经费支出预算表", "政府采购支出预算表"]
LABELS = [f"公开 {n:02d} 表" for n in range(1, 13)]
# T1's blocks: 收入 (一、财政拨款 1. 一般公共预算 2. 政府性基金预算; 二、财政专户管理资金; 三、其他资金; 当年收入小计;
# 上年结转资金; 收入合计), 支出 by 功能分类 (类), 支出 by 支出用途 (一、基本支出, 二、项目支出, 三、单位预留机动经费;
# 当年支出小计; 结转下年资金; 支出合计)
T1_INCOME = ["一、财政拨款", "1. 一般公共预算", "2. 政府性基金预算", "二、财政专户管理资金", "三、其他资金"]
T1_INCOME_CLOSING = ["当年收入小计", "上年结转资金", "收入合计"]
T1_USES = ["一、基本支出", "二、项目支出", "三、单位预留机动经费"]
T1_SPENDING_CLOSING = ["当年支出小计", "结转下年资金", "支出合计"]
# T3 columns: 合计 | 基本支出 | 项目支出 | 单位预留机动经费 | 结转下年资金
T3_AMOUNTS = ["合计", "基本支出", "项目支出", "单位预留机动经费", "结转下年资金"]
# T9 columns: 合计 | “三公”经费 {小计 | 因公出国（境）费 | 公务用车购置及运行维护费 {小计 | 购置费 | 运行维护费} |
# 公务接待费} | 会议费 | 培训费
T9_PATHS = ["合计", "“三公”经费/小计", "“三公”经费/因公出国（境）费", "“三公”经费/公务用车购置及运行维护费/小计",
            "“三公”经费/公务用车购置及运行维护费/购置费", "“三公”经费/公务用车购置及运行维护费/运行维护费",
            "“三公”经费/公务接待费", "会议费", "培训费"]


@pytest.fixture(scope="module")
def doc():
    return prepare(SAMPLE)[0]


@pytest.fixture(scope="module")
def tables(doc) -> list[Table]:
    return [t for t in doc.tables() if t.label]


@pytest.fixture(scope="module")
def json_tables(tmp_path_factory) -> dict[str, T]:
    out = tmp_path_factory.mktemp("js-json")
    assert main(["render", str(SAMPLE), "--format", "json", "--out", str(out)]) == 0
    data = json.loads((out / "jiangsu-dept-2019.json").read_text(encoding="utf-8"))
    return {t["kind"]: T(t) for t in data["tables"] if t.get("label")}


def test_sample_validates_without_findings():
    budget, findings = validate(SAMPLE)
    assert budget is not None
    assert findings == []  # the 单位预留机动经费 is printed: no reserve-not-printed warning


def test_headings_and_titles_in_order(tables):
    assert [t.label for t in tables] == LABELS
    assert [t.title for t in tables] == TITLES
    assert [t.kind for t in tables] == [f"t{n}" for n in range(1, 13)]


def test_tables_part_heading(doc):
    # the tables are part two of Jiangsu's four (tests/test_jiangsu_notes.py: the parts in order)
    heading = f"第二部分 {NAME}{Y}年部门预算表"
    headings = [b.text for b in doc.blocks if isinstance(b, Heading)]
    assert heading in headings
    at = doc.blocks.index(next(b for b in doc.blocks if isinstance(b, Heading) and b.text == heading))
    after = [b for b in doc.blocks[at + 1:] if isinstance(b, Table) and b.label]
    assert [t.label for t in after] == LABELS


def test_banner_and_units_line(tables):
    for table in tables:
        assert table.banner is not None
        assert table.banner.left == f"部门名称：{NAME}"
        assert table.banner.right == "单位：万元", table.kind


def test_t1_blocks(json_tables):
    t1 = json_tables["t1"]
    assert t1.paths == ["收入/项目", "收入/预算数", "支出/项目（按功能分类）", "支出/预算数", "支出/项目（按支出用途）",
                        "支出/预算数"]
    income = [r[0] for r in t1.rows if r[0]]
    assert income == T1_INCOME + T1_INCOME_CLOSING
    uses = [r[4] for r in t1.rows if r[4]]
    assert uses == T1_USES + T1_SPENDING_CLOSING
    assert [r[2] for r in t1.rows[-3:]] == T1_SPENDING_CLOSING
    assert t1.rows[0][2] == "一、一般公共服务支出"


def test_t3_columns(json_tables):
    t3 = json_tables["t3"]
    assert t3.labels[:2] == ["科目编码", "科目名称"]
    assert t3.labels[2:] == T3_AMOUNTS


def test_t9_columns(json_tables):
    assert json_tables["t9"].paths == T9_PATHS


# --- shared/checks.md identities, as they apply to Jiangsu's layout ------------------------------------------------

def test_t1_adds_up(json_tables):
    """A1 for three blocks: 当年收入小计 = the 一、二、三 income rows (一 = 1 + 2); 当年支出小计 = the 类 rows = the uses;
    合计 = 小计 + 结转; 收入合计 = 支出合计."""
    rows = json_tables["t1"].rows
    by = {r[0]: figure(r[1]) for r in rows if r[0]}
    assert by["当年收入小计"] == by["一、财政拨款"] + by["二、财政专户管理资金"] + by["三、其他资金"]
    assert by["一、财政拨款"] == by["1. 一般公共预算"] + by["2. 政府性基金预算"]
    body = rows[:-3]
    year, carried, total = rows[-3:]
    assert figure(year[3]) == sum((figure(r[3]) for r in body), ZERO) == figure(year[5]) == sum((figure(r[5]) for r in body), ZERO)
    assert by["收入合计"] == by["当年收入小计"] + by["上年结转资金"]
    assert figure(total[3]) == figure(year[3]) + figure(carried[3]) == figure(total[5])
    assert by["收入合计"] == figure(total[3])


def test_t2_adds_up(json_tables):
    t2 = json_tables["t2"]
    by = {r[0]: figure(r[1]) for r in t2.rows}
    assert by["合计"] == sum((by[k] for k in ["一、一般公共预算资金", "二、政府性基金", "三、财政专户管理资金",
                                               "四、其他资金", "五、上年结转和结余资金"]), ZERO)
    assert by["一、一般公共预算资金"] == by["公共财政拨款（补助）资金"] + by["专项收入"]
    assert by["三、财政专户管理资金"] == by["专户管理教育收费"] + by["其他非税收入"]
    assert by["专户管理教育收费"] == Decimal("280.00")  # the sample's sub_source
    assert by["合计"] == figure(json_tables["t1"].rows[-1][1])  # = T1 收入合计


@pytest.mark.parametrize("kind", ["t3", "t5", "t7", "t10"])
def test_function_tables(json_tables, kind):
    check_a3(json_tables[kind])
    check_tree(json_tables[kind], (3, 5, 7))


@pytest.mark.parametrize("kind", ["t6", "t8"])
def test_economic_tables(json_tables, kind):
    check_a6(json_tables[kind])


def test_all_identities_of_identities_py(json_tables):
    check_jiangsu(json_tables)  # the shared helper the property tests run (tests/test_profile_properties.py)


def test_between_tables(json_tables):
    """X-identities: T3 合计 = T1 支出合计, its columns = T1's uses; T5 = T4's spending; T7 = T4's 一般公共预算;
    T6 合计 = T5 基本支出, T8 合计 = T7 基本支出; T11 = the 302 row of T8's 公用经费 at most."""
    t = json_tables
    total3 = t["t3"].rows[0]
    t1 = t["t1"].rows
    assert t["t3"].get(total3, "合计") == figure(t1[-1][3])
    assert [t["t3"].get(total3, k) for k in ["基本支出", "项目支出", "单位预留机动经费"]] == [figure(r[5]) for r in t1[:3]]
    t4_year = t["t4"].find("支出/项目", "本年支出小计")
    assert t["t5"].get(t["t5"].rows[0], "合计") == t["t4"].get(t4_year, "合计")
    assert t["t7"].get(t["t7"].rows[0], "合计") == t["t4"].get(t4_year, "一般公共预算")
    assert t["t6"].get(t["t6"].rows[0], "合计") == t["t5"].get(t["t5"].rows[0], "基本支出")
    assert t["t8"].get(t["t8"].rows[0], "合计") == t["t7"].get(t["t7"].rows[0], "基本支出")
    t11 = t["t11"]
    check_tree(t11, (3, 5))
    assert all(code == "" or code.startswith("302") for code in t11.coded())
    assert t11.get(t11.rows[0], "金额") <= t["t8"].get(t["t8"].coded()["302"], "公用经费")


def test_t9_adds_up(json_tables):
    t9 = json_tables["t9"]
    (row,) = t9.rows
    v = dict(zip(T9_PATHS, (figure(x) for x in row), strict=True))
    assert v["合计"] == v["“三公”经费/小计"] + v["会议费"] + v["培训费"]
    assert v["“三公”经费/小计"] == (v["“三公”经费/因公出国（境）费"] + v["“三公”经费/公务用车购置及运行维护费/小计"]
                                  + v["“三公”经费/公务接待费"])
    assert v["“三公”经费/公务用车购置及运行维护费/小计"] == (v["“三公”经费/公务用车购置及运行维护费/购置费"]
                                                    + v["“三公”经费/公务用车购置及运行维护费/运行维护费"])


def test_empty_fund_table_note(tables):
    t10 = next(t for t in tables if t.kind == "t10")
    assert t10.empty_note == f"注：本部门{Y}年无政府性基金财政拨款支出预算，本表为空表。"


def test_t12_procurement_by_category(json_tables):
    """T12: by 货物/工程/服务 and item, with 采购组织形式; 合计 = the categories, each category = its items."""
    t12 = json_tables["t12"]
    assert t12.labels == ["项目", "采购组织形式", "预算金额"]
    rows = t12.rows
    assert rows[0][0] == "合计"
    heads = [i for i, r in enumerate(rows) if r[0] in ("一、货物", "二、工程", "三、服务")]
    assert [rows[i][0] for i in heads] == ["一、货物", "二、工程", "三、服务"]
    assert figure(rows[0][2]) == sum((figure(rows[i][2]) for i in heads), ZERO) == Decimal("1673.00")
    for start, end in zip(heads, heads[1:] + [len(rows)], strict=True):
        items = rows[start + 1:end]
        assert items and all(r[1] in ("集中采购", "部门集中采购", "分散采购") for r in items)
        assert figure(rows[start][2]) == sum((figure(r[2]) for r in items), ZERO)
    assert ["实训室改造工程", "分散采购", "95.00"] in rows


@pytest.mark.pdf
def test_each_of_the_twelve_tables_starts_a_page_in_the_pdf(tmp_path):
    """公开 01 表 follows its part heading; 02 … 12 each begin a page of their own, 10–12 as well as the nine the
    Hebei layout has (print.css once named t2–t9 only)."""
    assert main(["render", str(SAMPLES / "jiangsu-dept-2019"), "--format", "pdf", "--out", str(tmp_path)]) == 0
    pages = pdf_pages(tmp_path / "jiangsu-dept-2019.pdf")
    first = {n: next(i for i, page in enumerate(pages) if f"公开 {n:02d} 表" in page) for n in range(1, 13)}
    assert len(set(first.values())) == 12
    assert "第二部分" in pages[first[1]]
    for n in range(2, 13):  # nothing of the table before it on its page
        assert f"公开 {n - 1:02d} 表" not in pages[first[n]]
