"""budgetgen import (issue 14): the budget system's exports → a department folder; render --format lines → the
same layout back. Round trips render byte for byte; a Shanghai-shaped export imports; broken workbooks are named
by file and sheet!cell, and then nothing is written."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from budgetgen import writers
from budgetgen.cli import main
from budgetgen.errors import InputError, Severity
from budgetgen.importer import Request, run
from budgetgen.importer.headers import SYNONYMS, field_of, Mapping
from budgetgen.pipeline import prepare
from budgetgen.writers.lines import COLUMNS
from render_util import SAMPLES

FORMATS = ("json", "docx", "xlsx")


def lines_workbook(name: str, tmp: Path) -> Path:
    doc, _ = prepare(SAMPLES / name)
    path = tmp / f"{name}-明细.xlsx"
    path.write_bytes(writers.render("lines", doc))
    return path


def outputs(folder: Path) -> dict[str, bytes]:
    doc, _ = prepare(folder)
    return {f: writers.render(f, doc) for f in FORMATS}  # type: ignore[misc]


def nine_tables(folder: Path) -> list:
    from budgetgen.writers.data import document_data

    doc, _ = prepare(folder)
    return [(t["id"], t["rows"]) for t in document_data(doc)["tables"] if t["kind"] in {f"t{i}" for i in range(1, 10)}]


def test_lines_is_not_written_by_default():
    assert writers.defaults() == ["html", "json", "csv", "docx", "pdf", "xlsx"]
    assert "lines" in writers.available()


def test_the_lines_header_is_what_import_reads_first():
    for title, _ in COLUMNS:
        name = field_of(title, Mapping())
        assert name is not None and SYNONYMS[name][0] == title


@pytest.mark.parametrize("name", ["julu-2023", "wei-2021"])
def test_a_sample_exported_to_lines_and_imported_back_renders_byte_identically(name, tmp_path):
    book = lines_workbook(name, tmp_path)
    folder = tmp_path / name
    shutil.copytree(SAMPLES / name, folder)
    result = run(Request([book], folder))
    assert not [f for f in result.findings if f.severity is Severity.error]
    assert outputs(folder) == outputs(SAMPLES / name)
    again = run(Request([book], folder))  # importing the same figures again changes nothing
    assert again.notes == [] and outputs(folder) == outputs(SAMPLES / name)


def test_a_new_folder_from_lines_has_the_samples_nine_tables_and_places_to_fill(tmp_path):
    book = lines_workbook("julu-2023", tmp_path)
    folder = tmp_path / "新部门"
    result = run(Request([book], folder))
    assert (folder / "department.yaml").is_file() and (folder / "units" / "201001.yaml").is_file()
    assert len(list((folder / "projects").glob("*.yaml"))) == 37
    assert nine_tables(folder) == nine_tables(SAMPLES / "julu-2023")
    assert "amount_unit: 元" in (folder / "department.yaml").read_text(encoding="utf-8")
    placeholders = [f for f in result.findings if f.code == "placeholder"]
    assert any(f.path == "department.duties" for f in placeholders)
    assert main(["validate", str(folder)]) == 0


def shanghai_workbook(path: Path, *, broken: str = "") -> Path:
    """巨鹿's lines as a Shanghai-style export: amounts in 元 as text with thousands separators, 类/款/项 in
    separate columns, a title and unit line above headers on row 5; 基本支出 with a two-row header, 项目支出 one."""
    import openpyxl

    doc, _ = prepare(SAMPLES / "julu-2023")
    wb = openpyxl.Workbook()
    basic = wb.active
    basic.title = "基本支出"
    project = wb.create_sheet("项目支出")
    summary = wb.create_sheet("部门支出总表")  # a published pivot: not imported
    summary.append(["2023年部门支出总表"])
    summary.append(["科目编码", "科目名称", "合计", "基本支出", "项目支出"])
    summary.append(["201", "一般公共服务支出", "1841.44", "630.67", "1210.77"])
    for ws, what in ((basic, "基本支出"), (project, "项目支出")):
        ws.append([f"上海市某区2023年区级部门预算（{what}明细）"])
        ws.append(["编制部门：中共巨鹿县委办公室"])
        ws.append([None, None, None, None, None, None, None, None, "单位：元"])
        ws.append([])
    basic.append(["单位编码", "单位名称", "功能分类科目编码", None, None, "功能分类科目名称", "部门经济分类", "资金性质",
                  "金额（元）"])
    basic.append([None, None, "类", "款", "项", None, None, None, None])
    basic.merge_cells("C5:E5")
    project.append(["单位编码", "单位名称", "类", "款", "项", "部门经济分类", "资金性质", "项目名称", "金额(元)"])
    for line in doc.lines:
        f = line.function
        yuan = f"{line.amount * 10000:,.2f}"
        source = line.source + "拨款" if line.source == "一般公共预算" else line.source
        if line.kind == "基本支出":
            basic.append([line.unit_code, line.unit_name, f[:3], f[3:5], f[5:], line.function_name,
                          f"{line.economic} {line.economic_name}", source, yuan])
        else:
            project.append([line.unit_code, line.unit_name, int(f[:3]), f[:5], f, line.economic, source,
                            line.project_name, yuan])
    if broken == "text":
        basic["I8"] = "约五万"
    elif broken == "code":
        basic["E9"] = "98"  # 20131 98: no such 项
    elif broken == "merged":
        basic.merge_cells("I10:I11")
    elif broken == "column":
        project.delete_cols(3, 3)  # no function code at all
    elif broken == "name":
        basic["F7"] = "行政运转"
    wb.save(path)
    return path


def test_a_shanghai_shaped_export_imports(tmp_path):
    book = shanghai_workbook(tmp_path / "导出.xlsx")
    folder = tmp_path / "巨鹿"
    shutil.copytree(SAMPLES / "julu-2023", folder)
    result = run(Request([book], folder))
    assert [f.code for f in result.findings if f.code == "import-summary-skipped"] == ["import-summary-skipped"]
    assert outputs(folder) == outputs(SAMPLES / "julu-2023")
    fresh = tmp_path / "新目录"
    run(Request([book], fresh, year=None))
    assert nine_tables(fresh) == nine_tables(SAMPLES / "julu-2023")


def failure(tmp_path, broken: str) -> list:
    book = shanghai_workbook(tmp_path / "导出.xlsx", broken=broken)
    folder = tmp_path / "巨鹿"
    shutil.copytree(SAMPLES / "julu-2023", folder)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with pytest.raises(InputError) as caught:
        run(Request([book], folder))
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before  # nothing written
    assert not (tmp_path / "新目录").exists()
    return [f for f in caught.value.findings if f.severity is Severity.error]


def test_text_in_an_amount_is_named_by_sheet_and_cell(tmp_path):
    (err,) = failure(tmp_path, "text")
    assert err.file.endswith("导出.xlsx") and err.path == "基本支出!I8" and "约五万" in err.message and err.fix
    assert "基本支出!I8" in err.render()


def test_an_unknown_code_is_named_with_the_nearest(tmp_path):
    (err,) = failure(tmp_path, "code")
    assert err.path == "基本支出!E9" and "2013198" in err.message and "2013101" in err.fix


def test_merged_amount_cells_are_named(tmp_path):
    (err,) = failure(tmp_path, "merged")
    assert err.path == "基本支出!I10" and "I10:I11" in err.message and "取消合并" in err.fix


def test_a_missing_column_is_named(tmp_path):
    (err,) = failure(tmp_path, "column")
    assert err.path == "项目支出!A5" and "功能分类科目编码" in err.message


def test_a_name_unlike_the_catalogs_is_a_warning(tmp_path):
    book = shanghai_workbook(tmp_path / "导出.xlsx", broken="name")
    folder = tmp_path / "巨鹿"
    shutil.copytree(SAMPLES / "julu-2023", folder)
    result = run(Request([book], folder))
    (warning,) = [f for f in result.findings if f.code == "import-code-name"]
    assert warning.severity is Severity.warning and warning.path == "基本支出!E7" and "行政运转" in warning.message


def test_csv_targets_and_last_year(tmp_path):
    """A CSV in GBK with indicators, goals and last year's figures (万元) beside an XLSX of lines."""
    book = lines_workbook("julu-2023", tmp_path)
    (tmp_path / "绩效指标.csv").write_bytes(
        "项目名称,一级指标,二级指标,三级指标,指标说明,指标值,指标值确定依据\n"
        "保密机要局专项经费,产出指标,数量指标,设备维修数量,维修设备台数,≥6台,计划\n"
        ",,成本指标,总成本,项目总成本,2万元,预算\n"
        ",满意度指标,服务对象满意度指标,满意度,服务对象满意度,≥95%,问卷\n".encode("gbk"))
    (tmp_path / "绩效目标.csv").write_text("项目名称,绩效目标\n保密机要局专项经费,\"1.确保保密工作运转\n2.指导乡镇保密工作\"\n",
                                       encoding="utf-8-sig")
    (tmp_path / "上年数.csv").write_text("单位：万元\n项目,上年预算数\n人员经费,\"1,000.00\"\n公用经费,（0）\n项目支出,700\n"
                                      "公务用车运行维护费,50\n", encoding="utf-8")
    folder = tmp_path / "巨鹿"
    shutil.copytree(SAMPLES / "julu-2023", folder)
    result = run(Request([book, tmp_path / "绩效指标.csv", tmp_path / "绩效目标.csv", tmp_path / "上年数.csv"], folder))
    assert any(f.code == "import-encoding-gbk" for f in result.findings)
    from budgetgen.pipeline import load

    budget = load(folder)
    project = next(p for p in budget.projects if p.name == "保密机要局专项经费")
    assert project.goals == ["确保保密工作运转", "指导乡镇保密工作"]
    assert [(i.level1, i.level2, i.name, i.value) for i in project.indicators] == [
        ("产出指标", "数量指标", "设备维修数量", "≥6台"), ("产出指标", "成本指标", "总成本", "2万元"),
        ("满意度指标", "服务对象满意度指标", "满意度", "≥95%")]
    last = budget.department.last_year
    assert last is not None and (last.personnel, last.public, last.project) == (Decimal("1000"), 0, Decimal("700"))
    assert last.sangong is not None and last.sangong.vehicle_operation == Decimal("50")
    assert budget.department.duties[0].startswith("负责推动党中央")  # hand-written text kept
    other = (folder / "projects" / "13-公务用车车辆运行费.yaml").read_text(encoding="utf-8")
    assert "照录" in other  # a project the targets do not name keeps its comments and indicators


def test_the_cli_imports_and_says_what_it_did(tmp_path, capsys):
    book = lines_workbook("wei-2021", tmp_path)
    folder = tmp_path / "魏县"
    assert main(["import", str(book), "--out", str(folder)]) == 0
    assert "已导入" in capsys.readouterr().out
    broken = shanghai_workbook(tmp_path / "坏.xlsx", broken="text")
    assert main(["import", str(broken), "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert "基本支出!I8" in err and "没有任何改动" in err and not (tmp_path / "x").exists()


def test_the_same_export_given_twice_is_an_error_not_a_double_count(tmp_path):
    book = lines_workbook("wei-2021", tmp_path)
    copy = tmp_path / "副本.xlsx"
    shutil.copyfile(book, copy)
    for files in ([book, copy], [book, book]):
        with pytest.raises(InputError) as raised:
            run(Request(files, tmp_path / "魏县"))
        same = [f for f in raised.value.findings if f.code == "import-same-file"]
        assert len(same) == 1 and book.name in same[0].message and "重复计算" in same[0].message
    assert not (tmp_path / "魏县").exists()


def test_a_line_repeated_in_another_file_is_named_with_both_places(tmp_path):
    """Two exports that overlap: every repeated line is a warning naming the other file's cell; both count."""
    import openpyxl

    book = lines_workbook("wei-2021", tmp_path)
    other = tmp_path / "另一份.xlsx"
    workbook = openpyxl.load_workbook(book)
    workbook.active.title = "补充"  # other bytes, same lines
    workbook.save(other)
    result = run(Request([book, other], tmp_path / "魏县"))
    repeated = [f for f in result.findings if f.code == "import-repeated-line"]
    assert repeated and all(f.severity is Severity.warning and f.file.endswith("另一份.xlsx") for f in repeated)
    assert book.name in repeated[0].message and "两笔都会计入" in repeated[0].message
    assert repeated[0].path.startswith("补充!")


def test_a_reserve_line_imports_as_its_own_spending_use(tmp_path):
    """单位预留机动经费 (Jiangsu's third spending use) is read from the 支出类型 column, without an economic code."""
    sheet = tmp_path / "明细.csv"
    sheet.write_text("单位：元\n单位编码,单位名称,支出类型,功能分类科目编码,经济分类科目编码,资金性质,金额\n"
                     "301001,某某厅本级,基本支出,2013101,30101,一般公共预算,\"1,200,000.00\"\n"
                     "301001,某某厅本级,单位预留机动经费,2013101,,一般公共预算,50000\n", encoding="utf-8")
    folder = tmp_path / "某某厅"
    run(Request([sheet], folder, year=2019, code="301", name="某某厅"))
    from budgetgen.model.budget import Kind
    from budgetgen.pipeline import load

    unit = load(folder).units[0]
    assert [(line.kind, line.amount) for line in unit.basic] == [(Kind.basic, Decimal("120")),
                                                                 (Kind.reserve, Decimal("5"))]


def test_income_sub_sources_import_and_come_back_through_lines(tmp_path):
    """收入细分来源 (issue 13's optional fact): read from its column, written as sub_source, exported by
    --format lines and read back; one that does not belong to the line's source is named by cell."""
    sheet = tmp_path / "明细.csv"
    head = "单位：元\n单位编码,单位名称,支出类型,功能分类科目编码,经济分类科目编码,资金性质,收入细分来源,金额\n"
    sheet.write_text(head + "301001,某某厅本级,基本支出,2050201,30101,一般公共预算,专项收入,200000\n"
                     "301001,某某厅本级,基本支出,2050201,30201,财政专户管理资金,专户管理教育收费,50000\n",
                     encoding="utf-8")
    first = tmp_path / "甲"
    run(Request([sheet], first, year=2019, code="301", name="某某厅"))
    from budgetgen.pipeline import load

    def subs(folder: Path) -> list:
        return [(line.source.value, line.sub_source, line.amount) for line in load(folder).units[0].basic]

    expected = [("一般公共预算", "专项收入", Decimal("20")), ("财政专户管理资金", "专户管理教育收费", Decimal("5"))]
    assert subs(first) == expected
    doc, _ = prepare(first)
    book = tmp_path / "明细.xlsx"
    book.write_bytes(writers.render("lines", doc))  # type: ignore[arg-type]
    second = tmp_path / "乙"
    run(Request([book], second))
    assert subs(second) == expected

    sheet.write_text(head + "301001,某某厅本级,基本支出,2050201,30101,一般公共预算,专户管理教育收费,200000\n",
                     encoding="utf-8")
    with pytest.raises(InputError) as raised:
        run(Request([sheet], tmp_path / "丙", year=2019, code="301", name="某某厅"))
    bad = [f for f in raised.value.findings if f.code == "import-unknown-sub-source"]
    assert bad and bad[0].path == "明细!G3" and "专项收入" in bad[0].fix


def test_an_unreadable_file_in_the_folder_is_a_message_not_a_crash(tmp_path, capsys):
    """Re-import reads the folder's files as new-year does (budgetgen.yaml_edit): one it cannot decode is named with
    what to do, and nothing is changed (it used to escape as new-year's own exception)."""
    from budgetgen.cli import main

    sheet = tmp_path / "明细.csv"
    sheet.write_text("单位：元\n单位编码,单位名称,支出类型,功能分类科目编码,经济分类科目编码,资金性质,金额\n"
                     "301001,某某厅本级,基本支出,2013101,30101,一般公共预算,1200\n", encoding="utf-8")
    folder = tmp_path / "某某厅"
    folder.mkdir()
    broken = b"budget_year: 2019\n\x80\x81\xfe\xff\x00\x01"
    (folder / "department.yaml").write_bytes(broken)
    assert main(["import", str(sheet), "--out", str(folder), "--year", "2019", "--code", "301", "--name", "某某厅"]) == 1
    said = capsys.readouterr()
    assert "另存为 UTF-8" in said.out + said.err and "没有任何改动" in said.out + said.err
    assert (folder / "department.yaml").read_bytes() == broken and len(list(folder.iterdir())) == 1


def test_a_new_folder_takes_the_county_s_added_codes(tmp_path):
    """A code the county adds in 科目补充.yaml above the department is known to import when the department's folder
    does not exist yet, as it is to validate afterwards."""
    county = tmp_path / "全县"
    county.mkdir()
    (county / "科目补充.yaml").write_text('function:\n  "21298": 地方城乡社区专项\n  "2129801": 老旧小区改造\n',
                                       encoding="utf-8")
    sheet = tmp_path / "明细.csv"
    sheet.write_text("单位：元\n单位编码,单位名称,支出类型,功能分类科目编码,经济分类科目编码,资金性质,金额\n"
                     "301001,某某局本级,基本支出,2129801,30101,一般公共预算,10000\n", encoding="utf-8")
    folder = county / "某某局"
    result = run(Request([sheet], folder, year=2024, code="301", name="某某局"))
    assert not [f for f in result.findings if f.severity is Severity.error]
    from budgetgen.pipeline import validate

    _, findings = validate(folder)
    assert not [f for f in findings if f.severity is Severity.error]


def test_re_import_never_writes_through_a_linked_folder(tmp_path):
    """A department whose projects/ is a link to another folder: import refuses to write there (as new-year does),
    and neither folder changes."""
    sheet = tmp_path / "明细.csv"
    head = "单位：元\n单位编码,单位名称,支出类型,项目名称,功能分类科目编码,经济分类科目编码,资金性质,金额\n"
    sheet.write_text(head + "301001,某某局本级,基本支出,,2013101,30101,一般公共预算,10000\n", encoding="utf-8")
    folder = tmp_path / "某某局"
    run(Request([sheet], folder, year=2024, code="301", name="某某局"))
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    (folder / "projects").mkdir(exist_ok=True)
    shutil.rmtree(folder / "projects")
    (folder / "projects").symlink_to(elsewhere, target_is_directory=True)
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*.yaml") if p.is_file()}
    sheet.write_text(head + "301001,某某局本级,基本支出,,2013101,30101,一般公共预算,10000\n"
                     "301001,某某局本级,项目支出,某项目,2013102,30201,一般公共预算,5000\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        run(Request([sheet], folder, year=2024))
    assert any("链接的目录" in f.message for f in caught.value.findings)
    assert not list(elsewhere.iterdir())
    assert {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*.yaml") if p.is_file()} == before
