"""Positions are kept and read in one module (budgetgen.model.positions), through its public accessor."""

from __future__ import annotations

import re
from pathlib import Path

from budgetgen.errors import Severity
from budgetgen.model import loader
from budgetgen.model.budget import Line
from budgetgen.model.positions import Position, position_in_file, position_of

PACKAGE = Path(__file__).resolve().parents[1] / "budgetgen"

TEXT = """\
budget_year: 2023
department:
  code: "305"
  name: 某县教育局
units:
  - code: "305001"
    name: 某县教育局本级
    nature: 行政
    basic:
      - {function: "2050101", economic: "30101", amount: 10.00}
projects:
  - name: 测试项目
    function: "2050101"
    economic: "30299"
    amount: 5.00
    goals: [完成工作, 按期完成]
"""


def loaded(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(TEXT, encoding="utf-8")
    lf, findings = loader.load_file(path, "d.yaml")
    assert lf.fragment is not None, findings
    return lf.fragment


def test_position_of_an_object_and_of_its_fields(tmp_path):
    frag = loaded(tmp_path)
    unit, project = frag.units[0], frag.projects[0]
    assert position_of(unit) == Position("d.yaml", 6, 5, "units[0]")
    assert position_of(unit, "name") == Position("d.yaml", 7, 11, "units[0].name")
    assert position_of(unit.basic[0], "amount") == Position("d.yaml", 10, 58, "units[0].basic[0].amount")
    assert position_of(project, ("goals", 1)) == Position("d.yaml", 16, 19, "projects[0].goals[1]")
    # a field the file leaves out (a default) stands where its object does
    assert position_of(project, "carryover") == Position("d.yaml", 12, 5, "projects[0].carryover")
    assert position_of(frag.department).file == "d.yaml" and position_of(frag.department).line == 3


def test_position_in_the_same_file(tmp_path):
    frag = loaded(tmp_path)
    assert position_in_file(frag.department, ("budget_year",)) == Position("d.yaml", 1, 14, "budget_year")


def test_a_shorthand_line_stands_where_its_project_does(tmp_path):
    project = loaded(tmp_path).projects[0]
    assert position_of(project.lines()[0], "amount") == position_of(project, "amount")


def test_an_object_built_in_code_has_no_position():
    line = Line(function="2050101", economic="30101", amount="1.00")
    assert position_of(line) is None and position_of(line, "amount") is None
    assert position_in_file(line, ("budget_year",)) is None


def test_a_position_makes_a_finding():
    f = Position("d.yaml", 3, 5, "department.name").finding(Severity.warning, "名称过长", "写简称", "long")
    assert (f.file, f.line, f.column, f.path, f.fix, f.code) == ("d.yaml", 3, 5, "department.name", "写简称", "long")
    assert f.render() == "d.yaml:3:5: 警告：[department.name] 名称过长（建议：写简称）"


def test_no_module_reads_positions_but_through_the_accessor():
    readers = [str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.rglob("*.py"))
               if p.name != "positions.py" and re.search(r"\._at\b", p.read_text(encoding="utf-8"))]
    assert readers == [], "位置只能通过 budgetgen.model.positions 读取：" + "、".join(readers)
