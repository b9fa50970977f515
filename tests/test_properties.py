"""Property-based tests: random valid departments, rendered in full, must satisfy shared/checks.md to the cent.

Hypothesis draws departments (tests/strategies.py): 1–4 units of any nature, basic lines and projects on
function and economic codes of the 2023 catalog, every source including carryover, amounts from 0.00 to
the model's 14 digits, classified projects, “三公” codes, procurement, assets, last year's figures. Each goes
in through `Budget.model_validate` or through YAML files and `load_budget` (one file or a folder of
fragments), is checked (no errors), built, and written as JSON and HTML. Then:

1. the identities A1–A7 and X1–X7 of checks.md, the checks of tests/identities.py, on the JSON
   of every scope (the department and each unit; X7 with several units is the real test);
2. every table against an independent oracle: the leaf amounts of the spec summed here, not by budgetgen;
3. the notes (情况说明) against the tables: income, spending, 基本 = 人员 + 公用, the project list, the change
   against last year (N3), “三公”, 机关运行经费, procurement, assets, units, performance tables;
4. output hygiene: every amount in the JSON has exactly two decimals; HTML and JSON render; notes escaped.

Runs derandomized, without an example database, so CI sees the same examples every time.
The bugs found this way are kept as minimal examples at the end, so they stay fixed.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import markupsafe
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import identities  # checks.md A1–A7 and X1–X7 over the JSON tables
import strategies as gen
from strategies import PROFILE
from budgetgen import fmt
from budgetgen.compose import build
from budgetgen.analysis import compute
from budgetgen.analysis.ledger import Ledger, facts_of
from budgetgen.checks import check
from budgetgen.document import Disclosure, Heading, Paragraph
from budgetgen.errors import Finding, Severity
from budgetgen.model.budget import Budget
from budgetgen.model.loader import load_budget
from budgetgen.writers.data import document_data
from budgetgen.writers.html import render_html

ZERO = Decimal(0)
M = r"(\d+\.\d{2})"  # an amount as the notes print it
KINDS = identities.KINDS


# --- one example, end to end ---------------------------------------------------------------------------------

@dataclass
class Case:
    spec: dict
    budget: Budget
    doc: Disclosure
    data: dict
    html: str

    @property
    def dept(self) -> str:
        return f"d{self.spec['department']['code']}"


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.error]


def render(spec: dict, budget: Budget) -> Case:
    found = errors(check(budget))
    assert not found, f"valid input gave errors: {found}"
    doc = build(budget)
    data = document_data(doc)
    json.dumps(data, ensure_ascii=False)  # serializable as written
    return Case(spec, budget, doc, data, render_html(doc))


def via_model(spec: dict, trim: bool) -> Budget:
    return Budget.model_validate(gen.model_input(spec, trim))


def via_yaml(spec: dict, split: bool, trim: bool, bare_codes: bool) -> Budget:
    with tempfile.TemporaryDirectory() as folder:
        path = gen.write_yaml(spec, Path(folder), split, trim, bare_codes)
        budget, findings = load_budget(path)
    assert not errors(findings), findings
    return budget


@settings(max_examples=20, **PROFILE)
@given(spec=gen.budgets(), trim=st.booleans())
def test_random_budgets_built_from_the_model(spec, trim):
    verify(render(spec, via_model(spec, trim)))


@settings(max_examples=12, **PROFILE)
@given(spec=gen.budgets(), split=st.booleans(), trim=st.booleans(), bare_codes=st.booleans())
def test_random_budgets_read_from_yaml(spec, split, trim, bare_codes):
    budget = via_yaml(spec, split, trim, bare_codes)
    # The loader reads exactly what model_validate reads (apart from where it came from).
    assert budget.model_dump(exclude={"source_name"}) == via_model(spec, trim).model_dump(exclude={"source_name"})
    verify(render(spec, budget))


@settings(max_examples=8, **PROFILE)
@given(spec=gen.budgets(min_units=3, max_units=4))
def test_random_departments_of_several_units(spec):
    """X7 with three or four units, where a department row really is a sum of several unit rows."""
    verify(render(spec, via_model(spec, False)))


def verify(case: Case) -> None:
    scopes = identities.scopes_of(SimpleNamespace(data=case.data))
    units = [u["code"] for u in case.spec["units"]]
    assert list(scopes) == [case.dept] + [f"u{u}" for u in units]
    check_json_amounts(case.data)
    all_leaves = gen.leaves(case.spec)
    for scope, tables in scopes.items():
        in_scope = units if scope == case.dept else [scope[1:]]
        leaves = [leaf for leaf in all_leaves if leaf.unit in in_scope]
        check_identities(tables)
        check_oracle(tables, leaves)
        check_notes(case, scope, tables, leaves, in_scope)
    # X1–X7 over the whole disclosure (X7: the department row by row = the sum of its units).
    for x in (identities.check_x1, identities.check_x2, identities.check_x4, identities.check_x5, identities.check_x6,
              identities.check_x7):
        x(scopes)
    # X3 there reads the 合计 row of T2/T3, which an all-zero scope does not have (both tables are empty).
    identities.check_x3({s: t for s, t in scopes.items() if t["t2"].rows})
    for t in scopes.values():
        if not t["t2"].rows:
            t1 = t["t1"]
            assert not t["t3"].rows and t1.get(t1.find("支出/项目", "支出总计"), "支出/预算数") == 0
    check_figures(case)


# --- 1. checks.md inside each table ----------------------------------------------------------------------------

def check_identities(t: dict[str, identities.T]) -> None:
    assert sorted(t) == KINDS
    identities.check_a1(t["t1"])
    identities.check_a2(t["t2"])
    for kind in ("t3", "t5", "t7", "t8"):
        identities.check_a3(t[kind])
    for kind in ("t2", "t3", "t5", "t7", "t8"):
        identities.check_tree(t[kind], (3, 5, 7))
    identities.check_a5(t["t4"])
    identities.check_a6(t["t6"])
    identities.check_a7(t["t9"])


def check_json_amounts(data: dict) -> None:
    """Every cell of an amount column: exactly two decimals, or empty (no figure in that row).

    Not the "number" columns: the procurement table's 数量 column is typed "number" but holds quantities as
    typed (18, 1.5), not money.
    """
    for table in data["tables"]:
        figures = [i for i, c in enumerate(table["columns"]) if c["type"] == "amount"]
        for row in table["rows"]:
            for i in figures:
                assert row[i] == "" or identities.FIGURE.match(row[i]), (table["id"], row)
        # Amount cells of the nine tables are never empty where the row has a label.
        if table["kind"] in ("t2", "t3", "t5", "t6", "t7", "t8", "t9"):
            assert all(row[i] for row in table["rows"] for i in figures), table["id"]


# --- 2. every table against the leaves summed here -------------------------------------------------------------

def sums(leaves, key, columns) -> dict[str, dict[str, Decimal]]:
    """{code: {column: amount}} with columns(leaf) naming the columns a leaf counts in; all-zero codes dropped."""
    out: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for leaf in leaves:
        for column in columns(leaf):
            out[key(leaf)][column] += leaf.amount
    return {k: dict(v) for k, v in out.items() if any(v.values())}


def rows_of(t: identities.T, length: int, columns: list[str]) -> dict[str, dict[str, Decimal]]:
    return {code: {c: t.get(row, c) for c in columns} for code, row in t.coded().items() if len(code) == length}


def expect(got: dict, want: dict, columns: list[str], what: str) -> None:
    full = {code: {c: v.get(c, ZERO) for c in columns} for code, v in want.items()}
    assert got == full, what


T2_COLUMN = {"一般公共预算": "财政拨款收入", "政府性基金预算": "财政拨款收入", "国有资本经营预算": "财政拨款收入",
             "财政专户管理资金": "财政专户收入", "事业收入": "事业收入", "事业单位经营收入": "经营收入",
             "上级补助收入": "上级补助收入", "附属单位上缴收入": "附属单位上缴收入", "其他收入": "其他收入"}
T9_CODES = {"其他因公出国（境）费": {"30212"}, "其中：公务用车购置费": {"31013", "30913"},
            "公务用车运行维护费": {"30231"}, "三、公务接待费": {"30217"}, "四、会议费": {"30215"},
            "五、培训费": {"30216"}, "其中：教学科研人员因公出国（境）费": set()}
T9_FUNDS = ["一般公共预算财政拨款", "政府性基金预算拨款", "国有资本经营预算财政拨款"]


def check_oracle(t: dict[str, identities.T], leaves: list[gen.Leaf]) -> None:
    project = lambda leaf: "项目支出" if leaf.kind == "项目支出" else "基本支出"  # noqa: E731
    t3 = t["t3"].labels[t["t3"].col("合计"):]
    expect(rows_of(t["t3"], 7, t3), sums(leaves, lambda l: l.function, lambda l: ["合计", l.kind]), t3, "T3 项")
    t2 = ["合计", "小计"] + sorted(set(T2_COLUMN.values())) + ["上年结转"]
    expect(rows_of(t["t2"], 7, t2),
           sums(leaves, lambda l: l.function, lambda l: ["合计"] + (["上年结转"] if l.carryover
                                                                 else ["小计", T2_COLUMN[l.source]])), t2, "T2 项")
    for kind, fund in (("t5", "一般公共预算"), ("t7", "政府性基金预算"), ("t8", "国有资本经营预算")):
        columns = ["合计", "基本支出", "项目支出"]
        expect(rows_of(t[kind], 7, columns),
               sums([l for l in leaves if l.source == fund], lambda l: l.function, lambda l: ["合计", project(l)]),
               columns, kind)
    basic_general = [l for l in leaves if l.source == "一般公共预算" and l.kind != "项目支出"]
    columns = ["合计", "人员经费", "公用经费"]
    expect(rows_of(t["t6"], 5, columns),
           sums(basic_general, lambda l: l.economic,
                lambda l: ["合计", "人员经费" if gen.CAT.is_personnel(l.economic) else "公用经费"]), columns, "T6 款")

    # T1: income by source (this year's money), carryover, and spending by 类 in the catalog's order.
    t1 = t["t1"]
    current = [l for l in leaves if not l.carryover]
    for row, source in zip(t1.rows[:9], gen.SOURCES):
        assert t1.get(row, "收入/预算数") == sum((l.amount for l in current if l.source == source), ZERO), row
    assert t1.get(t1.find("收入/项目", "上年结转结余"), "收入/预算数") == sum((l.amount for l in leaves if l.carryover),
                                                                     ZERO)
    assert t1.get(t1.find("支出/项目", "本年支出合计"), "支出/预算数") == sum((l.amount for l in leaves), ZERO)
    for row, (code, _) in zip(t1.rows, gen.CAT.classes):
        assert t1.get(row, "支出/预算数") == sum((l.amount for l in leaves if code and l.function[:3] == code),
                                               ZERO), row
    # T4: appropriated money by 类 and fund; this year's income and the opening carryover by fund.
    t4 = t["t4"]
    approp = [l for l in leaves if l.source in gen.APPROPRIATION]
    for row, (code, _) in zip(t4.rows, gen.CAT.classes):
        for fund in gen.APPROPRIATION:
            assert t4.get(row, f"{fund}财政拨款") == sum((l.amount for l in approp if code and l.function[:3] == code
                                                        and l.source == fund), ZERO), (row, fund)
    for row, fund in zip(t4.rows[:3], gen.APPROPRIATION):
        assert t4.get(row, "金额") == sum((l.amount for l in approp if l.source == fund and not l.carryover), ZERO)
    start = [r[t4.col("收入/项目")] for r in t4.rows].index("年初财政拨款结转和结余")
    for row, fund in zip(t4.rows[start + 1:start + 4], gen.APPROPRIATION):
        assert t4.get(row, "金额") == sum((l.amount for l in approp if l.source == fund and l.carryover), ZERO)
    # T9: each leaf row by economic code and fund.
    t9 = t["t9"]
    for label, codes in T9_CODES.items():
        row = t9.find("项目", label)
        for fund, column in zip(gen.APPROPRIATION, T9_FUNDS):
            assert t9.get(row, column) == sum((l.amount for l in approp if l.source == fund and l.economic in codes),
                                              ZERO), (label, fund)


# --- 3. the notes against the tables ---------------------------------------------------------------------------

def paragraphs(doc: Disclosure) -> dict[str, list[str]]:
    """The notes' paragraph texts by scope (d201, u201001 …), in order."""
    out: dict[str, list[str]] = defaultdict(list)
    scope = ""
    for block in doc.blocks:
        ident = getattr(block, "id", "")
        if ident and ident[0] in "du" and "-" in ident:
            scope = ident.split("-")[0]
        if isinstance(block, Paragraph):
            out[scope].append(block.text)
    return out


def one(texts: list[str], pattern: str) -> re.Match:
    found = [m for m in (re.search(pattern, t) for t in texts) if m]
    assert len(found) == 1, (pattern, texts)
    return found[0]


def amount(text: str | None) -> Decimal:
    return Decimal(text) if text else ZERO


def signed(direction: str, figure: str | None) -> Decimal:
    return {"增加": amount(figure), "减少": -amount(figure), "持平": ZERO}[direction]


def check_notes(case: Case, scope: str, t: dict[str, identities.T], leaves: list[gen.Leaf],
                unit_codes: list[str]) -> None:
    spec, year = case.spec, case.spec["budget_year"]
    word = "部门" if scope == case.dept else "单位"
    texts = paragraphs(case.doc)[scope]
    t1, t3, t9 = t["t1"], t["t3"], t["t9"]
    income_rows = [t1.get(r, "收入/预算数") for r in t1.rows[:9]]
    carried = t1.get(t1.find("收入/项目", "上年结转结余"), "收入/预算数")
    spending = t3.get(t3.rows[0], "合计") if t3.rows else ZERO

    # 收入说明 (N1): the total and each source as in T1.
    m = one(texts, rf"^{year}年{word}预算收入{M}万元，其中：一般公共预算拨款收入{M}万元，政府性基金预算拨款收入{M}万元，"
                   rf"(?:国有资本经营预算拨款收入{M}万元，)?财政专户管理资金收入{M}万元，其他来源收入{M}万元"
                   rf"(?:；另有上年结转{M}万元)?。$")
    assert amount(m[1]) == t1.get(t1.find("收入/项目", "本年收入合计"), "收入/预算数")
    assert [amount(m[i]) for i in (2, 3, 4, 5)] == income_rows[:4]
    assert amount(m[6]) == sum(income_rows[4:], ZERO)
    assert amount(m[7]) == carried and (m[7] is None) == (carried == 0)

    # 支出说明 (N1, N2): total = T3; 基本 = 人员 + 公用; 项目支出 = T3 = the list of projects.
    m = one(texts, rf"^{year}年{word}支出预算{M}万元，其中：基本支出{M}万元，包括人员经费{M}万元、公用经费{M}万元；"
                   rf"项目支出{M}万元(?:，主要为(.*?))?((?:；(?:经营支出|上解上级支出|对附属单位补助支出){M}万元)*)。$")
    total, basic, personnel, public, project = (amount(m[i]) for i in range(1, 6))
    others = sum((Decimal(x) for x in re.findall(r"(\d+\.\d\d)万元", m[7] or "")), ZERO)
    assert total == spending == basic + project + others
    assert basic == personnel + public
    assert project == (t3.get(t3.rows[0], "项目支出") if t3.rows else ZERO)
    assert basic == (t3.get(t3.rows[0], "基本支出") if t3.rows else ZERO)
    assert personnel == sum((l.amount for l in leaves if l.kind == "基本支出" and gen.CAT.is_personnel(l.economic)),
                            ZERO)
    projects = [p for p in spec["projects"] if gen.unit_of(spec, p) in unit_codes]
    listed = m[6] or ""
    assert bool(listed) == bool(projects)
    for p in projects:
        label = "涉密项目" if p.get("classified") else p["name"]
        assert f"{label}{fmt.money(gen.project_total(p))}万元" in listed, (label, listed)
    assert len(listed.split("，")) == len(projects) or not projects  # names never hold '，' (strategies.py)
    assert sum((gen.project_total(p) for p in projects), ZERO) == project

    check_change(case, texts, scope, word, total, personnel, public, basic, project, len(unit_codes))

    # 三公 (N4) = T9, item by item.
    def t9v(label: str) -> Decimal:
        return t9.get(t9.find("项目", label), "合计")

    m = one(texts, rf"财政拨款“三公”经费预算安排{M}万元，其中：因公出国（境）费{M}万元；公务用车购置及运维费{M}万元"
                   rf"（其中：公务用车购置费{M}万元，公务用车运行维护费{M}万元）；公务接待费{M}万元。"
                   rf"(?:另安排会议费{M}万元、培训费{M}万元。)?")
    assert [amount(m[i]) for i in range(1, 9)] == [
        t9v("“三公”经费小计"), t9v("一、因公出国（境）费"), t9v("二、公务用车购置及运维费"), t9v("其中：公务用车购置费"),
        t9v("公务用车运行维护费"), t9v("三、公务接待费"), t9v("四、会议费"), t9v("五、培训费")]
    assert (m[7] is None) == (t9v("四、会议费") == 0 == t9v("五、培训费"))

    # 机关运行经费 (N4) = 公用经费 of 行政/参公 units.
    admin = {u["code"] for u in spec["units"] if u["nature"] in ("行政", "参公")}
    running = sum((l.amount for l in leaves if l.unit in admin and l.kind == "基本支出"
                   and not gen.CAT.is_personnel(l.economic)), ZERO)
    m = one(texts, rf"机关运行经费共计安排{M}万元(?:，主要用于(.*))?。$|无机关运行经费安排")
    assert amount(m[1]) == running
    if m[1]:
        uses = re.findall(rf"{M}万元", m[2] or "")
        assert sum((Decimal(u) for u in uses), ZERO) == amount(m[1])

    check_tables_of_notes(case, scope, texts, unit_codes, projects)

    # S2, S4: sections 一 to 九 in order under the notes' title, no structure marker left in the text.
    assert not [text for text in texts if "§" in text]
    headings = [b.text for b in case.doc.blocks if isinstance(b, Heading) and b.id.startswith(f"{scope}-notes-")]
    assert headings[0] == f"{units_name(case, scope)}{year}年{word}预算信息公开情况说明"
    sections = ["一", "二", "三", "四", "五", "六", "七", "八", "九"]
    assert [h.split("、")[0] for h in headings[1:]] == sections, headings

    # The HTML prints each paragraph, escaped.
    for text in texts:
        assert str(markupsafe.escape(text)) in case.html, text



def units_name(case: Case, scope: str) -> str:
    if scope == case.dept:
        return case.spec["department"]["name"]
    return next(u["name"] for u in case.spec["units"] if f"u{u['code']}" == scope)


def check_change(case: Case, texts: list[str], scope: str, word: str, total: Decimal, personnel: Decimal,
                 public: Decimal, basic: Decimal, project: Decimal, n_units: int) -> None:
    """N3: X = |this year − last year| as displayed, direction by sign, 持平 when equal, parts add up."""
    spec, year = case.spec, case.spec["budget_year"]
    ly = spec["department"].get("last_year")
    assert not any(("增加0.00万元" in t or "减少0.00万元" in t) for t in texts)
    if ly is None or n_units != len(spec["units"]):
        one(texts, r"无上年预算数据可供比较")
        return
    last_basic = ly["basic"] if "basic" in ly else ly["personnel"] + ly["public"]
    last_total = last_basic + ly["project"]
    direction = {1: "增加", -1: "减少", 0: "持平"}
    m = one(texts, rf"^{year}年{word}预算收支安排{M}万元，较(\d{{4}})年预算{M}万元(?:(增加|减少){M}万元|(持平))")
    assert amount(m[1]) == total and int(m[2]) == ly.get("year", year - 1) and amount(m[3]) == last_total
    change = signed(m[4] or m[6], m[5])
    assert change == total - last_total
    assert (m[4] or m[6]) == direction[(total - last_total).compare(ZERO)]
    text = m.string
    parts = re.findall(rf"(人员经费|公用经费|基本支出|项目支出|其他支出)(?:(增加|减少){M}万元|(持平))", text[m.end():])
    if change == 0:
        assert parts == []
        return
    got = {name: signed(d or same, figure) for name, d, figure, same in parts}
    want = ({"人员经费": personnel - ly["personnel"], "公用经费": public - ly["public"]} if "personnel" in ly
            else {"基本支出": basic - last_basic})
    want["项目支出"] = project - ly["project"]
    if total != basic + project:  # 经营支出 etc.: new against last year, which had none
        want["其他支出"] = total - basic - project
    assert got == want
    assert sum(got.values(), ZERO) == change
    # “三公” against last year's published figures, the same way.
    if "sangong" in ly:
        last = {k: ly["sangong"].get(k, ZERO) for k in ("abroad", "vehicle_purchase", "vehicle_operation",
                                                          "reception")}
        t9 = identities.scopes_of(SimpleNamespace(data=case.data))[scope]["t9"]
        now = t9.get(t9.find("项目", "“三公”经费小计"), "合计")
        m = one(texts, rf"“三公”经费较(\d{{4}})年(?:(增加|减少){M}万元|(持平))")
        assert signed(m[2] or m[4], m[3]) == now - sum(last.values(), ZERO)
        if now != sum(last.values(), ZERO):
            parts = re.findall(rf"(因公出国（境）费|公务用车购置及运维费|公务接待费)(?:(增加|减少){M}万元|(持平))",
                               m.string[m.end():])
            assert sum((signed(d or same, figure) for _, d, figure, same in parts), ZERO) == signed(m[2] or m[4], m[3])


def check_tables_of_notes(case: Case, scope: str, texts: list[str], unit_codes: list[str], projects: list[dict]) -> None:
    tables = {t["id"]: t for t in case.data["tables"]}
    spec, year = case.spec, case.spec["budget_year"]
    units = [u for u in spec["units"] if u["code"] in unit_codes]

    # N7: the units listed are the units of the scope.
    assert [row[0] for row in tables[f"{scope}-units"]["rows"]] == [u["name"] for u in units]

    # N5: procurement paragraph = the table's 合计 = its rows; zero → the no-procurement sentence and note.
    proc = tables[f"{scope}-procurement"]
    keys = [c["key"] for c in proc["columns"]]
    lines = [line for u in units for line in u.get("procurement", [])]
    total = sum((line["amount"] for line in lines), ZERO)
    if lines:
        head, body = proc["rows"][0], proc["rows"][1:]
        assert len(body) == len(lines) and proc["empty_note"] is None
        for key in keys[keys.index("total"):keys.index("sme")]:
            i = keys.index(key)
            assert Decimal(head[i]) == sum((Decimal(r[i]) for r in body), ZERO), key
        assert Decimal(head[keys.index("total")]) == total
    else:
        assert proc["rows"] == [] and proc["empty_note"] == "注：无政府采购预算，空表列示。"
    if total:
        assert amount(one(texts, rf"安排政府采购预算{M}万元")[1]) == total
    else:
        one(texts, r"无政府采购预算。$")

    # N6: 资产总额 = the value rows (房屋, 车辆, 设备, 其他); the date is the end of last year.
    assets = tables[f"{scope}-assets"]
    values = [amount(r[2]) for r in assets["rows"]]
    assert values[0] == values[1] + values[3] + values[4] + values[5]
    assert assets["banner"]["extra"] == f"截止时间：{year - 1}-12-31"
    m = one(texts, rf"上年末（{year - 1}年12月31日）固定资产金额为{M}万元（详见下表）。本年度拟购置固定资产总额为{M}万元")
    assert amount(m[1]) == values[0]
    assert amount(m[2]) == sum((u.get("assets", {}).get("planned_purchase", ZERO) for u in units), ZERO)

    # N8: one performance table per project of the scope, numbered 1…n; a classified one only as 此项涉密.
    perf = [t for t in case.data["tables"] if t["id"].startswith(f"{scope}-perf-")]
    secret = [b for b in case.doc.blocks if isinstance(b, Heading) and b.id.startswith(f"{scope}-perf-")]
    assert all(b.text.endswith("、此项涉密") for b in secret)
    assert len(secret) == sum(1 for p in projects if p.get("classified"))
    numbers = sorted(int(x.split("、")[0]) for x in [t["title"] for t in perf] + [b.text for b in secret])
    assert numbers == list(range(1, len(projects) + 1))
    by_title = {t["title"].split("、", 1)[1]: t for t in perf}
    assert sorted(by_title) == sorted(f"{p['name']}绩效目标表" for p in projects if not p.get("classified"))
    for p in projects:
        table = by_title.get(f"{p['name']}绩效目标表")
        if table is None or not table["lead"] or table["lead"][0][0] != "项目编码":
            continue
        # 详式: 预算数 = the project's lines; 财政资金 + 其他资金 = 预算数.
        lines = p["amounts"] if "amounts" in p else [p]
        approp = sum((l["amount"] for l in lines if l.get("source", "一般公共预算") in gen.APPROPRIATION), ZERO)
        lead = table["lead"]
        assert lead[1][2] == fmt.money(gen.project_total(p))
        assert (Decimal(lead[2][2]), Decimal(lead[2][4])) == (approp, gen.project_total(p) - approp)


def check_figures(case: Case) -> None:
    """budgetgen.analysis.compute for the department: the identities the notes rely on."""
    budget = case.budget
    f = compute(budget, Ledger(facts_of(budget)), budget.units, gen.CAT)
    assert f.basic == f.personnel + f.public
    assert f.spending_total == f.basic + f.project + sum(f.other_kinds.values(), ZERO) == f.income_total + f.carryover
    assert f.income_total == sum(f.income_by_source.values(), ZERO)
    assert f.project == sum((p.amount for p in f.projects), ZERO)
    want = sorted((p["name"], gen.project_total(p), bool(p.get("classified"))) for p in case.spec["projects"])
    assert sorted((p.name, p.amount, p.classified) for p in f.projects) == want
    assert f.running == sum((a for _, a in f.running_uses), ZERO)
    assert f.sangong["total"] == f.sangong["sangong"] + f.sangong["meeting"] + f.sangong["training"]


# --- bugs found by the properties above, pinned as minimal examples ----------------------------------------------

def minimal(**department) -> Budget:
    """One 行政 unit with one basic line (30101, 10.00); department fields as given."""
    return Budget.model_validate({
        "budget_year": 2023, "level": "县级",
        "department": {"code": "201", "name": "测试部门", "duties": ["负责测试"], **department},
        "units": [{"code": "201001", "name": "测试单位", "nature": "行政",
                   "basic": [{"function": "2013101", "economic": "30101", "amount": "10.00"}]}],
        "projects": []})


def test_notes_basic_spending_excludes_operating_spending():
    budget = minimal()
    budget.units[0].basic.append(type(budget.units[0].basic[0]).model_validate(
        {"function": "2013101", "economic": "30201", "amount": "5.00", "kind": "经营支出", "source": "事业单位经营收入"}))
    assert not errors(check(budget))
    doc = build(budget)
    texts = paragraphs(doc)["d201"]
    m = one(texts, rf"支出预算{M}万元，其中：基本支出{M}万元，包括人员经费{M}万元、公用经费{M}万元")
    t3 = identities.scopes_of(SimpleNamespace(data=document_data(doc)))["d201"]["t3"]
    assert t3.get(t3.rows[0], "基本支出") == Decimal("10.00")  # T3: 基本 10.00, 经营支出 5.00
    assert amount(m[2]) == Decimal("10.00"), m.group(0)  # the notes: 基本支出 15.00, 公用经费 5.00


@pytest.mark.parametrize("text", ["§hello", "§table 附表"])
def test_free_text_line_starting_with_section_sign(text):
    budget = minimal(other_matters=text)
    assert not errors(check(budget))
    doc = build(budget)
    assert text in paragraphs(doc)["d201"]


def test_section_five_heading_without_sangong_comparison():
    doc = build(minimal())  # no last_year
    texts = paragraphs(doc)["d201"]
    headings = [b.text for b in doc.blocks if isinstance(b, Heading) and b.id.startswith("d201-notes-")]
    assert not [t for t in texts if "§" in t], [t for t in texts if "§" in t]
    assert "五、预算绩效信息" in headings


# --- the PDF shortcuts change nothing, whatever the tables hold ------------------------------------------------

@pytest.mark.pdf
@pytest.mark.skipif(shutil.which("fc-list") is None, reason="需要 fontconfig 和中文字体")
@settings(max_examples=4, **PROFILE)
@given(spec=gen.budgets(min_units=1, max_units=3))
def test_pdf_shortcuts_give_weasyprints_own_bytes(spec):
    """Random departments — other tables, other cell texts, cells reused near the bottom of other pages — come
    out of budgetgen's PDF (pdf_speedups: lean user-agent stylesheet, reused cell layouts) byte for byte as
    WeasyPrint makes them on its own."""
    from weasyprint import HTML

    from budgetgen.writers import pdf_speedups
    from budgetgen.writers.pdf import html_to_pdf

    doc = build(via_model(spec, trim=False))
    html = render_html(doc, media="print")
    reused = pdf_speedups.STATS["cells reused"]
    ours = html_to_pdf(html)
    assert not pdf_speedups.available() or pdf_speedups.STATS["cells reused"] > reused
    assert ours == HTML(string=html, base_url=".").write_pdf()
