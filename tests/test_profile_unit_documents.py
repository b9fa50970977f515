"""A table declared differently for 单位预算 (`documents:`), and the 收支总表 layout with spending split into columns
(issue 13; ../shared/profiles.md, Shanghai T1: "In some unit documents the 支出 side is split into 人员经费 / 公用经费 /
项目支出 columns per 类").

The built-in 上海区级 prints its one T1 in both kinds of document; its profile.yaml carries the unit documents' T1 as a
commented table and a commented `documents: [部门预算]` on its own T1. Here a copy with both switched on renders each
unit of samples/shanghai-street-2025 as its own 单位预算 (and the department as its 部门预算). Every figure of the split
T1 is checked against sums made here from the sample's YAML lines: 人员经费 the basic lines of economic 类 301 and 303
(budgetgen/catalog/data/personnel.tsv), 公用经费 the other basic lines, 项目支出 the projects' amounts; 经营支出 and the
other kinds that Shanghai's T3 counts as 基本支出 are split the same way (a unit here is given two 经营支出 lines to
show it)."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from docx import Document

from budgetgen import profiles
from budgetgen.cli import main
from budgetgen.errors import Severity
from budgetgen.model.budget import DocumentKind
from budgetgen.pipeline import prepare
from render_util import edited_profile, SAMPLES, table_grid

SAMPLE = SAMPLES / "shanghai-street-2025"
PROFILE = profiles.BUILTIN / "上海区级" / "profile.yaml"
ZERO = Decimal("0")
PERSONNEL = ("301", "303")  # 工资福利支出, 对个人和家庭的补助
# The 类 of the sample, named as the year's catalog names them (written here by hand)
CLASSES = {"201": "一般公共服务支出", "208": "社会保障和就业支出", "210": "卫生健康支出", "212": "城乡社区支出",
           "221": "住房保障支出"}
HEADER = [["收入", "", "支出", "", "", "", ""], ["项目", "预算数", "项目", "合计", "人员经费", "公用经费", "项目支出"]]
PLAIN = [["收入", "", "支出", ""], ["项目", "预算数", "项目", "预算数"]]
UNITS = {"147001": "01-街道办事处.yaml", "147002": "02-社区事务受理服务中心.yaml", "147003": "03-城市运行管理中心.yaml"}
# 147002 also runs a small business (事业单位经营收入): one personnel and one public line of 经营支出
OPERATING = """      - {function: "2010350", economic: "30101", amount: 30000.00, kind: 经营支出, source: 事业单位经营收入}
      - {function: "2010350", economic: "30201", amount: 20000.00, kind: 经营支出, source: 事业单位经营收入}
"""


def switched(text: str, documents: bool = True) -> str:
    """上海区级's profile.yaml with the unit documents' T1 switched on (and, with `documents`, its own T1 kept to
    部门预算)."""
    if documents:
        assert text.count("    # documents: [部门预算]") == 1
        text = text.replace("    # documents: [部门预算]", "    documents: [部门预算]")
    start = text.index("  # - key: t1\n")
    end = text.index("\n\n", start)
    lines = text[start:end].split("\n")
    assert all(line.startswith("  # ") for line in lines)
    return text[:start] + "\n".join("  " + line[4:] for line in lines) + text[end:]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return edited_profile(tmp_path_factory.mktemp("profile") / "上海-单位表一", "上海区级", switched)


def unit_folder(base: Path, code: str, profile: Path | str) -> Path:
    """One unit of the sample as its own 单位预算 (its projects with it), printed with `profile`."""
    folder = base / code
    (folder / "units").mkdir(parents=True)
    (folder / "projects").mkdir()
    text = (SAMPLE / "department.yaml").read_text(encoding="utf-8").replace("../../schemas", "../../../schemas")
    assert "    profile: 上海区级\n" in text
    text = text.replace("    profile: 上海区级\n", f"    profile: {profile}\n    document: 单位预算\n")
    (folder / "department.yaml").write_text(text, encoding="utf-8")
    unit = (SAMPLE / "units" / UNITS[code]).read_text(encoding="utf-8")
    if code == "147002":
        at = unit.index("    procurement:")
        unit = unit[:at] + OPERATING + unit[at:]
    (folder / "units" / UNITS[code]).write_text(unit, encoding="utf-8")
    for path in (SAMPLE / "projects").glob("*.yaml"):
        if yaml.safe_load(path.read_text(encoding="utf-8"))["projects"][0]["unit"] == code:
            shutil.copy(path, folder / "projects")
    return folder


def expected(folder: Path) -> dict[str, dict[str, Decimal]]:
    """By 类: 人员经费, 公用经费, 项目支出 from the folder's YAML lines, summed here."""
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for path in (folder / "units").glob("*.yaml"):
        for unit in yaml.safe_load(path.read_text(encoding="utf-8"))["units"]:
            for line in unit["basic"]:
                assert line.get("kind", "基本支出") in ("基本支出", "经营支出")
                column = "人员经费" if line["economic"][:3] in PERSONNEL else "公用经费"
                sums[line["function"][:3]][column] += Decimal(str(line["amount"]))
    for path in (folder / "projects").glob("*.yaml"):
        for project in yaml.safe_load(path.read_text(encoding="utf-8"))["projects"]:
            for entry in project.get("amounts") or [{"amount": project["amount"]}]:
                function = entry.get("function", project["function"])
                sums[function[:3]]["项目支出"] += Decimal(str(entry["amount"]))
    return sums


def t1_of(out: Path) -> list[dict]:
    (path,) = out.glob("*.json")
    return [t for t in json.loads(path.read_text(encoding="utf-8"))["tables"] if t["kind"] == "t1"]


@pytest.fixture(scope="module")
def units(tmp_path_factory, folder) -> dict[str, tuple[Path, Path]]:
    """Each unit's folder and where it was rendered (json, docx, xlsx)."""
    base = tmp_path_factory.mktemp("units")
    done = {}
    for code in UNITS:
        source = unit_folder(base / "in", code, folder)
        out = base / "out" / code
        assert main(["render", str(source), "--format", "json,docx,xlsx", "--out", str(out)]) == 0
        done[code] = (source, out)
    return done


def test_the_copy_validates(folder):
    found, findings = profiles.load(folder)
    assert found is not None and not findings
    kinds = [[t.key for t in found.profile.tables_in(kind)] for kind in DocumentKind]
    assert kinds == [[f"t{i}" for i in range(1, 10)]] * 2
    t1 = {kind: found.profile.tables_in(kind)[0] for kind in DocumentKind}
    assert len(t1[DocumentKind.department].leaves()) == 4 and len(t1[DocumentKind.unit].leaves()) == 7


@pytest.mark.parametrize("code", list(UNITS))
def test_the_unit_documents_t1_splits_spending_by_class(units, code):
    source, out = units[code]
    (t1,) = t1_of(out)  # one table 1: the unit documents' own
    assert t1["header"] == HEADER
    sums = expected(source)
    rows = [r for r in t1["rows"] if r[2] and r[2] != "支出总计"]
    assert [r[2].split("、", 1)[1] for r in rows] == [CLASSES[c] for c in sorted(sums)]  # the 类 with money
    for row, code3 in zip(rows, sorted(sums), strict=True):
        want = [sums[code3][k] for k in ("人员经费", "公用经费", "项目支出")]
        assert [Decimal(x) for x in row[4:]] == want, row
        assert Decimal(row[3]) == sum(want, ZERO), row  # 合计 = 人员经费 + 公用经费 + 项目支出
    (total,) = [r for r in t1["rows"] if r[2] == "支出总计"]
    want = [sum((s[k] for s in sums.values()), ZERO) for k in ("人员经费", "公用经费", "项目支出")]
    assert [Decimal(x) for x in total[4:]] == want
    assert Decimal(total[3]) == sum(want, ZERO) == Decimal(total[1])  # 支出总计 = 收入总计
    for row in t1["rows"]:
        if not row[2]:  # income rows below the last 类: nothing on the spending side
            assert row[3:] == ["", "", "", ""]


def test_operating_spending_is_split_by_economic_class(units):
    source, out = units["147002"]
    (t1,) = t1_of(out)
    row = next(r for r in t1["rows"] if r[2].endswith("一般公共服务支出"))
    # 2010350's basic lines: 人员经费 30101 1326000 + 30102 412000 + 30107 1488000, and the 经营支出 on 30101 30000;
    # 公用经费 30201 86000 + 30206 52000 + 30213 38000 + 30226 120000 + 30299 60000, and the 经营支出 on 30201 20000;
    # 项目支出 2010399 1050000 + 200000
    assert row[3:] == ["4882000.00", "3256000.00", "376000.00", "1250000.00"]
    income = {r[0]: r[1] for r in t1["rows"]}
    assert income["三、事业单位经营收入"] == "50000.00"


def test_the_split_t1_in_docx_and_xlsx(units):
    source, out = units["147001"]
    sums = expected(source)
    grids = [table_grid(t._tbl) for t in Document(str(next(out.glob("*.docx")))).tables]
    grid = next(g for g in grids if HEADER[1] in g)
    at = grid.index(HEADER[1])
    assert grid[at - 1] == HEADER[0]
    row = next(r for r in grid if r[2] == "三、卫生健康支出")
    assert row[4] == f"{sums['210']['人员经费']:,.2f}" and row[6] == f"{sums['210']['项目支出']:,.2f}"
    wb = openpyxl.load_workbook(next(out.glob("*.xlsx")))
    ws = wb["147001-01财务收支预算总表"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    at = rows.index(["项目", "预算数", "项目", "合计", "人员经费", "公用经费", "项目支出"])
    assert rows[at - 1][:3] == ["收入", None, "支出"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"A{at}:B{at}" in merged and f"C{at}:G{at}" in merged
    total = next(r for r in rows if r[2] == "支出总计")
    assert [Decimal(str(v)) for v in total[4:7]] == [sum((s[k] for s in sums.values()), ZERO)
                                                     for k in ("人员经费", "公用经费", "项目支出")]


def test_the_department_document_keeps_its_t1(tmp_path, folder):
    mine, base = tmp_path / "mine", tmp_path / "base"
    assert main(["render", str(SAMPLE), "--profile", str(folder), "--format", "json", "--out", str(mine)]) == 0
    assert main(["render", str(SAMPLE), "--format", "json", "--out", str(base)]) == 0
    (t1,) = t1_of(mine)
    assert t1["header"] == PLAIN and [t1] == t1_of(base)


def test_the_builtin_prints_one_t1_in_unit_documents_too(tmp_path):
    doc, _ = prepare(unit_folder(tmp_path, "147003", "上海区级"))
    (t1,) = [t for t in doc.tables() if t.kind == "t1"]
    assert len(t1.columns) == 4


def test_two_tables_with_one_key_in_the_same_document_is_an_error(tmp_path):
    folder = tmp_path / "dup"
    profiles.copy("上海区级", folder)
    text = switched(PROFILE.read_text(encoding="utf-8"), documents=False)  # the 部门预算 line left commented
    (folder / "profile.yaml").write_text(text, encoding="utf-8")
    found, findings = profiles.load(folder)
    assert found is None
    (error,) = [f for f in findings if f.severity is Severity.error]
    second = text.index("  - key: t1\n", text.index("  - key: t1\n") + 1)
    assert error.line == text[:second].count("\n") + 1 and error.column
    assert "表的代号 t1 重复（第 1 张表已用）" in error.message and "documents" in error.fix


def test_documents_are_checked_by_the_schema_model(tmp_path):
    folder = tmp_path / "bad"
    profiles.copy("上海区级", folder)
    text = switched(PROFILE.read_text(encoding="utf-8")).replace("documents: [单位预算]", "documents: [单位]")
    (folder / "profile.yaml").write_text(text, encoding="utf-8")
    found, findings = profiles.load(folder)
    assert found is None
    (error,) = findings
    assert error.line == text[:text.index("documents: [单位]")].count("\n") + 1
    assert "部门预算" in error.message + error.fix and "单位预算" in error.message + error.fix


def test_render_units_gives_each_unit_its_own_t1_and_the_department_its_plain_one(tmp_path, folder):
    """`render --units` from the department's one folder: the units' documents take the 单位预算 tables (the split
    T1), the department's keeps its own, each unit's figures summed here from its YAML lines alone."""
    source = tmp_path / "dept"
    shutil.copytree(SAMPLE, source)
    text = (source / "department.yaml").read_text(encoding="utf-8")
    (source / "department.yaml").write_text(text.replace("    profile: 上海区级\n", f"    profile: {folder}\n"),
                                            encoding="utf-8")
    out = tmp_path / "out"
    assert main(["render", str(source), "--units", "--format", "json", "--out", str(out)]) == 0
    department = json.loads((out / "dept.json").read_text(encoding="utf-8"))
    (plain,) = [t for t in department["tables"] if t["kind"] == "t1"]
    assert [c["key"] for c in plain["columns"]] == ["income_item", "income", "spending_item", "spending"]
    for code in UNITS:
        (path,) = out.glob(f"dept-{code}-*.json")
        (t1,) = [t for t in json.loads(path.read_text(encoding="utf-8"))["tables"] if t["kind"] == "t1"]
        assert len(t1["columns"]) == 7
        one = tmp_path / "one" / code
        sums = expected(unit_folder(one.parent, code, folder))
        rows = {row[2]: row for row in t1["rows"] if row[2]}
        for cls, parts in sums.items():
            row = next(r for label, r in rows.items() if label.endswith(CLASSES[cls]))
            if code != "147002":  # its folder above carries two more 经营支出 lines than the department's
                assert [Decimal(row[i] or "0") for i in (4, 5, 6)] == [parts["人员经费"], parts["公用经费"],
                                                                       parts["项目支出"]], (code, cls)
            assert Decimal(row[3]) == sum((Decimal(row[i] or "0") for i in (4, 5, 6)), ZERO)
