"""Departments beyond the samples: every 项 of every year's list, codes a county adds, amounts in 元, a unit's own
单位预算, district and township wording, per-unit last-year figures, and every finding listed at once."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from budgetgen import catalog
from budgetgen.compose import build
from budgetgen.cli import main
from budgetgen.errors import Severity
from budgetgen.pipeline import prepare, validate
from budgetgen.preview import inject_warnings
from budgetgen.report import report_data
from render_util import row, table

DEPARTMENT = """\
budget_year: {year}
level: {level}
{extra}
department:
  code: "305"
  name: {name}
  duties: [负责全县教育事业发展规划]
  options: {options}
units:
  - code: "305001"
    name: {name}本级
    nature: 行政
    basic:
{basic}
"""


def department(folder: Path, basic: list[str], year: int = 2023, level: str = "县级", extra: str = "",
               name: str = "某县教育局", options: str = "{}", units: str = "", projects: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = "\n".join(f"      - {line}" for line in basic)
    text = DEPARTMENT.format(year=year, level=level, extra=extra, name=name, options=options, basic=lines)
    (folder / "department.yaml").write_text(text + units + projects, encoding="utf-8")
    return folder


def findings_of(path: Path) -> list:
    return validate(path)[1]


def codes_of(findings) -> list[str]:
    return [f.code for f in findings]


# --- 1. every 项 of every year's list ------------------------------------------------------------------------

SOURCE_OF_FUND = {"政府性基金预算": "政府性基金预算", "国有资本经营预算": "国有资本经营预算"}


@pytest.mark.parametrize("year", range(2019, 2028))
def test_every_function_code_of_the_year_renders(tmp_path, year):
    cat = catalog.load(year)
    leaves = [c for c in cat.function if len(c) == 7]
    basic = [f'{{function: "{c}", economic: "30201", amount: 1.00, source: {SOURCE_OF_FUND.get(cat.fund[c], "一般公共预算")}}}'
             for c in leaves]
    path = department(tmp_path / "all", basic, year=year)
    assert main(["render", str(path), "--format", "json,html", "--out", str(tmp_path / "out")]) == 0
    data = json.loads((tmp_path / "out" / "all.json").read_text(encoding="utf-8"))
    with_money = [c for c in cat.function if any(leaf.startswith(c) for leaf in leaves)]
    assert len(table(data, "d305-t3")["rows"]) == 1 + len(with_money)  # 合计, then every 类/款/项 with money
    doc, findings = prepare(path)
    assert not [f for f in findings if f.severity is Severity.error]
    t3 = next(t for t in doc.tables() if t.kind == "t3")
    printed = {r.cells[1].value: r.cells[3].value for r in t3.rows}
    # every 项 appears with its own name and 1.00, every 款 and 类 with the sum of its children
    for code in leaves:
        assert printed[code] == Decimal("1.00")
    for code, name in cat.function.items():
        if len(code) < 7 and any(c.startswith(code) for c in leaves):
            assert printed[code] == sum(1 for c in leaves if c.startswith(code))
    assert printed[""] == len(leaves)
    names = {r.cells[1].value: r.cells[2].value for r in t3.rows}
    assert all(names[c] == cat.function[c] for c in leaves)  # each with the year's name
    if year == 2027:
        assert "catalog-provisional" in codes_of(findings)


def test_a_department_renders_to_html_for_an_early_year(tmp_path):
    path = department(tmp_path / "d", ['{function: "2130599", economic: "30201", amount: 5.00}'], year=2019)
    assert main(["render", str(path), "--format", "html,json", "--out", str(tmp_path / "out")]) == 0
    data = json.loads((tmp_path / "out" / "d.json").read_text(encoding="utf-8"))
    assert row(table(data, "d305-t3"), "2130599", 1)[2] == "其他扶贫支出"  # the 2019 name
    assert row(table(data, "d305-t3"), "21305", 1)[2] == "扶贫"


# --- 2. codes added beside the YAML -------------------------------------------------------------------------

def test_codes_added_in_a_county_folder_are_used(tmp_path):
    county = tmp_path / "全县"
    county.mkdir()
    (county / "科目补充.yaml").write_text(textwrap.dedent("""\
        function:
          "2120199": 其他城乡社区管理事务支出（地方）
          "21298": 地方城乡社区专项
          "2129801": 老旧小区改造
        economic:
          "30230": 机关事业单位退休人员活动费
        """), encoding="utf-8")
    path = department(county / "局", ['{function: "2129801", economic: "30230", amount: 3.00}'])
    doc, findings = prepare(path)
    t3 = next(t for t in doc.tables() if t.kind == "t3")
    assert ("2129801", "老旧小区改造") in [(r.cells[1].value, r.cells[2].value) for r in t3.rows]
    assert ("21298", "地方城乡社区专项") in [(r.cells[1].value, r.cells[2].value) for r in t3.rows]
    t6 = next(t for t in doc.tables() if t.kind == "t6")
    assert ("30230", "机关事业单位退休人员活动费") in [(r.cells[1].value, r.cells[2].value) for r in t6.rows]
    renamed = [f for f in findings if f.code == "catalog-addition-renames"]
    assert len(renamed) == 1 and "其他城乡社区管理事务支出" in renamed[0].message
    assert renamed[0].file.endswith("科目补充.yaml") and renamed[0].line == 2


def test_an_added_code_needs_its_parent(tmp_path):
    path = department(tmp_path / "d", ['{function: "2129901", economic: "30201", amount: 3.00}'])
    (path / "科目补充.yaml").write_text('function:\n  "2129701": 地方专项\n', encoding="utf-8")
    findings = findings_of(path)
    missing = [f for f in findings if f.code == "catalog-addition-parent"]
    assert missing and "21297" in missing[0].message and missing[0].line == 2
    assert "unknown-function-code" in codes_of(findings)  # 2129901 is still unknown, in the same run


def test_a_bad_catalog_file_is_an_error_with_its_line(tmp_path):
    path = department(tmp_path / "d", ['{function: "2013101", economic: "30201", amount: 3.00}'])
    (path / "科目补充.yaml").write_text('function:\n  "21297x": 名称\nfunds:\n  a: b\n', encoding="utf-8")
    findings = [f for f in findings_of(path) if f.code == "catalog-file"]
    assert [f.line for f in findings] == [2, 3]


# --- 3. messages about codes --------------------------------------------------------------------------------

def test_unknown_code_message_names_the_year_suggests_and_shows_the_line_to_add(tmp_path):
    path = department(tmp_path / "d", ['{function: "2129998", economic: "30201", amount: 3.00}'])
    finding = next(f for f in findings_of(path) if f.code == "unknown-function-code")
    assert "不在 budgetgen 的 2023 年科目表中" in finding.message
    assert "2129999 其他城乡社区支出" in finding.fix
    assert '科目补充.yaml' in finding.fix and '"2129998"' in finding.fix


# --- 4. years -----------------------------------------------------------------------------------------------

def test_2018_is_an_error_that_hides_nothing(tmp_path):
    path = department(tmp_path / "d", ['{function: "2013101", economic: "30298", amount: 3.00}'], year=2018)
    codes = codes_of(findings_of(path))
    assert "unknown-year" in codes and "unknown-economic-code" in codes


def test_a_later_year_falls_back_with_a_warning_everywhere(tmp_path):
    path = department(tmp_path / "d", ['{function: "2013101", economic: "30201", amount: 3.00}'], year=2029)
    doc, findings = prepare(path)
    fallback = [f for f in findings if f.code == "catalog-fallback"]
    assert fallback and "2027 年科目表（暂定）" in fallback[0].message and fallback[0].line == 1
    # the preview page shows it
    page = inject_warnings("<html><body><p>x</p></body></html>", findings)
    assert "暂按 2027 年科目表（暂定）" in page and page.index("preview-warnings") < page.index("<p>x")
    # and the county check report
    from budgetgen.batch import Department, check_one
    outcome = check_one(Department(path, Path(path.name)))
    data = report_data([outcome])
    assert any(h["code"] == "catalog-fallback" and h["departments"] for h in data["headlines"])


# --- 5. amounts in 元 or 万元 -------------------------------------------------------------------------------

YUAN_LINES = ['{function: "2050201", economic: "30101", amount: 123456.78}',
              '{function: "2050201", economic: "30102", amount: 100000.01}',
              '{function: "2050202", economic: "30201", amount: 5000.00}']


def test_a_department_typed_in_yuan_renders_in_wan_exactly(tmp_path):
    path = department(tmp_path / "d", YUAN_LINES, extra="amount_unit: 元")
    doc, findings = prepare(path)
    t3 = next(t for t in doc.tables() if t.kind == "t3")
    exact = {r.cells[1].value: r.cells[3].value for r in t3.rows}
    assert exact["2050201"] == Decimal("22.345679")  # 123456.78 + 100000.01 元, exactly
    assert t3.banner.unit_label == "单位：万元"
    assert main(["render", str(path), "--format", "json", "--out", str(tmp_path / "out")]) == 0
    data = json.loads((tmp_path / "out" / "d.json").read_text(encoding="utf-8"))
    t3 = table(data, "d305-t3")
    # each figure rounded from its own exact value: 22.35 + 0.50 = 22.85, so no 尾差 in this table
    assert [row(t3, c, 1)[3] for c in ("2050201", "2050202", "20502")] == ["22.35", "0.50", "22.85"]
    assert row(t3, "合计", 2)[3] == "22.85" and t3["notes"] == []


def test_rounding_note_where_printed_parts_do_not_add_up(tmp_path):
    # three 项 of 0.4 元 short of a cent each way: 0.004 万元 each prints 0.00, their 款 0.012 prints 0.01
    lines = [f'{{function: "{c}", economic: "30201", amount: 40.00}}' for c in ("2050201", "2050202", "2050203")]
    path = department(tmp_path / "d", lines, extra="amount_unit: 元")
    doc, _ = prepare(path)
    t3 = next(t for t in doc.tables() if t.kind == "t3")
    assert "存在尾差" in " ".join(t3.notes) and "可能" not in " ".join(t3.notes)
    t1 = next(t for t in doc.tables() if t.kind == "t1")
    assert "可能存在尾差" in " ".join(t1.notes)


def test_no_rounding_note_when_figures_are_whole_cents_of_the_printed_unit(disclosure):
    assert not any(t.notes for t in disclosure("julu-2023").tables() if t.kind in ("t1", "t3", "t6"))


def test_a_department_typed_in_yuan_prints_in_yuan_exactly(tmp_path):
    path = department(tmp_path / "d", YUAN_LINES, extra="amount_unit: 元", options="{table_unit: 元}")
    assert main(["render", str(path), "--format", "json", "--out", str(tmp_path / "out")]) == 0
    data = json.loads((tmp_path / "out" / "d.json").read_text(encoding="utf-8"))
    t3 = table(data, "d305-t3")
    assert t3["banner"]["unit"] == "单位：元"
    assert row(t3, "2050201", 1)[3] == "223456.79"
    assert row(t3, "合计", 2)[3] == "228456.79"
    assert t3["notes"] == []
    assert table(data, "d305-t9")["banner"]["unit"] == "单位：元"
    # columns of 元 figures are widened to their longest figure, so that nothing overflows its cell
    doc, _ = prepare(path)
    t3 = next(t for t in doc.tables() if t.kind == "t3")
    widths = {c.key: c.width for c in t3.columns}
    assert widths["合计"] >= len("228456.79") * 0.125 > 1 and widths["经营支出"] == 1.0


def test_wan_typed_as_yuan_is_a_warning_and_the_reverse(tmp_path):
    path = department(tmp_path / "a", ['{function: "2050201", economic: "30101", amount: 758448}'])
    warning = next(f for f in findings_of(path) if f.code == "amount-looks-like-yuan")
    assert warning.severity is Severity.warning and "amount_unit: 元" in warning.fix and warning.line
    path = department(tmp_path / "b", ['{function: "2050201", economic: "30101", amount: 75.84}'],
                      extra="amount_unit: 元")
    assert "amount-looks-like-wan" in codes_of(findings_of(path))


def test_amount_unit_given_twice_differently_is_an_error(tmp_path):
    path = department(tmp_path / "d", ['{function: "2050201", economic: "30101", amount: 7.00}'],
                      extra="amount_unit: 元")
    (path / "more.yaml").write_text("amount_unit: 万元\n", encoding="utf-8")
    conflict = [f for f in findings_of(path) if f.code == "conflict"]
    assert conflict and conflict[0].file.endswith("more.yaml")


# --- 6. a unit's own 单位预算, and levels ----------------------------------------------------------------------

def test_a_one_unit_folder_renders_as_a_unit_budget(tmp_path):
    path = department(tmp_path / "u", ['{function: "2050201", economic: "30101", amount: 7.00}'],
                      options="{document: 单位预算}", level="区级", name="某区第一幼儿园")
    doc, _ = prepare(path)
    assert doc.title == "某区第一幼儿园本级2023年单位预算" and doc.kind == "单位预算"
    titles = [t.title for t in doc.tables()]
    assert titles[0] == "单位预算收支总表" and not any(t.startswith("部门") for t in titles)
    assert all(t.banner.code == "305001" for t in doc.tables() if t.kind.startswith("t"))
    assert main(["render", str(path), "--format", "html", "--out", str(tmp_path / "out")]) == 0
    html = (tmp_path / "out" / "u.html").read_text(encoding="utf-8")
    assert "2023年单位预算</h1>" in html and "（单位预算信息公开）" in html
    assert "第一部分" not in html and "部门预算公开表" not in html
    assert "单位预算信息公开情况说明" in html and "目前我区单位预算的编制" in html


@pytest.mark.parametrize("level,name,word", [("区级", "某区财政局", "我区"), ("乡镇级", "某镇人民政府", "我镇"),
                                             ("乡镇级", "某乡人民政府", "我乡"), ("市级", "某市财政局", "我市")])
def test_levels_word_the_government(tmp_path, level, name, word):
    path = department(tmp_path / "d", ['{function: "2010601", economic: "30101", amount: 7.00}'], level=level,
                      name=name)
    doc, _ = prepare(path)
    text = " ".join(b.text for b in doc.blocks if hasattr(b, "text"))
    gov = "乡镇" if level == "乡镇级" else level
    assert f"目前{word}部门预算" in text and f"指{gov}财政当年拨付的资金" in text


# --- 7. per-unit last-year figures -------------------------------------------------------------------------

UNITS = """\
  - code: "305002"
    name: 某县第一中学
    nature: 事业
    basic:
      - {function: "2050203", economic: "30101", amount: 50.00}
    last_year: {basic: 40.00, project: 0}
    reasons: {basic: 主要是新增教师工资}
"""


def test_units_compare_with_their_own_last_year(tmp_path):
    path = department(tmp_path / "d", ['{function: "2050201", economic: "30101", amount: 7.00}'], units=UNITS)
    doc, _ = prepare(path)
    text = "\n".join(b.text for b in doc.blocks if hasattr(b, "text"))
    assert "较2022年预算40.00万元增加10.00万元" in text and "基本支出增加10.00万元，主要是新增教师工资" in text
    assert text.count("本单位无上年预算数据可供比较") == 1  # 305001 gave none


def test_department_last_year_is_the_sum_of_its_units_when_each_gives_one(tmp_path):
    units = UNITS + "    \n"
    path = department(tmp_path / "d", ['{function: "2050201", economic: "30101", amount: 7.00}'], units=units)
    text = (path / "department.yaml").read_text(encoding="utf-8")
    text = text.replace("    nature: 行政\n", "    nature: 行政\n    last_year: {basic: 5.00, project: 1.00}\n", 1)
    (path / "department.yaml").write_text(text, encoding="utf-8")
    doc, _ = prepare(path)
    text = "\n".join(b.text for b in doc.blocks if hasattr(b, "text"))
    assert "较2022年预算46.00万元增加11.00万元" in text  # 57.00 against 45.00 + 1.00


# --- 8. every finding at once ---------------------------------------------------------------------------------

def test_a_broken_file_does_not_hide_the_other_files_findings(tmp_path):
    path = department(tmp_path / "d", ['{function: "2013101", economic: "30201", amount: 3.00}'])
    (path / "projects").mkdir()
    (path / "projects" / "a.yaml").write_text("projects:\n  - name: 甲\n    function: \"2013101\"\n"
                                              "    amount: 1.005\n", encoding="utf-8")
    (path / "projects" / "b.yaml").write_text("projects:\n  - name: 乙\n    function: \"2013188\"\n"
                                              "    amount: 2.00\n    indicators:\n"
                                              "      - {level1: 产出指标, level2: 数量指标, name: 数量, value: 105%}\n",
                                              encoding="utf-8")
    (path / "projects" / "c.yaml").write_text("projects:\n  - name: 丙\n  function: x\n", encoding="utf-8")
    findings = findings_of(path)
    by_file = {(Path(f.file).name, f.code) for f in findings}
    assert ("a.yaml", "schema-decimal_max_places") in by_file  # the decimal error of a.yaml
    assert ("b.yaml", "unknown-function-code") in by_file  # a code in another file
    assert ("b.yaml", "percent-over-100") in by_file  # a meaning check, despite the unknown code
    assert ("c.yaml", "yaml-syntax") in by_file  # the structure error
    assert any(f.code == "missing-last-year" for f in findings)  # the department's own warnings too


def test_a_county_folder_with_its_catalog_file_renders_each_department(tmp_path, capsys):
    county = tmp_path / "全县"
    county.mkdir()
    (county / "科目补充.yaml").write_text('function:\n  "21298": 地方城乡社区专项\n  "2129801": 老旧小区改造\n',
                                         encoding="utf-8")
    for name in ("甲局", "乙局"):  # two departments (the same code and name twice would be a duplicate)
        department(county / name, ['{function: "2129801", economic: "30201", amount: 3.00}'], year=2029,
                   name=f"某县{name}")
    assert main(["render", str(county), "--format", "json", "--out", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").rglob("*.json")) == sorted(["甲局.json", "乙局.json"])
    err = capsys.readouterr().err
    assert err.count("暂按 2027 年科目表（暂定）") == 2  # each department's stand-in list is named


def test_new_year_of_a_yuan_department_writes_last_year_in_yuan(tmp_path, capsys):
    path = department(tmp_path / "d-2023", YUAN_LINES, extra="amount_unit: 元", units=UNITS.replace(
        "amount: 50.00", "amount: 500000.00").replace("{basic: 40.00, project: 0}", "{basic: 400000.00, project: 0}"))
    assert main(["new-year", str(path)]) == 0
    out = capsys.readouterr().out
    text = (tmp_path / "d-2024" / "department.yaml").read_text(encoding="utf-8")
    # 123456.78 + 100000.01 元 of 30101/30102 and 500000.00 of 30101 are 人员经费; 5000.00 of 30201 公用经费
    assert "    personnel: 723456.79\n" in text and "    public: 5000.00\n" in text
    assert "某县第一中学（department.yaml）" in out  # its own last_year is now stale: said
    assert main(["validate", str(tmp_path / "d-2024")]) == 0


def test_a_county_department_of_misnamed_files_is_named_not_skipped(tmp_path, capsys):
    county = tmp_path / "全县"
    good = department(county / "甲局", ['{function: "2013101", economic: "30201", amount: 3.00}'])
    bad = department(county / "乙局", ['{function: "2013101", economic: "30201", amount: 3.00}'])
    (bad / "department.yaml").rename(bad / "department.yaml.txt")
    assert main(["check", str(county), "--out", str(tmp_path / "report"), "--format", "json"]) == 1
    data = json.loads((tmp_path / "report" / "check-report.json").read_text(encoding="utf-8"))
    paths = {Path(d["path"]).name: d for d in data["departments"]}
    assert set(paths) == {"甲局", "乙局"} and paths["乙局"]["status"] == "失败" and good.exists()
    assert "department.yaml.txt" in json.dumps(paths["乙局"], ensure_ascii=False)


def test_new_year_draft_cannot_pass_for_a_finished_document(tmp_path, capsys):
    import shutil

    from render_util import SAMPLES

    shutil.copytree(SAMPLES / "julu-2023", tmp_path / "julu-2023")
    assert main(["new-year", str(tmp_path / "julu-2023")]) == 0
    nxt = tmp_path / "julu-2024"
    text = (nxt / "department.yaml").read_text(encoding="utf-8")
    assert "\ndraft: 由 2023 年数据生成" in text
    _, findings = validate(nxt)
    codes = codes_of(findings)
    assert "draft" in codes and "draft-assets" in codes
    dated = [f for f in findings if f.code == "draft-dated-text"]
    assert dated and all("2023 年" in f.message and f.line for f in dated)
    assert main(["render", str(nxt), "--format", "html", "--out", str(tmp_path / "out")]) == 0
    assert "草稿：由 budgetgen new-year 生成，尚未核对，不得公开" in (tmp_path / "out" / "julu-2024.html").read_text(
        encoding="utf-8")
    # the clerk has been through it and deletes the line: the draft warnings and the cover line go
    (nxt / "department.yaml").write_text(text.replace(text[text.index("draft:"):text.index("\n", text.index("draft:")) + 1], ""),
                                         encoding="utf-8")
    _, findings = validate(nxt)
    assert not {"draft", "draft-assets", "draft-dated-text"} & set(codes_of(findings))
