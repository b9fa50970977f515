"""PDF pages a clerk would otherwise fix by hand (issue 15), checked on the pages themselves: a section heading on
the landscape page of the table it introduces, no continuation page with a stray few rows, the notes' tables
titled in the nine tables' typeface, the 详式 head block without needless wraps, and a unit's notes one level
below the unit's heading in the 目录 and the PDF outline."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from budgetgen.cli import main
from budgetgen.compose.grid import H, header
from budgetgen.compose.presentation import present
from budgetgen.compose.tables import FUNCTION_GROUP, SEQ
from budgetgen.document import Banner, Cell, Disclosure, Heading, Row, Table
from budgetgen.writers import Options
from budgetgen.writers import pdf as pdf_writer
from render_util import SAMPLE_NAMES, SAMPLES, pdf_pages

pytestmark = [pytest.mark.pdf,
              pytest.mark.skipif(shutil.which("pdftotext") is None, reason="需要 poppler-utils（pdftotext）")]

MIN_ROWS = 8  # a table that runs onto another page takes at least this many of its rows there (print.css)
NINE = ["收支总表", "收入总表", "支出总表", "财政拨款收支总表", "一般公共预算财政拨款支出表", "一般公共预算财政拨款基本支出表",
        "政府性基金预算财政拨款支出表", "国有资本经营预算财政拨款支出表", "财政拨款“三公”经费支出表"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Both samples rendered through the command line: name → (PDF, HTML)."""
    out = tmp_path_factory.mktemp("layout")
    paths = {}
    for name in SAMPLE_NAMES:
        assert main(["render", str(SAMPLES / name), "--format", "pdf,html", "--out", str(out / name)]) == 0
        paths[name] = (out / name / f"{name}.pdf", out / name / f"{name}.html")
    return paths


@pytest.fixture(scope="module")
def pages(rendered) -> dict[str, list[str]]:
    """Each sample's pages as `pdftotext -layout` gives them."""
    return {name: pdf_pages(pdf) for name, (pdf, _) in rendered.items()}


def body_rows(page: str) -> int:
    """The table rows on a page of one of the nine tables: lines below its 栏次 row that carry a 序号."""
    lines = page.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("栏次")), None)
    if start is None:
        return 0
    return sum(1 for line in lines[start + 1:] if re.match(r"\s*\d+\s", line))


def is_continuation(page: str, titles: list[str]) -> bool:
    """A page that goes on with a table begun on the page before: a repeated 栏次 header row, no table title."""
    squashed = re.sub(r"\s+", "", page)
    return "栏次" in squashed and not any(title in squashed for title in titles)


# --- 六、政府采购预算情况 with its table -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_procurement_heading_is_on_its_tables_landscape_page(name, rendered, pages):
    """The heading and its one line of text sit on the landscape page of the procurement table, not alone at the
    foot of a portrait page (巨鹿: two lines on a page of their own, the empty table on the next)."""
    reader = PdfReader(str(rendered[name][0]))
    headed = [n for n, page in enumerate(pages[name]) if "六、政府采购预算情况" in page.replace(" ", "")
              and "......" not in page]  # not the 目录's pages
    assert len(headed) == 2, headed  # the department's notes and the unit's
    for n in headed:
        text = re.sub(r"\s+", "", pages[name][n])
        assert re.search(r"(部门|单位)政府采购预算", text) and "采购物品名称" in text, pages[name][n][:400]
        assert text.index("六、政府采购预算情况") < text.index("采购物品名称")
        box = reader.pages[n].mediabox
        assert box.width > box.height, f"page {n + 1} is not landscape"


# --- continuation pages ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_the_nine_tables_of_the_samples_fit_their_pages(name, pages):
    """Tables at 小五 with tight rows: 收入总表 (29 rows, landscape) and 财政拨款收支总表 (37 rows) of both samples
    fit one page each — they ran over by five or six rows before."""
    titles = [f"{word}预算{t}" for word in ("部门", "单位") for t in NINE]
    body = [(n, page) for n, page in enumerate(pages[name]) if "......" not in page]  # not the 目录
    continued = [n + 1 for n, page in body if is_continuation(page, titles)]
    assert continued == []
    for n, page in body:
        squashed = re.sub(r"\s+", "", page)
        if re.search("(部门|单位)预算财政拨款收支总表", squashed):
            assert "收入总计" in squashed, f"page {n + 1}: 财政拨款收支总表 does not end on its page"


def long_table(n: int) -> Table:
    """A table like 一般公共预算财政拨款支出表 of n rows, each numbered: a 合计 row and n - 1 项 rows."""
    head, columns = header([SEQ, FUNCTION_GROUP, H("合计"), H("基本支出"), H("项目支出")])
    rows = [Row([Cell(1, "index"), Cell("", "code"), Cell("合计"), Cell(Decimal(n - 1), "amount"),
                 Cell(Decimal(n - 1), "amount"), Cell(None, "amount")], level=0)]
    rows += [Row([Cell(i, "index"), Cell(f"2013{i:03d}", "code"), Cell(f"测试科目{i}"), Cell(Decimal(1), "amount"),
                  Cell(Decimal(1), "amount"), Cell(None, "amount")], level=3) for i in range(2, n + 1)]
    return Table(f"t-{n}", f"测试表{n}行", Banner("301", "测试局", 2023), columns, head, rows, kind="t5")


def test_a_table_that_runs_over_takes_at_least_eight_rows_to_its_next_page(tmp_path):
    """Tables of 40 to 60 rows, each on new pages as the nine tables start: wherever one runs over, its next page
    holds at least MIN_ROWS of its rows (not the one to seven that would not fit), and its first page stays full
    but for those."""
    lengths = range(40, 61)
    doc = present(Disclosure(title="测试局2023年部门预算", department_code="301", department_name="测试局", year=2023,
                             blocks=[Heading("测试", 1, id="part1")] + [long_table(n) for n in lengths]))
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf_writer.render(doc, Options()))
    texts = pdf_pages(path)[2:]  # after the cover and the 目录
    per_table: dict[int, list[int]] = {}
    current = None
    for page in texts:
        title = re.search(r"测试表(\d+)行", re.sub(r"\s+", "", page))
        if title:
            current = int(title.group(1))
        if current is not None:
            per_table.setdefault(current, []).append(body_rows(page))
    assert sorted(per_table) == list(lengths)
    capacity = max(counts[0] for counts in per_table.values())  # rows of the longest table that fits a page
    spilled = {n: counts for n, counts in per_table.items() if len(counts) > 1}
    assert spilled, "no table ran over a page: make them longer"
    assert min(spilled) == capacity + 1  # a table that fits is never split
    for n, counts in per_table.items():
        assert sum(counts) == n, (n, counts)
        assert all(c >= MIN_ROWS for c in counts[1:]), (n, counts)
        if len(counts) > 1:
            assert counts[0] >= min(capacity, n - MIN_ROWS) - 1, (n, counts)  # moved no more than needed


# --- titles ---------------------------------------------------------------------------------------------------------

def title_fonts(pdf: Path) -> dict[str, set[str]]:
    """Which font draws each table title: 'nine', 'performance' and 'notes' (机构设置, 政府采购, 固定资产) → the
    base fonts (subset prefix dropped) of their title text."""
    kinds = {"nine": re.compile("^(部门|单位)预算(" + "|".join(map(re.escape, NINE)) + ")$"),
             "performance": re.compile(r"^\d+、.*绩效目标表$"),
             "notes": re.compile(r"^(部门|单位)(机构设置情况|政府采购预算|固定资产占用情况表)$")}
    fonts: dict[str, set[str]] = {kind: set() for kind in kinds}
    for page in PdfReader(str(pdf)).pages[3:]:  # the body, after the cover and the 目录
        def visit(text, cm, tm, font, size):
            for kind, pattern in kinds.items():
                if font and pattern.match(text.strip()):
                    fonts[kind].add(str(font.get("/BaseFont")).split("+")[-1])
        page.extract_text(visitor_text=visit)
    return fonts


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_table_title_in_the_nine_tables_typeface(name, rendered):
    """Performance, procurement, assets and units tables titled in the same (bold serif) font as the nine
    tables, not the lighter sans of before."""
    fonts = title_fonts(rendered[name][0])
    assert all(fonts.values()), fonts
    assert len(fonts["nine"]) == 1 and "Sans" not in next(iter(fonts["nine"])), fonts
    assert fonts["performance"] == fonts["nine"] and fonts["notes"] == fonts["nine"], fonts


# --- 详式 head block ----------------------------------------------------------------------------------------------

def test_detailed_performance_labels_are_not_wrapped(rendered, pages):
    """魏县's 详式 project tables: 资金支出计划（%）, 其中：财政资金, 预算规模及资金用途 and the unit's name over the table
    (…办公室本级) each on one line of the page."""
    text = "".join(pages["wei-2021"])
    tables = len(re.findall(r"\d+、[^\n]*绩效目标表", text))
    assert tables >= 20
    for label in ["资金支出计划（%）", "其中：财政资金", "预算规模及资金用途"]:
        assert len(re.findall(re.escape(label), text)) == tables, label
    assert len(re.findall("201001 中国共产党魏县委员会办公室本级", text)) >= tables
    assert not re.search(r"^\s*本级\s*$", text, re.MULTILINE)  # the unit's name wrapped over two lines
    html = rendered["wei-2021"][1].read_text(encoding="utf-8")
    assert html.count("kind-performance detailed") == tables
    assert "kind-performance detailed" not in rendered["julu-2023"][1].read_text(encoding="utf-8")  # 简式


# --- 目录 and outline ------------------------------------------------------------------------------------------------

class TocParser(HTMLParser):
    """The 目录 of the HTML: (depth from the toc-d class, text) per entry."""

    def __init__(self):
        super().__init__()
        self.entries: list[list] = []

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        found = re.search(r"\btoc-d(\d)\b", cls)
        if tag == "li" and found:
            self.entries.append([int(found.group(1)), ""])

    def handle_data(self, data):
        if self.entries:
            self.entries[-1][1] += data.strip()


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_a_units_notes_sit_under_the_units_heading(name, rendered):
    """目录 (HTML, shared by the preview and the PDF): the department's 情况说明 beside its tables (depth 2), the
    unit's 情况说明 one deeper, under 一、…收支预算 (depth 3), and the unit's sections deeper still (4); the PDF
    outline nests them the same way."""
    pdf, html = rendered[name]
    parser = TocParser()
    parser.feed(html.read_text(encoding="utf-8").split("</nav>")[0])
    depth = {text: d for d, text in parser.entries}
    notes = [(d, text) for d, text in parser.entries if text.endswith("预算信息公开情况说明")]
    assert [d for d, _ in notes] == [2, 3], notes
    unit = next(i for i, (_, text) in enumerate(parser.entries) if text.startswith("一、") and text.endswith("收支预算"))
    assert parser.entries[unit][0] == 2
    after = parser.entries[parser.entries.index(list(notes[1])) + 1:]
    assert after and {d for d, _ in after} == {4} and after[0][1] == "一、单位职责及机构设置情况"
    assert depth["一、部门职责及机构设置情况"] == 3 and depth["部门预算收支总表"] == 3 and depth["单位预算收支总表"] == 3

    def titles(items, level=0):
        for item in items:
            if isinstance(item, list):
                yield from titles(item, level + 1)
            else:
                yield level, item.title

    marks = dict((title, level) for level, title in titles(PdfReader(str(pdf)).outline))
    assert marks[notes[0][1]] == 1 and marks[notes[1][1]] == 2
    assert marks["一、部门职责及机构设置情况"] == 2 and marks["一、单位职责及机构设置情况"] == 3
