"""Honest warnings about indicators and reasons (issue 15): unit-cost standards are not totals, a bare number as a
cost lacks its unit, >100% says how to fix it, a reason that goes the other way from the change is named."""

from __future__ import annotations

import pytest

from budgetgen.checks import check
from budgetgen.model.budget import Budget

PROJECT = {"name": "学生资助", "function": "2050202", "economic": "30308", "amount": "60.00", "goals": ["资助学生"]}


def budget(cost_value: str, **dept) -> Budget:
    project = dict(PROJECT, indicators=[
        {"level1": "产出指标", "level2": "数量指标", "name": "资助人数", "description": "人数", "value": "≥1000人",
         "basis": "计划"},
        {"level1": "产出指标", "level2": "成本指标", "name": "资助标准", "description": "标准", "value": cost_value,
         "basis": "文件"},
        {"level1": "效益指标", "level2": "社会效益指标", "name": "保障", "description": "保障", "value": "有效",
         "basis": "计划"},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度", "description": "满意度",
         "value": "≥90%", "basis": "调查"}])
    department = {"code": "305", "name": "某县教育局", "duties": ["负责教育"], **dept}
    return Budget.model_validate({
        "budget_year": 2023, "level": "县级", "department": department,
        "units": [{"code": "305001", "name": "某县教育局本级", "nature": "行政",
                   "basic": [{"function": "2050201", "economic": "30101", "amount": "10.00"}]}],
        "projects": [project]})


def codes(b: Budget) -> list[str]:
    return [f.code for f in check(b)]


@pytest.mark.parametrize("value", ["600元/生·年", "600元/人", "每生每年600元", "1200元／人·月"])
def test_a_unit_cost_standard_is_not_compared_with_the_total(value):
    assert "cost-mismatch" not in codes(budget(value))
    assert "cost-without-amount" not in codes(budget(value))


def test_a_total_that_differs_is_still_a_mismatch():
    assert "cost-mismatch" in codes(budget("59.00万元"))
    assert "cost-mismatch" not in codes(budget("60万元"))


def test_a_bare_number_as_cost_asks_for_its_unit():
    finding = next(f for f in check(budget("25")) if f.code == "cost-without-unit")
    assert "没有写明单位" in finding.message and "25万元" in finding.fix
    assert "cost-without-amount" not in codes(budget("25"))


def test_over_100_percent_says_how_to_fix():
    b = budget("60万元")
    b.projects[0].indicators[3].value = "105%"
    finding = next(f for f in check(b) if f.code == "percent-over-100")
    assert finding.fix and "100%" in finding.fix


def test_a_reason_that_goes_the_other_way_is_named():
    last = {"basic": "5.00", "project": "382.25"}
    b = budget("60万元", last_year=last, reasons={"project": "主要是新增校舍维修项目", "basic": "主要是人员增加"})
    found = [f for f in check(b) if f.code == "reason-against-change"]
    assert len(found) == 1 and "项目支出比上年减少322.25万元" in found[0].message and "新增校舍" in found[0].message
    b = budget("60万元", last_year=last, reasons={"total": "主要是城市更新项目增加", "basic": "人员增加"})
    found = [f for f in check(b) if f.code == "reason-against-change"]
    assert len(found) == 1 and "收支总额比上年减少317.25万元" in found[0].message
    b = budget("60万元", last_year=last, reasons={"project": "主要是压减一般性支出，新增项目减少", "basic": "人员增加"})
    assert "reason-against-change" not in codes(b)


def test_ordering_by_code_puts_uncoded_projects_last_and_says_so():
    from budgetgen.analysis.projects import ordered

    b = budget("60万元", options={"project_order": "编码"})
    b.projects.append(b.projects[0].model_copy(update={"name": "乙", "code": "A-002"}))
    b.projects.append(b.projects[0].model_copy(update={"name": "甲", "code": "A-001"}))
    assert [b.projects[i].name for i in ordered(b, [0, 1, 2])] == ["甲", "乙", "学生资助"]
    finding = next(f for f in check(b) if f.code == "project-without-code")
    assert "1 个项目没有编码" in finding.message and "学生资助" in finding.message


def test_code_format_errors_give_an_example_of_their_own_kind(tmp_path):
    from budgetgen.pipeline import validate

    path = tmp_path / "d.yaml"
    path.write_text('budget_year: 2023\ndepartment: {code: "305", name: 某局, duties: [负责]}\nunits:\n'
                    '  - code: "305001"\n    name: 某局本级\n    nature: 行政\n    basic:\n'
                    '      - {function: "2013101", economic: "3010", amount: 1.00}\n'
                    '      - {function: "201310", economic: "30101", amount: 1.005}\n', encoding="utf-8")
    findings = {f.path: f for f in validate(path)[1]}
    assert "如 30101" in findings["units[0].basic[0].economic"].fix
    assert "如 2013101" in findings["units[0].basic[1].function"].fix
    assert "amount_unit: 元" in findings["units[0].basic[1].amount"].fix


def test_cost_as_a_first_level_indicator_is_the_2021_framework_not_a_mistake():
    """成本指标 as a 一级指标 (经济成本指标 …) is accepted beside the older 产出指标 → 成本指标; a 二级指标 it does not
    hold is still named."""
    b = budget("50.00万元")
    cost = b.projects[0].indicators[1]
    cost.level1, cost.level2 = "成本指标", "经济成本指标"
    found = codes(b)
    assert not {"unknown-level1", "missing-cost", "level2-mismatch"} & set(found), found
    assert "missing-level1" not in found  # the older form never required it
    cost.level2 = "数量指标"
    assert "level2-mismatch" in codes(b)


def test_render_of_the_current_folder_names_files_after_it(tmp_path, monkeypatch):
    """`budgetgen render .` inside a department folder: the files carry the folder's name, not "disclosure"."""
    import shutil

    from budgetgen.cli import main
    from render_util import SAMPLES

    dept = tmp_path / "巨鹿"
    shutil.copytree(SAMPLES / "wei-2021", dept)
    monkeypatch.chdir(dept)
    assert main(["render", ".", "--format", "json", "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "巨鹿.json").is_file()
