"""Issue 11, outputs: CSV cells never run as formulas, an output set is replaced whole or not at all, DOCX/XLSX never
hold characters XML forbids, new-year is exact and atomic, a county tree with a symlink loop is walked once, the
preview closes idle connections, and a full disk names its file."""

from __future__ import annotations

import csv
import errno
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from budgetgen import writers
from budgetgen.cli import main
from budgetgen.errors import ForbiddenCharacter
from budgetgen.writers import OutputSet, clean_staging
from budgetgen.writers.data import csv_safe
from render_util import SAMPLES

FAST = "html,json,csv,docx,xlsx"  # every format but PDF (slow, and written the same way)
FORMULAS = {"department": '@HYPERLINK("http://example.com","点我")', "unit": "=SUM(1+1)*cmd|' /C calc'!A0",
            "project": "-2+3示例项目", "goal": "+1+1 保障"}


def department(path: Path, year: int = 2025, **names: str) -> Path:
    """A small valid department (budgetgen init), its names replaced by `names` (quoted, so any text is YAML)."""
    assert main(["init", str(path), "--year", str(year), "--name", "某某局", "--code", "301"]) == 0
    replace = {"department": ("name: 某某局", "department.yaml"), "unit": ("name: 某某局本级", "units/301001.yaml"),
               "project": ("name: 示例项目", "projects/01-示例项目.yaml"),
               "goal": ("- 保障本项目工作按期完成", "projects/01-示例项目.yaml")}
    for key, text in names.items():
        old, file = replace[key]
        f = path / file
        prefix = "- " if old.startswith("- ") else "name: "
        f.write_text(f.read_text(encoding="utf-8").replace(old, prefix + json.dumps(text, ensure_ascii=False), 1),
                     encoding="utf-8")
    return path


def _doc(tmp_path):
    from budgetgen.pipeline import prepare

    doc, _ = prepare(department(tmp_path / "局"))
    return doc


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def hidden(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


# --- 1. CSV formula injection --------------------------------------------------------------------------------

def test_csv_cells_a_spreadsheet_would_run_get_an_apostrophe_and_numbers_stay():
    for text in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", "-", "+"):
        assert csv_safe(text) == "'" + text
    for text in ("1841.44", "-0.50", "0.00", "95.00%", "201", "2013101", "", "部门", "'=已转义", " =1"):
        assert csv_safe(text) == text
    assert csv_safe(7) == 7  # line and column numbers of the check report


def test_disclosure_csvs_neutralise_formulas_json_keeps_the_text(tmp_path, capsys):
    dept = department(tmp_path / "局", **FORMULAS)
    out = tmp_path / "out"
    assert main(["render", str(dept), "--format", "json,csv", "--out", str(out)]) == 0, capsys.readouterr().err
    cells = []
    for path in (out / "局-csv").glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            cells += [c for row in csv.reader(handle) for c in row]
    risky = [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not c[1:2].isdigit())]
    assert not risky
    assert "'=SUM(1+1)*cmd|' /C calc'!A0" in cells  # the unit's name, where a cell starts with it
    assert "12.50" in cells  # figures stay figures
    data = (out / "局.json").read_text(encoding="utf-8")
    assert json.dumps(FORMULAS["unit"], ensure_ascii=False)[1:-1] in data and "'=SUM" not in data  # JSON unchanged


def test_xlsx_cells_hold_text_never_a_formula(tmp_path):
    from budgetgen.writers.xlsx import render_xlsx

    doc = _doc(tmp_path)
    table = next(t for t in doc.tables() if t.kind == "t1")
    table.title = "=HYPERLINK(\"http://example.com\")"
    table.rows[0].cells[0].value = "=SUM(1+1)*cmd|' /C calc'!A0"
    (tmp_path / "t.xlsx").write_bytes(render_xlsx(doc))
    with zipfile.ZipFile(tmp_path / "t.xlsx") as book:
        sheets = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets and "<f " not in sheets
    assert "<t>=SUM(1+1)*cmd|' /C calc'!A0</t>" in sheets and "<t>=HYPERLINK(" in sheets


def test_check_report_csv_neutralises_formulas(tmp_path, capsys):
    county = tmp_path / "全县"
    project = department(county / "甲局", **FORMULAS) / "projects" / "01-示例项目.yaml"
    project.write_text(project.read_text(encoding="utf-8").replace('"2013105"', '"2013188"'), encoding="utf-8")
    main(["check", str(county), "--out", str(tmp_path / "report"), "--format", "csv,json"])
    capsys.readouterr()
    rows = list(csv.reader((tmp_path / "report" / "check-report.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1][1] == "'" + FORMULAS["department"]
    assert not [c for r in rows for c in r if c[:1] in ("=", "+", "@", "-")]
    data = json.loads((tmp_path / "report" / "check-report.json").read_text(encoding="utf-8"))
    assert data["departments"][0]["name"] == FORMULAS["department"]


# --- 2. output sets --------------------------------------------------------------------------------------------

def test_a_300_character_project_name_renders_with_short_csv_names(tmp_path, capsys):
    dept = department(tmp_path / "局", project="很长的项目名称" * 28)  # 196 characters, 588 bytes
    out = tmp_path / "out"
    assert main(["render", str(dept), "--format", "json,csv", "--out", str(out)]) == 0, capsys.readouterr().err
    names = [p.name for p in (out / "局-csv").iterdir()]
    assert any("很长的项目名称" in n for n in names)
    assert max(len(n.encode("utf-8")) for n in names) <= 180
    assert not hidden(out)


class _Full:
    """A file whose every write fails as on a full disk."""

    def __init__(self, handle):
        self.handle = handle

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()

    def write(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failure_in_any_format_leaves_the_old_set_untouched_and_says_so(tmp_path, capsys, monkeypatch):
    dept = department(tmp_path / "局")
    out = tmp_path / "out"
    assert main(["render", str(dept), "--format", FAST, "--out", str(out)]) == 0
    before = snapshot(out)
    project = dept / "projects" / "01-示例项目.yaml"
    project.write_text(project.read_text(encoding="utf-8").replace("amount: 5.00", "amount: 6.00"), encoding="utf-8")
    capsys.readouterr()

    def staged_open(path, *args, **kwargs):  # the disk fills up while the XLSX (the last format) is staged
        handle = open(path, *args, **kwargs)
        return _Full(handle) if Path(path).name == "局.xlsx" else handle

    monkeypatch.setattr(writers, "open", staged_open, raising=False)  # write() stages each file with open()
    assert main(["render", str(dept), "--format", FAST, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert snapshot(out) == before  # new HTML, JSON, CSV and DOCX were made, but none replaced the old ones
    assert f"磁盘空间已满，写入 {out / '局.xlsx'} 时失败" in err
    assert f"本次没有替换任何文件，{out} 中原有的文件保持不变" in err
    assert not hidden(out)
    monkeypatch.undo()
    assert main(["render", str(dept), "--format", FAST, "--out", str(out)]) == 0
    after = snapshot(out)
    assert set(after) == set(before) and all(after[k] != before[k] for k in ("局.json", "局.html", "局.xlsx"))


def test_a_full_disk_during_the_check_report_keeps_the_old_report(tmp_path, capsys, monkeypatch):
    county = tmp_path / "全县"
    department(county / "甲局")
    report = tmp_path / "report"
    main(["check", str(county), "--out", str(report)])
    before = snapshot(report)
    assert set(before) == {"check-report.csv", "check-report.html", "check-report.json"}
    department(county / "乙局")
    real = os.fdopen

    def fdopen(fd, *args, **kwargs):
        handle = real(fd, *args, **kwargs)
        return _Full(handle) if ".check-report.csv." in os.readlink(f"/proc/self/fd/{fd}") else handle

    monkeypatch.setattr(os, "fdopen", fdopen)
    capsys.readouterr()
    assert main(["check", str(county), "--out", str(report)]) == 1
    err = capsys.readouterr().err
    assert f"检查报告未生成：磁盘空间已满，写入 {report / 'check-report.csv'} 时失败" in err and "Traceback" not in err
    assert snapshot(report) == before and not hidden(report)


def test_a_failed_move_puts_every_old_output_back(tmp_path, monkeypatch):
    target = tmp_path / "out"
    (target / "d-csv").mkdir(parents=True)
    (target / "d-csv" / "1.csv").write_text("old")
    (target / "d.json").write_text("old")
    real = os.replace

    def replace(src, dst):
        if Path(dst).name == "d-csv" and "new" in Path(src).parts:
            raise OSError(errno.EACCES, "Permission denied", str(dst))
        return real(src, dst)

    with OutputSet(target) as staged:
        (staged.folder / "d.json").write_text("new")
        (staged.folder / "d-csv").mkdir()
        (staged.folder / "d-csv" / "1.csv").write_text("new")
        monkeypatch.setattr(os, "replace", replace)
        with pytest.raises(writers.CommitError) as caught:
            staged.commit([staged.folder / "d.json", staged.folder / "d-csv"])
    assert caught.value.replaced == []
    assert snapshot(target) == {"d-csv/1.csv": b"old", "d.json": b"old"}
    assert not hidden(target)


def test_staging_left_by_a_killed_run_is_cleaned_and_only_ours(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    # a run killed while writing: its staging folder stays, its lock dies with it
    script = ("import os, sys; from pathlib import Path; from budgetgen.writers import OutputSet; "
              "s = OutputSet(Path(sys.argv[1])).__enter__(); (s.folder / 'd.json').write_text('half'); os._exit(9)")
    subprocess.run([sys.executable, "-c", script, str(target)], check=False,
                   env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    (dead,) = [p for p in target.iterdir() if p.name.startswith(writers.STAGING_PREFIX)]
    # a run that is still alive, and hidden folders that are not ours
    with OutputSet(target) as alive:
        (target / ".mine").mkdir()
        (target / ".budgetgen-staging").mkdir()  # not the prefix exactly: left alone
        assert not dead.exists()  # cleaned as this run began
        assert clean_staging(target) == []
        assert alive.root.exists() and (target / ".mine").exists() and (target / ".budgetgen-staging").exists()
        assert not (target / "d.json").exists()  # a set never complete is never moved in


@pytest.mark.pdf  # killed while its PDF is being laid out
def test_a_killed_render_changes_nothing_and_the_next_run_cleans_up(tmp_path):
    dept = department(tmp_path / "局")
    out = tmp_path / "out"
    assert main(["render", str(dept), "--format", "json,xlsx", "--out", str(out)]) == 0
    before = snapshot(out)
    project = dept / "projects" / "01-示例项目.yaml"
    project.write_text(project.read_text(encoding="utf-8").replace("amount: 5.00", "amount: 6.00"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    run = subprocess.Popen([sys.executable, "-m", "budgetgen", "render", str(dept), "--format", "json,xlsx,pdf",
                            "--out", str(out)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any((p / "new" / "局.xlsx").exists() for p in out.glob(f"{writers.STAGING_PREFIX}*")):
        assert run.poll() is None and time.monotonic() < deadline  # killed before the PDF is done
        time.sleep(0.02)
    run.kill()
    run.wait()
    assert hidden(out)  # killed mid-run: its staging folder is left behind
    visible = {k: v for k, v in snapshot(out).items() if not k.startswith(".")}
    assert visible == before  # the new XLSX never sat beside the old JSON
    assert main(["render", str(dept), "--format", "json", "--out", str(out)]) == 0
    assert not hidden(out)


def test_a_run_killed_while_moving_in_is_completed_by_the_next(tmp_path):
    target = tmp_path / "out"
    root = target / f"{writers.STAGING_PREFIX}abc"
    (root / "new").mkdir(parents=True)
    (root / ".lock").write_text("")
    (root / "new" / "d.json").write_text("new")
    (root / "commit").write_text("d.html\nd.json\n")  # d.html was moved in before the kill
    (target / "d.html").write_text("new")
    (target / "d.json").write_text("old")
    clean_staging(target)
    assert snapshot(target) == {"d.html": b"new", "d.json": b"new"}


def test_legacy_csv_staging_folders_are_cleaned(tmp_path, capsys):
    dept = department(tmp_path / "局")
    out = tmp_path / "out"
    (out / ".局-csv.k3j9x2ab").mkdir(parents=True)
    (out / ".局-csv.k3j9x2ab" / "001-t.csv").write_text("x")
    (out / ".局.pdf.abcdefgh.tmp").write_text("x")
    (out / ".局-csv.notours").mkdir()
    assert main(["render", str(dept), "--format", "json", "--out", str(out)]) == 0
    assert hidden(out) == [".局-csv.notours"]


# --- 3. characters XML forbids ----------------------------------------------------------------------------------

@pytest.mark.parametrize("char", ["\x07", "\x1b", "\ufffe", "\uffff"])
def test_docx_and_xlsx_refuse_characters_xml_forbids(tmp_path, char):
    from budgetgen.document import Paragraph
    from budgetgen.writers.docx import render_docx
    from budgetgen.writers.xlsx import render_xlsx

    doc = _doc(tmp_path)
    doc.blocks.append(Paragraph(f"模板带来的文字{char}结尾"))
    with pytest.raises(ForbiddenCharacter) as caught:
        render_docx(doc)
    assert f"U+{ord(char):04X}" in str(caught.value) and "Word 文档" in str(caught.value)
    doc.tables()[0].title += char
    with pytest.raises(ForbiddenCharacter, match="Excel 工作簿"):
        render_xlsx(doc)


def test_a_template_with_a_forbidden_character_renders_nothing_and_says_why(tmp_path, capsys):
    notes = tmp_path / "tpl" / "notes"
    notes.mkdir(parents=True)
    (notes / "09-other.j2").write_text("§h3 九、其他需要说明的事项\n无其他需要说明的事项\ufffe。\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["render", str(SAMPLES / "wei-2021"), "--format", "html,docx", "--out", str(out),
                 "--templates", str(tmp_path / "tpl")])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "DOCX 未生成" in err and "U+FFFE" in err and "模板" in err
    assert not out.exists() or not [p for p in out.iterdir()]  # not even the HTML: the set is whole or nothing


# --- 4. new-year -------------------------------------------------------------------------------------------------

def _indent4(text: str) -> str:
    return "\n".join(" " * (2 * (len(line) - len(line.lstrip(" ")))) + line.lstrip(" ") for line in text.split("\n"))


def test_new_year_with_a_quoted_year_in_another_file_and_4_space_indentation(tmp_path, capsys):
    dept = department(tmp_path / "局-2025")
    text = (dept / "department.yaml").read_text(encoding="utf-8").replace("budget_year: 2025\n", "")
    (dept / "department.yaml").write_text(_indent4(text).replace("\n", "\r\n"), encoding="utf-8")
    unit = dept / "units" / "301001.yaml"
    unit.write_text('budget_year: "2025"  # 年度\n' + unit.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["validate", str(dept)]) == 0
    assert main(["new-year", str(dept)]) == 0
    new = tmp_path / "局-2026"
    assert 'budget_year: "2026"  # 年度\n' in (new / "units" / "301001.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load((new / "department.yaml").read_text(encoding="utf-8"))
    assert data["department"]["last_year"]["year"] == 2025 and data["department"]["reasons"]["total"] == ""
    capsys.readouterr()
    assert main(["validate", str(new)]) == 0
    assert "0 个错误" in capsys.readouterr().out
    assert "        personnel: 10.00\r\n" in (new / "department.yaml").read_bytes().decode("utf-8")


def test_new_year_of_a_gbk_department_file(tmp_path, capsys):
    dept = department(tmp_path / "局-2025")
    path = dept / "department.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    assert main(["new-year", str(dept)]) == 0
    out = capsys.readouterr().out
    assert "department.yaml 原为 GBK 编码，新目录中已另存为 UTF-8" in out
    assert yaml.safe_load((tmp_path / "局-2026" / "department.yaml").read_text(encoding="utf-8"))["budget_year"] == 2026
    assert main(["validate", str(tmp_path / "局-2026")]) == 0


def test_new_year_leaves_nothing_on_failure_and_a_rerun_works(tmp_path, capsys, monkeypatch):
    dept = department(tmp_path / "局-2025")
    real = shutil.copytree

    def copytree(src, dst, *args, **kwargs):  # the disk fills up half-way through the copy
        real(src, dst, *args, **kwargs)
        if Path(dst).name == "局-2026":
            raise OSError(errno.ENOSPC, "No space left on device", str(Path(dst) / "projects" / "01-示例项目.yaml"))

    monkeypatch.setattr(shutil, "copytree", copytree)
    assert main(["new-year", str(dept)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "磁盘空间已满" in err and "没有留下任何文件" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["局-2025"]  # no half-made folder, no staging
    monkeypatch.undo()
    assert main(["new-year", str(dept)]) == 0
    assert (tmp_path / "局-2026" / "department.yaml").exists() and not hidden(tmp_path)


def test_new_year_refuses_a_department_written_in_flow_style_without_leaving_anything(tmp_path, capsys):
    dept = tmp_path / "局-2025"
    department(dept)
    data = yaml.safe_load((dept / "department.yaml").read_text(encoding="utf-8"))
    (dept / "department.yaml").write_text(
        f"budget_year: 2025\ndepartment: {json.dumps(data['department'], ensure_ascii=False)}\n", encoding="utf-8")
    assert main(["validate", str(dept)]) == 0
    assert main(["new-year", str(dept)]) == 2
    assert "逐行书写" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["局-2025"]


# --- 5. county -----------------------------------------------------------------------------------------------------

def test_a_symlink_loop_in_a_county_renders_each_department_once(tmp_path, capsys):
    county = tmp_path / "全县"
    shutil.copytree(SAMPLES / "wei-2021", county / "乡镇" / "wei-2021")
    (county / "乡镇" / "回到上级").symlink_to("..")
    (county / "又一个名字").symlink_to("乡镇")
    out = tmp_path / "out"
    assert main(["render", str(county), "--format", "json", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "共 1 个部门" in captured.out or "已生成" in captured.out
    assert [p.relative_to(out).as_posix() for p in out.rglob("*.json")] == ["乡镇/wei-2021/wei-2021.json"]
    assert f"跳过 {county / '乡镇' / '回到上级'}" in captured.err and f"跳过 {county / '又一个名字'}" in captured.err


def test_a_symlink_to_a_department_outside_the_tree_is_followed(tmp_path, capsys):
    county = tmp_path / "全县"
    county.mkdir()
    shutil.copytree(SAMPLES / "wei-2021", tmp_path / "elsewhere" / "wei-2021")
    (county / "魏县").symlink_to(tmp_path / "elsewhere" / "wei-2021")
    assert main(["render", str(county), "--format", "json", "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "魏县" / "魏县.json").exists()
    assert "跳过" not in capsys.readouterr().err


def test_preview_closes_a_connection_that_sends_nothing(monkeypatch):
    from budgetgen import preview

    monkeypatch.setattr(preview._Handler, "timeout", 0.3)
    with preview.PreviewServer(SAMPLES / "wei-2021", port=0, log=lambda m: None).start() as server:
        host, port = server._http.server_address[:2]
        with socket.create_connection((host, port), timeout=5) as idle:
            started = time.monotonic()
            assert idle.recv(1) == b""  # closed by the server, not by our 5 s timeout
            assert time.monotonic() - started < 4
    assert preview._Handler.timeout == 0.3 and preview.REQUEST_TIMEOUT > preview.KEEPALIVE_SECONDS


def test_a_full_disk_names_the_file_being_written(tmp_path):
    with pytest.raises(OSError) as caught:
        with writers.atomic(tmp_path / "check-report.csv") as handle:
            raise OSError(errno.ENOSPC, "No space left on device")  # as handle.write() raises it
    from budgetgen.errors import describe_failure

    assert describe_failure(caught.value) == (f"磁盘空间已满，写入 {tmp_path / 'check-report.csv'} 时失败"
                                              "（建议：清理磁盘空间，或用 --out 换一个有空间的位置）")
    assert not list(tmp_path.iterdir())
