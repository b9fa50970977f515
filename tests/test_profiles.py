"""Profiles (issue 13): the built-in 河北县级 profile is today's output; a bureau's copy, edited, renders with its
edits; a broken profile is told at its file:line; the profile is chosen by the department, a county's
公开格式.yaml or --profile."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from docx import Document

from budgetgen import profiles
from budgetgen.cli import main
from budgetgen.pipeline import examine, prepare
from identities import check_hebei, scopes_of
from render_util import SAMPLES

WEI = SAMPLES / "wei-2021"


def copied(tmp_path: Path, edits: list[tuple[str, str]] = (), name: str = "我县格式") -> Path:
    """河北县级 copied as a bureau would (budgetgen profile 河北县级 --out …), its profile.yaml edited."""
    folder = tmp_path / name
    profiles.copy("河北县级", folder)
    data = folder / "profile.yaml"
    text = data.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    data.write_text(text, encoding="utf-8")
    return folder


def findings_of(folder: Path) -> list:
    found, findings = profiles.load(folder)
    assert found is None
    return findings


def test_the_builtin_profile_loads_without_findings():
    assert "河北县级" in profiles.builtins()
    found, findings = profiles.load(profiles.BUILTIN / "河北县级", builtin=True)
    assert found is not None and findings == []
    assert [t.key for t in found.profile.tables] == [f"t{i}" for i in range(1, 10)]


def test_a_department_without_a_profile_gets_hebei_county():
    assert examine(WEI).budget.profile.name == "河北县级"


# --- a broken profile, at its file:line ------------------------------------------------------------------------

def line_of(folder: Path, text: str) -> int:
    lines = (folder / "profile.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


def test_profile_errors_are_positioned_in_chinese(tmp_path):
    folder = copied(tmp_path, [
        ('title: "{称谓}预算收入总表"', 'title: "{单位名}预算收入总表"'),  # an unknown placeholder
        ("{label: 基本支出, kind: [基本支出]}", "{label: 基本支出, kind: [基本经费]}"),  # not a spending kind
        ("    landscape: true\n", "    landscap: true\n"),  # a misspelt field
    ])
    findings = findings_of(folder)
    by_line = {f.line: f for f in findings}
    assert all(f.file.endswith("profile.yaml") and f.severity.value == "错误" for f in findings)
    # the models' errors come first (the file is not checked further until they are fixed)
    kind = by_line[line_of(folder, "kind: [基本经费]")]
    assert "基本经费" in kind.message and "基本支出" in kind.fix
    typo = by_line[line_of(folder, "landscap: true")]
    assert "未知字段 landscap" in typo.message and "landscape" in typo.fix
    folder = copied(tmp_path, [('title: "{称谓}预算收入总表"', 'title: "{单位名}预算收入总表"')], "二")
    (placeholder,) = findings_of(folder)
    assert placeholder.line == line_of(folder, "{单位名}") and "{单位名}" in placeholder.message
    assert "{称谓}" in placeholder.fix and placeholder.path == "tables[1].title"
    assert f"profile.yaml:{placeholder.line}:" in placeholder.render()


def test_table_shapes_are_checked(tmp_path):
    folder = copied(tmp_path, [
        ("    layout: 收支总表     # 左收入、右支出的两栏表\n", "    layout: 收支总表\n    rows: {classification: 功能分类}\n"),
        ("  - key: t3\n", "  - key: t2\n"),
        ("{label: 人员经费, spending: 人员经费}", "{label: 人员经费, value: 项目, spending: 人员经费}"),
    ])
    findings = findings_of(folder)
    messages = {f.line: f.message for f in findings}
    assert "三者之一" in messages[line_of(folder, "- key: t1")]
    lines = (folder / "profile.yaml").read_text(encoding="utf-8").splitlines()
    second = [i for i, line in enumerate(lines, start=1) if line.strip() == "- key: t2"][1]
    assert messages[second] == "表的代号 t2 重复（第 2 张表已用）"
    on_line = {f.message for f in findings if f.line == line_of(folder, "value: 项目, spending: 人员经费")}
    assert on_line == {"这张表的列不能印“项目”", "“人员经费”印项目，不能写金额条件"}


def test_a_yaml_error_in_a_profile_is_positioned(tmp_path):
    folder = copied(tmp_path, [("zero: 空白", "zero:\t空白\n\tx")])
    (finding,) = findings_of(folder)
    assert finding.line == line_of(folder, "zero:") + 1 and finding.code == "yaml-syntax"
    assert "Tab" in finding.message and finding.file.endswith("profile.yaml")


# --- choosing the profile --------------------------------------------------------------------------------------

def department_copy(tmp_path: Path, profile_line: str | None = None) -> Path:
    target = tmp_path / "全县" / "魏县委办"
    shutil.copytree(WEI, target)
    if profile_line is not None:
        text = (target / "department.yaml").read_text(encoding="utf-8")
        text = text.replace("  options:\n", f"  options:\n    {profile_line}\n", 1)
        (target / "department.yaml").write_text(text, encoding="utf-8")
    return target


def test_an_unknown_profile_is_an_error_at_its_line_naming_the_builtin_ones(tmp_path):
    dept = department_copy(tmp_path, "profile: 上海区县")
    examined = examine(dept)
    (finding,) = [f for f in examined.findings if f.code == "profile-unknown"]
    lines = (dept / "department.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[finding.line - 1].strip() == "profile: 上海区县"
    assert "上海区县" in finding.message and "河北县级" in finding.fix
    assert examined.failed


def test_a_county_file_a_department_option_and_the_command_line_choose_the_profile(tmp_path):
    mine = copied(tmp_path / "格式", [('title: "{称谓}预算收支总表"', 'title: "{称谓}收支预算总表（县格式）"')])
    other = copied(tmp_path / "格式", [('title: "{称谓}预算收支总表"', 'title: "{称谓}收支总表（部门自选）"')], "另一")
    dept = department_copy(tmp_path)
    (tmp_path / "全县" / "公开格式.yaml").write_text("profile: ../格式/我县格式\n", encoding="utf-8")
    doc, _ = prepare(dept)
    assert doc.tables()[0].title == "部门收支预算总表（县格式）"
    text = (dept / "department.yaml").read_text(encoding="utf-8")
    (dept / "department.yaml").write_text(text.replace("  options:\n", f"  options:\n    profile: {other}\n", 1),
                                          encoding="utf-8")
    assert prepare(dept)[0].tables()[0].title == "部门收支总表（部门自选）"
    assert prepare(dept, profile=profiles.BUILTIN / "河北县级")[0].tables()[0].title == "部门预算收支总表"
    assert main(["validate", str(tmp_path / "全县"), "--profile", str(mine)]) == 0  # the county file is no department


def test_an_unknown_command_line_profile_lists_the_builtin_ones(capsys):
    assert main(["render", str(WEI), "--profile", "江苏", "--format", "json"]) == 2
    assert "河北县级" in capsys.readouterr().err


# --- a copied and edited profile renders with its edits ---------------------------------------------------------

EDITED = [('title: "{称谓}预算收支总表"', 'title: "{年度}年{称谓}财务收支预算总表"'),
          ("zero: 空白", "zero: 0.00"),
          ('right: "单位：{单位}"', 'right: "金额单位：{单位}"'),
          ("  department: 第一部分 部门预算", "  department: 第一部分 {名称}部门预算")]


def rendered(tmp_path: Path, folder: Path, formats: str = "json,html,docx") -> Path:
    out = tmp_path / "out"
    assert main(["render", str(WEI), "--profile", str(folder), "--format", formats, "--out", str(out)]) == 0
    return out


def test_an_edited_profile_renders_its_titles_banner_and_zeros(tmp_path):
    out = rendered(tmp_path, copied(tmp_path, EDITED))
    data = json.loads((out / "wei-2021.json").read_text(encoding="utf-8"))
    t1 = next(t for t in data["tables"] if t["kind"] == "t1")
    assert t1["title"] == "2021年部门财务收支预算总表"
    rows = {r[1]: r for r in t1["rows"]}
    assert rows["四、财政专户管理资金收入"][2] == "0.00"  # zero shown, not blank
    html = (out / "wei-2021.html").read_text(encoding="utf-8")
    assert "2021年部门财务收支预算总表" in html and '<span class="b-unitlabel">金额单位：万元</span>' in html
    assert "第一部分 中国共产党魏县委员会办公室部门预算" in html
    docx = "\n".join(p.text for p in Document(str(out / "wei-2021.docx")).paragraphs)
    assert "2021年部门财务收支预算总表" in docx and "2021年单位财务收支预算总表" in docx


class Rendered:
    def __init__(self, data: dict):
        self.data = data


def test_the_edited_profiles_tables_satisfy_the_identities(tmp_path):
    out = rendered(tmp_path, copied(tmp_path, EDITED), "json")
    scopes = scopes_of(Rendered(json.loads((out / "wei-2021.json").read_text(encoding="utf-8"))))
    check_hebei(scopes)


def test_a_profile_without_table_nine_with_split_codes_and_notes_of_its_own(tmp_path):
    text = (profiles.BUILTIN / "河北县级" / "profile.yaml").read_text(encoding="utf-8")
    t9 = text[text.index("  - key: t9"):]
    folder = copied(tmp_path, [
        (t9, ""),
        ("""          - {label: 科目编码, value: 编码, key: code, width: 1.3}
          - {label: 科目名称, value: 名称, key: name, width: 3.2}
      - {label: 合计}
      - {label: 基本支出, kind: [基本支出, 经营支出""", """          - {label: 类, value: 类}
          - {label: 款, value: 款}
          - {label: 项, value: 项}
          - {label: 科目名称, value: 名称, key: name, width: 3.2}
      - {label: 合计}
      - {label: 基本支出, kind: [基本支出, 经营支出"""),
        ("parts: [公开表, 情况说明]", "parts: [情况说明, 公开表]"),
    ])
    other = folder / "notes" / "09-other.j2"
    other.write_text("§h3 九、其他需要说明的事项\n本县格式：其他事项另行公开。\n", encoding="utf-8")
    out = rendered(tmp_path, folder)
    data = json.loads((out / "wei-2021.json").read_text(encoding="utf-8"))
    kinds = [t["kind"] for t in data["tables"] if t["kind"].startswith("t") and t["id"].startswith("d")]
    assert kinds == [f"t{i}" for i in range(1, 9)]
    t5 = next(t for t in data["tables"] if t["kind"] == "t5")
    assert t5["header"][1][1:5] == ["类", "款", "项", "科目名称"]
    coded = [r for r in t5["rows"] if r[3]]
    assert coded and all(len(r[1]) == 3 and len(r[2]) in (0, 2) for r in coded)
    assert any(r[3] for r in coded)  # a 项 row
    html = (out / "wei-2021.html").read_text(encoding="utf-8")
    assert "本县格式：其他事项另行公开。" in html
    assert html.index("部门预算信息公开情况说明") < html.index("部门预算收支总表")  # the parts' order
    docx = "\n".join(p.text for p in Document(str(out / "wei-2021.docx")).paragraphs)
    assert "本县格式：其他事项另行公开。" in docx and "财政拨款“三公”经费支出表" not in docx


@pytest.mark.parametrize("name", profiles.builtins())
def test_each_builtin_profile_copies_and_renders_unchanged(tmp_path, name):
    folder = tmp_path / "copy"
    profiles.copy(name, folder)
    doc, _ = prepare(WEI, profile=folder)
    base, _ = prepare(WEI, profile=profiles.BUILTIN / name)
    assert [(t.title, t.rows) for t in doc.tables()] == [(t.title, t.rows) for t in base.tables()]
