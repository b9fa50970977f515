"""The identities of shared/checks.md (A1–A7 inside each table, X1–X7 between tables and scopes), checked on
budgetgen's JSON tables: plain functions, no tests. tests/test_identities.py runs them on both samples,
tests/test_properties.py on random departments.

`scopes_of(rendered)` reads a rendered disclosure's JSON into {scope: {kind: T}} (the department first, then each
unit); `check_a1(t1)` … `check_a7(t9)` and `check_tree` take one table, `check_x1(scopes)` … `check_x7(scopes)`
all scopes of one disclosure.
"""

from __future__ import annotations

import re
from decimal import Decimal

KINDS = [f"t{i}" for i in range(1, 10)]
ZERO = Decimal(0)


def column_paths(table: dict) -> list[str]:
    """Each column's full header path: 序号, 功能分类科目/科目编码, 本年收入/小计, 收入/项目 …"""
    heads = [row for row in table["header"] if row[0] != "栏次"]
    paths = []
    for c in range(len(table["columns"])):
        parts: list[str] = []
        for row in heads:
            text = next((row[k] for k in range(c, -1, -1) if row[k]), "")  # blanks continue a colspan
            if text not in parts:
                parts.append(text)
        paths.append("/".join(parts))
    return paths


def column_labels(table: dict) -> list[str]:
    """Each column named by its header: the leaf label (科目编码, 合计), or group/leaf where a leaf repeats (收入/项目)."""
    paths = column_paths(table)
    leaves = [p.rsplit("/", 1)[-1] for p in paths]
    return [leaf if leaves.count(leaf) == 1 else path for leaf, path in zip(leaves, paths, strict=True)]


FIGURE = re.compile(r"^-?\d+\.\d{2}$")
ORDINAL = re.compile(r"^[一二三四五六七八九十]+、")


def amount(text: str) -> Decimal:
    """A JSON figure: two decimals always; '' only where a row has no figure at all (counts as zero)."""
    assert text == "" or FIGURE.match(text), f"not an amount: {text!r}"
    return Decimal(text) if text else ZERO


class T:
    """A JSON table read by its published column names: t.get(row, "合计"), t.find("项目", "本年收入合计")."""

    def __init__(self, table: dict):
        self.table = table
        self.labels = column_labels(table)
        self.paths = column_paths(table)
        self.rows: list[list[str]] = table["rows"]
        self.figures = [i for i, c in enumerate(table["columns"]) if c["type"] == "amount"]

    def col(self, name: str) -> int:
        """A column by its label or its full header path (本年收入/小计)."""
        return self.labels.index(name) if name in self.labels else self.paths.index(name)

    def get(self, row: list[str], name: str) -> Decimal:
        return amount(row[self.col(name)])

    def find(self, column: str, label: str) -> list[str]:
        (row,) = [r for r in self.rows if r[self.col(column)] == label]
        return row

    def total(self, rows: list[list[str]], name: str) -> Decimal:
        return sum((self.get(r, name) for r in rows), ZERO)

    def coded(self) -> dict[str, list[str]]:
        """Classification rows by code; the 合计 row under ''."""
        return {r[self.col("科目编码")]: r for r in self.rows}


def scopes_of(rendered) -> dict[str, dict[str, T]]:
    """{'d201': {'t1': T, …}, 'u201001': {…}} — the department first, then each unit."""
    out: dict[str, dict[str, T]] = {}
    for table in rendered.data["tables"]:
        if table["kind"] in KINDS:
            out.setdefault(table["id"].rsplit("-", 1)[0], {})[table["kind"]] = T(table)
    return out


def each_scope(scopes):
    for scope, tables in scopes.items():
        assert sorted(tables) == KINDS, f"{scope}: not all nine tables"
        yield scope, tables


def rows_until(t: T, column: str, label: str) -> list[list[str]]:
    """The rows above the one whose `column` reads `label`."""
    end = [r[t.col(column)] for r in t.rows].index(label)
    return t.rows[:end]


def check_a1(t1: T, income_rows: int = 9) -> None:
    """T1: 收入总计 = 支出总计; 本年收入合计 = the 9 income rows (a profile's own number of them: 河北2025 has 5);
    本年支出合计 = the 类 rows; 总计 = 合计 + 结转."""
    income = [r for r in rows_until(t1, "收入/项目", "本年收入合计") if r[t1.col("收入/项目")]]
    classes = [r for r in rows_until(t1, "支出/项目", "本年支出合计") if r[t1.col("支出/项目")]]
    assert len(income) == income_rows
    year_in, year_out = t1.find("收入/项目", "本年收入合计"), t1.find("支出/项目", "本年支出合计")
    assert t1.get(year_in, "收入/预算数") == t1.total(income, "收入/预算数")
    assert t1.get(year_out, "支出/预算数") == t1.total(classes, "支出/预算数")
    total_in, total_out = t1.find("收入/项目", "收入总计"), t1.find("支出/项目", "支出总计")
    assert t1.get(total_in, "收入/预算数") == (t1.get(year_in, "收入/预算数")
                                            + t1.get(t1.find("收入/项目", "上年结转结余"), "收入/预算数"))
    assert t1.get(total_out, "支出/预算数") == (t1.get(year_out, "支出/预算数")
                                             + t1.get(t1.find("支出/项目", "年终结转结余"), "支出/预算数"))
    assert t1.get(total_in, "收入/预算数") == t1.get(total_out, "支出/预算数")


def check_a2(t2: T) -> None:
    """T2: on every row 合计 = 本年收入小计 + 上年结转, and 小计 = the source columns."""
    sources = [path for path in t2.paths if path.startswith("本年收入/") and path != "本年收入/小计"]
    assert len(sources) == 7
    for row in t2.rows:
        assert t2.get(row, "合计") == t2.get(row, "本年收入/小计") + t2.get(row, "上年结转"), row
        assert t2.get(row, "本年收入/小计") == sum((t2.get(row, s) for s in sources), ZERO), row


def check_a3(t: T) -> None:
    """T3, T5, T7, T8: on every row 合计 = 基本支出 + 项目支出 (+ the other kinds of T3)."""
    kinds = t.labels[t.col("合计") + 1:]
    assert kinds[:2] == ["基本支出", "项目支出"]
    for row in t.rows:
        assert t.get(row, "合计") == sum((t.get(row, k) for k in kinds), ZERO), row


def check_tree(t: T, levels: tuple[int, ...]) -> None:
    """A4: 合计 row = sum of the 类 rows, 类 = sum of its 款, 款 = sum of its 项, in every figure column."""
    if not t.rows:
        return
    rows = t.coded()
    assert t.rows[0][t.col("科目名称")] == "合计" and t.rows[0][t.col("科目编码")] == ""
    codes = [r[t.col("科目编码")] for r in t.rows[1:]]
    assert codes == sorted(codes) and all(len(c) in levels for c in codes), codes
    for code in codes:
        if len(code) > levels[0]:
            assert code[:levels[levels.index(len(code)) - 1]] in rows, f"{code} without its parent"
    parents = [""] + [c for c in codes if len(c) < levels[-1]]
    for parent in parents:
        size = levels[0] if parent == "" else levels[levels.index(len(parent)) + 1]
        children = [rows[c] for c in codes if len(c) == size and c.startswith(parent)]
        assert children, f"{parent} has no children"
        for i in t.figures:
            assert amount(rows[parent][i]) == sum((amount(r[i]) for r in children), ZERO), (parent, t.labels[i])


def check_a5(t4: T) -> None:
    """T4: each expenditure row's 合计 = the three funds; 本年 and 总计 rows add up; 收入总计 = 支出总计."""
    funds = ["一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"]
    for row in t4.rows:
        if row[t4.col("支出/项目")]:
            assert t4.get(row, "合计") == sum((t4.get(row, f) for f in funds), ZERO), row
    income = [r for r in rows_until(t4, "收入/项目", "本年收入合计") if r[t4.col("收入/项目")]]
    classes = [r for r in rows_until(t4, "支出/项目", "本年支出合计") if r[t4.col("支出/项目")]]
    assert len(income) == 3
    year_in, year_out = t4.find("收入/项目", "本年收入合计"), t4.find("支出/项目", "本年支出合计")
    assert t4.get(year_in, "金额") == t4.total(income, "金额")
    for name in ["合计"] + funds:
        assert t4.get(year_out, name) == t4.total(classes, name), name
    # 年初财政拨款结转和结余 = its three fund rows, listed under it.
    start = [r[t4.col("收入/项目")] for r in t4.rows].index("年初财政拨款结转和结余")
    carried, by_fund = t4.rows[start], t4.rows[start + 1:start + 4]
    assert [ORDINAL.sub("", r[t4.col("收入/项目")]) for r in by_fund] == ["一般公共预算拨款", "政府性基金预算拨款",
                                                                      "国有资本经营预算拨款"]
    assert t4.get(carried, "金额") == t4.total(by_fund, "金额")
    total_in, total_out = t4.find("收入/项目", "收入总计"), t4.find("支出/项目", "支出总计")
    assert t4.get(total_in, "金额") == t4.get(year_in, "金额") + t4.get(carried, "金额")
    ending = t4.find("支出/项目", "年末财政拨款结转和结余")
    for name in ["合计"] + funds:
        assert t4.get(total_out, name) == t4.get(year_out, name) + t4.get(ending, name), name
    assert t4.get(total_in, "金额") == t4.get(total_out, "合计")


PERSONNEL_CLASSES = {"301", "303"}  # 工资福利支出, 对个人和家庭的补助 (domain.md §3)


def check_a6(t6: T) -> None:
    """T6: 合计 = 人员经费 + 公用经费 on every row; 类 = its 款; 人员 = 301 + 303, 公用 = the other 类."""
    for row in t6.rows:
        assert t6.get(row, "合计") == t6.get(row, "人员经费") + t6.get(row, "公用经费"), row
    check_tree(t6, (3, 5))
    for code, row in t6.coded().items():
        if len(code) == 3:
            kind = "人员经费" if code in PERSONNEL_CLASSES else "公用经费"
            assert t6.get(row, kind) == t6.get(row, "合计"), (code, kind)


def check_a7(t9: T) -> None:
    """T9: 小计 = 出国 + 公务用车 + 接待; 出国 = its two rows; 公务用车 = 购置 + 运行; 合计 = 小计 + 会议 + 培训;
    each row's 合计 = its fund columns; no blank where a sum exists."""
    def v(label: str, column: str = "合计") -> Decimal:
        return t9.get(t9.find("项目", label), column)

    funds = ["一般公共预算财政拨款", "政府性基金预算拨款", "国有资本经营预算财政拨款"]
    for column in ["合计"] + funds:
        def w(label: str, column: str = column) -> Decimal:
            return v(label, column)
        assert w("“三公”经费小计") == w("一、因公出国（境）费") + w("二、公务用车购置及运维费") + w("三、公务接待费")
        assert w("一、因公出国（境）费") == w("其中：教学科研人员因公出国（境）费") + w("其他因公出国（境）费")
        assert w("二、公务用车购置及运维费") == w("其中：公务用车购置费") + w("公务用车运行维护费")
        assert w("合计") == w("“三公”经费小计") + w("四、会议费") + w("五、培训费")
    for row in t9.rows:
        assert t9.get(row, "合计") == sum((t9.get(row, f) for f in funds), ZERO), row
        assert all(FIGURE.match(row[i]) for i in t9.figures), f"a blank figure in {row}"


def check_x1(scopes: dict[str, dict[str, T]]) -> None:
    """X1: T1's three 财政拨款 income rows = T4's income rows."""
    for _, t in each_scope(scopes):
        t1, t4 = t["t1"], t["t4"]
        assert [t1.get(r, "收入/预算数") for r in t1.rows[:3]] == [t4.get(r, "金额") for r in t4.rows[:3]]
        assert [r[t1.col("收入/项目")] for r in t1.rows[:3]] == [r[t4.col("收入/项目")] + "收入" for r in t4.rows[:3]]


def check_x2(scopes: dict[str, dict[str, T]]) -> None:
    """X2: T4's fund columns = T5, T7, T8 by 类 (a 类 missing from a fund table is zero there)."""
    for _, t in each_scope(scopes):
        t4 = t["t4"]
        classes = [r for r in rows_until(t4, "支出/项目", "本年支出合计") if r[t4.col("支出/项目")]]
        for column, kind in (("一般公共预算财政拨款", "t5"), ("政府性基金预算财政拨款", "t7"),
                             ("国有资本经营预算财政拨款", "t8")):
            fund = t[kind]
            by_name = {r[fund.col("科目名称")]: fund.get(r, "合计") for r in fund.rows
                       if len(r[fund.col("科目编码")]) == 3}
            in_t4 = {ORDINAL.sub("", r[t4.col("支出/项目")]): t4.get(r, column) for r in classes}
            assert set(by_name) <= set(in_t4), f"{kind} has a 类 that T4 does not list"
            assert {n: v for n, v in in_t4.items() if v} == {n: v for n, v in by_name.items() if v}, kind
            total = fund.get(fund.rows[0], "合计") if fund.rows else ZERO
            assert t4.get(t4.find("支出/项目", "本年支出合计"), column) == total, kind


def check_x3(scopes: dict[str, dict[str, T]]) -> None:
    """X3: T1 本年收入合计 = T2 本年收入 (小计 of its 合计 row); T1 本年支出合计 = T3 合计."""
    for _, t in each_scope(scopes):
        t1, t2, t3 = t["t1"], t["t2"], t["t3"]
        assert t1.get(t1.find("收入/项目", "本年收入合计"), "收入/预算数") == t2.get(t2.rows[0], "本年收入/小计")
        assert t1.get(t1.find("支出/项目", "本年支出合计"), "支出/预算数") == t3.get(t3.rows[0], "合计")


def check_x4(scopes: dict[str, dict[str, T]]) -> None:
    """X4: T2 and T3 list the same codes with the same names and row totals."""
    for _, t in each_scope(scopes):
        t2, t3 = t["t2"], t["t3"]
        def listed(x: T):
            return [(r[x.col("科目编码")], r[x.col("科目名称")], x.get(r, "合计")) for r in x.rows]
        assert listed(t2) == listed(t3)


def check_x5(scopes: dict[str, dict[str, T]]) -> None:
    """X5: T5 基本支出 total = T6 合计."""
    for _, t in each_scope(scopes):
        t5, t6 = t["t5"], t["t6"]
        basic = t5.get(t5.rows[0], "基本支出") if t5.rows else ZERO
        assert basic == (t6.get(t6.rows[0], "合计") if t6.rows else ZERO)


def check_x6(scopes: dict[str, dict[str, T]]) -> None:
    """X6: T4's 政府性基金 (国有资本经营) column is zero exactly when T7 (T8) is empty and carries its note."""
    for _, t in each_scope(scopes):
        t4 = t["t4"]
        for column, kind in (("政府性基金预算财政拨款", "t7"), ("国有资本经营预算财政拨款", "t8")):
            zero = all(t4.get(r, column) == 0 for r in t4.rows)
            fund = t[kind].table
            assert zero == (not fund["rows"]) == (fund["empty_note"] is not None), kind
            if zero:
                assert fund["empty_note"].startswith("注：无") and fund["empty_note"].endswith("，空表列示。")


def check_x7(scopes: dict[str, dict[str, T]]) -> None:
    """X7: each department table = the sum of its units' tables, row by row (by code where rows are coded)."""
    ids = list(scopes)
    dept, units = scopes[ids[0]], [scopes[s] for s in ids[1:]]
    assert ids[0].startswith("d") and units and all(s.startswith("u") for s in ids[1:])
    for kind in KINDS:
        d = dept[kind]
        if "科目编码" in d.labels:
            want: dict[str, list[Decimal]] = {}
            names: dict[str, str] = {}
            for u in (unit[kind] for unit in units):
                for code, row in u.coded().items():
                    sums = want.setdefault(code, [ZERO] * len(d.figures))
                    for k, i in enumerate(u.figures):
                        sums[k] += amount(row[i])
                    names[code] = row[u.col("科目名称")]
            got = d.coded()
            assert sorted(got) == sorted(want), kind
            for code, row in got.items():
                assert row[d.col("科目名称")] == names[code]
                assert [amount(row[i]) for i in d.figures] == want[code], (kind, code)
        else:  # fixed rows (T1, T4, T9): the same labels in the same places, figures summed
            for r, row in enumerate(d.rows):
                others = [unit[kind].rows[r] for unit in units]
                for i, text in enumerate(row):
                    if i in d.figures:
                        assert amount(text) == sum((amount(o[i]) for o in others), ZERO), (kind, row[0], i)
                    else:
                        assert all(o[i] == text for o in others), (kind, row[0], i)


# --- the identities as they apply to other profiles' layouts (tests/test_profile_*.py) ---------------------------

def figure(text: str) -> Decimal:
    """A figure of a profile's table, '' (a fixed row without money, or a blank zero) counting as zero."""
    return amount(text)


def named(table: dict) -> T:
    """A JSON table whose code/name headers are longer than identities' (上海区级: 功能分类科目编码, 部门预算经济分类科目
    名称) read as identities names them (科目编码, 科目名称)."""
    renamed = dict(table)
    renamed["header"] = [[("科目编码" if h.endswith("科目编码") else "科目名称" if h.endswith("科目名称") else h)
                          for h in row] for row in table["header"]]
    return T(renamed)


def by_kind(data: dict, kinds: list[str] | None = None) -> dict[str, T]:
    """The tables of a one-scope disclosure (上海区级, 江苏省级 print no units) by kind, read through `named`."""
    return {t["kind"]: named(t) for t in data["tables"] if re.fullmatch(r"t\d+", t["kind"])
            and (kinds is None or t["kind"] in kinds)}


def check_hebei(scopes: dict[str, dict[str, T]], income_rows: int = 9) -> None:
    """河北县级 and 河北2025 (whose T1 has 5 income rows): A1–A7 in every scope, X1–X7 between tables and scopes."""
    for _, t in each_scope(scopes):
        check_a1(t["t1"], income_rows=income_rows)
        check_a2(t["t2"])
        for kind in ("t3", "t5", "t7", "t8"):
            check_a3(t[kind])
        for kind in ("t2", "t3", "t5", "t7", "t8"):
            check_tree(t[kind], (3, 5, 7))
        check_tree(t["t6"], (3, 5))
        check_a5(t["t4"])
        check_a6(t["t6"])
        check_a7(t["t9"])
    for check in (check_x1, check_x2, check_x3, check_x4, check_x5, check_x6, check_x7):
        check(scopes)


SHANGHAI_T2_SOURCES = ("财政拨款收入", "事业收入", "事业单位经营收入", "其他收入")
SHANGHAI_T1_INCOME = ("一、财政拨款收入", "二、事业收入", "三、事业单位经营收入", "四、其他收入")


def check_shanghai_inside(t: dict[str, T]) -> None:
    """上海区级, inside each table: A3 and A4 on T3, T5–T7 (基本 | 项目); A4 and A2 (合计 = the four sources) on T2; A6 on
    the economic table (8th); A1 (一、 = 1 + 2 + 3; 收入总计 = 一 to 四 = 支出总计 = the 类 rows); A5 on T4; A7 on T9."""
    for kind in ("t3", "t5", "t6", "t7"):
        check_a3(t[kind])
        check_tree(t[kind], (3, 5, 7))
    t2 = t["t2"]
    check_tree(t2, (3, 5, 7))
    for row in t2.rows:
        assert t2.get(row, "合计") == sum((t2.get(row, s) for s in SHANGHAI_T2_SOURCES), ZERO), row
    check_a6(t["t8"])
    t1 = t["t1"]
    value = {r[0]: t1.get(r, "收入/预算数") for r in t1.rows if r[0]}
    assert value["一、财政拨款收入"] == value["1. 一般公共预算"] + value["2. 政府性基金预算"] + value["3. 国有资本经营预算"]
    assert value["收入总计"] == sum((value[k] for k in SHANGHAI_T1_INCOME), ZERO)
    assert t1.rows[-1][t1.col("支出/项目")] == "支出总计"
    spending = [t1.get(r, "支出/预算数") for r in t1.rows[:-1] if r[t1.col("支出/项目")]]
    assert sum(spending, ZERO) == t1.get(t1.rows[-1], "支出/预算数") == value["收入总计"]
    t4 = t["t4"]
    funds = ["一般公共预算", "政府性基金预算", "国有资本经营预算"]
    for row in t4.rows:
        assert t4.get(row, "合计") == sum((t4.get(row, f) for f in funds), ZERO), row
    income = [t4.get(r, "预算数") for r in t4.rows[:-1] if r[t4.col("收入/项目")]]
    assert t4.get(t4.rows[-1], "预算数") == income[0] == sum(income[1:], ZERO)  # 一、 = 1 + 2 + 3 = 收入总计
    assert t4.get(t4.rows[-1], "合计") == sum((t4.get(r, "合计") for r in t4.rows[:-1]), ZERO)
    assert t4.get(t4.rows[-1], "预算数") == t4.get(t4.rows[-1], "合计")
    t9 = t["t9"]
    for row in t9.rows:
        assert t9.get(row, "“三公”经费预算数/合计") == (t9.get(row, "因公出国(境)费") + t9.get(row, "公务接待费")
                                                    + t9.get(row, "小计"))
        assert t9.get(row, "小计") == t9.get(row, "购置费") + t9.get(row, "运行费")


def first(t: T, column: str) -> Decimal:
    """The 合计 row's figure of a classified table, zero for an empty one."""
    return t.get(t.rows[0], column) if t.rows else ZERO


def check_shanghai_between(t: dict[str, T], running: Decimal | None = None) -> None:
    """上海区级, between tables: X3 (T2 = T3 = T1's 收入总计), X2 (T5 = T4's 一般公共预算, total and by 类; T6, T7 = its
    other funds), X1 (T4's income = T2's 财政拨款收入), X5 (T8 = T5's 基本支出), X4 (T2 and T3 list the same codes and
    totals); and T9's 机关运行经费 = `running` (万元, the analysis' figure the notes quote), when given."""
    total = t["t1"].get(t["t1"].rows[-1], "收入/预算数")
    assert first(t["t2"], "合计") == first(t["t3"], "合计") == total
    t4, t4_total = t["t4"], t["t4"].rows[-1]
    for column, kind in (("一般公共预算", "t5"), ("政府性基金预算", "t6"), ("国有资本经营预算", "t7")):
        assert first(t[kind], "合计") == t4.get(t4_total, column), kind
        by_name = {r[1]: t[kind].get(r, "合计") for r in t[kind].rows if len(r[0]) == 3}
        in_t4 = {r[2].split("、", 1)[1]: t4.get(r, column) for r in t4.rows[:-1] if r[2]}
        assert {n: v for n, v in in_t4.items() if v} == by_name, kind
    assert t4.get(t4_total, "预算数") == first(t["t2"], "财政拨款收入")
    assert first(t["t8"], "合计") == first(t["t5"], "基本支出")

    def listed(x: T):
        return [(r[x.col("科目编码")], r[x.col("科目名称")], x.get(r, "合计")) for r in x.rows]
    assert listed(t["t2"]) == listed(t["t3"])
    if running is not None:
        t9 = t["t9"]
        assert (t9.get(t9.rows[0], "机关运行经费预算数") if t9.rows else ZERO) == running


JIANGSU_T9 = ["合计", "“三公”经费/小计", "“三公”经费/因公出国（境）费", "“三公”经费/公务用车购置及运行维护费/小计",
              "“三公”经费/公务用车购置及运行维护费/购置费", "“三公”经费/公务用车购置及运行维护费/运行维护费",
              "“三公”经费/公务接待费", "会议费", "培训费"]
JIANGSU_T2_ROWS = ["一、一般公共预算资金", "二、政府性基金", "三、财政专户管理资金", "四、其他资金", "五、上年结转和结余资金"]


def check_jiangsu_t1(t1: T) -> None:
    """江苏省级 T1's three blocks: 当年收入小计 = 一、二、三 (一 = 1 + 2, + 3. 国有资本经营预算 when printed: only with
    money); 当年支出小计 = the 类 rows = the uses; 合计 = 小计 + 结转; 收入合计 = 支出合计."""
    rows = t1.rows
    by = {r[0]: figure(r[1]) for r in rows if r[0]}
    assert by["当年收入小计"] == by["一、财政拨款"] + by["二、财政专户管理资金"] + by["三、其他资金"]
    state = by.get("3. 国有资本经营预算")
    assert state is None or state != ZERO
    assert by["一、财政拨款"] == by["1. 一般公共预算"] + by["2. 政府性基金预算"] + (state or ZERO)
    body = rows[:-3]
    year, carried, total = rows[-3:]
    assert [year[2], carried[2], total[2]] == ["当年支出小计", "结转下年资金", "支出合计"]
    assert figure(year[3]) == sum((figure(r[3]) for r in body), ZERO) == figure(year[5]) == \
        sum((figure(r[5]) for r in body), ZERO)
    assert by["收入合计"] == by["当年收入小计"] + by["上年结转资金"]
    assert figure(total[3]) == figure(year[3]) + figure(carried[3]) == figure(total[5])
    assert by["收入合计"] == figure(total[3])


def check_jiangsu_t2(t2: T, t1: T) -> None:
    """江苏省级 T2 (income by source in rows): 合计 = 一 to 五 (and 六、国有资本经营预算, printed only with money); 一 and
    三 = their sub-sources, 四 = its three rows; 合计 = T1's 收入合计."""
    by = {r[0]: figure(r[1]) for r in t2.rows}
    state = by.get("六、国有资本经营预算")
    assert state is None or state != ZERO
    assert by["合计"] == sum((by[k] for k in JIANGSU_T2_ROWS), ZERO) + (state or ZERO)
    assert by["一、一般公共预算资金"] == by["公共财政拨款（补助）资金"] + by["专项收入"]
    assert by["三、财政专户管理资金"] == by["专户管理教育收费"] + by["其他非税收入"]
    assert by["四、其他资金"] == by["事业收入"] + by["经营收入"] + by["其他收入"]
    assert by["合计"] == figure(t1.rows[-1][1])


def check_jiangsu_t9(t9: T) -> None:
    """江苏省级 T9: 合计 = “三公”小计 + 会议费 + 培训费; 小计 = 出国 + 公务用车 + 接待; 公务用车 = 购置 + 运行维护."""
    assert t9.paths == JIANGSU_T9
    for row in t9.rows:
        v = dict(zip(JIANGSU_T9, (figure(x) for x in row), strict=True))
        assert v["合计"] == v["“三公”经费/小计"] + v["会议费"] + v["培训费"]
        assert v["“三公”经费/小计"] == (v["“三公”经费/因公出国（境）费"] + v["“三公”经费/公务用车购置及运行维护费/小计"]
                                      + v["“三公”经费/公务接待费"])
        assert v["“三公”经费/公务用车购置及运行维护费/小计"] == (v["“三公”经费/公务用车购置及运行维护费/购置费"]
                                                       + v["“三公”经费/公务用车购置及运行维护费/运行维护费"])


def check_jiangsu_t12(t12: T) -> Decimal:
    """江苏省级 T12 (procurement by 货物/工程/服务, then 四、未分类 for lines without a category): 合计 = the categories,
    each category = its items, each item's 采购组织形式 one of the three or blank (not given). Returns the 合计."""
    assert t12.labels == ["项目", "采购组织形式", "预算金额"]
    rows = t12.rows
    if not rows:
        return ZERO
    assert rows[0][0] == "合计"
    heads = [i for i, r in enumerate(rows) if r[0] in JIANGSU_T12_HEADS]
    assert [rows[i][0] for i in heads][:3] == JIANGSU_T12_HEADS[:3] and heads[0] == 1
    assert figure(rows[0][2]) == sum((figure(rows[i][2]) for i in heads), ZERO)
    for start, end in zip(heads, heads[1:] + [len(rows)], strict=True):
        items = rows[start + 1:end]
        assert all(r[1] in ("集中采购", "部门集中采购", "分散采购", "") for r in items), items
        assert figure(rows[start][2]) == sum((figure(r[2]) for r in items), ZERO)
    return figure(rows[0][2])


JIANGSU_T12_HEADS = ["一、货物", "二、工程", "三、服务", "四、未分类"]


def check_jiangsu(t: dict[str, T]) -> None:
    """江苏省级's twelve tables: T1, T2, T9, T12 as above; A3 and A4 on the function tables T3, T5, T7, T10; A6 on the
    economic tables T6, T8; between tables: T3 合计 = T1 支出合计 and its columns = T1's uses; T5 = T4's 本年支出;
    T7 = T4's 一般公共预算 and T10 its 政府性基金; T6 = T5 基本支出, T8 = T7 基本支出; T11 (机关运行经费, 302) ⊂ T8's
    302 公用经费."""
    check_jiangsu_t1(t["t1"])
    check_jiangsu_t2(t["t2"], t["t1"])
    for kind in ("t3", "t5", "t7", "t10"):
        check_a3(t[kind])
        check_tree(t[kind], (3, 5, 7))
    for kind in ("t6", "t8"):
        check_a6(t[kind])
    t1 = t["t1"].rows
    assert first(t["t3"], "合计") == figure(t1[-1][3])
    assert [first(t["t3"], k) for k in ["基本支出", "项目支出", "单位预留机动经费"]] == [figure(r[5]) for r in t1[:3]]
    t4 = t["t4"]
    funds = ["一般公共预算", "政府性基金预算"] + (["国有资本经营预算"] if "国有资本经营预算" in t4.labels else [])
    for row in t4.rows:  # 合计 = the fund columns (国有资本经营预算's printed only with money)
        if row[t4.col("支出/项目")]:
            assert t4.get(row, "合计") == sum((t4.get(row, f) for f in funds), ZERO), row
    t4_year = t4.find("支出/项目", "本年支出小计")
    assert first(t["t5"], "合计") == t4.get(t4_year, "合计")
    assert first(t["t7"], "合计") == t4.get(t4_year, "一般公共预算")
    assert first(t["t10"], "合计") == t4.get(t4_year, "政府性基金预算")
    assert first(t["t6"], "合计") == first(t["t5"], "基本支出")
    assert first(t["t8"], "合计") == first(t["t7"], "基本支出")
    t11 = t["t11"]
    check_tree(t11, (3, 5))
    assert all(code == "" or code.startswith("302") for code in t11.coded())
    t8_302 = t["t8"].coded().get("302")
    assert first(t11, "金额") <= (t["t8"].get(t8_302, "公用经费") if t8_302 else ZERO)
    check_jiangsu_t9(t["t9"])
    check_jiangsu_t12(t["t12"])
