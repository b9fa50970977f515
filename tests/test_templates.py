"""A jurisdiction's own template folder overrides the shipped wording file by file, in Jinja2's sandbox."""

from __future__ import annotations

from pathlib import Path

from budgetgen.cli import main
from render_util import SAMPLES


def render(tmp_path: Path, templates: Path, capsys) -> tuple[int, str, str]:
    out = tmp_path / "out"
    code = main(["render", str(SAMPLES / "wei-2021"), "--format", "html", "--out", str(out),
                 "--templates", str(templates)])
    captured = capsys.readouterr()
    html = (out / "wei-2021.html").read_text(encoding="utf-8") if (out / "wei-2021.html").exists() else ""
    return code, captured.err, html


def test_override_one_file(tmp_path, capsys):
    notes = tmp_path / "tpl" / "notes"
    notes.mkdir(parents=True)
    (notes / "09-other.j2").write_text("§h3 九、其他需要说明的事项\n本{{ s.word }}另行说明：预算总额{{ f.spending_total | money }}万元。\n",
                                       encoding="utf-8")
    code, err, html = render(tmp_path, tmp_path / "tpl", capsys)
    assert code == 0, err
    assert "本部门另行说明：预算总额994.08万元。" in html
    assert "八、名词解释" in html  # the other files still come from the shipped set


def test_template_cannot_reach_python(tmp_path, capsys):
    notes = tmp_path / "tpl" / "notes"
    notes.mkdir(parents=True)
    (notes / "09-other.j2").write_text("{{ f.__class__.__init__.__globals__ }}\n", encoding="utf-8")
    code, err, html = render(tmp_path, tmp_path / "tpl", capsys)
    assert code == 1 and html == ""
    assert "Traceback" not in err and "安全沙箱" in err


def test_template_syntax_error_names_file_and_line(tmp_path, capsys):
    notes = tmp_path / "tpl" / "notes"
    notes.mkdir(parents=True)
    (notes / "09-other.j2").write_text("§h3 九、其他\n{% if f.year %}\n没有结束\n", encoding="utf-8")
    code, err, html = render(tmp_path, tmp_path / "tpl", capsys)
    assert code == 1 and html == ""
    assert "09-other.j2" in err and "语法错误" in err


def test_shipped_example_of_a_provincial_glossary(tmp_path):
    example = Path(__file__).resolve().parent.parent / "examples" / "templates-省级"
    out = tmp_path / "out"
    assert main(["render", str(SAMPLES / "julu-2023"), "--format", "html", "--out", str(out),
                 "--templates", str(example)]) == 0
    html = (out / "julu-2023.html").read_text(encoding="utf-8")
    assert "指省级财政当年拨付的资金" in html and "11、政府采购" in html
    assert "指县级财政当年拨付的资金" not in html
    assert "九、其他需要说明的事项" in html  # everything else from the shipped templates
