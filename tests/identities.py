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
    return [leaf if leaves.count(leaf) == 1 else path for leaf, path in zip(leaves, paths)]


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
        def w(label: str) -> Decimal:
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
