"""PDF output: every title and figure extractable, CJK fonts embedded, bookmarks, landscape pages, metadata, a 目录
whose numbers and links point to the right pages, and the shortcuts of pdf_speedups giving WeasyPrint's own bytes
where they are verified (and failing, not skipping, if they silently turn off there)."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from budgetgen.cli import main
from budgetgen.document import Table
from budgetgen.pipeline import prepare
from budgetgen.writers import pdf as pdf_writer
from budgetgen.writers import pdf_speedups
from budgetgen.writers.html import render_html
from budgetgen.writers.pdf import html_to_pdf
from render_util import SAMPLES, PdfText

pytestmark = [pytest.mark.pdf,
              pytest.mark.skipif(shutil.which("pdftotext") is None, reason="需要 poppler-utils（pdftotext、pdffonts）")]

TINY = """\
budget_year: 2023
department: {code: "301", name: 测试局, duties: [负责测试工作。]}
units:
  - code: "301001"
    name: 测试局本级
    nature: 行政
    basic:
      - {function: "2013101", economic: "30101", amount: 10.00}
      - {function: "2013101", economic: "30201", amount: 2.50}
projects:
  - {name: 测试项目, function: "2013105", economic: "30299", amount: 5.00,
     goals: [完成测试], indicators: [{level1: 产出指标, level2: 数量指标, name: 次数, value: ≥1次}]}
"""


@pytest.fixture(scope="module")
def julu_pdf(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("pdf")
    assert main(["render", str(SAMPLES / "julu-2023"), "--format", "pdf,json", "--out", str(out)]) == 0
    return out / "julu-2023.pdf", json.loads((out / "julu-2023.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def julu_text(julu_pdf) -> PdfText:
    """The julu PDF's text: julu_text(first, last, layout) is `pdftotext [-layout] -f first -l last` of it, from
    one pdftotext run with -layout and one without."""
    return PdfText(julu_pdf[0])


@pytest.fixture
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_title_and_figure_is_in_the_text(julu_pdf, julu_text):
    data = julu_pdf[1]
    text = squash(julu_text())
    for table in data["tables"]:
        assert squash(table["title"]) in text, table["title"]
        for row in table["rows"]:
            for cell in row:
                if re.fullmatch(r"\d+\.\d\d", cell) and Decimal(cell):
                    assert cell in text, (table["id"], cell)


def test_chinese_extracts_as_chinese_not_kangxi_radicals(julu_text):
    text = julu_text()
    assert "一般公共服务支出" in text and "部门预算" in text
    assert not [c for c in text if "\u2e80" <= c <= "\u2fdf"]


def test_fonts_are_embedded_subset_cjk(julu_pdf):
    out = subprocess.run(["pdffonts", str(julu_pdf[0])], capture_output=True, text=True, check=True).stdout
    fonts = out.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # emb column
    assert any("CJK" in line or "Song" in line or "Hei" in line for line in fonts)
    assert all(re.match(r"[A-Z]{6}\+", line) for line in fonts)  # subset prefix


def test_bookmarks_cover_parts_sections_and_tables(julu_pdf):
    reader = PdfReader(str(julu_pdf[0]))

    def titles(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from titles(item, depth + 1)
            else:
                yield depth, item.title

    marks = list(titles(reader.outline))
    names = [t for _, t in marks]
    assert (0, "第一部分 部门预算") in marks and (0, "第二部分 部门所属单位预算") in marks
    for title in ["部门预算收支总表", "部门预算财政拨款“三公”经费支出表", "单位预算收入总表", "九、其他需要说明的事项"]:
        assert title in names, title
    assert sum(t.endswith("绩效目标表") for t in names) == 74  # 37 in each part


def test_landscape_exactly_where_the_wide_tables_are(julu_pdf, julu_text):
    reader = PdfReader(str(julu_pdf[0]))
    landscape, wide = set(), set()
    for i, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        if box.width > box.height:
            landscape.add(i)
        text = squash(julu_text(i, i, layout=False))
        if "附属单位上缴收入" in text and "科目编码" in text or "采购物品名称" in text:
            wide.add(i)  # a page of 收入总表 (by function code) or of the 政府采购 table
    assert landscape and landscape == wide
    assert len(reader.pages) > 40


def test_the_summary_table_of_34_rows_stays_on_its_page(julu_text):
    """收支总表 under the part and section titles: all 34 rows on one page, as a clerk would lay it out."""
    # -layout: a row's cells stay on one line whatever order the page draws them in
    pages = [squash(julu_text(n, n, layout=True)) for n in range(4, 8)]
    first = next(n for n, text in enumerate(pages) if "部门预算收支总表" in text)
    assert "收入总计1841.44" in pages[first] and "一、一般公共服务支出" in pages[first]


def test_metadata_and_toc_page_numbers(julu_pdf, julu_text):
    reader = PdfReader(str(julu_pdf[0]))
    assert reader.metadata.title == "中共巨鹿县委办公室2023年部门预算"
    assert reader.metadata.author == "中共巨鹿县委办公室"
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    toc = julu_text(2, 3)
    numbers = [int(n) for n in re.findall(r"部门预算收入总表\s*\.*\s*(\d+)", toc)]
    assert numbers, toc[:500]
    # the page the 目录 names really holds that table's title
    assert "部门预算收入总表" in julu_text(numbers[0], numbers[0])


def toc_links(reader: PdfReader) -> list[tuple[int, str, int]]:
    """The 目录's link annotations in order, one per entry: (page of the link, target name, target page), pages
    counted from 1; a title wrapped over two lines gives two rectangles for the same target."""
    dests = reader.named_destinations
    links = []
    for number, page in enumerate(reader.pages, start=1):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            name = str(annot["/Dest"])
            if not links or links[-1][1] != name:
                links.append((number, name, reader.get_destination_page_number(dests[name]) + 1))
    return links


def test_every_toc_entry_is_a_link_to_the_page_its_number_names(julu_pdf, julu_text, disclosure):
    reader = PdfReader(str(julu_pdf[0]))
    entries = disclosure("julu-2023").toc()
    links = toc_links(reader)
    assert [name for _, name, _ in links] == [entry.target for entry in entries]
    toc_pages = sorted({page for page, _, _ in links})
    assert toc_pages[0] == 2  # after the cover
    text = julu_text(toc_pages[0], toc_pages[-1])
    printed = [int(n) for n in re.findall(r"\.{3,}\s*(\d+)\s*$", text, flags=re.MULTILINE)]
    assert printed == [target for _, _, target in links]  # the number printed is where the link goes
    for entry, (_, _, target) in zip(entries, links):
        assert squash(entry.text) in squash(julu_text(target, target, layout=False)), (entry.text, target)


def test_variants_and_custom_templates_get_weasyprints_own_layout(tiny, tmp_path):
    """PDF/A and PDF/UA (their structure tree comes from WeasyPrint's boxes) and custom HTML templates (their CSS
    may do what the shortcuts were not checked with) are made by WeasyPrint alone: no shortcut is taken."""
    from weasyprint import HTML

    doc, _ = prepare(tiny)
    before = dict(pdf_speedups.STATS)
    data = pdf_writer.pdf_bytes(doc, variant="pdf/a-3b")
    assert data.startswith(b"%PDF-") and pdf_speedups.STATS == before
    custom = tmp_path / "templates"
    (custom / "html").mkdir(parents=True)
    html = render_html(doc, custom, media="print")
    base_url = (custom / "html").resolve().as_uri() + "/"
    assert pdf_writer.pdf_bytes(doc, custom) == HTML(string=html, base_url=base_url).write_pdf()
    assert pdf_speedups.STATS == before


def test_the_pdf_is_made_in_this_process(tiny, monkeypatch):
    """One process: the PDF writer starts none (budgetgen render --jobs shares departments out, not pages)."""
    doc, _ = prepare(tiny)

    def refuse(*args, **kwargs):
        raise AssertionError("the PDF writer started a process")

    monkeypatch.setattr(os, "fork", refuse)
    monkeypatch.setattr(multiprocessing.Process, "start", refuse)
    data = pdf_writer.pdf_bytes(doc)
    assert data.startswith(b"%PDF-")
    # the writer contract: render(doc, options) gives the same bytes
    assert pdf_writer.render(doc, SimpleNamespace(templates=None, pdf_variant=None)) == data


def test_same_input_same_bytes_and_variants(tiny, tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out in (a, b):
        assert main(["render", str(tiny), "--format", "pdf", "--out", str(out)]) == 0
    assert (a / "tiny.pdf").read_bytes() == (b / "tiny.pdf").read_bytes()
    assert main(["render", str(tiny), "--format", "pdf", "--pdf-variant", "pdf/a-3b", "--out", str(c)]) == 0
    xmp = PdfReader(str(c / "tiny.pdf")).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert re.search(rb"pdfaid:part(>|=.)3", xmp) and re.search(rb"pdfaid:conformance(>|=.)B", xmp)


def test_no_chinese_font_is_a_clear_message(tiny, tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text("<?xml version='1.0'?><!DOCTYPE fontconfig SYSTEM 'fonts.dtd'><fontconfig></fontconfig>")
    out = tmp_path / "out"
    env = {"FONTCONFIG_FILE": str(conf), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    result = subprocess.run([sys.executable, "-m", "budgetgen", "render", str(tiny), "--out", str(out)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert "没有中文字体" in result.stderr and "fonts-noto-cjk" in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_a_small_document_is_weasyprints_own_bytes(tiny):
    from weasyprint import HTML

    doc, _ = prepare(tiny)
    small = render_html(dataclasses.replace(doc, blocks=doc.blocks[:6]), media="print")
    assert html_to_pdf(small) == HTML(string=small, base_url=".").write_pdf()


@pytest.mark.parametrize("sample", ["julu-2023", "wei-2021"])
def test_speed_ups_give_weasyprints_own_bytes(sample, disclosure):
    """budgetgen's shortcuts through WeasyPrint (pdf_speedups: cell layouts reused, the lean user-agent
    stylesheet) change nothing: the first part of each sample up to its eighth performance table comes out byte
    for byte as WeasyPrint makes it on its own — and on a verified WeasyPrint the shortcuts were taken."""
    from weasyprint import HTML

    doc = disclosure(sample)
    performance = [i for i, b in enumerate(doc.blocks) if isinstance(b, Table) and b.kind == "performance"]
    html = render_html(dataclasses.replace(doc, blocks=doc.blocks[:performance[7] + 1]), media="print")
    before = dict(pdf_speedups.STATS)
    ours = html_to_pdf(html)
    if pdf_speedups.available():
        assert pdf_speedups.STATS["cells reused"] - before["cells reused"] > 100  # taken, many times
        assert pdf_speedups.STATS["lean ua"] > before["lean ua"]
    assert ours == HTML(string=html, base_url=".").write_pdf()


def test_speed_ups_are_on_wherever_they_are_verified(tiny):
    """Fails — does not skip — on a WeasyPrint release listed as verified whose private names have moved or
    changed their signature, or where a shortcut is no longer taken: then the speed-up would silently be lost.
    On any other release the shortcuts must stay off (WeasyPrint's own way)."""
    import weasyprint

    doc, _ = prepare(tiny)
    html = render_html(doc, media="print")
    before = dict(pdf_speedups.STATS)
    html_to_pdf(html)
    taken = {name: pdf_speedups.STATS[name] - before[name] for name in before}
    if weasyprint.__version__ in pdf_speedups.VERIFIED:
        assert pdf_speedups.available(), f"WeasyPrint {weasyprint.__version__}: private names moved or changed"
        assert taken["renders"] == 1 and taken["lean ua"] >= 1
        assert taken["cells reused"] > 0 and taken["cells laid out"] > 0
    else:
        assert not pdf_speedups.available() and not any(taken.values())


def test_bad_data_writes_no_pdf(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.replace("amount: 10.00", "amount: 10,00"), encoding="utf-8")
    assert main(["render", str(bad), "--format", "pdf", "--out", str(tmp_path / "out")]) == 1
    assert "bad.yaml:8" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
