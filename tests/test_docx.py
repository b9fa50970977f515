"""The DOCX a clerk opens in Word or WPS: every table equals the JSON, named styles with East Asian fonts, repeating
header rows, landscape sections for wide tables, real headings and a TOC field, fixed bytes; LibreOffice converts it."""

from __future__ import annotations

import io
import os
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import docx.enum.text
import docx.shared
import docx.text.paragraph
import pytest
from docx.oxml.ns import qn

from budgetgen.cli import main
from budgetgen.document import Heading, Table
from budgetgen.writers.docx import render_docx
from render_util import ROOT, SAMPLE_NAMES, SAMPLES, libreoffice_pdf, pdf_pages, table_grid

EAST_ASIAN_FONTS = {"SimSun", "FangSong", "SimHei"}


@pytest.fixture(scope="module")
def rendered(render_samples) -> dict[str, dict]:
    """Each sample rendered once through the command line to docx and json (parsed), with its Disclosure."""
    result = render_samples("docx")
    for r in result.values():
        r["docx"] = docx.Document(str(r["path"]))
    return result


# --- reading the DOCX back -------------------------------------------------------------------------------

def row_flags(tbl) -> list[tuple[bool, bool]]:
    """(repeats as header row, never splits) for each row."""
    flags = []
    for tr in tbl.iterchildren(qn("w:tr")):
        trpr = tr.find(qn("w:trPr"))
        flags.append((trpr is not None and trpr.find(qn("w:tblHeader")) is not None,
                      trpr is not None and trpr.find(qn("w:cantSplit")) is not None))
    return flags


def body_blocks(document) -> list:
    return list(document.element.body.iterchildren())


def sections_of_tables(document) -> list[bool]:
    """For each table in order: is it on a landscape page (its section's w:pgSz is wider than high)?"""
    result, pending = [], 0
    for el in body_blocks(document):
        if el.tag == qn("w:tbl"):
            pending += 1
            continue
        sect = el if el.tag == qn("w:sectPr") else el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
        if sect is not None:
            size = sect.find(qn("w:pgSz"))
            wide = int(size.get(qn("w:w"))) > int(size.get(qn("w:h")))
            assert (size.get(qn("w:orient")) == "landscape") == wide
            result.extend([wide] * pending)
            pending = 0
    assert pending == 0
    return result


def zero(text: str) -> bool:
    return re.fullmatch(r"-?0\.00%?", text) is not None


# --- content -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_table_equals_the_json_row_by_row(rendered, name):
    data, document = rendered[name]["json"], rendered[name]["docx"]
    tables = document.tables
    assert len(tables) == len(data["tables"]) > 50
    for json_table, table in zip(data["tables"], tables):
        grid = table_grid(table._tbl)
        skip = 1 if json_table["banner"] else 0
        if json_table["banner"]:
            banner = grid[0][0]
            assert banner.startswith(f"{json_table['banner']['code']} {json_table['banner']['name']}")
            if json_table["banner"]["year"]:
                assert f"预算年度：{json_table['banner']['year']}" in banner
            assert (json_table["banner"]["unit"] or "") in banner
        expected = json_table["lead"] + json_table["header"] + json_table["rows"]
        assert len(grid) - skip == len(expected), json_table["title"]
        body_start = len(json_table["lead"]) + len(json_table["header"])
        types = [c["type"] for c in json_table["columns"]]
        for r, (want, got) in enumerate(zip(expected, grid[skip:])):
            for c, (w, g) in enumerate(zip(want, got)):
                if r >= body_start and types[c] == "amount" and zero(w):
                    assert g == "", f"{json_table['title']} row {r} col {c}: zero must stay empty, got {g!r}"
                else:
                    assert g == w, f"{json_table['title']} row {r} col {c}: {g!r} != {w!r}"


def test_zero_amounts_are_empty_and_figures_right_aligned(rendered):
    document = rendered["julu-2023"]["docx"]
    t1 = document.tables[0]
    grid = table_grid(t1._tbl)
    row = next(r for r in grid if r[3].startswith("二、外交支出"))
    assert row[4] == ""  # 外交支出 is zero: empty, as the genre prints it
    amount_styles = {document.styles.get_by_id(p.style.style_id, 1).name for cell in t1.rows[4].cells
                     for p in cell.paragraphs if re.fullmatch(r"\d+\.\d\d", p.text)}
    assert amount_styles == {"表格金额"}
    style = document.styles["表格金额"]
    assert style.paragraph_format.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_quantities_align_like_the_figures(rendered, name):
    """数量 in the assets and procurement tables (7306, 22, 35) is a number cell of the Disclosure, so every format
    aligns it like the figures beside it (right, 表格金额 in Word), not like text."""
    document, disclosure = rendered[name]["docx"], rendered[name]["doc"]
    seen = 0
    for table, tbl in zip(disclosure.tables(), document.tables):
        if table.kind not in ("assets", "procurement"):
            continue
        col = [c.key for c in table.columns].index("quantity")
        assert table.columns[col].kind == "number"
        skip = 1 if table.banner else 0
        grid = table_grid(tbl._tbl)[skip + len(table.lead) + len(table.header):]
        for r, (row, line) in enumerate(zip(table.rows, grid)):
            if row.level == 0 and table.kind == "procurement":
                continue  # the 合计 row has no quantity
            assert row.cells[col].kind == "number", (table.title, r)
            if line[col]:
                seen += 1
                paragraph = tbl.rows[skip + len(table.lead) + len(table.header) + r].cells[col].paragraphs[0]
                assert document.styles.get_by_id(paragraph.style.style_id, 1).name == "表格金额", (table.title, r)
    assert seen >= 2


def test_empty_tables_carry_their_note_and_tables_their_notes(rendered):
    for name in SAMPLE_NAMES:
        document, disclosure = rendered[name]["docx"], rendered[name]["doc"]
        blocks = body_blocks(document)
        tbl_positions = [i for i, el in enumerate(blocks) if el.tag == qn("w:tbl")]
        for table, pos in zip(disclosure.tables(), tbl_positions):
            following = [docx.text.paragraph.Paragraph(el, document._body).text for el in blocks[pos + 1:pos + 3]
                         if el.tag == qn("w:p")]
            expected = ([table.empty_note] if table.empty_note else []) + table.notes
            assert following[:len(expected)] == expected[:2], table.title
    assert any(t.empty_note and "空表列示" in t.empty_note for t in rendered["julu-2023"]["doc"].tables())


# --- structure a clerk relies on -----------------------------------------------------------------------------

def test_banner_and_header_rows_repeat_and_rows_never_split(rendered):
    for name in SAMPLE_NAMES:
        document, disclosure = rendered[name]["docx"], rendered[name]["doc"]
        for table, tbl in zip(disclosure.tables(), document.tables):
            flags = row_flags(tbl._tbl)
            assert all(split for _, split in flags), table.title
            top = (1 if table.banner else 0)
            repeating = top if table.lead else top + len(table.header)
            assert [r for r, _ in flags] == [True] * repeating + [False] * (len(flags) - repeating), table.title
    t2 = rendered["julu-2023"]["docx"].tables[1]
    assert sum(r for r, _ in row_flags(t2._tbl)) == 4  # banner, two header rows, 栏次


def test_merged_header_and_performance_cells_are_real_merges(rendered):
    document = rendered["julu-2023"]["docx"]
    t2 = document.tables[1]._tbl
    first_header = t2.findall(qn("w:tr"))[1]
    spans = [int(tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}").get(qn("w:val")))
             for tc in first_header.findall(qn("w:tc")) if tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}") is not None]
    assert spans == [2, 8]  # 功能分类科目 over 编码/名称, 本年收入 over its eight columns
    perf = next(t for t, d in zip(document.tables, rendered["julu-2023"]["doc"].tables()) if d.kind == "performance")
    restarts = perf._tbl.findall(f".//{qn('w:vMerge')}[@{qn('w:val')}='restart']")
    assert len(restarts) >= 2  # 产出指标 and 效益指标 merged down their rows


def test_wide_tables_on_landscape_sections_the_rest_portrait(rendered):
    for name in SAMPLE_NAMES:
        document, disclosure = rendered[name]["docx"], rendered[name]["doc"]
        landscape = sections_of_tables(document)
        assert landscape == [t.landscape for t in disclosure.tables()]
        assert any(landscape) and not all(landscape)
        for sect in document.sections:  # A4 every page
            assert {sect.page_width.twips, sect.page_height.twips} == {11906, 16838}


def paragraph_orientations(document) -> list[tuple[str, bool]]:
    """Each body paragraph (outside tables): its text and whether its section is landscape."""
    result, pending = [], []
    for el in body_blocks(document):
        if el.tag == qn("w:p"):
            pending.append("".join(t.text or "" for t in el.iter(qn("w:t"))))
        sect = el if el.tag == qn("w:sectPr") else el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
        if sect is not None:
            size = sect.find(qn("w:pgSz"))
            result += [(text, int(size.get(qn("w:w"))) > int(size.get(qn("w:h")))) for text in pending]
            pending = []
    return result


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_landscape_intro_travels_with_its_table_as_in_the_pdf(rendered, name):
    """The heading and paragraphs that introduce a wide table (六、政府采购预算情况 and its sentence) are on the
    table's landscape pages, by the Disclosure's one rule (landscape_intro, which the PDF follows), and the
    blocks just before them stay portrait."""
    document, disclosure = rendered[name]["docx"], rendered[name]["doc"]
    orientations = paragraph_orientations(document)
    intro = sorted(disclosure.landscape_intro())
    assert intro
    for i in intro:
        text = disclosure.blocks[i].text
        assert [wide for t, wide in orientations if t == text] and all(wide for t, wide in orientations if t == text)
    for i in (i for i in intro if i - 1 not in intro):
        before = disclosure.blocks[i - 1]
        if isinstance(before, Table):
            before_text = before.notes[-1] if before.notes else before.empty_note or before.title
        else:
            before_text = before.text
        assert any(t == before_text and not wide for t, wide in orientations), before_text


def test_headings_use_heading_styles_and_toc_is_a_field(rendered):
    document, disclosure = rendered["julu-2023"]["docx"], rendered["julu-2023"]["doc"]
    by_style = [(p.style.name, p.text) for p in document.paragraphs]
    for block in disclosure.blocks:
        if isinstance(block, Heading) and block.toc:
            assert (f"Heading {block.level}", block.text) in by_style
    assert ("Heading 1", "第一部分 部门预算") in by_style
    body = document.element.body
    instructions = [t.text for t in body.iter(qn("w:instrText"))]
    toc = [i for i in instructions if i.strip().startswith("TOC")]
    assert len(toc) == 1 and '\\o "1-4"' in toc[0] and "表格标题" in toc[0]
    # the cached result already lists every entry, each linked to a bookmark that exists
    entries = disclosure.toc()
    links = [h.get(qn("w:anchor")) for h in body.iter(qn("w:hyperlink"))]
    assert len(links) == len(entries)
    bookmarks = {b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))}
    assert set(links) <= bookmarks
    pagerefs = [i.split()[1] for i in instructions if i.strip().startswith("PAGEREF")]
    assert pagerefs == links
    toc_paragraphs = [p for p in document.paragraphs if re.fullmatch(r"toc \d", p.style.name.lower())]
    toc_lines = [p.text.split("\t") for p in toc_paragraphs]
    assert [text for text, _ in toc_lines] == [e.text for e in entries]
    # set in by depth, as in the PDF: a unit's notes (一、单位职责…) one below the unit's heading, in toc 4, which
    # sits further in than toc 3; the notes' own heading keeps the weight of its level
    assert [p.style.name.lower() for p in toc_paragraphs] == [f"toc {min(e.depth, 4)}" for e in entries]
    assert {e.depth for e in entries} == {1, 2, 3, 4}
    indents = [document.styles[f"toc {n}"].paragraph_format.left_indent or 0 for n in range(1, 5)]
    assert indents == sorted(indents) and len(set(indents)) == 4
    bold = [p._p.find(f".//{qn('w:b')}") is not None for p in toc_paragraphs]
    assert bold == [e.level == 2 and e.depth > 2 for e in entries]
    # each entry's cached page number is filled in (the pagination model's), in document order
    numbers = [int(number) for _, number in toc_lines]
    assert numbers == sorted(numbers) and numbers[0] > 2
    settings = document.settings.element
    assert settings.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    table_titles = [p.text for p in document.paragraphs if p.style.name == "表格标题"]
    assert table_titles == [t.title for t in disclosure.tables() if t.toc]


def test_line_model_counts_the_space_between_chinese_and_numbers():
    """LibreOffice (and Word) put a fifth of an em between Chinese text and a number: 魏县's 14pt section entry, 392pt
    of characters, takes 397.6pt as printed, so it wraps in 397.4pt, and the model says so."""
    from budgetgen.writers.docx_pages import Metrics

    m, text = Metrics(size=280, bold=True), "中国共产党魏县委员会办公室2021年部门预算信息公开情况说明"
    assert m.text_width(text) == 7840
    assert m.lines(text, 7948) == 2 and m.lines(text, 7956) == 1
    assert m.lines("2021年", 10_000) == 1 and m.lines("一二三四五六七八九十2021", 2800) == 2


def test_footer_numbers_pages_and_cover_has_none(rendered):
    document = rendered["julu-2023"]["docx"]
    footer = document.sections[0].footer
    assert "PAGE" in "".join(t.text for t in footer._element.iter(qn("w:instrText")))
    assert document.sections[0].different_first_page_header_footer  # the cover
    assert not any(s.different_first_page_header_footer for s in document.sections[1:])


def test_classified_project_shows_only_its_heading(rendered):
    document = rendered["wei-2021"]["docx"]
    texts = [p.text for p in document.paragraphs]
    assert "12、此项涉密" in texts
    lead = next(t for t, d in zip(document.tables, rendered["wei-2021"]["doc"].tables()) if d.kind == "performance")
    grid = table_grid(lead._tbl)
    assert grid[1][0] == "项目编码" and grid[2][0] == "预算规模及资金用途" and grid[3][0] == "预算规模及资金用途"


# --- styles and fonts ------------------------------------------------------------------------------------

def resolved(document, style, tag: str, attr: str) -> str | None:
    """An rPr property of a style, following basedOn to the document defaults."""
    while style is not None:
        el = style.element.find(f"{qn('w:rPr')}/{qn(tag)}")
        if el is not None and el.get(qn(attr)):
            return el.get(qn(attr))
        style = style.base_style
    defaults = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn(tag)}")
    return defaults.get(qn(attr)) if defaults is not None else None


def test_every_paragraph_style_names_an_east_asian_font_and_chinese(rendered):
    document = rendered["julu-2023"]["docx"]
    used = {p.style.style_id for p in document.paragraphs}
    for tbl in document.tables:
        used |= {p.get(qn("w:val")) for p in tbl._tbl.iter(qn("w:pStyle"))}
    assert len(used) > 15
    fonts = {}
    for sid in used:
        style = document.styles.get_by_id(sid, 1)
        fonts[style.name] = resolved(document, style, "w:rFonts", "w:eastAsia")
        assert fonts[style.name] in EAST_ASIAN_FONTS, (style.name, fonts[style.name])
        assert resolved(document, style, "w:lang", "w:eastAsia") == "zh-CN", style.name
    assert fonts["Body Text"] == "FangSong" and fonts["表格文字"] == "SimSun" and fonts["Heading 1"] == "SimHei"
    assert document.styles["Heading 1"].font.bold
    # no run carries direct formatting: only a character style or the East Asian hint; but for the bold of a 目录
    # entry set deeper than its heading's level (a unit's notes), where LibreOffice keeps no character style
    toc_ids = {document.styles[f"toc {n}"].style_id for n in range(1, 5)}
    for run in document.element.body.iter(qn("w:r")):
        rpr = run.find(qn("w:rPr"))
        if rpr is not None:
            style = run.getparent().getparent().find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            in_toc = style is not None and style.get(qn("w:val")) in toc_ids
            assert {etree_local(c) for c in rpr} <= ({"rStyle", "rFonts", "b"} if in_toc else {"rStyle", "rFonts"})
            fonts_el = rpr.find(qn("w:rFonts"))
            assert fonts_el is None or dict(fonts_el.attrib) == {qn("w:hint"): "eastAsia"}
    table = zipfile.ZipFile(rendered["julu-2023"]["path"]).read("word/fontTable.xml").decode()
    for name, alt in [("SimSun", "宋体"), ("FangSong", "仿宋"), ("SimHei", "黑体")]:
        assert re.search(f'<w:font w:name="{name}"><w:altName w:val="{alt}"/>', table)
    settings = document.settings.element.find(qn("w:themeFontLang"))
    assert settings.get(qn("w:eastAsia")) == "zh-CN"


def etree_local(el) -> str:
    return el.tag.rsplit("}", 1)[-1]


def test_a_reference_docx_supplies_the_styles(tmp_path, rendered):
    """A jurisdiction's reference.docx: its styles win (matched by name), ours fill what it lacks."""
    reference = docx.Document()  # python-docx's own template: Heading 1 etc., none of our table styles
    reference.styles["Heading 1"].font.size = docx.shared.Pt(30)
    reference.add_paragraph("old body text that must not survive")
    (tmp_path / "tpl" / "docx").mkdir(parents=True)
    reference.save(str(tmp_path / "tpl" / "docx" / "reference.docx"))
    assert main(["render", str(SAMPLES / "julu-2023"), "--format", "docx", "--out", str(tmp_path),
                 "--templates", str(tmp_path / "tpl")]) == 0
    out = docx.Document(str(tmp_path / "julu-2023.docx"))
    assert out.styles["Heading 1"].font.size == docx.shared.Pt(30)
    assert out.styles["表格金额"].base_style.name == "表格文字"
    assert "old body text" not in "".join(p.text for p in out.paragraphs)
    assert len(out.tables) == len(rendered["julu-2023"]["docx"].tables)
    assert [p.text for p in out.paragraphs if p.style.name == "Heading 1"] == ["第一部分 部门预算", "第二部分 部门所属单位预算"]


# --- properties and reproducibility ----------------------------------------------------------------------

def test_core_properties(rendered):
    props = rendered["julu-2023"]["docx"].core_properties
    assert props.title == "中共巨鹿县委办公室2023年部门预算"
    assert props.author == "中共巨鹿县委办公室"
    assert "部门预算" in props.subject
    assert props.created == props.modified  # fixed: 1 January of the budget year, or SOURCE_DATE_EPOCH
    assert os.environ.get("SOURCE_DATE_EPOCH") or props.created.year == 2023


def test_same_input_same_bytes(rendered, tmp_path):
    first = rendered["julu-2023"]["path"].read_bytes()
    assert main(["render", str(SAMPLES / "julu-2023"), "--format", "docx", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "julu-2023.docx").read_bytes() == first
    assert render_docx(rendered["julu-2023"]["doc"]) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.testzip() is None
        assert "docProps/thumbnail.jpeg" not in archive.namelist()


def test_benchmark_script_runs(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks.docx_bench import run

    result = run(SAMPLES / "julu-2023", repeat=1, naive=False)  # python-docx's slow path is not asserted on
    assert result["docx"] > 0 and result["tables"] > 50


# --- LibreOffice ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lo_pdf(rendered, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """Each DOCX converted once by LibreOffice: the folder of the PDFs, and the text of each."""
    out = tmp_path_factory.mktemp("pdf")
    return out, libreoffice_pdf([rendered[name]["path"] for name in SAMPLE_NAMES], out)


@pytest.fixture(scope="module")
def pdf_text(lo_pdf) -> dict[str, str]:
    return lo_pdf[1]


def toc_in_pdf(pages: list[str]) -> tuple[list[tuple[str, int]], int]:
    """The 目录 as printed: (entry text without spaces, its page number) from the lines with dot leaders (an entry
    whose number went to a line of its own is joined to the line above); and the index of the first page after."""
    entries: list[tuple[str, int]] = []
    for index, page in enumerate(pages):
        found, pending = False, ""
        for line in page.splitlines():
            m = re.fullmatch(r"\s*(.*?)\s*\.{4,}\s*(\d+)\s*", line)
            if m:
                entries.append((pending + re.sub(r"\s+", "", m.group(1)), int(m.group(2))))
                found, pending = True, ""
            else:
                pending = re.sub(r"\s+", "", line) if entries and line.strip() else ""
        if entries and not found:
            return entries, index
    return entries, len(pages)


def page_holding(pages: list[str], title: str, start: int) -> int | None:
    """The first page from `start` (0-based) with a line, or two or three lines in a row, that read `title`."""
    for index in range(start, len(pages)):
        lines = [re.sub(r"\s+", "", line) for line in pages[index].splitlines()]
        lines = [line for line in lines if line]
        for k in range(len(lines)):
            if title in (lines[k], "".join(lines[k:k + 2]), "".join(lines[k:k + 3])):
                return index
    return None


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_libreoffice_toc_page_numbers_are_the_pages_of_the_headings(rendered, lo_pdf, name):
    """Opened in LibreOffice (which shows the TOC field's cached result, never refreshing it), every 目录 entry
    prints the number of the page its heading or table title is on, the number that page's footer prints."""
    pages = pdf_pages(lo_pdf[0] / f"{name}.pdf")
    entries, body = toc_in_pdf(pages)
    assert [title for title, _ in entries] == [re.sub(r"\s+", "", e.text) for e in rendered[name]["doc"].toc()]
    at = body
    for title, printed in entries:
        found = page_holding(pages, title, at)
        assert found is not None, title
        assert (found + 1, title) == (printed, title)
        footer = [line for line in pages[found].splitlines() if line.strip()][-1]
        assert re.sub(r"\s+", "", footer) == f"—{printed}—"
        at = found


def toc_lines_in_pdf(pdf: Path, pages: int) -> list[tuple[float, float, str]]:
    """The lines of the first `pages` pages after the cover as LibreOffice printed them: (left, right, text) in
    points, from pdftotext's word boxes, words of a line joined without spaces; footers left out."""
    import html

    out = subprocess.run(["pdftotext", "-bbox", "-f", "2", "-l", str(1 + pages), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    lines: list[tuple[float, float, str]] = []
    for page in out.split("<page ")[1:]:
        rows: dict[float, list[tuple[float, float, str]]] = {}
        for x0, y0, x1, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">'
                                           r"(.*?)</word>", page):
            rows.setdefault(round(float(y0)), []).append((float(x0), float(x1), html.unescape(word)))
        for y in sorted(rows):
            words = sorted(rows[y])
            text = "".join(w for _, _, w in words)
            if not re.fullmatch(r"—\d+—", text):
                lines.append((words[0][0], words[-1][1], text))
    return lines


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_libreoffice_toc_nests_by_depth_and_numbers_end_each_entry(rendered, lo_pdf, name):
    """The 目录 as LibreOffice prints it: each entry set in by its depth (a unit's notes one step below the unit's
    heading, as in the PDF), every entry of a depth at the same place; an entry too long for a line wraps and its
    page number ends its last line at the right margin, after the leader dots and the end of its text, never on a
    line of its own."""
    entries = rendered[name]["doc"].toc()
    lines = toc_lines_in_pdf(lo_pdf[0] / f"{name}.pdf", 2)
    assert lines[0][2] == "目录"
    at, left_of, rights, wrapped = 1, {}, set(), 0
    for entry in entries:
        title = re.sub(r"\s+", "", entry.text)
        start, text = at, ""
        while not re.search(r"\.{4,}\d+$", lines[at][2]):
            text += lines[at][2]
            at += 1
        last = re.fullmatch(r"(.*?)\.{4,}(\d+)", lines[at][2])
        assert last and last.group(1), f"{title}: its page number is on a line of its own"
        assert text + last.group(1) == title
        wrapped += at > start
        assert all(abs(lines[k][0] - lines[start][0]) < 1 for k in range(start, at + 1)), title
        left_of.setdefault(entry.depth, set()).add(round(lines[start][0]))
        rights.add(round(lines[at][1]))
        at += 1
    assert all(len(xs) == 1 for xs in left_of.values()), left_of  # one indent per depth
    indents = [left_of[d].pop() for d in sorted(left_of)]
    assert indents == sorted(indents) and len(set(indents)) == len(indents) == 4
    assert len(rights) == 1  # every page number ends at the right margin
    assert wrapped == (name == "wei-2021")  # …本级2021年单位预算信息公开情况说明 wraps in 魏县's


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_libreoffice_pdf_has_every_title_and_figure(rendered, pdf_text, name):
    text = re.sub(r"\s+", "", pdf_text[name])
    data = rendered[name]["json"]
    for table in data["tables"]:
        assert re.sub(r"\s+", "", table["title"]) in text, table["title"]
        for row in table["lead"] + table["rows"]:
            for value in row:
                if re.fullmatch(r"-?\d+\.\d\d%?", value) and not zero(value):
                    assert value in text, f"{table['title']}: {value}"
    assert "此项涉密" in text or name == "julu-2023"


def test_charts_are_embedded_pictures(rendered):
    """The notes' charts come into Word as PNG pictures in their own style, with a caption."""
    path, document = rendered["wei-2021"]["path"], rendered["wei-2021"]["docx"]
    assert len(document.inline_shapes) == 2  # spending by function class, for the department and the unit
    captions = [p for p in document.paragraphs if p.text.endswith("支出按功能分类（万元）")]
    assert len(captions) == 2 and all(p.style.name == "图表标题" for p in captions)
    with zipfile.ZipFile(path) as z:
        images = [n for n in z.namelist() if n.startswith("word/media/")]
        assert len(images) == 2 and all(z.read(n).startswith(b"\x89PNG") for n in images)


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_libreoffice_keeps_the_first_table_on_one_page(rendered, lo_pdf, name):
    """部门预算收支总表 (34 rows, under the part and section headings) fits its page in LibreOffice, with Noto CJK's
    taller lines, as in the PDF: its last row 收入总计 … 支出总计 is on the page of its title."""
    pages = pdf_pages(lo_pdf[0] / f"{name}.pdf")
    first = rendered[name]["doc"].tables()[0]
    _, body = toc_in_pdf(pages)
    index = page_holding(pages, re.sub(r"\s+", "", first.title), body)
    assert index is not None and len(first.rows) == 34
    assert re.search(r"收入总计.*支出总计", pages[index])
    assert "收入总计" not in pages[index + 1]
