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


@pytest.mark.parametrize("name", BUILTINS)
def test_random_departments_under_each_profile(name):
    @settings(max_examples=EXAMPLES, **gen.PROFILE)
    @given(spec=gen.budgets(max_units=3))
    def run(spec):
        verify(spec, name)  # every fact strategies.py draws, every profile prints (江苏省级: 国有资本经营预算 too)

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


def test_jiangsu_state_capital_money_rows_appear_and_add_up():
    """江苏省级 prints 国有资本经营预算 money only when a department has some (when: 有金额): T1's 3. under 一、财政拨款,
    T2's 六, T4's income row 三 and its column. A department with 1.00 万元 of 一般公共预算 and 2.00 of 国有资本经营预算
    this year and 0.50 of it carried over (figures added by hand)."""
    spec = minimal({"source": "一般公共预算"}, {"source": "国有资本经营预算", "amount": Decimal("2.00")},
                   {"source": "国有资本经营预算", "amount": Decimal("0.50"), "carryover": True})
    budget, data = disclosure(spec, "江苏省级")
    t = identities.by_kind(data)
    identities.check_jiangsu(t)
    t1 = {r[0]: r[1] for r in t["t1"].rows if r[0]}
    assert [r[0] for r in t["t1"].rows[:4]] == ["一、财政拨款", "1. 一般公共预算", "2. 政府性基金预算", "3. 国有资本经营预算"]
    assert (t1["一、财政拨款"], t1["1. 一般公共预算"], t1["3. 国有资本经营预算"]) == ("3.00", "1.00", "2.00")
    assert (t1["当年收入小计"], t1["上年结转资金"], t1["收入合计"]) == ("3.00", "0.50", "3.50")
    t2 = {r[0]: r[1] for r in t["t2"].rows}
    assert t["t2"].rows[-1][0] == "六、国有资本经营预算"
    assert (t2["合计"], t2["一、一般公共预算资金"], t2["五、上年结转和结余资金"], t2["六、国有资本经营预算"]) == \
        ("3.50", "1.00", "0.50", "2.00")
    t4 = t["t4"]
    assert t4.labels[-3:] == ["一般公共预算", "政府性基金预算", "国有资本经营预算"]
    assert [r[0] for r in t4.rows[:3]] == ["一、一般公共预算", "二、政府性基金预算", "三、国有资本经营预算"]
    assert t4.rows[2][1] == "2.00"
    year = t4.find("支出/项目", "本年支出小计")
    assert (year[1], t4.get(year, "合计"), t4.get(year, "国有资本经营预算")) == ("3.00", Decimal("3.50"), Decimal("2.50"))
    carried = [r for r in t4.rows if r[0] == "三、国有资本经营预算"][1]  # under 上年结转
    assert carried[1] == "0.50"
    assert t4.get(t4.rows[-1], "合计") == Decimal("3.50") == identities.first(t["t5"], "合计")
    # 情况说明 四 quotes T4's figures
    texts = [b.text for b in build(budget).blocks if isinstance(getattr(b, "text", None), str)]
    assert ("测试部门2023年财政拨款收、支总预算3.50万元。收入包括：一般公共预算当年拨款1.00万元，政府性基金预算当年拨款"
            "0.00万元，国有资本经营预算当年拨款2.00万元，上年结转资金0.50万元。") in texts


def test_jiangsu_without_state_capital_money_prints_no_such_row():
    budget, data = disclosure(minimal({"source": "一般公共预算"}), "江苏省级")
    t = identities.by_kind(data)
    assert [r[0] for r in t["t1"].rows[:4]] == ["一、财政拨款", "1. 一般公共预算", "2. 政府性基金预算", "二、财政专户管理资金"]
    assert "六、国有资本经营预算" not in [r[0] for r in t["t2"].rows]
    assert t["t4"].labels[-2:] == ["一般公共预算", "政府性基金预算"]
    assert "三、国有资本经营预算" not in [r[0] for r in t["t4"].rows]
    texts = [b.text for b in build(budget).blocks if isinstance(getattr(b, "text", None), str)]
    assert not [text for text in texts if "国有资本经营预算" in text]


def test_jiangsu_state_capital_money_is_a_warning(tmp_path):
    """Money of a source the profile's 收支总表 has no row for is named, with its file and line, not left silent: a
    copy of 江苏省级 made before it printed 国有资本经营预算 (T1's 一、财政拨款 of the two other funds, no 3.) warns;
    江苏省级 itself (the row printed with money) and 河北县级 (always printed) have nothing to say."""
    from budgetgen.pipeline import validate

    spec = minimal({"source": "国有资本经营预算"})
    folder = tmp_path / "格式"
    profiles.copy("江苏省级", folder)
    text = (folder / "profile.yaml").read_text(encoding="utf-8")
    row = "      - {label: 3. 国有资本经营预算, source: [国有资本经营预算], when: 有金额}   # 有这种资金时才印\n"
    assert text.count(row) == 1
    head = "{label: 一、财政拨款, source: [一般公共预算, 政府性基金预算, 国有资本经营预算]}"
    assert text.count(head) == 1
    text = text.replace(row, "").replace(head, "{label: 一、财政拨款, source: [一般公共预算, 政府性基金预算]}")
    (folder / "profile.yaml").write_text(text, encoding="utf-8")
    for profile, warned in (("格式", True), ("江苏省级", False), ("河北县级", False)):
        spec["department"]["options"] = {"profile": profile}
        (tmp_path / "budget.yaml").unlink(missing_ok=True)
        _, findings = validate(gen.write_yaml(spec, tmp_path, split=False))
        found = [f for f in findings if f.code == "source-not-printed"]
        if warned:
            assert len(found) == 1 and "国有资本经营预算" in found[0].message and found[0].line
        else:
            assert not found, profile
