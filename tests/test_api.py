"""The Python API (budgetgen.load / check / build / write): the command line's own flow, usable from code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

import budgetgen
from budgetgen.cli import main
from render_util import ROOT, SAMPLES, row, table


def test_all_names_are_exported_and_resolve():
    assert set(budgetgen.__all__) == {"load", "check", "build", "write", "Disclosure", "Finding", "InputError",
                                      "__version__"}
    for name in budgetgen.__all__:
        assert getattr(budgetgen, name) is not None
    from budgetgen.document import Disclosure

    assert budgetgen.Disclosure is Disclosure


def test_import_stays_light():
    """`import budgetgen` (and so `budgetgen --version`) does not load pydantic, Jinja2 or the writers."""
    code = "import sys, budgetgen; print(sorted(m for m in ('pydantic', 'jinja2', 'docx', 'weasyprint') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


def test_flow_gives_the_commands_figures_and_files(tmp_path, capsys):
    budget = budgetgen.load(SAMPLES / "julu-2023")
    findings = budgetgen.check(budget)
    assert all(isinstance(f, budgetgen.Finding) for f in findings)
    assert not [f for f in findings if f.severity.name == "error"]
    # the same findings as `budgetgen validate --format json`
    assert main(["validate", str(SAMPLES / "julu-2023"), "--format", "json"]) == 0
    reported = json.loads(capsys.readouterr().out)["findings"]
    assert [f.as_dict() for f in findings] == reported
    doc = budgetgen.build(budget)
    assert isinstance(doc, budgetgen.Disclosure)
    assert doc.title == "中共巨鹿县委办公室2023年部门预算"
    paths = budgetgen.write(doc, tmp_path / "api", ["json", "docx"])
    assert [p.name for p in paths] == ["julu-2023.json", "julu-2023.docx"]
    data = json.loads(paths[0].read_text(encoding="utf-8"))
    assert row(table(data, "d201-t1"), "本年收入合计", column=1)[2] == "1841.44"  # the seed's figure
    # byte for byte what `budgetgen render` writes
    assert main(["render", str(SAMPLES / "julu-2023"), "--format", "json,docx", "--out", str(tmp_path / "cli")]) == 0
    for path in paths:
        assert path.read_bytes() == (tmp_path / "cli" / path.name).read_bytes()


def test_errors_come_as_input_error_with_every_finding(tmp_path):
    dept = tmp_path / "julu"
    shutil.copytree(SAMPLES / "julu-2023", dept)
    target = dept / "projects" / "01-保密机要局专项经费.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace('function: "2013105"', 'function: "2013185"'),
                      encoding="utf-8")
    budget = budgetgen.load(dept)  # readable: the unknown code is the checks' finding
    errors = [f for f in budgetgen.check(budget) if f.severity.name == "error"]
    assert errors and errors[0].file.endswith("01-保密机要局专项经费.yaml") and errors[0].line
    with pytest.raises(budgetgen.InputError) as raised:
        budgetgen.build(budget)
    assert "2013185" in " ".join(f.message for f in raised.value.findings)

    target.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(budgetgen.InputError) as raised:
        budgetgen.load(dept)
    assert any(f.file.endswith("01-保密机要局专项经费.yaml") for f in raised.value.findings)
