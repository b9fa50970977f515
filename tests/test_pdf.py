"""PDF output: every title and figure extractable, CJK fonts embedded, bookmarks, landscape pages, metadata, a 目录
whose numbers and links point to the right pages, and the parallel way giving the same pages as one process."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from budgetgen.cli import main
from budgetgen.document import Table
from budgetgen.pipeline import prepare
from budgetgen.writers import pdf as pdf_writer
from budgetgen.writers import pdf_cells, pdf_engine, pdf_split
from budgetgen.writers.html import render_html
from budgetgen.writers.pdf import render_pdf, render_single
from budgetgen.writers.pdf_tree import parse
from render_util import SAMPLES, PdfText, pdf_pages

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="需要 poppler-utils（pdftotext、pdffonts）")

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


def test_julu_is_laid_out_in_parallel(julu_pdf):
    """On two or more cores the body pages come from the parts' processes (pdf_merge's form on each)."""
    if pdf_split.usable_processes() < 2 or os.environ.get("BUDGETGEN_PDF_PROCESSES", "").strip() == "1":
        pytest.skip("one core (or BUDGETGEN_PDF_PROCESSES=1): the PDF is laid out in one process")
    reader = PdfReader(str(julu_pdf[0]))
    body = [page for page in reader.pages if "/BudgetgenBody" in (page["/Resources"].get("/XObject") or {})]
    assert len(body) == len(reader.pages) - 3  # all but the cover and the two pages of 目录


def pdf_facts(path: Path) -> dict:
    """Everything a reader sees of a PDF, except how it is stored: per-page text and size, the outline, the
    named destinations, the links, the metadata."""
    reader = PdfReader(str(path))

    def outline(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from outline(item, depth + 1)
            else:
                yield depth, item.title, reader.get_destination_page_number(item), float(item.left), float(item.top)

    dests = {name: (reader.get_destination_page_number(d), round(float(d.left), 2), round(float(d.top), 2))
             for name, d in reader.named_destinations.items()}
    links = [(n, [round(float(v), 2) for v in a.get_object()["/Rect"]], str(a.get_object()["/Dest"]))
             for n, page in enumerate(reader.pages) for a in page.get("/Annots") or []]
    return {
        "sizes": [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages],
        "text": pdf_pages(path),  # as pdftotext -f n -l n for each page n
        "outline": list(outline(reader.outline)),
        "dests": dests,
        "links": links,
        "metadata": dict(reader.metadata),
        "lang": reader.trailer["/Root"]["/Lang"],
    }


def pixels(path: Path, out: Path) -> list[bytes]:
    out.mkdir()
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(path), str(out / "p")], check=True)
    return [page.read_bytes() for page in sorted(out.iterdir())]


def test_parallel_way_gives_the_pages_of_one_process(tmp_path, disclosure):
    """Part 1 of 巨鹿 up to its sixth performance table (a landscape table, a chart, forced breaks, a 目录 over
    parts laid out elsewhere): the parallel way and one process give the same pages, pixel for pixel, and the
    same outline, destinations, links and metadata. (test_same_input_same_bytes_and_variants: same bytes.)"""
    doc = disclosure("julu-2023")
    performance = [i for i, b in enumerate(doc.blocks) if isinstance(b, Table) and b.kind == "performance"]
    html = render_html(dataclasses.replace(doc, blocks=doc.blocks[:performance[5] + 1]), media="print")
    fast, used = render_pdf(html, processes=2)
    assert used == 2
    single = render_single(html)
    (tmp_path / "fast.pdf").write_bytes(fast)
    (tmp_path / "single.pdf").write_bytes(single)
    facts, expected = pdf_facts(tmp_path / "fast.pdf"), pdf_facts(tmp_path / "single.pdf")
    for key in expected:
        assert facts[key] == expected[key], key
    assert any(w > h for w, h in facts["sizes"])  # the landscape 收入总表 is in it
    assert pixels(tmp_path / "fast.pdf", tmp_path / "a") == pixels(tmp_path / "single.pdf", tmp_path / "b")


def test_one_process_for_variants_custom_templates_small_documents_page_selectors(tiny, tmp_path, monkeypatch):
    small = ("<html><head><style>h2 { break-before: page }</style></head><body><main><h2>一</h2><p>甲</p>"
             "<h2>二</h2><p>乙</p></main></body></html>")
    assert pdf_split.render(small, ".", 2) is None  # two pages: not worth the processes
    doc, _ = prepare(tiny)
    html = render_html(doc, media="print")
    first_page = html.replace("</style>", "@page :first { margin-top: 30mm }</style>", 1)
    assert pdf_split.render(first_page, ".", 2) is None  # a part can't tell its pages' place in the whole

    def refuse(*args):
        raise AssertionError("PDF/A and PDF/UA come from WeasyPrint in one process")

    monkeypatch.setattr(pdf_split, "render", refuse)
    monkeypatch.setattr(pdf_writer, "render_single", lambda html, variant, fast_parse=True: (variant, fast_parse))
    assert render_pdf(html, variant="pdf/a-3b", processes=2) == (("pdf/a-3b", True), 1)
    # custom HTML templates: their CSS may do what the split can't follow, and WeasyPrint's parser reads them
    custom = tmp_path / "templates"
    (custom / "html").mkdir(parents=True)
    assert pdf_writer.pdf_bytes(doc, custom) == (None, False)


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


def test_libxml2_reads_the_templates_as_weasyprint_does(tiny, disclosure):
    """The fast parser gives WeasyPrint's tree (whitespace between blocks aside), so the same PDF bytes."""
    html = render_html(disclosure("julu-2023"), media="print")

    def shape(el):
        text = lambda t: (t or "").strip() or None  # noqa: E731
        return (el.tag, sorted(el.attrib.items()), text(el.text), text(el.tail), [shape(c) for c in el])

    assert shape(parse(html)) == shape(parse(html, fast=False))
    from weasyprint import HTML

    doc, _ = prepare(tiny)
    small = render_html(dataclasses.replace(doc, blocks=doc.blocks[:6]), media="print")
    assert render_single(small) == HTML(string=small, base_url=".").write_pdf()


@pytest.mark.parametrize("sample", ["julu-2023", "wei-2021"])
def test_speed_ups_give_weasyprints_own_bytes(sample, disclosure):
    """budgetgen's shortcuts through WeasyPrint — libxml2's parser, the lean user-agent stylesheet, cell layouts
    reused (pdf_cells) — change nothing: the first part of each sample up to its eighth performance table comes
    out of one process byte for byte as WeasyPrint makes it on its own."""
    from weasyprint import HTML

    doc = disclosure(sample)
    performance = [i for i, b in enumerate(doc.blocks) if isinstance(b, Table) and b.kind == "performance"]
    html = render_html(dataclasses.replace(doc, blocks=doc.blocks[:performance[7] + 1]), media="print")
    reused = pdf_cells.STATS["reused"]
    ours = render_single(html)
    if pdf_cells.supported():
        assert pdf_cells.STATS["reused"] - reused > 100  # the shortcut was taken, many times
    assert ours == HTML(string=html, base_url=".").write_pdf()


def children() -> set[int]:
    """This process's living child processes (Linux)."""
    pids = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        pids |= {int(pid) for pid in (task / "children").read_text().split()}
    return {pid for pid in pids if Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"}


needs_fork = pytest.mark.skipif(pdf_split.usable_processes() < 2, reason="the PDF engine needs fork and two cores")


@needs_fork
def test_the_engine_started_early_makes_the_same_pdf(tiny, tmp_path):
    """`render` forks the PDF engine before reading the data; it makes the bytes the parent would have made,
    serves one job and is gone afterwards."""
    doc, _ = prepare(tiny)
    before = children()
    pdf_engine.start()
    started = children() - before
    assert len(started) == 1
    data = pdf_writer.pdf_bytes(doc)
    assert children() - before == set()  # served and reaped
    assert pdf_engine.take() is None  # one job only
    assert data == pdf_writer.pdf_bytes(doc)  # now made in this process


@needs_fork
def test_bad_data_stops_the_engine_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.replace("amount: 10.00", "amount: 10,00"), encoding="utf-8")
    before = children()
    assert main(["render", str(bad), "--format", "pdf", "--out", str(tmp_path / "out")]) == 1
    assert "bad.yaml:8" in capsys.readouterr().err
    assert children() - before == set()
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@needs_fork
def test_an_engine_that_dies_leaves_the_pdf_to_this_process(tiny, monkeypatch):
    doc, _ = prepare(tiny)
    monkeypatch.setattr(pdf_engine, "_serve", lambda connection: os._exit(3))
    pdf_engine.start()
    assert pdf_writer.pdf_bytes(doc) == render_single(render_html(doc, media="print"))


def test_a_part_that_fails_gives_the_one_process_pdf(tiny, monkeypatch):
    doc, _ = prepare(tiny)
    html = render_html(doc, media="print")

    def dies(*args):
        os._exit(3)  # a process killed mid-way: the first part reads end of file from it

    monkeypatch.setattr(pdf_split, "_other_part", dies)
    data, used = render_pdf(html, processes=2)
    assert used == 1 and data.startswith(b"%PDF-")
