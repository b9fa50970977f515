"""Input integrity (issue 11): no figure silently lost or counted twice, every file of a folder accounted for,
encodings detected or refused, text kept as text or refused at its position, numbering past 99, names of
sensible length."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from budgetgen import fmt
from budgetgen.analysis import analyse
from budgetgen.cli import main
from budgetgen.errors import Severity
from budgetgen.model import loader
from budgetgen.model.budget import Project
from budgetgen.pipeline import validate
from render_util import SAMPLES

HEAD = """\
budget_year: 2023
level: 县级
department:
  code: "305"
  name: 某县教育局
  duties: [负责全县教育事业发展规划]
"""

UNIT = """\
units:
  - code: "305001"
    name: 某县教育局本级
    nature: 行政
    basic:
      - {function: "2050101", economic: "30101", amount: 10.00}
"""

INDICATORS = """\
    indicators:
      - {level1: 产出指标, level2: 数量指标, name: 次数, value: 1次}
      - {level1: 效益指标, level2: 社会效益指标, name: 效果, value: 良好}
      - {level1: 满意度指标, level2: 服务对象满意度指标, name: 满意度, value: ≥95%}
"""


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return folder


def project(name: str, body: str, unit: str | None = None) -> str:
    head = f"  - name: {name}\n" + (f'    unit: "{unit}"\n' if unit else "")
    return head + body + "    goals: [完成工作]\n" + INDICATORS


def errors(findings) -> list:
    return [f for f in findings if f.severity is Severity.error]


def run(argv: list[str], capsys) -> tuple[int, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


# --- 1. project-level economic, source and carryover reach every line of amounts -------------------------------

def test_project_level_fields_apply_to_each_line_that_does_not_set_its_own(tmp_path):
    body = """\
    function: "2013105"
    economic: "30231"
    carryover: true
    amounts:
      - {amount: 2.00}
      - {economic: "30299", carryover: false, amount: 3.00}
"""
    path = write(tmp_path / "d", {"d.yaml": HEAD + UNIT + "projects:\n" + project("公务用车运行经费", body)})
    budget, findings = validate(path)
    assert not errors(findings), findings
    first, second = budget.projects[0].lines()
    assert (first.economic, first.carryover) == ("30231", True)
    assert (second.economic, second.carryover) == ("30299", False)
    figures = analyse(budget).department.figures
    assert figures.sangong["vehicle_operation"] == Decimal("2.00")  # was 0: the project's 30231 was lost
    assert figures.carryover == Decimal("2.00")


def test_project_level_source_applies_to_lines(tmp_path):
    body = """\
    function: "2061001"
    source: 政府性基金预算
    amounts:
      - {economic: "30299", amount: 4.00}
      - {economic: "30299", amount: 1.00, function: "2013105", source: 一般公共预算}
"""
    path = write(tmp_path / "d", {"d.yaml": HEAD + UNIT + "projects:\n" + project("基金项目", body)})
    budget, findings = validate(path)
    assert not errors(findings), findings
    figures = analyse(budget).department.figures
    assert figures.income_by_source["fund"] == Decimal("4.00")  # was 0: counted as 一般公共预算
    assert figures.income_by_source["general"] == Decimal("11.00")


def test_inheritance_is_the_model_rule_and_keeps_what_a_line_says():
    p = Project.model_validate({"name": "x", "economic": "30231", "source": "政府性基金预算", "carryover": "true",
                                "amounts": [{"amount": "1"}, {"amount": "2", "source": "一般公共预算"}]})
    one, two = p.lines()
    assert (one.economic, one.source.value, one.carryover) == ("30231", "政府性基金预算", True)
    assert (two.economic, two.source.value, two.carryover) == ("30231", "一般公共预算", True)
    assert "source" in two.model_fields_set and "source" not in one.model_fields_set
    assert "默认值" in Project.model_fields["economic"].description
    assert "沿用项目" in Project.model_fields["amounts"].description


def test_an_unknown_inherited_code_is_reported_once_at_the_project(tmp_path):
    body = """\
    function: "2013105"
    economic: "30288"
    amounts:
      - {amount: 2.00}
      - {amount: 3.00}
"""
    path = write(tmp_path / "d", {"d.yaml": HEAD + UNIT + "projects:\n" + project("测试项目", body)})
    found = [f for f in validate(path)[1] if f.code == "unknown-economic-code"]
    assert len(found) == 1 and found[0].path == "projects[0].economic", found


# --- 2. every file of a department folder is read or named ------------------------------------------------------

def test_files_that_are_not_read_are_named(tmp_path, capsys):
    extra = "projects:\n" + project("另一个项目", '    function: "2013105"\n    economic: "30299"\n    amount: 1.00\n')
    folder = write(tmp_path / "d", {
        "d.yaml": HEAD + UNIT,
        "projects/a.YAML": extra, "projects/b.yaml.txt": extra, "projects/c.Yml": extra, "projects/e.yml.TXT": extra,
        "README.txt": "说明", "附件/预算说明.docx": b"PK\x03\x04", ".git/config": "x", ".hidden.yaml": "x: [",
        "科目补充.yaml": 'economic:\n  "30299": 其他商品和服务支出\n', "Thumbs.db": b"\x00",
        "budget.schema.json": "{}",
    })
    code, output = run(["validate", str(folder)], capsys)
    assert code == 1
    for name, proper in (("a.YAML", "a.yaml"), ("b.yaml.txt", "b.yaml"), ("c.Yml", "c.yaml"), ("e.yml.TXT", "e.yaml")):
        line = next(l for l in output.splitlines() if name in l)
        assert "错误" in line and f"改名为 {proper}" in line and "没有读取" in line, line
    for name in ("README.txt", "预算说明.docx"):
        line = next(l for l in output.splitlines() if name in l)
        assert "警告" in line and "文件未读取" in line, line
    assert ".git" not in output and ".hidden" not in output and "Thumbs" not in output and "schema" not in output
    assert not [l for l in output.splitlines() if "科目补充.yaml" in l and "读取" in l]  # read (by additions)
    assert "检查通过" not in output


def test_linked_folders_are_named_not_followed(tmp_path, capsys):
    folder = write(tmp_path / "d", {"d.yaml": HEAD + UNIT})
    write(tmp_path / "elsewhere", {"p.yaml": "projects: []\n"})
    (folder / "loop").symlink_to(folder)
    (folder / "shared").symlink_to(tmp_path / "elsewhere")
    code, output = run(["validate", str(folder)], capsys)
    assert code == 0 and output.count("目录未读取") == 2 and "p.yaml" not in output


def test_folder_with_only_misnamed_files(tmp_path, capsys):
    folder = write(tmp_path / "d", {"部门.YAML": HEAD + UNIT})
    code, output = run(["validate", str(folder)], capsys)
    assert code == 1 and "目录中没有 .yaml 或 .yml 文件" in output and "改名为 部门.yaml" in output


def test_yaml_files_lists_what_is_read(tmp_path):
    folder = write(tmp_path / "d", {"a.yaml": "x: 1", "b.yml": "x: 1", "c.YAML": "x: 1", "科目补充.yaml": "x: 1"})
    assert [p.name for p in loader.yaml_files(folder)] == ["a.yaml", "b.yml"]


# --- 3. duplicate projects: not bypassed by the optional unit, nor by spacing or width --------------------------

def test_same_project_with_and_without_its_unit_is_a_duplicate(tmp_path):
    body = '    function: "2013105"\n    economic: "30299"\n    amount: 1.00\n'
    path = write(tmp_path / "d", {
        "d.yaml": HEAD + UNIT,
        "projects/1.yaml": "projects:\n" + project("教研经费", body, unit="305001"),
        "projects/2.yaml": "projects:\n" + project("教研经费", body),
    })
    found = [f for f in validate(path)[1] if f.code == "duplicate-project"]
    assert sorted(f.file.rsplit("/", 1)[-1] for f in found) == ["1.yaml", "2.yaml"]


def test_project_names_differing_only_in_spacing_or_width_are_duplicates(tmp_path):
    body = '    function: "2013105"\n    economic: "30299"\n    amount: 1.00\n'
    path = write(tmp_path / "d", {"d.yaml": HEAD + UNIT + "projects:\n" + project("教研经费(一期)", body)
                                  + project("教研经费 （一期）", body, unit="305001")})
    found = [f for f in validate(path)[1] if f.code == "duplicate-project"]
    assert len(found) == 2 and "只差空格或全角、半角" in found[0].message


def test_an_invisible_character_does_not_hide_a_duplicate(tmp_path):
    body = '    function: "2013105"\n    economic: "30299"\n    amount: 1.00\n'
    path = write(tmp_path / "d", {"d.yaml": HEAD + UNIT + "projects:\n" + project("教研经费", body)
                                  + project("教研\u200b经费", body)})
    assert len([f for f in validate(path)[1] if f.code == "duplicate-project"]) == 2


def test_duplicate_project_code_with_and_without_unit(tmp_path):
    one = '    code: "305001P01"\n    function: "2013105"\n    economic: "30299"\n    amount: 1.00\n'
    path = write(tmp_path / "d", {"d.yaml": HEAD + UNIT + "projects:\n" + project("甲项目", one, unit="305001")
                                  + project("乙项目", one)})
    assert len([f for f in validate(path)[1] if f.code == "duplicate-project-code"]) == 2


def test_two_units_may_each_have_a_project_of_the_same_name(tmp_path):
    units = UNIT + """\
  - code: "305002"
    name: 某县第一中学
    nature: 事业
    basic:
      - {function: "2050203", economic: "30101", amount: 5.00}
"""
    body = '    function: "2013105"\n    economic: "30299"\n    amount: 1.00\n'
    path = write(tmp_path / "d", {"d.yaml": HEAD + units + "projects:\n" + project("培训经费", body, unit="305001")
                                  + project("培训经费", body, unit="305002")})
    assert not [f for f in validate(path)[1] if f.code == "duplicate-project"]


# --- 4. top-level scalars that disagree between files ------------------------------------------------------------

@pytest.mark.parametrize("key, first, second, what", [
    ("level", "县级", "市级", "政府层级"),
    ("budget_year", "2023", "2024", "预算年度"),
    ("amount_unit", "万元", "元", "金额单位"),
])
def test_conflicting_top_level_values_are_errors(tmp_path, key, first, second, what):
    head = HEAD.replace("level: 县级\n", "") if key == "level" else HEAD
    head = head.replace("budget_year: 2023\n", "") if key == "budget_year" else head
    other = "projects:\n" + project("测试项目", '    function: "2013105"\n    economic: "30299"\n    amount: 1.00\n')
    path = write(tmp_path / "d", {"a.yaml": f"{key}: {first}\n" + head + UNIT, "b.yaml": f"{key}: {second}\n" + other})
    found = [f for f in validate(path)[1] if f.code == "conflict"]
    assert len(found) == 1, found
    assert found[0].severity is Severity.error and found[0].file.endswith("b.yaml") and found[0].line == 1
    assert what in found[0].message and first in found[0].message


def test_same_value_in_two_files_is_fine(tmp_path):
    other = "level: 县级\nprojects:\n" + project("测试项目", '    function: "2013105"\n    amount: 1.00\n')
    path = write(tmp_path / "d", {"a.yaml": HEAD + UNIT, "b.yaml": other})
    assert not [f for f in validate(path)[1] if f.code == "conflict"]


# --- 5. encodings ------------------------------------------------------------------------------------------------

BIG5_TEXT = """\
budget_year: 2023
department:
  code: "305"
  name: 某縣教育局
  duties: [負責全縣教育事業發展規劃，組織實施教育改革。]
units:
  - code: "305001"
    name: 某縣教育局本級
    nature: 行政
    basic:
      - {function: "2050101", economic: "30101", amount: 10.00}
"""


def test_big5_file_is_refused_not_read_as_mojibake(tmp_path, capsys):
    folder = write(tmp_path / "d", {"d.yaml": BIG5_TEXT.encode("cp950")})
    code, output = run(["validate", str(folder)], capsys)
    assert code == 1 and "Big5" in output and "UTF-8" in output
    assert "已按 GBK 读取" not in output
    assert "某縣教育局" in output  # the message shows the text as Big5 reads it, recognisable to the clerk


def test_big5_file_is_not_mistaken_for_gbk_whatever_its_length():
    lines = BIG5_TEXT.splitlines(keepends=True)
    for end in range(4, len(lines) + 1):
        findings: list = []
        assert loader.decode_text("".join(lines[:end]).encode("cp950"), "x.yaml", findings) is None
        assert findings and findings[0].severity is Severity.error, (end, findings)


@pytest.mark.parametrize("sample", ["julu-2023", "wei-2021"])
def test_every_sample_file_in_gbk_reads_as_gbk(sample):
    for path in sorted((SAMPLES / sample).rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        try:
            raw = text.encode("gbk")
        except UnicodeEncodeError:
            continue
        findings: list = []
        if raw == text.encode("utf-8"):
            continue
        assert loader.decode_text(raw, path.name, findings) == text, path
        assert [f.code for f in findings] == ["encoding-gbk"], (path, findings)


def test_gbk_stays_a_warning(tmp_path, capsys):
    folder = write(tmp_path / "d", {"d.yaml": (HEAD + UNIT).encode("gbk")})
    code, output = run(["validate", str(folder)], capsys)
    assert code == 0 and "已按 GBK 读取" in output


def test_utf16_with_bom_is_read_with_a_warning(tmp_path, capsys):
    folder = write(tmp_path / "d", {"d.yaml": (HEAD + UNIT).encode("utf-16")})
    code, output = run(["validate", str(folder)], capsys)
    assert code == 0 and "UTF-16" in output and "警告" in output


def test_utf16_without_bom_is_refused(tmp_path, capsys):
    folder = write(tmp_path / "d", {"d.yaml": (HEAD + UNIT).encode("utf-16-le")})
    code, output = run(["validate", str(folder)], capsys)
    assert code == 1 and "UTF-16" in output and "Traceback" not in output


def test_neither_gbk_nor_big5_is_refused():
    findings: list = []
    assert loader.decode_text("name: 测試局 ドイツ Ελλάδα".encode("utf-8")[:-1], "x.yaml", findings) is None
    assert findings[0].severity is Severity.error


# --- 6. text is text ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("escape, shown", [
    ("\\x00", "U+0000"), ("\\x1b", "U+001B"), ("\\x7f", "U+007F"), ("\\x9b", "U+009B"), ("\\uFFFE", "U+FFFE"),
    ("\\uFFFF", "U+FFFF"), ("\\uFDD0", "U+FDD0"), ("\\U0001FFFF", "U+1FFFF"), ("\\x08", "U+0008"),
])
def test_forbidden_characters_are_refused_at_the_value(tmp_path, escape, shown):
    text = HEAD + UNIT.replace("name: 某县教育局本级", f'name: "某县{escape}教育局本级"')
    path = write(tmp_path / "d", {"d.yaml": text})
    budget, findings = validate(path)
    bad = [f for f in findings if f.code == "forbidden-character"]
    assert len(bad) == 1 and bad[0].severity is Severity.error
    assert (bad[0].line, bad[0].column, bad[0].path) == (9, 11, "units[0].name")
    assert shown in bad[0].message and "删除这个字符" in bad[0].fix
    assert budget.units[0].name == "某县\ufffd教育局本级"  # nothing downstream meets the character


@pytest.mark.parametrize("char, shown", [("\x00", "U+0000"), ("\x0b", "U+000B"), ("\x0c", "U+000C"),
                                         ("\x1b", "U+001B"), ("\ufffe", "U+FFFE"), ("\x90", "U+0090")])
def test_forbidden_characters_in_the_file_are_refused_with_their_position(tmp_path, capsys, char, shown):
    text = HEAD + UNIT.replace("name: 某县教育局本级", f"name: 某县{char}教育局本级")
    folder = write(tmp_path / "d", {"d.yaml": text})
    code, output = run(["validate", str(folder)], capsys)
    assert code == 1 and "Traceback" not in output
    assert "d.yaml:9:13" in output and shown in output, output


def test_positions_count_old_mac_line_ends(tmp_path, capsys):
    folder = write(tmp_path / "d", {"d.yaml": (HEAD + UNIT).replace("\n", "\r").replace("某县教育局本级", "某\x07")})
    code, output = run(["validate", str(folder)], capsys)
    assert code == 1 and "d.yaml:9:12" in output and "U+0007" in output


def test_raw_noncharacter_yaml_accepts_is_refused_at_the_value(tmp_path):
    path = write(tmp_path / "d", {"d.yaml": HEAD + UNIT.replace("某县教育局本级", "某县\ufdd0教育局本级")})
    bad = [f for f in validate(path)[1] if f.code == "forbidden-character"]
    assert len(bad) == 1 and "U+FDD0" in bad[0].message and bad[0].line == 9


def test_many_forbidden_characters_are_summed_up(tmp_path, capsys):
    folder = write(tmp_path / "d", {"d.yaml": HEAD + UNIT + "# " + "\x00" * 50 + "\n"})
    code, output = run(["validate", str(folder)], capsys)
    assert code == 1 and output.count("U+0000") == 5 and "还有 45 处" in output


def test_lone_surrogates_are_refused(tmp_path, monkeypatch, capsys):
    text = HEAD + UNIT.replace("name: 某县教育局本级", 'name: "某县\\ud800教育局本级"')
    folder = write(tmp_path / "d", {"d.yaml": text})
    code, output = run(["validate", str(folder)], capsys)  # libyaml refuses the escape itself
    assert code == 1 and "d.yaml:9" in output and "\\u 转义" in output
    monkeypatch.setattr(loader, "_LOADER", yaml.SafeLoader)  # PyYAML's own parser lets it through
    budget, findings = validate(folder)
    bad = [f for f in findings if f.code == "forbidden-character"]
    assert len(bad) == 1 and "U+D800" in bad[0].message and bad[0].line == 9


def test_other_line_breaks_become_newlines(tmp_path):
    purpose = "第一行\\r\\n第二行\\r第三行\\v第四行\\f第五行\\N第六行\\L第七行\\P第八行\\t制表"
    body = f'    function: "2013105"\n    economic: "30299"\n    amount: 1.00\n    purpose: "{purpose}"\n'
    raw = "\n    goals:\n      - |\n        甲\u2028        乙\u2029        丙\x85        丁\n"  # raw, in the file
    path = write(tmp_path / "d", {"d.yaml": HEAD + UNIT + "projects:\n" + project("测试项目", body)
                                  .replace("\n    goals: [完成工作]\n", raw)})
    budget, findings = validate(path)
    assert not errors(findings), findings
    p = budget.projects[0]
    assert p.purpose == "第一行\n第二行\n第三行\n第四行\n第五行\n第六行\n第七行\n第八行\t制表"
    assert p.goals == ["甲\n乙\n丙\n丁"]


def test_catalog_additions_pass_through_the_same_reader(tmp_path):
    folder = write(tmp_path / "d", {"d.yaml": HEAD + UNIT, "科目补充.yaml": 'economic:\n  "30298": "某\\x00费"\n'})
    assert [f.line for f in validate(folder)[1] if f.code == "forbidden-character"] == [2]


# --- 7. numbering past 99 ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, text", [
    (1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (99, "九十九"), (100, "一百"), (101, "一百零一"),
    (110, "一百一十"), (111, "一百一十一"), (120, "一百二十"), (200, "二百"), (999, "九百九十九"), (1000, "一千"),
    (1001, "一千零一"), (1010, "一千零一十"), (1100, "一千一百"), (2024, "二千零二十四"), (9999, "九千九百九十九"),
    (10000, "一万"), (10001, "一万零一"), (100000, "十万"), (120345, "十二万零三百四十五"),
])
def test_cn_number(n, text):
    assert fmt.cn_number(n) == text
    assert fmt.cn_ordinal(n) == text + "、" and fmt.cn_paren(n) == f"（{text}）"


def test_a_department_of_120_units_and_120_duties_renders(tmp_path):
    units = ["units:"]
    for i in range(1, 121):
        units.append(f'  - code: "305{i:03d}"\n    name: 第{i}单位\n    nature: 事业\n    basic:\n'
                     f'      - {{function: "2050101", economic: "30101", amount: {i}.00}}')
    duties = "[" + ", ".join(f"职责{i}" for i in range(1, 121)) + "]"
    text = HEAD.replace("[负责全县教育事业发展规划]", duties) + "\n".join(units) + "\n"
    folder = write(tmp_path / "大部门", {"d.yaml": text})
    assert main(["render", str(folder), "--format", "html,json", "--out", str(tmp_path / "out")]) == 0
    html = (tmp_path / "out" / "大部门.html").read_text(encoding="utf-8")
    for n, name in ((99, "第99单位"), (100, "第100单位"), (101, "第101单位"), (110, "第110单位"), (120, "第120单位")):
        assert f"{fmt.cn_ordinal(n)}{name}收支预算" in html, n
    for n in (100, 101, 111, 120):
        assert f"（{fmt.cn_number(n)}）职责{n}" in html, n
    data = json.loads((tmp_path / "out" / "大部门.json").read_text(encoding="utf-8"))
    assert sum(1 for t in data["tables"] if t["id"].startswith("u305120-")) >= 9


# --- 8. names of sensible length ---------------------------------------------------------------------------------

def test_a_very_long_unit_name_is_refused_quickly_with_its_position(tmp_path, capsys):
    text = HEAD + UNIT.replace("name: 某县教育局本级", "name: " + "很长的单位名称" * 150)
    folder = write(tmp_path / "d", {"d.yaml": text})
    start = time.monotonic()
    code, output = run(["render", str(folder), "--format", "pdf", "--out", str(tmp_path / "out")], capsys)
    assert code == 1 and time.monotonic() - start < 10
    line = next(l for l in output.splitlines() if "过长" in l)
    assert "d.yaml:9:11" in line and "1050 个字符" in line and "最多 200 个字符" in line and "units[0].name" in line


@pytest.mark.parametrize("where, old, new", [
    ("department.name", "name: 某县教育局\n", "name: {long}\n"),
    ("projects[0].name", "name: 测试项目", "name: {long}"),
    ("projects[0].indicators[0].name", "name: 次数", "name: {long}"),
])
def test_other_names_have_the_limit_too(tmp_path, where, old, new):
    text = HEAD + UNIT + "projects:\n" + project("测试项目", '    function: "2013105"\n    amount: 1.00\n')
    text = text.replace(old, new.format(long="名" * 201), 1)
    found = [f for f in validate(write(tmp_path / "d", {"d.yaml": text}))[1] if "过长" in f.message]
    assert [f.path for f in found] == [where]


def test_free_texts_stay_unlimited(tmp_path):
    body = '    function: "2013105"\n    economic: "30299"\n    amount: 1.00\n    purpose: ' + "用途" * 3000 + "\n"
    text = HEAD + UNIT + "projects:\n" + project("测试项目", body).replace("[完成工作]", "[" + "目标" * 1000 + "]")
    budget, findings = validate(write(tmp_path / "d", {"d.yaml": text}))
    assert not errors(findings) and len(budget.projects[0].purpose) == 6000
    ok = "名" * 200
    budget, findings = validate(write(tmp_path / "e", {"d.yaml": HEAD + UNIT.replace("某县教育局本级", ok)}))
    assert not errors(findings) and budget.units[0].name == ok
