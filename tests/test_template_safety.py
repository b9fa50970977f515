"""Untrusted --templates folders and the notes' text structure: WeasyPrint reads only the templates' own files,
no symbolic link is followed, a runaway template is stopped, and a department's text never becomes structure."""

from __future__ import annotations

import http.server
import io
import shutil
import subprocess
import threading
import time
from pathlib import Path

import jinja2
import pytest
from pypdf import PdfReader

from budgetgen.compose import build
from budgetgen import templating
from budgetgen.compose import notes
from budgetgen.cli import main
from budgetgen.document import Heading, Paragraph, Table
from budgetgen.model.budget import Budget
from budgetgen.pipeline import prepare
from render_util import SAMPLES

PACKAGE_HTML = Path(notes.__file__).resolve().parent.parent / "templates" / "html"
PASSWD = Path("/etc/passwd")
TINY = """\
budget_year: 2023
department: {code: "301", name: 测试局, duties: [负责测试工作。]}
units:
  - code: "301001"
    name: 测试局本级
    nature: 行政
    basic:
      - {function: "2013101", economic: "30101", amount: 10.00}
projects:
  - {name: 测试项目, function: "2013105", economic: "30299", amount: 5.00,
     goals: [完成测试], indicators: [{level1: 产出指标, level2: 数量指标, name: 次数, value: ≥1次}]}
"""
_pdf_tools = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("fc-list") is None,
                                reason="需要 poppler-utils 和中文字体")


def needs_pdf(test):
    """Renders a PDF (marker pdf: `make test-fast` leaves it out); skipped without poppler-utils or fonts."""
    return pytest.mark.pdf(_pdf_tools(test))


@pytest.fixture
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


def html_templates(tmp_path: Path, *, head: str = "", body: str = "", css: str = "") -> Path:
    """A --templates folder with the shipped HTML templates, `head`/`body` added to the page, `css` to print.css."""
    folder = tmp_path / "tpl"
    shutil.copytree(PACKAGE_HTML, folder / "html")
    page = folder / "html" / "disclosure.html.j2"
    text = page.read_text(encoding="utf-8").replace("<title>", head + "<title>", 1)
    page.write_text(text.replace("<main>", "<main>" + body, 1), encoding="utf-8")
    with (folder / "html" / "print.css").open("a", encoding="utf-8") as handle:
        handle.write("\n" + css + "\n")
    return folder


def run(args: list[str], capsys) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().err


def secret_line() -> str:
    return PASSWD.read_text().splitlines()[0]  # root:x:0:0:…


# --- 1. WeasyPrint fetches nothing but the templates' own files ---------------------------------------------------

REFERENCES = {
    "attachment": {"head": f'<link rel="attachment" href="{PASSWD.as_uri()}">'},
    "img": {"body": f'<p><img src="{PASSWD.as_uri()}" alt=""></p>'},
    "css url()": {"css": f"body {{ background: url({PASSWD.as_uri()}) }}"},
    "stylesheet": {"head": f'<link rel="stylesheet" href="{PASSWD.as_uri()}">'},
    "relative path": {"head": '<link rel="attachment" href="../../../../../../../../../../etc/passwd">'},
}


@needs_pdf
@pytest.mark.parametrize("kind", list(REFERENCES))
def test_a_template_cannot_put_a_local_file_into_the_pdf(kind, tiny, tmp_path, capsys):
    templates = html_templates(tmp_path, **REFERENCES[kind])
    out = tmp_path / "out"
    code, err = run(["render", str(tiny), "--format", "pdf", "--templates", str(templates), "--out", str(out)], capsys)
    assert code == 1 and not (out / "tiny.pdf").exists()
    assert "/etc/passwd" in err and "html/" in err and "已拒绝" in err and "Traceback" not in err


@needs_pdf
def test_a_refusal_weasyprint_swallows_still_stops_the_pdf(tmp_path):
    """WeasyPrint catches every error while it draws an SVG image: the PDF it makes then lacks the file, and
    the refusal, kept by the fetcher, still stops budgetgen."""
    from weasyprint import HTML

    from budgetgen.writers import pdf as pdf_writer
    from budgetgen.writers.pdf import RefusedURL

    folder = tmp_path / "tpl"
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "inner.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="50" height="50">'
        f'<image href="{PASSWD.as_uri()}" width="50" height="50"/><rect width="5" height="5"/></svg>')
    html = f'<html><body><p>正文</p><img src="{(folder / "html" / "inner.svg").as_uri()}"></body></html>'
    fetcher = pdf_writer.url_fetcher(folder)
    data = HTML(string=html, base_url=".", url_fetcher=fetcher).write_pdf()
    assert fetcher.refused == [PASSWD.as_uri()]
    with pytest.raises(RefusedURL):
        pdf_writer.html_to_pdf(html, folder)
    (tmp_path / "x.pdf").write_bytes(data)
    text = subprocess.run(["pdftotext", str(tmp_path / "x.pdf"), "-"], capture_output=True, text=True).stdout
    assert "正文" in text and secret_line() not in text and secret_line().encode() not in data
    assert not PdfReader(io.BytesIO(data)).attachments


def test_the_fetcher_reads_only_the_templates_and_data(tmp_path):
    from budgetgen.writers.pdf import RefusedURL, url_fetcher

    folder = tmp_path / "tpl"
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "logo.css").write_text("p {}")
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    (folder / "html" / "link.css").symlink_to(outside)
    fetcher = url_fetcher(folder)
    assert fetcher.fetch((folder / "html" / "logo.css").as_uri()).read() == b"p {}"
    assert fetcher.fetch((PACKAGE_HTML / "style.css").as_uri()).read()  # the shipped templates
    assert fetcher.fetch("data:text/plain;base64,5q2j5paH").read() == "正文".encode()
    for url in [PASSWD.as_uri(), outside.as_uri(), (folder / "html" / "link.css").as_uri(),
                (folder / "html").as_uri() + "/../../outside.txt",
                (folder / "html").as_uri() + "/%2e%2e/%2e%2e/outside.txt",
                "file://otherhost" + str(folder / "html" / "logo.css"), "http://127.0.0.1:9/x.png",
                "https://example.com/x.css", "ftp://example.com/x"]:
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 9
    with pytest.raises(RefusedURL):  # outside the block: budgetgen's own templates only
        url_fetcher().fetch((folder / "html" / "logo.css").as_uri())


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        _Counter.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@needs_pdf
def test_a_template_cannot_reach_the_network(tiny, tmp_path, capsys):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/track.png"
        templates = html_templates(tmp_path, body=f'<img src="{url}">', css=f"@import url({url});")
        out = tmp_path / "out"
        code, err = run(["render", str(tiny), "--format", "pdf", "--templates", str(templates), "--out", str(out)],
                        capsys)
    finally:
        server.shutdown()
        server.server_close()
    assert code == 1 and url in err and "html/" in err
    assert _Counter.hits == []


@needs_pdf
def test_files_and_data_urls_of_the_templates_are_used(tiny, tmp_path, capsys):
    from PIL import Image

    pixel = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(pixel, "PNG")
    templates = html_templates(tmp_path, body='<p><img src="logo.png" alt="" style="width:1cm"></p>',
                               head='<link rel="attachment" href="说明.txt">')
    (templates / "html" / "logo.png").write_bytes(pixel.getvalue())  # relative to the html folder
    (templates / "html" / "说明.txt").write_text("模板说明", encoding="utf-8")
    out = tmp_path / "out"
    code, err = run(["render", str(tiny), "--format", "pdf", "--templates", str(templates), "--out", str(out)], capsys)
    assert code == 0, err
    reader = PdfReader(str(out / "tiny.pdf"))
    assert reader.attachments["说明.txt"] == ["模板说明".encode()]
    assert any(page.images for page in reader.pages)


# --- 2. no symbolic link in a --templates folder ------------------------------------------------------------------

def secret(tmp_path: Path) -> Path:
    path = tmp_path / "elsewhere" / "secret.j2"
    path.parent.mkdir()
    path.write_text("§h3 九、其他需要说明的事项\n机密内容ABC\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("how", ["file out", "folder out", "folder of notes", "file within"])
def test_a_symbolic_link_in_the_templates_is_refused(how, tmp_path, capsys):
    target = secret(tmp_path)
    notes_dir = tmp_path / "tpl" / "notes"
    if how == "folder of notes":
        notes_dir.parent.mkdir()
        notes_dir.symlink_to(target.parent, target_is_directory=True)
        (target.parent / "09-other.j2").write_text(target.read_text(encoding="utf-8"), encoding="utf-8")
        named = "notes"
    else:
        notes_dir.mkdir(parents=True)
        if how == "file out":
            (notes_dir / "09-other.j2").symlink_to(target)
            named = "notes/09-other.j2"
        elif how == "folder out":
            (notes_dir / "more").symlink_to(target.parent, target_is_directory=True)
            (notes_dir / "09-other.j2").write_text('{% include "more/secret.j2" %}', encoding="utf-8")
            named = "notes/more"
        else:
            (notes_dir / "real.j2").write_text(target.read_text(encoding="utf-8"), encoding="utf-8")
            (notes_dir / "09-other.j2").symlink_to(notes_dir / "real.j2")
            named = "notes/09-other.j2"
    out = tmp_path / "out"
    code, err = run(["render", str(SAMPLES / "wei-2021"), "--format", "html,json", "--out", str(out),
                     "--templates", str(tmp_path / "tpl")], capsys)
    assert code == 1 and "符号链接" in err and named in err and "Traceback" not in err
    assert not out.exists() or "机密内容ABC" not in "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.*"))
    assert any(f.code == "template-unusable" for f in notes.template_findings(tmp_path / "tpl"))


def test_the_loader_refuses_a_link_made_after_the_folder_was_read(tmp_path):
    """The preview keeps its environment: a link put in later is refused when the file is loaded."""
    folder = tmp_path / "tpl"
    (folder / "notes").mkdir(parents=True)
    env = notes.environment("notes", folder)
    (folder / "notes" / "09-other.j2").symlink_to(secret(tmp_path))
    with pytest.raises(notes.TemplateError, match="符号链接"):
        env.get_template("09-other.j2")


# --- 3. a time limit on user templates ----------------------------------------------------------------------------

LOOP = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"


@pytest.mark.parametrize("kind", ["notes", "html"])
def test_a_runaway_template_is_stopped(kind, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(templating, "TEMPLATE_SECONDS", 1.0)
    folder = tmp_path / "tpl" / kind
    folder.mkdir(parents=True)
    if kind == "notes":
        (folder / "09-other.j2").write_text(LOOP + "\n", encoding="utf-8")
    else:
        (folder / "table.html.j2").write_text(LOOP, encoding="utf-8")
    start = time.monotonic()
    code, err = run(["render", str(SAMPLES / "wei-2021"), "--format", "html", "--out", str(tmp_path / "out"),
                     "--templates", str(tmp_path / "tpl")], capsys)
    assert time.monotonic() - start < 30
    assert code == 1 and "运行超过 1 秒" in err and "Traceback" not in err
    assert threading.active_count() == 1  # the timer is gone: the PDF may fork


def test_the_time_limit_works_in_another_thread_and_leaves_nothing_behind(tmp_path, monkeypatch):
    """The preview renders in a server thread."""
    monkeypatch.setattr(templating, "TEMPLATE_SECONDS", 0.5)
    folder = tmp_path / "tpl"
    (folder / "notes").mkdir(parents=True)
    (folder / "notes" / "09-other.j2").write_text(LOOP + "\n", encoding="utf-8")
    found = []
    thread = threading.Thread(target=lambda: found.append(_failure(lambda: prepare(SAMPLES / "wei-2021", folder))))
    thread.start()
    thread.join(20)
    assert not thread.is_alive() and isinstance(found[0], notes.TemplateError)
    (folder / "notes" / "09-other.j2").write_text("§h3 九、其他需要说明的事项\n{{ s.self }}另行说明。\n", encoding="utf-8")
    for _ in range(3):  # quick renders afterwards: no late exception, no thread left
        doc, _ = prepare(SAMPLES / "wei-2021", folder)
        assert "我部门另行说明。" in [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    time.sleep(0.7)
    assert threading.active_count() == 1


def _failure(call):
    try:
        call()
    except BaseException as exc:  # noqa: BLE001
        return exc
    return None


@pytest.mark.parametrize("expression", ["9 ** 999999999", "'x' * 10 ** 10", "[0] * 100000000",
                                        "(10 ** 300) * (10 ** 4000)"])
def test_numbers_and_texts_too_large_to_make_are_refused_at_once(expression, tmp_path, capsys):
    folder = tmp_path / "tpl" / "notes"
    folder.mkdir(parents=True)
    (folder / "09-other.j2").write_text(f"{{{{ {expression} }}}}\n", encoding="utf-8")
    start = time.monotonic()
    code, err = run(["render", str(SAMPLES / "wei-2021"), "--format", "html", "--out", str(tmp_path / "out"),
                     "--templates", str(tmp_path / "tpl")], capsys)
    assert code == 1 and "过大" in err and time.monotonic() - start < 10


@pytest.mark.parametrize("text", ['{% include "09-other.j2" %}', "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"])
def test_a_template_that_calls_itself_is_a_clear_error(text, tmp_path, capsys):
    folder = tmp_path / "tpl" / "notes"
    folder.mkdir(parents=True)
    (folder / "09-other.j2").write_text(text + "\n", encoding="utf-8")
    code, err = run(["render", str(SAMPLES / "wei-2021"), "--format", "html", "--out", str(tmp_path / "out"),
                     "--templates", str(tmp_path / "tpl")], capsys)
    assert code == 1 and "嵌套过深" in err and "内部错误" not in err


def test_ordinary_arithmetic_in_templates_still_works(tmp_path, capsys):
    folder = tmp_path / "tpl" / "notes"
    folder.mkdir(parents=True)
    (folder / "09-other.j2").write_text("§h3 九、其他需要说明的事项\n{{ 2 ** 10 }}·{{ '-' * 3 }}·{{ 12 * 12 }}\n",
                                        encoding="utf-8")
    code, err = run(["render", str(SAMPLES / "wei-2021"), "--format", "html", "--out", str(tmp_path / "out"),
                     "--templates", str(tmp_path / "tpl")], capsys)
    assert code == 0, err
    assert "1024·---·144" in (tmp_path / "out" / "wei-2021.html").read_text(encoding="utf-8")


# --- 4. text is text ----------------------------------------------------------------------------------------------

def minimal(**department) -> Budget:
    return Budget.model_validate({
        "budget_year": 2023, "level": "县级",
        "department": {"code": "201", "name": "测试部门", "duties": ["负责测试"], **department},
        "units": [{"code": "201001", "name": "测试单位", "nature": "行政",
                   "basic": [{"function": "2013101", "economic": "30101", "amount": "10.00"}]}],
        "projects": []})


BREAKS = ["\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\n", "\n \t\u3000"]


@pytest.mark.parametrize("brk", BREAKS, ids=[repr(b) for b in BREAKS])
def test_no_line_break_lets_a_department_text_become_structure(brk):
    budget = minimal()
    plain = build(budget)
    # set after validation: the loader may refuse such characters, the notes must not rely on it
    budget.department.other_matters = f"说明{brk}§h2 伪标题{brk}§table units{brk}§performance{brk}§lead 伪{brk}§foo"
    budget.department.duties = [f"甲{brk}§h3 伪职责", "§h2 另一条"]
    doc = build(budget)
    headings = [b.text for b in doc.blocks if isinstance(b, Heading)]
    assert headings == [b.text for b in plain.blocks if isinstance(b, Heading)]
    assert [e.text for e in doc.toc()] == [e.text for e in plain.toc()]
    assert sum(isinstance(b, Table) for b in doc.blocks) == sum(isinstance(b, Table) for b in plain.blocks)
    texts = "\n".join(b.text for b in doc.blocks if isinstance(b, Paragraph))
    assert "§h2 伪标题" in texts and "§table units" in texts and "（二）§h2 另一条" in texts
    assert notes.ESC not in texts and "\\§" not in texts


def test_a_section_sign_inside_a_line_prints_as_it_is():
    budget = minimal(duties=["§3 条规定的职责", "依照§5办理"], other_matters="§h2 不是标题")
    texts = [b.text for b in build(budget).blocks if isinstance(b, Paragraph)]
    assert "（一）§3 条规定的职责" in texts and "（二）依照§5办理" in texts and "§h2 不是标题" in texts


def notes_template(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "tpl" / "notes"
    folder.mkdir(parents=True)
    (folder / "09-other.j2").write_text(text, encoding="utf-8")
    return tmp_path / "tpl"


@pytest.mark.parametrize("line, number, what", [
    ("§foo 文字", 2, "§foo"),
    ("§table nosuch", 2, "nosuch"),
    ("§h9 标题", 2, "§h9"),
    ("§table {{ 'nosuch' }}", 2, "nosuch"),
    ("§h{{ 7 }} 标题", 2, "§h7"),
    ("§{{ 'bar' }}", 2, "§bar"),
    ("{% if true %}§baz{% endif %}", 2, "§baz"),
    ("{% if true %}§table {{ 'nosuch' }}{% endif %}", 2, "nosuch"),
])
def test_an_unknown_structure_line_names_the_template_line(line, number, what, tmp_path, capsys):
    templates = notes_template(tmp_path, f"§h3 九、其他需要说明的事项\n{line}\n")
    code, err = run(["render", str(SAMPLES / "wei-2021"), "--format", "html", "--out", str(tmp_path / "out"),
                     "--templates", str(templates)], capsys)
    assert code == 1 and "Traceback" not in err and "KeyError" not in err and "内部错误" not in err
    assert f"09-other.j2 第 {number} 行" in err and what in err


def test_the_preview_reports_an_unknown_structure_line(tmp_path):
    from budgetgen.preview import PreviewServer

    templates = notes_template(tmp_path, "§h3 九、其他需要说明的事项\n§foo\n")
    logged = []
    server = PreviewServer(SAMPLES / "wei-2021", port=0, templates=templates, log=logged.append)
    try:
        page = server.page()
    finally:
        server.stop()
    assert "09-other.j2 第 2 行" in page and "KeyError" not in page
    assert any("§foo" in line for line in logged)


def test_comments_and_printed_section_signs_are_not_structure(tmp_path, capsys):
    templates = notes_template(tmp_path, '{# §foo in a comment\n   §bar #}§h3 九、其他需要说明的事项\n{{ "§" }}foo 照印\n')
    out = tmp_path / "out"
    code, err = run(["render", str(SAMPLES / "wei-2021"), "--format", "html", "--out", str(out),
                     "--templates", str(templates)], capsys)
    assert code == 0, err
    assert ">§foo 照印</p>" in (out / "wei-2021.html").read_text(encoding="utf-8")


def test_template_findings(tmp_path):
    ok = notes_template(tmp_path, "§h3 九、其他需要说明的事项\n{{ s.self }}无。\n")
    assert notes.template_findings(ok) == []
    (ok / "notes" / "01-duties.j2").write_text("§h3 一\n§lead\n§bogus\n", encoding="utf-8")
    [finding] = notes.template_findings(ok)
    assert "01-duties.j2 第 3 行" in finding.message and "§bogus" in finding.message
    (ok / "notes" / "01-duties.j2").write_text("{% if %}\n", encoding="utf-8")
    [finding] = notes.template_findings(ok)
    assert finding.code == "template-syntax" and finding.line == 1
    (ok / "notes" / "01-duties.j2").unlink()
    (ok / "html").mkdir()
    (ok / "html" / "table.html.j2").write_text("{% for %}", encoding="utf-8")
    assert [f.code for f in notes.template_findings(ok)] == ["template-syntax"]


def test_inserts_known_to_the_template_check_are_those_build_provides(monkeypatch):
    import budgetgen.compose as build_module

    seen = set()
    real = build_module.render_notes

    def spy(env, scope, figures, prefix, inserts):
        seen.update(inserts)
        return real(env, scope, figures, prefix, inserts)

    monkeypatch.setattr(build_module, "render_notes", spy)
    build(minimal())
    assert seen == set(notes.INSERTS)


def test_shipped_templates_render_with_no_thread_and_unchanged(tmp_path):
    """budgetgen's own templates: no sandbox, no timer thread."""
    env = notes.environment("notes")
    assert not isinstance(env, jinja2.sandbox.SandboxedEnvironment)
    doc, _ = prepare(SAMPLES / "wei-2021")
    assert threading.active_count() == 1
    assert "\\§" not in "".join(getattr(b, "text", "") for b in doc.blocks)


def test_validate_checks_the_templates_it_is_given(tmp_path, capsys):
    from budgetgen.cli import main

    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "09-other.j2").write_text("§bogus 东西\n", encoding="utf-8")
    assert main(["validate", "samples/wei-2021", "--templates", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "09-other.j2 第 1 行" in out and "§bogus" in out
    assert main(["validate", "samples/wei-2021", "--templates", "examples/templates-省级"]) == 0
