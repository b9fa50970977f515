"""The built-in profile 河北2025 (issue 13; ../shared/profiles.md, "Hebei 2025 variant") on its sample, the township
samples/hebei-township-2025: table 1's income rows are 一–四 as in 2023, then 五、单位资金 (the non-appropriation
sources together); zero amounts print blank; everything else as 河北县级, whose two samples still render byte for
byte as before the profile existed."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml

from budgetgen import profiles
from budgetgen.cli import main
from identities import check_hebei, scopes_of
from render_util import SAMPLES, table_grid

NAME = "hebei-township-2025"
SAMPLE = SAMPLES / NAME

# Table 1's income side as the Hebei 2025 template prints it (profiles.md), written here, not read from the profile
INCOME = ["一、一般公共预算拨款收入", "二、政府性基金预算拨款收入", "三、国有资本经营预算拨款收入",
          "四、财政专户管理资金收入", "五、单位资金"]
CLOSING = ["本年收入合计", "上年结转结余", "收入总计"]

# 单位资金 by hand from the sample's YAML: only the service centre (units/601002.yaml, projects/05-…) has any:
# 事业收入 6.00 (30226 劳务费) + 2.50 (30201 办公费) + 3.00 (project 村级便民服务站运行维护, 30201) = 11.50;
# 其他收入 1.60 (30213 维修（护）费). 单位资金 = 11.50 + 1.60 = 13.10; the government itself has none.
UNIT_FUNDS = {"d601": Decimal("13.10"), "u601001": Decimal("0"), "u601002": Decimal("13.10")}
# 一般公共预算 by hand: the government 557.43 basic + 239.50 projects (168.00 + 45.00 + 18.00 + 8.50) = 796.93;
# the centre 112.50 basic + 8.00 (its project's other 3.00 is 事业收入) = 120.50; the department 917.43.
GENERAL = {"d601": Decimal("917.43"), "u601001": Decimal("796.93"), "u601002": Decimal("120.50")}
NON_APPROPRIATION = {"事业收入", "事业单位经营收入", "上级补助收入", "附属单位上缴收入", "其他收入"}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """The sample rendered once through the command line, to every format but PDF."""
    folder = tmp_path_factory.mktemp("hebei2025")
    assert main(["render", str(SAMPLE), "--format", "json,html,csv,docx,xlsx", "--out", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def data(out) -> dict:
    return json.loads((out / f"{NAME}.json").read_text(encoding="utf-8"))


def t1_of(data: dict, scope: str) -> dict:
    return next(t for t in data["tables"] if t["id"] == f"{scope}-t1")


def income_side(rows: list[list[str]]) -> list[tuple[str, str]]:
    """(label, figure) of the income side (columns 1 and 2), blank lines left out."""
    return [(r[1], r[2]) for r in rows if r[1]]


def test_the_profile_loads_and_is_hebei_county_but_for_table_one():
    assert "河北2025" in profiles.builtins()
    found, findings = profiles.load(profiles.BUILTIN / "河北2025", builtin=True)
    county, _ = profiles.load(profiles.BUILTIN / "河北县级", builtin=True)
    assert found is not None and county is not None and findings == []
    mine, theirs = found.profile, county.profile
    assert mine.zero is profiles.Zero.blank
    assert [t.key for t in mine.tables] == [f"t{i}" for i in range(1, 10)]
    assert [t.model_dump() for t in mine.tables[1:]] == [t.model_dump() for t in theirs.tables[1:]]
    assert mine.tables[0].model_dump(exclude={"income"}) == theirs.tables[0].model_dump(exclude={"income"})
    assert mine.model_dump(exclude={"name", "description", "tables"}) == \
        theirs.model_dump(exclude={"name", "description", "tables"})


def test_the_sample_names_the_profile_and_validates_clean(capsys):
    assert main(["validate", str(SAMPLE)]) == 0
    assert "0 个错误，0 个警告" in capsys.readouterr().out


@pytest.mark.parametrize("scope", ["d601", "u601001", "u601002"])
def test_table_one_income_rows_are_the_2025_ones(data, scope):
    t1 = t1_of(data, scope)
    labels = [label for label, _ in income_side(t1["rows"])]
    assert labels == INCOME + CLOSING
    assert t1["header"][1] == ["序号", "项目", "预算数", "项目", "预算数"]
    assert t1["title"] == ("部门" if scope.startswith("d") else "单位") + "预算收支总表"


def test_unit_funds_are_the_non_appropriation_income_computed_by_hand(data):
    for scope, want in UNIT_FUNDS.items():
        figures = dict(income_side(t1_of(data, scope)["rows"]))
        assert Decimal(figures["五、单位资金"]) == want, scope
        assert Decimal(figures["一、一般公共预算拨款收入"]) == GENERAL[scope], scope
        assert Decimal(figures["本年收入合计"]) == GENERAL[scope] + want, scope


def yaml_lines(unit: str | None = None) -> list[tuple[str, str, Decimal]]:
    """Every amount of the sample's YAML as (unit, source, amount): units' basic lines, projects and their amounts."""
    lines = []
    for path in sorted(SAMPLE.rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for u in doc.get("units", []):
            lines += [(u["code"], b.get("source", "一般公共预算"), Decimal(str(b["amount"]))) for b in u["basic"]]
        for p in doc.get("projects", []):
            source = p.get("source", "一般公共预算")
            parts = p.get("amounts") or [{"amount": p["amount"]}]
            lines += [(p["unit"], a.get("source", source), Decimal(str(a["amount"]))) for a in parts]
    return [line for line in lines if unit is None or line[0] == unit]


def test_the_hand_figures_are_the_yamls():
    """The constants above against the YAML itself, so that an edit of the sample is caught here first."""
    for scope in UNIT_FUNDS:
        unit = None if scope.startswith("d") else scope[1:]
        lines = yaml_lines(unit)
        assert sum((a for _, s, a in lines if s in NON_APPROPRIATION), Decimal(0)) == UNIT_FUNDS[scope]
        assert sum((a for _, s, a in lines if s == "一般公共预算"), Decimal(0)) == GENERAL[scope]
    by_source: dict[str, Decimal] = {}
    for _, source, amount in yaml_lines():
        by_source[source] = by_source.get(source, Decimal(0)) + amount
    assert by_source == {"一般公共预算": Decimal("917.43"), "事业收入": Decimal("11.50"), "其他收入": Decimal("1.60")}


# --- zero amounts print blank ---------------------------------------------------------------------------------

def html_rows(html: str, table_id: str) -> list[list[tuple[str, str]]]:
    """The body rows of one HTML table as (class, text) cells."""
    start = html.index(f'id="{table_id}"')
    body = html[html.index("<tbody", start):html.index("</tbody>", start)]
    return [re.findall(r'<td class="([^"]*)"[^>]*>(.*?)</td>', tr) for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body)]


def test_zero_amounts_are_blank_in_the_html(out, data):
    html = (out / f"{NAME}.html").read_text(encoding="utf-8")
    rows = html_rows(html, "u601001-t1")
    funds = next(r for r in rows if r[1][1] == "五、单位资金")
    assert funds[2] == ("k-amount", "")  # the government has no 单位资金: blank, not 0.00
    assert next(r for r in html_rows(html, "d601-t1") if r[1][1] == "五、单位资金")[2][1] == "13.10"
    assert next(r for r in rows if r[1][1] == "上年结转结余")[2][1] == ""
    nine = [t["id"] for t in data["tables"] if re.fullmatch(r"t[1-9]", t["kind"])]
    assert len(nine) == 27
    cells = {table_id: [c[1] for row in html_rows(html, table_id) for c in row if "k-amount" in c[0]]
             for table_id in nine}
    assert "" in cells["u601001-t1"] and not cells["d601-t7"]  # an empty table has no rows at all
    assert {table_id: [c for c in texts if re.fullmatch(r"-?0\.00", c)] for table_id, texts in cells.items()} == \
        {table_id: [] for table_id in nine}


def test_zero_amounts_are_blank_in_the_docx(out, data):
    document = docx.Document(str(out / f"{NAME}.docx"))
    assert len(document.tables) == len(data["tables"])
    for json_table, table in zip(data["tables"], document.tables, strict=True):
        if not re.fullmatch(r"t[1-9]", json_table["kind"]):
            continue
        grid = table_grid(table._tbl)
        figures = [i for i, c in enumerate(json_table["columns"]) if c["type"] == "amount"]
        body = grid[len(grid) - len(json_table["rows"]):]
        for want, got in zip(json_table["rows"], body, strict=True):
            for i in figures:
                assert got[i] == ("" if Decimal(want[i] or 0) == 0 else want[i]), (json_table["id"], want, got)
        if json_table["id"] == "u601001-t1":
            assert [r[2] for r in body if r[1] == "五、单位资金"] == [""]


def test_zero_amounts_are_empty_cells_in_the_xlsx(out):
    book = openpyxl.load_workbook(out / f"{NAME}.xlsx")
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == "五、单位资金":
                    found.append(sheet.cell(cell.row, cell.column + 1).value)
    assert sorted(found, key=lambda v: v is None) == [13.1, 13.1, None]  # the government's: an empty cell


def test_the_json_keeps_zero_as_data_and_marks_the_column_blank_when_zero(data):
    """The JSON is the open-data companion: every amount with two decimals, 0.00 included (a reader sums it); the
    printed convention is in the column's type, `amount` = printed blank when zero (a 0.00 profile says `number`)."""
    t1 = t1_of(data, "u601001")
    assert [c["type"] for c in t1["columns"]] == ["index", "text", "amount", "text", "amount"]
    assert dict(income_side(t1["rows"]))["五、单位资金"] == "0.00"
    for table in data["tables"]:
        if re.fullmatch(r"t[1-9]", table["kind"]):
            assert "number" not in {c["type"] for c in table["columns"]}, table["id"]


def test_the_notes_say_unit_funds_too(out):
    html = (out / f"{NAME}.html").read_text(encoding="utf-8")
    assert "2025年部门预算收入930.53万元，其中：一般公共预算拨款收入917.43万元，政府性基金预算拨款收入0.00万元，" \
           "财政专户管理资金收入0.00万元，单位资金13.10万元。" in html
    assert "其他来源收入" not in html
    assert "2、单位资金：指除财政拨款收入和财政专户管理资金以外的收入" in html
    assert "我镇" in html and "我县" not in html


def test_the_income_chart_has_table_one_s_rows(out):
    """The chart beside the notes shows table 1's rows of this profile (单位资金 13.10, by hand above), not the 2023
    rows 事业收入 11.50 and 其他收入 1.60 the analysis keeps."""
    html = (out / f"{NAME}.html").read_text(encoding="utf-8")
    for scope in ("d601", "u601002"):
        chart = re.search(rf'id="{scope}-chart-income".*?</svg>', html, re.S)
        assert chart, scope
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", chart.group(0))
        assert texts == ["一般公共预算拨款收入", str(GENERAL[scope]), "单位资金", str(UNIT_FUNDS[scope])]


# --- the identities of ../shared/checks.md -------------------------------------------------------------------

class Rendered:
    def __init__(self, data: dict):
        self.data = data


def test_the_tables_satisfy_the_identities(data):
    scopes = scopes_of(Rendered(data))
    assert list(scopes) == ["d601", "u601001", "u601002"]
    check_hebei(scopes, income_rows=5)


def test_unit_funds_equal_table_two_s_non_appropriation_columns(data):
    """X3 for the new row: 单位资金 = T2's 事业收入 + 经营收入 + 上级补助收入 + 附属单位上缴收入 + 其他收入 (its 合计 row)."""
    for scope in UNIT_FUNDS:
        t2 = next(t for t in data["tables"] if t["id"] == f"{scope}-t2")
        keys = [c["key"] for c in t2["columns"]]
        total = t2["rows"][0] if t2["rows"] else None
        columns = ["事业收入", "经营收入", "上级补助收入", "附属单位上缴收入", "其他收入"]
        t2_sum = sum((Decimal(total[keys.index(k)] or 0) for k in columns), Decimal(0)) if total else Decimal(0)
        assert t2_sum == UNIT_FUNDS[scope], scope
