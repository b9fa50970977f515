"""The command line as a clerk meets it: exit codes, messages in Chinese with file and line, nothing half-written."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from budgetgen.cli import main
from render_util import ROOT, SAMPLES


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "budgetgen", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120)


def test_validate_samples_pass():
    result = run("validate", "samples/julu-2023", "samples/wei-2021")
    assert result.returncode == 0, result.stderr
    assert "检查通过" in result.stdout


@pytest.fixture
def broken(tmp_path) -> Path:
    dept = tmp_path / "julu"
    shutil.copytree(SAMPLES / "julu-2023", dept)
    target = dept / "projects" / "01-保密机要局专项经费.yaml"
    text = target.read_text(encoding="utf-8")
    assert 'function: "2013105"' in text
    target.write_text(text.replace('function: "2013105"', 'function: "2013185"'), encoding="utf-8")
    return dept


def test_unknown_function_code_names_file_line_and_code(broken):
    result = run("validate", str(broken))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    target = broken / "projects" / "01-保密机要局专项经费.yaml"
    line = next(i for i, l in enumerate(target.read_text(encoding="utf-8").splitlines(), 1) if "2013185" in l)
    message = next(l for l in result.stderr.splitlines() if "2013185" in l)
    assert f"01-保密机要局专项经费.yaml:{line}:" in message
    assert "功能分类科目 2013185 不在 budgetgen 的 2023 年科目表中" in message
    assert "2013105" in message  # the nearest code is suggested


def test_validate_json_format(broken):
    result = run("validate", str(broken), "--format", "json")
    data = json.loads(result.stdout)
    assert result.returncode == 1 and data["ok"] is False
    (finding,) = [f for f in data["findings"] if f["code"] == "unknown-function-code"]
    assert finding["path"] == "projects[0].function" and finding["line"] > 0


def test_render_with_errors_writes_nothing_and_keeps_old_outputs(broken, tmp_path):
    out = tmp_path / "out"
    good = tmp_path / "good" / broken.name  # same folder name as the broken copy, so output names collide
    shutil.copytree(SAMPLES / "julu-2023", good)
    assert main(["render", str(good), "--format", "html,json,csv", "--out", str(out)]) == 0
    snapshot = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert set(snapshot) == {"julu.html", "julu.json"}
    result = run("render", str(broken), "--out", str(out))
    assert result.returncode == 1
    assert "未生成任何文件" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == snapshot
    assert sorted(p.name for p in out.iterdir()) == ["julu-csv", "julu.html", "julu.json"]  # no temp files


def test_yaml_syntax_error_is_explained(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("budget_year: 2023\ndepartment:\n  code: \"201\"\n\tname: 某部门\n", encoding="utf-8")
    result = run("validate", str(bad))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "bad.yaml:4:" in result.stderr and "Tab" in result.stderr


def test_unknown_field_suggests_the_right_one(tmp_path):
    src = (SAMPLES / "wei-2021" / "units" / "201001.yaml").read_text(encoding="utf-8")
    dept = tmp_path / "wei"
    shutil.copytree(SAMPLES / "wei-2021", dept)
    (dept / "units" / "201001.yaml").write_text(src.replace("nature:", "natur:", 1), encoding="utf-8")
    result = run("validate", str(dept))
    assert result.returncode == 1
    assert "未知字段 natur" in result.stderr and "是否应为 nature" in result.stderr


def test_bad_usage_exits_2():
    assert run("render", "samples/julu-2023", "--format", "pptx").returncode == 2
    assert run("frobnicate").returncode == 2
    result = run("validate", "no/such/folder")
    assert result.returncode == 1 and "路径不存在" in result.stderr


@pytest.mark.pdf  # every format: PDF included
def test_render_writes_every_available_format(tmp_path):
    assert main(["render", str(SAMPLES / "wei-2021"), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "wei-2021.html").stat().st_size > 10_000
    assert json.loads((tmp_path / "wei-2021.json").read_text(encoding="utf-8"))["year"] == 2021
    csvs = sorted((tmp_path / "wei-2021-csv").iterdir())
    assert csvs and csvs[0].read_bytes().startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_procurement_is_compared_with_its_own_units_project(tmp_path, capsys):
    dept = tmp_path / "dept"
    assert main(["init", str(dept), "--year", "2023"]) == 0
    project = dept / "projects" / "01-示例项目.yaml"
    project.write_text(project.read_text(encoding="utf-8").replace("  - name: 示例项目\n",
                                                                   '  - name: 示例项目\n    unit: "101001"\n'),
                       encoding="utf-8")
    # the second unit has a project of the same name, with more money than the first one's 5.00
    (dept / "projects" / "02-示例项目.yaml").write_text(
        'projects:\n  - {name: 示例项目, unit: "101002", function: "2013105", economic: "30299", amount: 10.00}\n',
        encoding="utf-8")
    (dept / "units" / "101002.yaml").write_text(
        'units:\n  - code: "101002"\n    name: 某某中心\n    nature: 事业\n'
        '    procurement: [{project: 示例项目, item: 打印机, amount: 8.00}]\n', encoding="utf-8")
    unit = dept / "units" / "101001.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace(
        "procurement: []", "procurement: [{project: 示例项目, item: 电脑, amount: 8.00}]"), encoding="utf-8")
    capsys.readouterr()
    main(["validate", str(dept), "--format", "json"])
    over = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["code"] == "procurement-over-budget"]
    assert [Path(f["file"]).name for f in over] == ["101001.yaml"], over  # 8.00 > 5.00; the other unit's is 10.00


def test_a_formats_preflight_refuses_before_anything_is_read(tmp_path, capsys):
    """writers.preflight: PDF's own check (an unknown variant) refuses with exit 2 and writes nothing; the flag
    without the PDF format is a usage error too."""
    out = tmp_path / "out"
    assert main(["render", str(SAMPLES / "wei-2021"), "--format", "pdf", "--pdf-variant", "pdf/x-9",
                 "--out", str(out)]) == 2
    assert "未知的 PDF 变体 pdf/x-9" in capsys.readouterr().err
    assert main(["render", str(SAMPLES / "wei-2021"), "--format", "json", "--pdf-variant", "pdf/a-3b",
                 "--out", str(out)]) == 2
    assert "--pdf-variant 只用于 PDF 输出" in capsys.readouterr().err
    assert not out.exists()
