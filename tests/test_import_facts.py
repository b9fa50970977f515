"""budgetgen import reads the facts it used to leave to hand-editing: 政府采购 sheets (units[].procurement),
单位基本信息 (nature, rank, funding), 资产 (units[].assets), 是否涉密 (classified) and each unit's own last year
(units[].last_year). Every figure asserted here is typed by hand from the sheets the tests build."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from budgetgen.errors import InputError, Severity
from budgetgen.importer import Request, run
from budgetgen.pipeline import load
from render_util import SAMPLES

LINES_HEADER = ["单位编码", "单位名称", "功能分类科目编码", "经济分类科目编码", "资金性质", "支出类型", "项目名称", "是否涉密",
                "金额（万元）"]
LINES = [
    ["201001", "测试局本级", "2013101", "30101", "一般公共预算", "基本支出", None, None, "100.00"],
    ["201001", "测试局本级", "2013102", "30201", "一般公共预算", "项目支出", "办公设备购置", "是", "200.00"],
    ["201002", "测试局信息中心", "2013101", "30101", "一般公共预算", "基本支出", None, None, "50.00"],
    ["201002", "测试局信息中心", "2013102", "30201", "一般公共预算", "项目支出", "信息系统运维", "否", "80.00"],
]


def xlsx(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for span in (merges or {}).get(title, []):
            ws.merge_cells(span)
    wb.save(path)
    return path


def csv(path: Path, rows: list[list]) -> Path:
    import csv as csvlib

    with path.open("w", encoding="utf-8", newline="") as out:
        csvlib.writer(out).writerows([["" if v is None else v for v in row] for row in rows])
    return path


def lines_sheet(lines: list[list] | None = None) -> list[list]:
    return [["预算年度：2023", "部门编码：201", "部门名称：测试局"], LINES_HEADER, *(lines or LINES)]


PROCUREMENT = [
    ["2023年政府采购预算表"],
    [None, None, None, None, None, None, None, None, "单位：元"],
    ["单位编码", "单位名称", "项目名称", "采购品目", "品目编码", "计量单位", "数量", "单价", "采购金额", "资金来源",
     "预留中小企业份额", "采购类别", "采购组织形式"],
    ["201001", "测试局本级", "办公设备购置", "台式计算机", "A02010104", "台", "200", "6,000", "1,200,000",
     "财政拨款", "360,000", "货物", "分散采购"],
    ["201002", "测试局信息中心", "信息系统运维", "运维服务", "C16", "项", "1", None, "500,000.00", "一般公共预算",
     None, None, "政府集中采购"],
    ["合计", None, None, None, None, None, None, None, "1,700,000", None, None, None, None],
]
UNIT_INFO = [
    ["单位编码", "单位名称", "单位性质", "单位规格", "经费保障形式"],
    ["201001", "测试局本级", "行政单位", "正科级", "财政拨款"],
    ["201002", "测试局信息中心", "参照公务员法管理事业单位", "股级", "财政补助"],
]
ASSETS = [  # one row per unit; a two-row header with merged headings (房屋 over 面积 | 价值)
    [None, None, None, None, None, None, None, None, "单位：万元"],
    ["单位编码", "单位名称", "房屋", None, "其中：办公用房", None, "车辆", None, "单价20万元以上设备（台、套）",
     "其他固定资产（万元）", "执法执勤用车"],
    [None, None, "面积（平方米）", "价值（万元）", "面积（平方米）", "价值", "数量（辆）", "价值", None, None, None],
    ["201001", "测试局本级", "1,200", "350.50", "800", "200", "3", "45.60", "1", "12.34", "3"],
    ["201002", "测试局信息中心", "0", "0", None, None, "0", "0", "0", "5", None],
]
ASSET_MERGES = {"资产": ["C2:D2", "E2:F2", "G2:H2", "A2:A3", "B2:B3"]}
UNIT_LAST_YEAR = [  # 单位上年数: one row per unit × item, the unit printed once (merged down)
    ["单位：万元"],
    ["单位编码", "单位名称", "项目", "上年预算数"],
    ["201001", "测试局本级", "人员经费", "90"],
    [None, None, "公用经费", "10"],
    [None, None, "项目支出", "150"],
    ["201002", "测试局信息中心", "人员经费", "30"],
    [None, None, "公用经费", "8.5"],
    [None, None, "项目支出", "60"],
]


def export(tmp: Path, **broken) -> list[Path]:
    procurement = [list(r) for r in PROCUREMENT]
    unit_info = [list(r) for r in UNIT_INFO]
    for (sheet, row, col), value in broken.get("cells", {}).items():
        {"采购": procurement, "单位": unit_info}[sheet][row - 1][col - 1] = value
    book = xlsx(tmp / "导出.xlsx", {"预算明细": lines_sheet(), "采购明细": procurement, "资产": ASSETS,
                                     "单位上年数": UNIT_LAST_YEAR}, ASSET_MERGES)
    return [book, csv(tmp / "单位基本信息.csv", unit_info)]


def unit(budget, code):
    return next(u for u in budget.units if u.code == code)


def test_a_new_folder_gets_procurement_units_assets_classified_and_each_units_last_year(tmp_path):
    folder = tmp_path / "测试局"
    result = run(Request(export(tmp_path), folder))
    assert not [f for f in result.findings if f.severity is Severity.error]
    budget = load(folder)
    one, two = unit(budget, "201001"), unit(budget, "201002")
    # 单位基本信息
    assert (one.nature.value, one.rank, one.funding) == ("行政", "正科级", "财政拨款")
    assert (two.nature.value, two.rank, two.funding) == ("参公", "股级", "财政补助")
    # 政府采购: 元 → 万元 (the folder is in 万元, as the lines are)
    [pc] = one.procurement
    assert (pc.project, pc.item, pc.catalog_no, pc.measure) == ("办公设备购置", "台式计算机", "A02010104", "台")
    assert (pc.quantity, pc.unit_price, pc.amount, pc.sme_reserved) == (
        Decimal("200"), Decimal("0.6"), Decimal("120"), Decimal("36"))
    assert (pc.category.value, pc.form.value, pc.source.value) == ("货物", "分散采购", "一般公共预算")
    [service] = two.procurement
    assert (service.amount, service.unit_price, service.form.value) == (Decimal("50"), None, "集中采购")
    assert service.category.value == "服务"  # from the 品目编码 C16
    # 资产
    a = one.assets
    assert (a.buildings_area, a.buildings_value, a.office_area, a.office_value) == (
        Decimal("1200"), Decimal("350.5"), Decimal("800"), Decimal("200"))
    assert (a.vehicles, a.vehicles_value, a.equipment, a.other_value) == (3, Decimal("45.6"), 1, Decimal("12.34"))
    assert a.vehicles_by_use is not None and a.vehicles_by_use.enforcement == 3
    assert two.assets.office_area is None and two.assets.other_value == Decimal("5")
    # 涉密
    projects = {p.name: p for p in budget.projects}
    assert projects["办公设备购置"].classified is True and projects["信息系统运维"].classified is False
    # each unit's last year, and the department's as their sum
    assert (one.last_year.personnel, one.last_year.public, one.last_year.project) == (
        Decimal("90"), Decimal("10"), Decimal("150"))
    assert (two.last_year.personnel, two.last_year.public, two.last_year.project) == (
        Decimal("30"), Decimal("8.5"), Decimal("60"))
    dept = budget.department.last_year
    assert (dept.personnel, dept.public, dept.project) == (Decimal("120"), Decimal("18.5"), Decimal("210"))


HAND = """units:
  - code: "201001"
    name: 测试局本级
    nature: 行政  # 导入表中没有单位性质：请核对（行政 / 事业 / 参公）
    rank: 科级  # 手写的规格
    duties:
      - 手写的单位职责
    basic:
      - {function: "2013101", economic: "30101", amount: 1.00}
    # 资产：手写
    assets:
      buildings_area: 1
      planned_purchase: 4.00  # 本年拟购置办公设备
"""
HAND_OTHER = """units:
  - code: "201002"
    name: 测试局信息中心
    nature: 事业
    basic: []
    procurement:
      - {project: 信息系统运维, item: 手写的采购, amount: 1.00}
"""


def test_re_import_rewrites_what_import_owns_and_keeps_hand_text(tmp_path):
    folder = tmp_path / "测试局"
    run(Request([xlsx(tmp_path / "明细.xlsx", {"预算明细": lines_sheet()})], folder))
    (folder / "units" / "201001.yaml").write_text(HAND, encoding="utf-8")
    (folder / "units" / "201002.yaml").write_text(HAND_OTHER, encoding="utf-8")
    procurement = [list(r) for r in PROCUREMENT[:4]]  # only 201001 buys: 201002's hand-written line stays
    book = xlsx(tmp_path / "导出.xlsx", {"预算明细": lines_sheet(), "采购明细": procurement, "资产": ASSETS[:4]},
                {"资产": ASSET_MERGES["资产"]})
    info = csv(tmp_path / "单位.csv", UNIT_INFO[:2])
    result = run(Request([book, info], folder))
    assert not [f for f in result.findings if f.severity is Severity.error]
    text = (folder / "units" / "201001.yaml").read_text(encoding="utf-8")
    assert "手写的单位职责" in text and "# 资产：手写" in text
    assert "planned_purchase: 4.00  # 本年拟购置办公设备" in text  # a key the sheet does not have
    assert "导入表中没有单位性质" not in text and "手写的规格" not in text
    budget = load(folder)
    one, two = unit(budget, "201001"), unit(budget, "201002")
    assert (one.rank, one.assets.buildings_area, one.assets.planned_purchase) == ("正科级", Decimal("1200"),
                                                                                   Decimal("4"))
    assert one.basic[0].amount == Decimal("100") and one.procurement[0].amount == Decimal("120")
    assert [p.item for p in two.procurement] == ["手写的采购"] and two.assets is None and two.nature.value == "事业"
    again = run(Request([book, info], folder))  # the same figures again: the same files
    assert (folder / "units" / "201001.yaml").read_text(encoding="utf-8") == text
    assert not [f for f in again.findings if f.severity is Severity.error]


def test_facts_alone_update_an_existing_folder(tmp_path):
    folder = tmp_path / "测试局"
    run(Request([xlsx(tmp_path / "明细.xlsx", {"预算明细": lines_sheet()})], folder))
    run(Request([csv(tmp_path / "单位基本信息.csv", UNIT_INFO)], folder))
    budget = load(folder)
    assert unit(budget, "201002").nature.value == "参公"
    assert unit(budget, "201001").basic[0].amount == Decimal("100")  # the lines are as they were


@pytest.mark.parametrize(("cells", "where", "words"), [
    ({("单位", 3, 3): "机关事业混合"}, "单位!C3", "单位性质“机关事业混合”无法识别"),
    ({("采购", 4, 7): "二百"}, "采购明细!G4", "数量“二百”不是数字"),
    ({("采购", 4, 9): "约一百万"}, "采购明细!I4", "采购金额“约一百万”不是金额数字"),
    ({("采购", 4, 12): "设备"}, "采购明细!L4", "采购类别“设备”无法识别"),
    ({("采购", 4, 3): "没有的项目"}, "采购明细!C4", "不是单位 201001 的项目"),
])
def test_a_bad_cell_is_named_and_nothing_is_written(tmp_path, cells, where, words):
    folder = tmp_path / "测试局"
    files = export(tmp_path, cells=cells)
    if where.startswith("单位"):
        files[1] = files[1].rename(tmp_path / "单位.csv")
    with pytest.raises(InputError) as raised:
        run(Request(files, folder))
    errors = [f for f in raised.value.findings if f.severity is Severity.error]
    assert [(f.path, words in f.message) for f in errors] == [(where, True)]
    assert "行政" in errors[0].fix or not where.startswith("单位")  # the allowed natures are named
    assert not folder.exists()


def test_the_lines_sheets_unit_nature_is_read_and_an_unknown_one_is_named(tmp_path):
    header = LINES_HEADER[:2] + ["单位性质"] + LINES_HEADER[2:]
    natures = {"201001": "行政单位", "201002": "公益一类事业单位"}
    lines = [r[:2] + [natures[r[0]]] + r[2:] for r in LINES]
    folder = tmp_path / "测试局"
    run(Request([csv(tmp_path / "明细.csv", [lines_sheet()[0], header, *lines])], folder))
    assert [unit(load(folder), c).nature for c in natures] == ["行政", "事业"]
    lines[2][2] = "社会团体"
    other = tmp_path / "另一局"
    with pytest.raises(InputError) as raised:
        run(Request([csv(tmp_path / "明细2.csv", [lines_sheet()[0], header, *lines])], other))
    errors = [f for f in raised.value.findings if f.severity is Severity.error]
    assert [(f.path, f.code) for f in errors] == [("明细2!C5", "import-unknown-nature")]
    assert "单位性质“社会团体”无法识别" in errors[0].message and "行政" in errors[0].fix
    assert not other.exists()


def test_a_classified_flag_on_the_targets_sheet_and_an_unreadable_one(tmp_path):
    folder = tmp_path / "测试局"
    lines = [r[:7] + [None] + r[8:] for r in LINES]
    goals = [["项目名称", "绩效目标", "是否涉密"], ["办公设备购置", "1. 保障办公", "√"], ["信息系统运维", "1. 系统稳定", "N"]]
    run(Request([xlsx(tmp_path / "a.xlsx", {"预算明细": lines_sheet(lines), "绩效目标": goals})], folder))
    projects = {p.name: p for p in load(folder).projects}
    assert projects["办公设备购置"].classified is True and projects["信息系统运维"].classified is False
    goals[2][2] = "保密"
    with pytest.raises(InputError) as raised:
        run(Request([xlsx(tmp_path / "b.xlsx", {"预算明细": lines_sheet(lines), "绩效目标": goals})], folder))
    assert [f.path for f in raised.value.findings if f.severity is Severity.error] == ["绩效目标!C3"]


def test_a_sample_round_trip_is_unchanged_by_the_new_readers(tmp_path):
    """wei-2021 has hand-written procurement and assets: importing its own lines again leaves them as they are."""
    from budgetgen import writers
    from budgetgen.pipeline import prepare

    doc, _ = prepare(SAMPLES / "wei-2021")
    book = tmp_path / "lines.xlsx"
    book.write_bytes(writers.render("lines", doc))
    folder = tmp_path / "wei"
    shutil.copytree(SAMPLES / "wei-2021", folder)
    run(Request([book], folder))
    before = (SAMPLES / "wei-2021" / "units" / "201001.yaml").read_text(encoding="utf-8")
    after = (folder / "units" / "201001.yaml").read_text(encoding="utf-8")
    tail = before[before.index("    # 六、政府采购预算情况"):]  # procurement, assets and what follows, comments too
    assert after.endswith(tail)
    assert after.startswith(before[:before.index("    basic:")])
    assert (folder / "department.yaml").read_bytes() == (SAMPLES / "wei-2021" / "department.yaml").read_bytes()
    old, new = unit(load(SAMPLES / "wei-2021"), "201001"), unit(load(folder), "201001")
    assert [p.model_dump() for p in new.procurement] == [p.model_dump() for p in old.procurement]
    assert new.assets.model_dump() == old.assets.model_dump() and new.nature == old.nature


def test_a_procurement_csv_alone_in_the_units_given_unit_and_its_problems(tmp_path):
    folder = tmp_path / "测试局"
    run(Request([xlsx(tmp_path / "明细.xlsx", {"预算明细": lines_sheet()})], folder))
    rows = [["单位名称", "项目名称", "采购物品名称", "数量", "预算金额", "采购方式"],
            ["测试局信息中心", "信息系统运维", "服务器", "2", "80,000", "公开招标"]]
    run(Request([csv(tmp_path / "采购.csv", rows)], folder, unit="元"))
    [bought] = unit(load(folder), "201002").procurement
    assert (bought.item, bought.quantity, bought.amount, bought.form) == ("服务器", Decimal("2"), Decimal("8"), None)
    assert unit(load(folder), "201001").procurement == []
    rows[1][0] = "别的单位"
    with pytest.raises(InputError) as raised:
        run(Request([csv(tmp_path / "采购2.csv", rows)], folder, unit="元"))
    assert [f.path for f in raised.value.findings if f.severity is Severity.error] == ["采购2!E2"]
    rows[1][0] = "测试局信息中心"
    rows[1][4] = None
    with pytest.raises(InputError) as raised:  # no unit anywhere: said, not guessed
        run(Request([csv(tmp_path / "采购3.csv", rows[:1] + [rows[1][:4] + ["80000", "询价"]])], folder))
    assert [f.code for f in raised.value.findings if f.severity is Severity.error] == ["import-no-unit"]


def test_a_merged_procurement_amount_is_named(tmp_path):
    rows = [list(r) for r in PROCUREMENT[:4]] + [list(PROCUREMENT[3])]
    rows[4][3] = "显示器"
    book = xlsx(tmp_path / "导出.xlsx", {"预算明细": lines_sheet(), "采购明细": rows}, {"采购明细": ["I4:I5"]})
    with pytest.raises(InputError) as raised:
        run(Request([book], tmp_path / "测试局"))
    errors = [f for f in raised.value.findings if f.severity is Severity.error]
    assert [(f.path, f.code) for f in errors] == [("采购明细!I4", "import-merged-amount")]


def test_re_importing_last_year_keeps_the_hand_written_keys_import_does_not_own(tmp_path):
    folder = tmp_path / "测试局"
    last = [["单位：万元"], ["项目", "上年预算数"], ["基本支出", "140"], ["项目支出", "200"]]
    run(Request([xlsx(tmp_path / "a.xlsx", {"预算明细": lines_sheet(), "上年数": last})], folder))
    path = folder / "department.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("    basic: 140.00")
    path.write_text(text[:at] + "    appropriation: 330.00  # 手写的上年财政拨款\n" + text[at:], encoding="utf-8")
    last[2][1] = "150"
    run(Request([xlsx(tmp_path / "b.xlsx", {"预算明细": lines_sheet(), "上年数": last})], folder))
    assert "appropriation: 330.00  # 手写的上年财政拨款" in path.read_text(encoding="utf-8")
    got = load(folder).department.last_year
    assert (got.basic, got.project, got.appropriation) == (Decimal("150"), Decimal("200"), Decimal("330"))
