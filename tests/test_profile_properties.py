"""The property tests of tests/test_properties.py for every built-in profile (issue 13, "Checks per profile"):
Hypothesis departments (tests/strategies.py) named to each built-in profile the way a department names it (its
options' `profile:`, resolved by profiles.resolve as the pipeline does), validated without errors, built, read as
JSON, and checked against the identities of shared/checks.md that apply to the profile's tables (tests/identities.py):

- 河北县级, 河北2025: A1–A7 in the department and every unit (河北2025's T1 has 5 income rows), X1–X7 (X7: the
  department = the sum of its units, which both print);
- 上海区级 (one scope, the department; tables in 元, T9 in 万元): A1–A7 as its columns lay them out, X1–X5, and T9's
  机关运行经费 = the analysis' figure (the one the notes quote);
- 江苏省级 (one scope): T1's three blocks, T2 by source, A3/A4 on T3, T5, T7, T10, A6 on T6, T8, T9, T12, and the
  cross-table identities (T3 = T1's spending by function and by use, T5/T7/T10 = T4, T6 = T5 基本, T8 = T7 基本,
  T11 ⊂ T8's 302).

No PDF; a few examples per profile (derandomized, as test_properties.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings

import identities
import strategies as gen
from budgetgen import profiles
from budgetgen.analysis import compute
from budgetgen.analysis.ledger import Ledger, facts_of
from budgetgen.checks import check
from budgetgen.compose import build
from budgetgen.errors import Severity
from budgetgen.model.budget import Budget
from budgetgen.writers.data import document_data

BUILTINS = ["河北县级", "河北2025", "上海区级", "江苏省级"]
EXAMPLES = 6


def test_every_built_in_profile_is_covered():
    assert sorted(profiles.builtins()) == sorted(BUILTINS)


def disclosure(spec: dict, name: str) -> tuple[Budget, dict]:
    """The department of `spec` naming the profile `name` in its options, as the pipeline resolves it; validated
    (no errors), built, and its JSON."""
    data = gen.model_input(spec)
    data["department"].setdefault("options", {})["profile"] = name
    budget = Budget.model_validate(data)
    budget.profile, findings = profiles.resolve(Path("."), budget.department.options)
    assert budget.profile is not None and budget.profile.profile.name == name and not findings, findings
    found = [f for f in check(budget) if f.severity is Severity.error]
    assert not found, f"valid input gave errors under {name}: {found}"
    return budget, document_data(build(budget))


def running(budget: Budget) -> Decimal:
    """The analysis' 机关运行经费 of the department (万元), the figure the notes quote."""
    return compute(budget, Ledger(facts_of(budget)), budget.units, gen.CAT).running


def admin_public(spec: dict) -> list[gen.Leaf]:
    """The spec's 公用经费 of 行政/参公 units' basic spending (机关运行经费 before any pick by source)."""
    admin = {u["code"] for u in spec["units"] if u["nature"] in ("行政", "参公")}
    return [leaf for leaf in gen.leaves(spec) if leaf.unit in admin and leaf.kind == "基本支出"
            and not gen.CAT.is_personnel(leaf.economic)]


def verify(spec: dict, name: str) -> None:
    budget, data = disclosure(spec, name)
    if name in ("河北县级", "河北2025"):
        scopes = identities.scopes_of(SimpleNamespace(data=data))
        assert len(scopes) == 1 + len(spec["units"])
        identities.check_hebei(scopes, income_rows=9 if name == "河北县级" else 5)
    elif name == "上海区级":
        t = identities.by_kind(data)
        assert sorted(t) == identities.KINDS
        identities.check_shanghai_inside(t)
        identities.check_shanghai_between(t)
        # T9's 机关运行经费 (万元): 公用经费 of 行政/参公 units' basic spending paid by 财政拨款 (the profile's
        # running_sources, as summed here from the spec), the same figure the analysis (and the notes) give
        t9 = t["t9"]
        printed = t9.get(t9.rows[0], "机关运行经费预算数") if t9.rows else identities.ZERO
        assert printed == sum((leaf.amount for leaf in admin_public(spec) if leaf.source in gen.APPROPRIATION),
                              identities.ZERO)
        assert printed == running(budget)
    else:
        t = identities.by_kind(data)
        assert sorted(t, key=lambda k: int(k[1:])) == [f"t{i}" for i in range(1, 13)]
        identities.check_jiangsu(t)
        procured = sum((line["amount"] for u in spec["units"] for line in u.get("procurement", [])), identities.ZERO)
        assert identities.check_jiangsu_t12(t["t12"]) == procured


def for_profile(spec: dict, name: str) -> dict:
    """The spec as a department of that profile writes it: 江苏省级 prints no 国有资本经营预算 (T1's 财政拨款 lists 1.
    一般公共预算 and 2. 政府性基金预算, T2 no row, T4 no column), so its 国有资本经营预算 money is written 一般公共预算
    there (see test_jiangsu_state_capital_money_xfail). Every other fact strategies.py draws, every profile prints."""
    if name != "江苏省级":
        return spec

    def fix(value):
        if isinstance(value, dict):
            return {k: ("一般公共预算" if k == "source" and v == "国有资本经营预算" else fix(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value
    return fix(spec)


@pytest.mark.parametrize("name", BUILTINS)
def test_random_departments_under_each_profile(name):
    @settings(max_examples=EXAMPLES, **gen.PROFILE)
    @given(spec=gen.budgets(max_units=3))
    def run(spec):
        verify(for_profile(spec, name), name)

    run()


# --- found by the properties above, pinned as minimal examples ----------------------------------------------------

def minimal(*basic: dict) -> dict:
    """One 行政 unit with the given basic lines (2010101), as a strategies.py spec."""
    lines = [{"function": "2010101", "economic": "30201", "amount": Decimal("1.00"), **line} for line in basic]
    return {"budget_year": 2023, "level": "县级", "department": {"code": "100", "name": "测试部门", "duties": ["负责"]},
            "units": [{"code": "100001", "name": "测试单位", "nature": "行政", "basic": lines}], "projects": []}


def test_shanghai_t1_and_t4_income_rows_hold_the_carryover():
    """上海区级's T1 and T4 have no 上年结转 row: the income rows held this year's income only, so 收入总计 (all the
    money) was not their sum (a carried-over 1.00 万元: 收入总计 10000.00 元, the rows 0.00). Fixed in
    compose.engine (summary, appropriation): without a carry-over row the rows include it."""
    _, data = disclosure(minimal({"carryover": True}), "上海区级")
    t = identities.by_kind(data)
    identities.check_shanghai_inside(t)
    identities.check_shanghai_between(t)
    assert t["t1"].find("收入/项目", "1. 一般公共预算")[1] == "10000.00"


def test_running_cost_is_one_figure_in_table_and_notes():
    """上海区级 counts 机关运行经费 of 财政拨款 (running_sources): T9 and the analysis (the notes) agree when a 行政
    unit's 公用经费 is partly 财政专户管理资金 (1.00 万元 each: 1.00 printed and analysed, not 2.00); 河北县级 keeps
    every source (domain.md: the 公用经费 of administrative units)."""
    spec = minimal({"carryover": True}, {"source": "财政专户管理资金"})
    budget, data = disclosure(spec, "上海区级")
    t9 = identities.by_kind(data)["t9"]
    assert t9.get(t9.rows[0], "机关运行经费预算数") == running(budget) == Decimal("1.00")
    budget, _ = disclosure(spec, "河北县级")
    assert running(budget) == Decimal("2.00")


@pytest.mark.xfail(strict=True, reason="江苏省级 has no 国有资本经营预算 row or column: such money is in T1's 一、财政拨款 and "
                                        "T2's 合计 but in none of their rows, and missing from T4 (validate warns: "
                                        "test_jiangsu_state_capital_money_is_a_warning)")
def test_jiangsu_state_capital_money_xfail():
    _, data = disclosure(minimal({"source": "国有资本经营预算"}), "江苏省级")
    identities.check_jiangsu_t1(identities.by_kind(data)["t1"])  # 一、财政拨款 1.00 ≠ 1. 0.00 + 2. 0.00


def test_jiangsu_state_capital_money_is_a_warning(tmp_path):
    """Money of a source the profile's 收支总表 has no row for is named, with its file and line, not left silent."""
    from budgetgen.pipeline import validate

    spec = minimal({"source": "国有资本经营预算"})
    spec["department"]["options"] = {"profile": "江苏省级"}
    _, findings = validate(gen.write_yaml(spec, tmp_path, split=False))
    found = [f for f in findings if f.code == "source-not-printed"]
    assert len(found) == 1 and "国有资本经营预算" in found[0].message and found[0].line
    spec["department"]["options"] = {"profile": "河北县级"}  # whose 收支总表 has the row: nothing to say
    (tmp_path / "budget.yaml").unlink()
    _, findings = validate(gen.write_yaml(spec, tmp_path, split=False))
    assert not [f for f in findings if f.code == "source-not-printed"]
