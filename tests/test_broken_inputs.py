"""Every mistake in the corpus under tests/broken/ gets its own Chinese message, at its line, without a traceback.

Each case is <name>.yaml with <name>.expect beside it: `# exit: N` and one `# expect: text` per fragment the
output must contain.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from budgetgen.cli import main
from render_util import SAMPLES

CORPUS = Path(__file__).parent / "broken"
CASES = sorted(p.stem for p in CORPUS.glob("*.yaml"))


def expectations(name: str) -> tuple[int, list[str]]:
    lines = (CORPUS / f"{name}.expect").read_text(encoding="utf-8").splitlines()
    code = next(int(l.split(":", 1)[1]) for l in lines if l.startswith("# exit:"))
    return code, [l.split(":", 1)[1].strip() for l in lines if l.startswith("# expect:")]


def validate(path: Path, capsys) -> tuple[int, str]:
    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("name", CASES)
def test_case(name, capsys):
    expected_code, fragments = expectations(name)
    code, output = validate(CORPUS / f"{name}.yaml", capsys)
    assert "Traceback" not in output
    assert code == expected_code, output
    for fragment in fragments:
        if fragment[0].isdigit() and ":" in fragment:  # a line:column
            assert f"{name}.yaml:{fragment}" in output, output
        else:
            assert fragment in output, output


def test_corpus_is_complete():
    assert len(CASES) >= 40
    assert all((CORPUS / f"{n}.expect").exists() for n in CASES)


def test_huge_file_is_refused_quickly(tmp_path, capsys):
    big = tmp_path / "huge.yaml"
    with open(big, "wb") as f:
        f.truncate(100 * 1024 * 1024)  # 100 MB
    start = time.monotonic()
    code, output = validate(big, capsys)
    assert code == 1 and "文件过大" in output
    assert time.monotonic() - start < 5


def test_folder_without_yaml(tmp_path, capsys):
    (tmp_path / "说明.txt").write_text("无", encoding="utf-8")
    code, output = validate(tmp_path, capsys)
    assert code == 1 and "目录中没有 .yaml 或 .yml 文件" in output


def test_path_that_does_not_exist(tmp_path, capsys):
    code, output = validate(tmp_path / "没有这个部门", capsys)
    assert code == 1 and "路径不存在" in output


def test_all_findings_at_once_sorted_by_file_and_line(tmp_path, capsys):
    dept = tmp_path / "julu"
    shutil.copytree(SAMPLES / "julu-2023", dept)
    one = dept / "projects" / "01-保密机要局专项经费.yaml"
    two = dept / "units" / "201001.yaml"
    one.write_text(one.read_text(encoding="utf-8").replace('function: "2013105"', 'function: "2013188"'),
                   encoding="utf-8")
    two.write_text(two.read_text(encoding="utf-8").replace('economic: "30101"', 'economic: "30188"'),
                   encoding="utf-8")
    code, output = validate(dept, capsys)
    assert code == 1
    errors = [l for l in output.splitlines() if "错误：" in l]
    assert len(errors) == 2
    assert "projects" in errors[0].split(":")[0]
    assert "2013188" in errors[0] and "30188" in errors[1]


def test_html_escapes_what_a_department_writes(tmp_path):
    text = (CORPUS / "utf8-bom.yaml").read_bytes()[3:].decode("utf-8")
    (tmp_path / "x.yaml").write_text(text.replace("name: 测试局\n", "name: 测试局<script>alert(1)</script>\n", 1),
                                     encoding="utf-8")
    assert main(["render", str(tmp_path / "x.yaml"), "--format", "html", "--out", str(tmp_path / "out")]) == 0
    html = (tmp_path / "out" / "x.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_one_mistake_one_finding_and_every_other_still_named(tmp_path):
    """A clerk's two mistakes in a department of several files (found in the clerk check): an economic code typed
    with a letter in one unit's file and a project naming a unit that does not exist. Each is one finding, at its
    line: not also "基本支出必须填写经济分类科目" about the code the loader set aside, and the unknown unit not held
    back because another file had an error."""
    from budgetgen.errors import Severity
    from budgetgen.pipeline import validate

    folder = tmp_path / "dept"
    shutil.copytree(SAMPLES / "shanghai-street-2025", folder)
    unit_file = folder / "units" / "01-街道办事处.yaml"
    text = unit_file.read_text(encoding="utf-8")
    assert text.count('economic: "30201"') >= 1
    unit_file.write_text(text.replace('economic: "30201"', 'economic: "3020l"', 1), encoding="utf-8")
    project_file = folder / "projects" / "07-城市网格化管理运行经费.yaml"
    text = project_file.read_text(encoding="utf-8")
    assert '    unit: "147003"\n' in text
    project_file.write_text(text.replace('    unit: "147003"\n', '    unit: "147009"\n'), encoding="utf-8")
    _, findings = validate(folder)
    errors = sorted((Path(f.file).name, f.line, f.path) for f in findings if f.severity is Severity.error)
    assert errors == [("01-街道办事处.yaml", 14, "units[0].basic[5].economic"),
                      ("07-城市网格化管理运行经费.yaml", 5, "projects[0].unit")]
