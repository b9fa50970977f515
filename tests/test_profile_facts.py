"""The facts jurisdiction profiles need (issue 13), each optional: 单位预留机动经费 (a spending kind), income
sub-sources on lines, 机关运行经费 by economic 款, procurement by category and organisation form with the SME
reserve, vehicles by use and equipment ≥ 100 万元. Each is accepted, summed once per scope (the department = the
sum of its units), checked with positioned Chinese findings and fixes, converted exactly from 元; the samples,
which give none of them, are unchanged."""

from __future__ import annotations

import re
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from budgetgen.analysis import analyse
from budgetgen.analysis.sums import SPENDING_USES, VEHICLE_USES
from budgetgen.errors import Severity
from budgetgen.pipeline import examine, prepare
from render_util import SAMPLES

# Two units: 320001 (行政) and 320002 (事业); every new fact in both, so the department sums them.
DEPARTMENT = """\
budget_year: 2023
level: 省级
{extra}
department:
  code: "320"
  name: 江苏省某厅
  duties: [负责全省某项事务]
  last_year: {{basic: 100.00, project: 50.00}}
  reasons: {{total: 调整, basic: 调整, project: 调整}}
units:
  - code: "320001"
    name: 江苏省某厅本级
    nature: 行政
    basic:
      - {{function: "2013101", economic: "30101", amount: 40.00, sub_source: 公共财政拨款（补助）资金}}
      - {{function: "2013101", economic: "30201", amount: 6.00, sub_source: 公共财政拨款（补助）资金}}
      - {{function: "2013101", economic: "30231", amount: 2.50, sub_source: 专项收入}}
      - {{function: "2013101", economic: "30201", amount: 3.00, source: 财政专户管理资金, sub_source: 专户管理教育收费}}
      - {{function: "2013101", amount: 5.00, kind: 单位预留机动经费, sub_source: 公共财政拨款（补助）资金}}
    procurement:
      - {{project: 信息系统运维, item: 运维服务, amount: 8.00, category: 服务, form: 集中采购, sme_reserved: 4.00}}
      - {{project: 信息系统运维, item: 服务器, amount: 2.00, category: 货物, form: 分散采购}}
    assets:
      vehicles: 5
      vehicles_value: 80.00
      vehicles_by_use: {{leaders: 1, confidential: 1, enforcement: 3}}
      equipment: 4
      equipment_value: 300.00
      large_equipment: 1
      large_equipment_value: 120.00
  - code: "320002"
    name: 江苏省某中心
    nature: 参公
    basic:
      - {{function: "2013150", economic: "30101", amount: 20.00, sub_source: 公共财政拨款（补助）资金}}
      - {{function: "2013150", economic: "30213", amount: 1.50, sub_source: 公共财政拨款（补助）资金}}
      - {{function: "2013150", economic: "30201", amount: 2.00, source: 财政专户管理资金, sub_source: 其他非税收入}}
      - {{function: "2013150", amount: 1.00, kind: 单位预留机动经费, sub_source: 专项收入}}
      - {{function: "2013150", economic: "30201", amount: 4.00, source: 事业收入}}
    procurement:
      - {{project: 监测设备购置, item: 监测设备, amount: 30.00, category: 货物, form: 部门集中采购, sme_reserved: 12.00}}
      - {{project: 监测设备购置, item: 安装工程, amount: 5.00, category: 工程, form: 集中采购, sme_reserved: 5.00}}
    assets:
      vehicles_by_use: {{emergency: 2, other: 1}}
      vehicles_value: 30.00
      equipment: 2
      large_equipment: 0
projects:
  - name: 信息系统运维
    unit: "320001"
    function: "2013105"
    economic: "30227"
    source: 一般公共预算
    sub_source: 专项收入
    amounts:
      - {{amount: 10.00}}
      - {{amount: 2.00, source: 财政专户管理资金, sub_source: 专户管理教育收费}}
  - name: 监测设备购置
    unit: "320002"
    function: "2013105"
    economic: "31003"
    amount: 40.00
    sub_source: 公共财政拨款（补助）资金
"""

W, E = Severity.warning, Severity.error


def write(folder: Path, text: str = DEPARTMENT, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "department.yaml").write_text(text.format(extra=extra), encoding="utf-8")
    return folder


def examined(path: Path):
    result = examine(path)
    assert result.budget is not None and result.analysis is not None, result.findings
    return result


def coded(findings, code: str) -> list:
    return [f for f in findings if f.code == code]


def line_of(path: Path, needle: str, nth: int = 0) -> int:
    """The 1-based line of the nth line of department.yaml that contains needle."""
    lines = [i for i, text in enumerate((path / "department.yaml").read_text(encoding="utf-8").splitlines(), 1)
             if needle in text]
    return lines[nth]


@pytest.fixture
def dept(tmp_path) -> Path:
    return write(tmp_path / "dept")


# --- accepted ----------------------------------------------------------------------------------------------------

def test_every_new_fact_is_accepted_and_renders(dept):
    doc, findings = prepare(dept)  # raises on any error
    assert not [f for f in findings if f.severity is E]
    # the nine (Hebei) tables have no reserve column: said once, at the first reserve line, with a fix
    [note] = coded(findings, "reserve-not-printed")
    assert note.severity is W and note.line == line_of(dept, "单位预留机动经费") and "江苏" in note.fix
    assert "6.00 万元（共 2 笔）" in note.message
    # the department's income is itemised only in part for 一般公共预算? no: every line of it has a sub-source
    assert not coded(findings, "sub-source-partial")
    assert doc.tables()


def test_a_reserve_needs_no_economic_code_but_a_basic_line_does(tmp_path):
    path = write(tmp_path / "d", DEPARTMENT.replace('{function: "2013101", economic: "30201", amount: 6.00',
                                                    '{function: "2013101", amount: 6.00'))
    findings = examined(path).findings
    [missing] = coded(findings, "missing-economic")
    assert missing.line == line_of(path, '{function: "2013101", amount: 6.00')
    assert not [f for f in findings if f.code == "missing-economic" and "机动" in f.message]


# --- summed once per scope: the department is the sum of its units ---------------------------------------------------

def test_each_fact_is_summed_per_scope_and_the_department_is_the_sum_of_its_units(dept):
    result = examined(dept)
    analysis = result.analysis
    dept_scope = analysis.department
    units = [analysis.unit(code) for code in ("320001", "320002")]

    def summed(get):
        out: dict = {}
        for scope in units:
            for key, value in get(scope).items():
                out[key] = out.get(key, 0) + value
        return {k: v for k, v in out.items() if v}

    def nonzero(d):
        return {k: v for k, v in d.items() if v}

    for get in (lambda s: s.spending_by_use, lambda s: s.running_by_economic,
                lambda s: s.procurement.by_category, lambda s: s.procurement.by_form,
                lambda s: s.procurement.by_category_form, lambda s: s.procurement.sme_by_category,
                lambda s: s.assets.vehicles_by_use):
        assert nonzero(get(dept_scope)) == summed(get)

    assert list(dept_scope.spending_by_use) == list(SPENDING_USES)
    assert dept_scope.spending_by_use["单位预留机动经费"] == 6
    assert dept_scope.spending_by_use["项目支出"] == 52
    assert sum(dept_scope.spending_by_use.values()) == dept_scope.figures.spending_total
    assert dept_scope.figures.other_kinds == {"单位预留机动经费": 6}  # neither 基本 nor 项目: the notes name it
    assert dept_scope.figures.basic == Decimal("40.00") + 6 + Decimal("2.50") + 3 + 20 + Decimal("1.50") + 2 + 4


def test_sub_sources_are_itemised_in_jiangsu_t2(dept):
    """The department's income by sub-source, as 江苏省级's 收入预算总表 prints it (its rows pick the ledger's facts by
    source and sub-source), added by hand from DEPARTMENT above."""
    (dept / "公开格式.yaml").write_text("profile: 江苏省级\n", encoding="utf-8")
    t2 = next(t for t in prepare(dept)[0].tables() if t.kind == "t2")
    by = {row.cells[0].value: row.cells[1].value for row in t2.rows}
    assert by["公共财政拨款（补助）资金"] == Decimal("40.00") + 6 + 5 + 20 + Decimal("1.50") + 40 == Decimal("112.50")
    assert by["专项收入"] == Decimal("2.50") + 1 + 10
    assert by["一、一般公共预算资金"] == Decimal("126.00")
    assert by["专户管理教育收费"] == Decimal("3.00") + 2
    assert by["其他非税收入"] == Decimal("2.00")
    assert by["事业收入"] == Decimal("4.00")
    assert by["合计"] == Decimal("137.00")


def test_running_costs_are_per_economic_kuan_of_administrative_units_basic_spending(dept):
    analysis = examined(dept).analysis
    scope = analysis.department
    # 行政 and 参公 units, basic spending (not the reserve, not projects), non-personnel 款, in code order
    assert scope.running_by_economic == {"30201": Decimal("15.00"), "30213": Decimal("1.50"), "30231": Decimal("2.50")}
    assert scope.figures.running == sum(scope.running_by_economic.values())
    assert [a for _, a in scope.figures.running_uses] == list(scope.running_by_economic.values())
    assert analysis.unit("320002").running_by_economic == {"30201": Decimal("6.00"), "30213": Decimal("1.50")}
    assert scope.running.total() == scope.figures.running


def test_procurement_by_category_and_form_with_the_sme_reserve(dept):
    procurement = examined(dept).analysis.department.procurement
    assert procurement.by_category == {"服务": 8, "货物": 32, "工程": 5}
    assert sum(procurement.by_category.values()) == procurement.total
    assert procurement.by_form == {"集中采购": 13, "分散采购": 2, "部门集中采购": 30}
    assert procurement.by_category_form[("货物", "部门集中采购")] == 30
    assert procurement.sme_by_category == {"服务": 4, "货物": 12, "工程": 5}
    assert sum(procurement.sme_by_category.values()) == procurement.sme == 21


def test_vehicles_by_use_and_large_equipment_sum_over_units(dept):
    analysis = examined(dept).analysis
    assets = analysis.department.assets
    assert list(assets.vehicles_by_use) == list(VEHICLE_USES)
    assert assets.vehicles_by_use == {"minister": 0, "leaders": 1, "confidential": 1, "emergency": 2,
                                      "enforcement": 3, "special": 0, "retired": 0, "other": 1}
    # 320002 gives its vehicles by use only: its count is their sum
    assert analysis.unit("320002").assets.fields["vehicles"] == 3
    assert assets.fields["vehicles"] == 8 == sum(assets.vehicles_by_use.values())
    assert assets.fields["large_equipment"] == 1 and assets.fields["large_equipment_value"] == 120
    assert assets.value == 80 + 30 + 300  # 资产总额 unchanged: ≥ 100 万元 equipment is part of equipment_value


# --- bad values: positioned, with a fix ------------------------------------------------------------------------------

@pytest.mark.parametrize("old,new,code,needle,words", [
    # schema errors: the loader positions them like any field
    ("kind: 单位预留机动经费, sub_source: 专项收入", "kind: 单位机动经费, sub_source: 专项收入", "schema-enum",
     "单位机动经费", "单位预留机动经费"),
    ("category: 工程", "category: 工程类", "schema-enum", "工程类", "工程"),
    ("form: 部门集中采购", "form: 部门采购", "schema-enum", "部门采购", "部门集中采购"),
    ("leaders: 1,", "leader: 1,", "schema-extra_forbidden", "leader: 1", "leaders"),
    ("emergency: 2", "emergency: -2", "schema-greater_than_equal", "emergency: -2", ""),
    ("large_equipment: 0", "large_equipment: 很多", "schema-int_parsing", "large_equipment: 很多", ""),
    # the checks
    ("sub_source: 其他非税收入", "sub_source: 其它非税收入", "unknown-sub-source", "其它非税收入", "其他非税收入"),
    ('source: 事业收入}', 'source: 事业收入, sub_source: 教育收费}', "unknown-sub-source",
     "sub_source: 教育收费", "删除 sub_source"),
    ('amount: 3.00, source: 财政专户管理资金, sub_source: 专户管理教育收费',
     'amount: 3.00, source: 财政专户管理资金, sub_source: 专项收入', "unknown-sub-source", "amount: 3.00, source",
     "source: 一般公共预算"),
    ("sme_reserved: 4.00", "sme_reserved: 9.00", "sme-over-amount", "sme_reserved: 9.00", "sme_reserved"),
    ("enforcement: 3}", "enforcement: 2}", "vehicles-by-use-sum", "vehicles_by_use: {leaders", "vehicles"),
    ("large_equipment: 0", "large_equipment: 3", "large-equipment-over", "large_equipment: 3", "equipment"),
    ("large_equipment_value: 120.00", "large_equipment_value: 320.00", "large-equipment-over",
     "large_equipment_value: 320", "equipment_value"),
])
def test_a_bad_value_is_an_error_at_its_line_with_a_fix(tmp_path, old, new, code, needle, words):
    assert old in DEPARTMENT
    path = write(tmp_path / "d", DEPARTMENT.replace(old, new, 1))
    findings = examined(path).findings
    [finding] = coded(findings, code)
    assert finding.severity is E
    assert finding.line == line_of(path, needle), finding
    assert finding.file.endswith("department.yaml")
    assert words in finding.fix, finding
    if not code.startswith("schema-"):
        assert finding.fix and finding.message


def test_a_project_sub_source_is_checked_where_it_is_written(tmp_path):
    # the shorthand: at the project's own sub_source
    path = write(tmp_path / "a", DEPARTMENT.replace("    amount: 40.00\n    sub_source: 公共财政拨款（补助）资金",
                                                    "    amount: 40.00\n    sub_source: 专项资金"))
    [finding] = coded(examined(path).findings, "unknown-sub-source")
    assert finding.line == line_of(path, "sub_source: 专项资金") and finding.path.endswith("sub_source")
    assert "专项收入" in finding.fix  # the nearest allowed one
    # amounts lines that take it: at the project's line, once per taking line; a line with its own source keeps its own
    path = write(tmp_path / "b", DEPARTMENT.replace("    sub_source: 专项收入\n    amounts:",
                                                    "    sub_source: 专项经费\n    amounts:"))
    found = coded(examined(path).findings, "unknown-sub-source")
    assert [f.line for f in found] == [line_of(path, "sub_source: 专项经费")]


def test_a_line_with_another_source_does_not_take_the_projects_sub_source(dept):
    budget = examined(dept).budget
    project = budget.projects[0]
    assert [line.sub_source for line in project.lines()] == ["专项收入", "专户管理教育收费"]
    assert "sub_source" in project.lines()[0]._inherited and "sub_source" not in project.lines()[1]._inherited


def test_warnings_with_fixes_for_facts_given_in_part(tmp_path):
    text = (DEPARTMENT.replace(", category: 货物, form: 分散采购", "")
            .replace('amount: 20.00, sub_source: 公共财政拨款（补助）资金', 'amount: 20.00'))
    text = text.replace('{function: "2013150", amount: 1.00, kind: 单位预留机动经费, sub_source: 专项收入}',
                        '{function: "2013150", economic: "30101", amount: 1.00, kind: 单位预留机动经费}')
    path = write(tmp_path / "d", text)
    findings = examined(path).findings
    assert not [f for f in findings if f.severity is E]
    [partial] = coded(findings, "sub-source-partial")
    assert partial.severity is W and partial.line == line_of(path, "amount: 20.00")
    assert "共 2 笔、21.00 万元" in partial.message and "公共财政拨款（补助）资金" in partial.fix
    for name in ("category", "form"):
        [part] = coded(findings, f"procurement-partial-{name}")
        assert part.severity is W and part.line == line_of(path, "item: 服务器") and name in part.fix
    [personnel] = coded(findings, "reserve-personnel")
    assert personnel.line == line_of(path, 'economic: "30101", amount: 1.00') and "基本支出" in personnel.fix
    # a carried-over line's sub-source prints nowhere
    path = write(tmp_path / "c", DEPARTMENT.replace("amount: 2.00, source: 财政专户管理资金, sub_source: 其他非税收入",
                                                    "amount: 2.00, source: 财政专户管理资金, sub_source: 其他非税收入, "
                                                    "carryover: true"))
    [carried] = coded(examined(path).findings, "sub-source-carryover")
    assert carried.severity is W and carried.line == line_of(path, "carryover: true")


# --- 元 ----------------------------------------------------------------------------------------------------------------

def test_yuan_input_is_converted_exactly(tmp_path):
    wan = examined(write(tmp_path / "wan")).analysis
    # every amount ×10⁴ (万元 figures with two decimals are whole 元), then a few that are not whole 万元
    text = re.sub(r"(amount|vehicles_value|sme_reserved): ([0-9]+\.[0-9]{2})(?=[},\n])",
                  lambda m: f"{m.group(1)}: {Decimal(m.group(2)) * 10000:.2f}", DEPARTMENT)
    text = (text.replace("large_equipment_value: 120.00", "large_equipment_value: 1234567.89")
            .replace("equipment_value: 300.00", "equipment_value: 3000000.01")
            .replace("sme_reserved: 40000.00", "sme_reserved: 40000.07"))
    assert text.count("1234567.89") == text.count("3000000.01") == text.count("40000.07") == 1
    yuan = examined(write(tmp_path / "yuan", text, extra="amount_unit: 元")).analysis
    assets = yuan.department.assets
    assert assets.fields["large_equipment_value"] == Decimal("123.456789")
    assert assets.fields["equipment_value"] == Decimal("300.000001")
    assert yuan.department.procurement.sme_by_category["服务"] == Decimal("4.000007")
    assert yuan.department.procurement.sme == Decimal("21.000007")
    for get in (lambda s: s.spending_by_use, lambda s: s.running_by_economic,
                lambda s: s.procurement.by_category, lambda s: s.procurement.by_form):
        assert get(yuan.department) == get(wan.department)


# --- the samples give none of them and are unchanged -------------------------------------------------------------

@pytest.mark.parametrize("name", ["julu-2023", "wei-2021"])
def test_the_samples_give_no_new_facts(name):
    result = examined(SAMPLES / name)
    scope = result.analysis.department
    assert all(fact.sub_source is None for fact in scope.ledger.facts)
    assert scope.spending_by_use["单位预留机动经费"] == 0
    assert set(scope.procurement.by_category) <= {None} and set(scope.procurement.by_form) <= {None}
    assert scope.assets.vehicles_by_use is None and scope.assets.fields["large_equipment"] is None
    assert not [f for f in result.findings if f.code in {
        "reserve-not-printed", "unknown-sub-source", "sub-source-partial", "procurement-partial-category",
        "procurement-partial-form", "vehicles-by-use-sum", "large-equipment-over", "sme-over-amount"}]
    assert scope.figures.running == sum(scope.running_by_economic.values())


def test_the_readme_examples_of_the_new_fields_validate(tmp_path):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- profile-facts -->")[1].split("```yaml\n")[1].split("```")[0]
    path = tmp_path / "readme"
    path.mkdir()
    (path / "department.yaml").write_text(textwrap.dedent(block), encoding="utf-8")
    result = examined(path)
    assert not [f for f in result.findings if f.severity is E], result.findings
    analysis = analyse(result.budget)
    assert analysis.department.spending_by_use["单位预留机动经费"] > 0
    assert analysis.department.assets.vehicles_by_use is not None
