"""`when: 有金额` (issue 13): a profile's fixed row, income row or amount column printed only when the scope has money
it counts (a column: in any row). A copy of 河北县级 with the option on rows and columns of T1, T2, T4 and T9, and a
department of one 行政 unit whose figures are added by hand: 一般公共预算 5.00 (30101) + 0.30 (30215 会议费), 事业收入
2.00 (30201); nothing else. The validation of the option: an unknown value, and where it cannot be written."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import strategies as gen
from budgetgen import profiles
from budgetgen.cli import main
from identities import T, by_kind

MONEY = "when: 有金额"
EDITS = [  # (a line of 河北县级's profile.yaml, the same line with the option)
    # T1: 二 has no money (not printed), 五 has (printed)
    ("{label: 二、政府性基金预算拨款收入, source: [政府性基金预算]}",
     "{label: 二、政府性基金预算拨款收入, source: [政府性基金预算], when: 有金额}"),
    ("{label: 五、事业收入, source: [事业收入]}", "{label: 五、事业收入, source: [事业收入], when: 有金额}"),
    # T2 (rows by classification): 财政专户收入 has no money, 事业收入 has
    ("{label: 财政专户收入, source: [财政专户管理资金], carryover: false}",
     "{label: 财政专户收入, source: [财政专户管理资金], carryover: false, when: 有金额}"),
    ("{label: 事业收入, source: [事业收入], carryover: false}",
     "{label: 事业收入, source: [事业收入], carryover: false, when: 有金额}"),
    # T4 (财政拨款收支总表): the 政府性基金 fund column has no money
    ("{label: 政府性基金预算财政拨款, key: 政府性基金预算, source: [政府性基金预算]}",
     "{label: 政府性基金预算财政拨款, key: 政府性基金预算, source: [政府性基金预算], when: 有金额}"),
    # T9 (fixed rows): 一 (with its rows) and 五 have no money, 四 has; the 政府性基金 column has none
    ("              - label: 一、因公出国（境）费\n", "              - label: 一、因公出国（境）费\n                when: 有金额\n"),
    ('{label: 四、会议费, level: 2, economic: ["30215"]}', '{label: 四、会议费, level: 2, economic: ["30215"], when: 有金额}'),
    ('{label: 五、培训费, level: 2, economic: ["30216"]}', '{label: 五、培训费, level: 2, economic: ["30216"], when: 有金额}'),
    ("{label: 政府性基金预算拨款, key: fund, source: [政府性基金预算]}",
     "{label: 政府性基金预算拨款, key: fund, source: [政府性基金预算], when: 有金额}"),
]


def copied(tmp_path: Path, edits: list[tuple[str, str]], name: str = "格式") -> Path:
    folder = tmp_path / name
    profiles.copy("河北县级", folder)
    data = folder / "profile.yaml"
    text = data.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    data.write_text(text, encoding="utf-8")
    return folder


def department() -> dict:
    lines = [{"function": "2010101", "economic": "30101", "amount": Decimal("5.00")},
             {"function": "2010101", "economic": "30215", "amount": Decimal("0.30")},
             {"function": "2010101", "economic": "30201", "amount": Decimal("2.00"), "source": "事业收入"}]
    return {"budget_year": 2023, "level": "县级", "department": {"code": "100", "name": "测试部门", "duties": ["负责"]},
            "units": [{"code": "100001", "name": "测试单位", "nature": "行政", "basic": lines}], "projects": []}


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> dict[str, T]:
    tmp = tmp_path_factory.mktemp("when")
    folder = copied(tmp, EDITS)
    path = gen.write_yaml(department(), tmp, split=False)
    out = tmp / "out"
    assert main(["render", str(path), "--profile", str(folder), "--format", "json", "--out", str(out)]) == 0
    (data,) = [json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json")]
    # the department's tables (d100-…); its one unit's follow with the same figures
    return by_kind({"tables": [t for t in data["tables"] if t["id"].startswith("d")]})


def test_income_rows_with_money_only(tables):
    t1 = tables["t1"]
    income = [r[t1.col("收入/项目")] for r in t1.rows if r[t1.col("收入/项目")]]
    assert income[:8] == ["一、一般公共预算拨款收入", "三、国有资本经营预算拨款收入", "四、财政专户管理资金收入", "五、事业收入",
                          "六、事业单位经营收入", "七、上级补助收入", "八、附属单位上缴收入", "九、其他收入"]
    assert t1.find("收入/项目", "一、一般公共预算拨款收入")[2] == "5.30"
    assert t1.find("收入/项目", "五、事业收入")[2] == "2.00"
    assert t1.find("收入/项目", "收入总计")[2] == "7.30"


def test_amount_columns_with_money_only(tables):
    t2 = tables["t2"]
    assert "财政专户收入" not in t2.labels
    assert t2.labels[t2.labels.index("财政拨款收入") + 1] == "事业收入"
    total = t2.rows[0]
    assert (t2.get(total, "合计"), t2.get(total, "财政拨款收入"), t2.get(total, "事业收入")) == \
        (Decimal("7.30"), Decimal("5.30"), Decimal("2.00"))
    t4 = tables["t4"]
    assert t4.paths[-3:] == ["支出/合计", "支出/一般公共预算财政拨款", "支出/国有资本经营预算财政拨款"]
    year = t4.find("支出/项目", "本年支出合计")
    assert (t4.get(year, "支出/合计"), t4.get(year, "一般公共预算财政拨款")) == (Decimal("5.30"), Decimal("5.30"))


def test_fixed_rows_and_columns_with_money_only(tables):
    t9 = tables["t9"]
    assert t9.paths == ["序号", "项目", "资金性质/合计", "资金性质/一般公共预算财政拨款", "资金性质/国有资本经营预算财政拨款"]
    labels = [r[1] for r in t9.rows]
    assert labels == ["合计", "“三公”经费小计", "二、公务用车购置及运维费", "其中：公务用车购置费", "公务用车运行维护费",
                      "三、公务接待费", "四、会议费"]
    assert [r[0] for r in t9.rows] == [str(n) for n in range(1, 8)]  # 序号 numbers the printed rows
    assert t9.find("项目", "合计")[2] == t9.find("项目", "四、会议费")[2] == "0.30"


# --- validation ----------------------------------------------------------------------------------------------

def line_of(folder: Path, text: str) -> int:
    lines = (folder / "profile.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


def test_an_unknown_value_is_a_positioned_error(tmp_path):
    folder = copied(tmp_path, [("{label: 五、事业收入, source: [事业收入]}", "{label: 五、事业收入, source: [事业收入], when: 有钱}")])
    found, findings = profiles.load(folder)
    assert found is None
    (finding,) = findings
    assert finding.line == line_of(folder, "when: 有钱") and finding.file.endswith("profile.yaml")
    assert "有钱" in finding.message + finding.fix and "有金额" in finding.message + finding.fix
    assert finding.code.startswith("profile-")


def test_where_the_option_cannot_be_written(tmp_path):
    folder = copied(tmp_path, [
        # a layout's fixed column (T1's 收入 预算数)
        ("          - {label: 预算数, key: income}", "          - {label: 预算数, key: income, when: 有金额}"),
        # a column that prints no amount
        ("{label: 项目, value: 项目, key: item, width: 3.6}", "{label: 项目, value: 项目, key: item, width: 3.6, when: 有金额}"),
        # a group header
        ("      - label: 资金性质\n", "      - label: 资金性质\n        when: 有金额\n"),
    ])
    found, findings = profiles.load(folder)
    assert found is None
    by_line = {f.line: f for f in findings}
    assert len(findings) == 3 and all(f.file.endswith("profile.yaml") for f in findings)
    fixed = by_line[line_of(folder, "key: income, when: 有金额")]
    assert fixed.message == "表式“收支总表”的“预算数”一列总是印，不能写 when: 有金额"
    assert fixed.fix.startswith("删除 when；when 只用于表式最后可加的金额列")
    assert by_line[line_of(folder, "key: item, width: 3.6, when")].message == "“项目”印项目，when: 有金额 只用于金额列"
    group = by_line[line_of(folder, "- label: 资金性质") + 1]  # at its `when:` line
    assert group.message == "“资金性质”是分组表头（有下级列），不能写 when" and "下级的金额列" in group.fix
