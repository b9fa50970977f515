"""Compute once (issue 12): each command analyses a department once — the ledger from the budget once, each scope's
Analysis (ledger, figures, project totals, the tables' and charts' sums) at most once — and every reader (checks,
tables, notes, charts, the check report, new-year) gets the same objects."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgetgen import analysis as analysis_module
from budgetgen import batch, checks, compose, pipeline
from budgetgen.cli import main
from budgetgen.errors import Severity
from budgetgen.fmt import money
from render_util import SAMPLES

# A department of three units: 305002 compares with its own last year (the checks need its figures), the others
# do not; projects in two units (one with a procurement line), assets in two.
DEPARTMENT = """\
budget_year: 2023
level: 县级
department:
  code: "305"
  name: 某县教育局
  duties: [负责全县教育事业发展规划]
  options: {performance_layout: 详式}
  last_year: {personnel: 60.00, public: 10.00, project: 20.00}
  reasons: {total: 主要是人员增加, personnel: 人员增加, public: 公用经费调整, project: 新增项目}
units:
  - code: "305001"
    name: 某县教育局本级
    nature: 行政
    assets: {buildings_area: 1200, buildings_value: 300.00, vehicles: 2, vehicles_value: 40.00}
    procurement:
      - {project: 校舍维修, item: 维修服务, amount: 8.00}
    basic:
      - {function: "2050101", economic: "30101", amount: 40.00}
      - {function: "2050101", economic: "30201", amount: 6.00}
      - {function: "2050101", economic: "30217", amount: 1.00}
      - {function: "2080505", economic: "30108", amount: 5.00}
  - code: "305002"
    name: 某县第一中学
    nature: 事业
    assets: {other_value: 12.50, planned_purchase: 3.00}
    basic:
      - {function: "2050203", economic: "30101", amount: 50.00}
    last_year: {basic: 40.00, project: 0}
    reasons: {basic: 主要是新增教师工资, project: 新增项目}
  - code: "305003"
    name: 某县第二中学
    nature: 事业
    basic:
      - {function: "2050203", economic: "30101", amount: 20.00}
projects:
  - name: 校舍维修
    unit: "305001"
    function: "2050299"
    economic: "30213"
    amount: 10.00
    goals: [完成校舍维修]
  - name: 教师培训
    unit: "305002"
    function: "2050803"
    economic: "30216"
    amounts:
      - {amount: 4.00}
      - {amount: 1.50, source: 事业收入}
    goals: [完成教师培训]
"""
UNITS = 3


@pytest.fixture
def department(tmp_path) -> Path:
    folder = tmp_path / "jiaoyu-2023"
    folder.mkdir()
    (folder / "department.yaml").write_text(DEPARTMENT, encoding="utf-8")
    return folder


class Count:
    """Every Analysis made (its scope: the codes of its units), every ledger made from a budget, every set of
    figures and of project totals computed, and the BudgetAnalysis objects the pipeline made."""

    def __init__(self, monkeypatch):
        self.scopes: list[tuple[str, ...]] = []
        self.made: list = []
        self.ledgers = self.figures = self.totals = 0
        self.budget_analyses: list = []
        init = analysis_module.Analysis.__init__

        def counted_init(this, budget, units, *args, **kwargs):
            self.scopes.append(tuple(u.code for u in units))
            init(this, budget, units, *args, **kwargs)
            self.made.append(this)

        monkeypatch.setattr(analysis_module.Analysis, "__init__", counted_init)
        for name in ("facts_of", "figures_of", "project_totals"):
            monkeypatch.setattr(analysis_module, name, self._counted(name, getattr(analysis_module, name)))
        analyse = pipeline.analyse

        def counted_analyse(budget, *args):
            self.budget_analyses.append(analyse(budget, *args))
            return self.budget_analyses[-1]

        monkeypatch.setattr(pipeline, "analyse", counted_analyse)

    def _counted(self, name, function):
        attr = {"facts_of": "ledgers", "figures_of": "figures", "project_totals": "totals"}[name]

        def counted(*args, **kwargs):
            setattr(self, attr, getattr(self, attr) + 1)
            return function(*args, **kwargs)

        return counted

    def assert_once(self, scopes: int) -> None:
        """Each scope once, `scopes` of them; one ledger and one set of project totals for the department."""
        assert len(self.scopes) == len(set(self.scopes)), f"a scope analysed twice: {self.scopes}"
        assert len(self.scopes) == scopes, self.scopes
        assert self.figures == scopes
        assert self.ledgers == 1 and self.totals == 1
        assert len(self.budget_analyses) == 1


def test_validate_analyses_the_department_and_only_the_units_the_checks_need(department, monkeypatch, capsys):
    count = Count(monkeypatch)
    seen = []
    check_texts = checks.check_texts
    monkeypatch.setattr(checks, "check_texts", lambda budget, a: seen.append(a) or check_texts(budget, a))
    assert main(["validate", str(department)]) == 0
    count.assert_once(2)  # the department, and 305002 whose own last year the checks compare with
    assert count.scopes == [("305001", "305002", "305003"), ("305002",)]
    assert seen == count.budget_analyses  # the checks read the pipeline's analysis


def test_render_analyses_each_scope_once_and_every_reader_gets_its_figures(department, tmp_path, monkeypatch):
    count = Count(monkeypatch)
    notes_figures = []
    render_notes = compose.render_notes

    def recorded(env, text, figures, *args):
        notes_figures.append(figures)
        return render_notes(env, text, figures, *args)

    monkeypatch.setattr(compose, "render_notes", recorded)
    doc, findings = pipeline.prepare(department)
    assert not [f for f in findings if f.severity is Severity.error]
    count.assert_once(1 + UNITS)
    made = count.budget_analyses[0]
    scopes = [made.department] + [made.unit(code) for code in ("305001", "305002", "305003")]
    assert {id(s) for s in count.made} == {id(s) for s in scopes}  # asking again makes nothing new
    assert len(notes_figures) == len(scopes)
    assert all(a is s.figures for a, s in zip(notes_figures, scopes))  # the same objects
    # the sums every part of the document shows are the analysis' own: table 1, the charts, performance, assets
    tables = {b.id: b for b in doc.blocks if hasattr(b, "rows")}
    dept = made.department
    t1 = tables["d305-t1"]
    assert t1.rows[0].cells[2].value is dept.income[0][1]
    charts = {b.id: b for b in doc.blocks if type(b).__name__ == "Chart"}
    spending = {made.catalog.function_name(code): amount for code, amount in dept.spending_by_class.items()}
    assert len(charts["d305-chart-spending"].items) == 2
    assert all(amount is spending[name] for name, amount in charts["d305-chart-spending"].items)
    income = dict(dept.income, 上年结转=dept.figures.carryover)
    assert len(charts["d305-chart-income"].items) == 2
    assert all(amount is income[name] for name, amount in charts["d305-chart-income"].items)
    perf = next(b for b in doc.blocks if getattr(b, "id", "").startswith("u305002-perf-"))
    assert perf.lead[1][2].value is made.unit("305002").project_totals[1].total
    assets = tables["d305-assets"]
    assert assets.rows[0].cells[2].value is dept.assets.value == dept.figures.assets_total


def test_check_report_reads_the_figures_the_checks_computed(department, monkeypatch):
    count = Count(monkeypatch)
    outcome = batch.check_one(batch.Department(department, Path(".")))
    assert not outcome.failed, outcome.failure
    count.assert_once(2)
    figures = count.budget_analyses[0].department.figures
    assert outcome.figures["total"] == money(figures.spending_total)
    assert outcome.figures["sangong"] == money(figures.sangong["sangong"])


def test_new_year_reads_the_figures_the_checks_computed(department, monkeypatch, capsys):
    count = Count(monkeypatch)
    assert main(["new-year", str(department)]) == 0
    count.assert_once(2)
    figures = count.budget_analyses[0].department.figures
    text = (department.parent / "jiaoyu-2024" / "department.yaml").read_text(encoding="utf-8")
    assert f"personnel: {money(figures.personnel)}" in text and f"project: {money(figures.project)}" in text


def test_a_one_unit_department_is_analysed_once(monkeypatch):
    """The unit of a one-unit department is the department: one analysis serves parts 1 and 2."""
    count = Count(monkeypatch)
    pipeline.prepare(SAMPLES / "julu-2023")
    count.assert_once(1)


def test_a_profile_with_several_notes_parts_words_each_scope_once(monkeypatch):
    """江苏省级 prints three notes parts (概况, 情况说明, 名词解释): the figures they quote by 项 and by fund are made once
    for the document, not once per part."""
    from render_util import SAMPLES

    made: list[str] = []
    real = compose.scope_text

    def counted(budget, scope):
        made.append(scope.id)
        return real(budget, scope)

    monkeypatch.setattr(compose, "scope_text", counted)
    doc, _ = pipeline.prepare(SAMPLES / "jiangsu-dept-2019")
    assert made == ["d135"]
    assert sum(1 for b in doc.blocks if type(b).__name__ == "Heading" and b.text.startswith("第")) == 4
