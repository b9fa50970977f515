"""budgetgen's 巨鹿 2023 sample against the published disclosure (the seed).

The rendered sample must reproduce every published table cell for cell, except where the seed itself is
wrong. Those places are listed once, by name, in SEED_DEVIATIONS, and every comparison below collects the
places where seed and output differ and asserts that they are *exactly* the listed ones: a new difference
fails, and so does a listed deviation that no longer differs.

Sections: 1. the nine tables of both parts (JSON and HTML), 2. the 37 performance tables of both parts,
3. the figures quoted in the 情况说明. The identities of shared/checks.md on both samples: tests/test_identities.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from typing import NamedTuple

import pytest

import seed_julu
from identities import KINDS, ZERO, column_labels
from seed_julu import squeeze


class Deviation(NamedTuple):
    seed: str  # as the seed prints it ('' = blank)
    ours: str  # as budgetgen's JSON gives it (the HTML prints '' for a zero amount)
    why: str


def _both_parts(entries: dict[str, Deviation]) -> dict[str, Deviation]:
    """The same mistake printed in part 1 (d201, 部门…) and part 2 (u201001, 单位…)."""
    out = {}
    for scope, word in (("d201", "部门"), ("u201001", "单位")):
        for key, d in entries.items():
            out[f"{scope}-{key}"] = Deviation(d.seed.replace("{word}", word), d.ours.replace("{word}", word), d.why)
    return out


WRONG_CODE = "收入总表 prints a truncated function code; 支出总表 and the catalog have the 7-digit 项"
SANGONG_BLANK = ("the seed leaves the sums of its “三公” table blank (domain.md §8); "
                 "checks.md A7: no blank where a sum exists")
FUND_NAME = "the seed says 政府基金预算; the fund is 政府性基金预算 (as in its own 财政拨款收支总表 header)"

# Every place where the published document and budgetgen's output legitimately differ, keyed by
# "<table id> #<序号> <column>", "<table id> title|注", "目录 <table id>" or "<scope>-notes <figure>".
SEED_DEVIATIONS: dict[str, Deviation] = {
    **_both_parts({
        "t2 #10 科目编码": Deviation("201315", "2013150", WRONG_CODE),
        "t2 #13 科目编码": Deviation("204039", "2040399", WRONG_CODE),
        "t2 #19 科目编码": Deviation("208099", "2080999", WRONG_CODE),
        "t7 title": Deviation("{word}预算政府基金预算财政拨款支出表", "{word}预算政府性基金预算财政拨款支出表", FUND_NAME),
        "t7 注": Deviation("注：无政府基金预算财政拨款预算，空表列示。", "注：无政府性基金预算财政拨款预算，空表列示。",
                          FUND_NAME),
        "t9 #1 合计": Deviation("", "108.80", SANGONG_BLANK + " (70.00 + 会议费 33.40 + 培训费 5.40)"),
        "t9 #1 一般公共预算财政拨款": Deviation("", "108.80", SANGONG_BLANK),
        "t9 #2 合计": Deviation("", "70.00", SANGONG_BLANK + " (公务用车 70.00)"),
        "t9 #2 一般公共预算财政拨款": Deviation("", "70.00", SANGONG_BLANK),
        "t9 #6 合计": Deviation("", "70.00", SANGONG_BLANK + " (购置 0 + 运行维护 70.00)"),
        "t9 #6 一般公共预算财政拨款": Deviation("", "70.00", SANGONG_BLANK),
        # The 情况说明 of part 2 repeats part 1's text word for word, mistakes included.
        "notes 人员经费": Deviation("549.7", "565.72", "549.70 is 工资福利 (301) alone; T6 人员经费 = 301 + 303 = 565.72"),
        "notes 机关运行经费": Deviation("630.67", "64.95",
                                  "the seed quotes the whole basic budget; 机关运行经费 = 公用经费 of 行政 units (T6)"),
        "notes 上年年份": Deviation("2021", "2022", "the seed compares 2023 with the “2021 预算”"),
        "notes 上年预算": Deviation("1379.53", "1379.87",
                                "the seed's own components (基本 +24.33, 项目 +437.24) give 606.34 + 773.53"),
        "notes 比上年增减": Deviation("461.91", "461.57", "24.33 + 437.24 = 461.57; 1841.44 − 1379.53 ≠ its parts"),
        "notes 项目 档案馆经费": Deviation("35.00", "30.50", "its own 绩效目标表 says 成本 30.5万元; with 35.00 the "
                                     "seed's list sums to 1215.27, not its 项目支出 1210.77"),
        "notes 项目名称 其他退役安置支出": Deviation("其他退役安置支出", "军队退役人员公益性岗位满三年2023年财政补贴",
                                        "the seed names the 3.59 project by its 科目 2080999; its table by the project"),
        "notes 项目名称 下县委六楼视频会议技术服务保障费": Deviation(
            "下县委六楼视频会议技术服务保障费", "县委六楼视频会议技术服务保障费", "a stray 下 in the seed's list"),
    }),
    # Only part 2's 收入总表 truncates the two 20805 项 (part 1 prints them right).
    "u201001-t2 #16 科目编码": Deviation("208050", "2080501", WRONG_CODE),
    "u201001-t2 #17 科目编码": Deviation("208050", "2080505", WRONG_CODE),
    "目录 d201-t7": Deviation("部门预算政府基金预算财政拨款支出表", "部门预算政府性基金预算财政拨款支出表", FUND_NAME),
}

SCOPES = {"d201": "part1", "u201001": "part2"}  # budgetgen's id prefix → the seed's part


def expected(prefix: str, html: bool = False) -> dict[str, tuple[str, str]]:
    """The listed deviations whose key starts with prefix, as (seed, ours) in the JSON or the HTML form."""
    def shown(ours: str) -> str:
        return "" if html and ours == "0.00" else ours

    return {k: (d.seed, shown(d.ours)) for k, d in SEED_DEVIATIONS.items() if k.startswith(prefix)}


@pytest.fixture(scope="session")
def seed(require_seed) -> seed_julu.Seed:
    require_seed(seed_julu.SEED)
    return seed_julu.load()


# --- reading the HTML ------------------------------------------------------------------------------------

@dataclass
class HtmlCell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class HtmlTable:
    id: str
    title: str = ""
    head: list[tuple[str, list[HtmlCell]]] = field(default_factory=list)  # (tr class, cells) in <thead>
    body: list[list[HtmlCell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # <p> inside the section: the empty-table note and others


class Page(HTMLParser):
    """The parts of budgetgen's HTML the tests read: table sections by id, the 目录, and the text blocks."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, HtmlTable] = {}
        self.toc: list[tuple[str, str]] = []  # (href target, text)
        self.blocks: list[tuple[str, str, str]] = []  # (tag, id, text) of headings and paragraphs outside tables
        self._table: HtmlTable | None = None
        self._in_head = False
        self._row: list[HtmlCell] | None = None
        self._row_class = ""
        self._capture: list[str] | None = None
        self._capturing: tuple[str, dict] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "table-block" in (a.get("class") or ""):
            self._table = self.tables[a["aria-labelledby"]] = HtmlTable(a["aria-labelledby"])
        elif tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr" and self._table is not None:
            self._row, self._row_class = [], a.get("class") or ""
        elif tag == "br" and self._capture is not None:
            self._capture.append("\n")
        elif tag in ("td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "p", "a") and self._capture is None:
            self._capture, self._capturing = [], (tag, a)

    def handle_data(self, data):
        if self._capture is not None:
            self._capture.append(data)

    def handle_endtag(self, tag):
        if self._capturing is not None and tag == self._capturing[0]:
            text, attrs = "".join(self._capture).strip(), self._capturing[1]
            self._capture = self._capturing = None
            self._finish(tag, attrs, text)
        elif tag == "tr" and self._table is not None and self._row is not None:
            if self._in_head:
                self._table.head.append((self._row_class, self._row))
            else:
                self._table.body.append(self._row)
            self._row = None
        elif tag == "section" and self._table is not None:
            self._table = None

    def _finish(self, tag: str, attrs: dict, text: str) -> None:
        if tag in ("td", "th") and self._row is not None:
            self._row.append(HtmlCell(text, int(attrs.get("colspan", 1)), int(attrs.get("rowspan", 1))))
        elif self._table is not None:
            if tag == "h5":
                self._table.title = text
            elif tag == "p":
                self._table.notes.append(text)
        elif tag == "a" and (attrs.get("href") or "").startswith("#"):
            self.toc.append((attrs["href"][1:], text))
        elif tag != "a":
            self.blocks.append((tag, attrs.get("id", ""), text))


def expand(rows: list[list[HtmlCell]]) -> list[list[str]]:
    """Rows with spans → a full grid, like the JSON: a rowspan repeats its text down, a colspan leaves blanks."""
    grid: list[list[str]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, cells in enumerate(rows):
        line: dict[int, str] = {}
        c = 0
        for cell in cells:
            while (r, c) in pending:
                line[c] = pending.pop((r, c))
                c += 1
            for dc in range(cell.colspan):
                text = cell.text if dc == 0 else ""
                line[c + dc] = text
                for dr in range(1, cell.rowspan):
                    pending[(r + dr, c + dc)] = text
            c += cell.colspan
        for key in [k for k in pending if k[0] == r]:
            line[key[1]] = pending.pop(key)
        grid.append([line.get(i, "") for i in range(max(line) + 1)] if line else [])
    return grid


@pytest.fixture(scope="session")
def page(julu) -> Page:
    return Page(julu.html)


# --- 1. the nine tables -----------------------------------------------------------------------------------

def compare_rows(table_id: str, seed_table: seed_julu.SeedTable, rendered: list[list[str]], table: dict,
                 zero: set[str]) -> dict[str, tuple[str, str]]:
    """Every cell of every published row against the rendered row of the same 序号; the differences, by name.

    Text cells compare without whitespace (the PDF spaces out 合 计 and wraps codes); figures compare as printed,
    a blank seed figure matching a rendered zero (`zero`: the forms a zero takes in this output).
    """
    assert [r[0] for r in seed_table.rows] == [str(i) for i in range(1, len(seed_table.rows) + 1)], \
        "the seed's 序号 run 1, 2, 3 … (parser check)"
    assert [r[0] for r in rendered] == [r[0] for r in seed_table.rows], f"{table_id}: rows differ from the seed's"
    labels = column_labels(table)
    types = [c["type"] for c in table["columns"]]
    assert seed_table.width == len(types), f"{table_id}: the seed's 栏次 row has {seed_table.width} columns"
    diffs = {}
    for seed_row, row in zip(seed_table.rows, rendered):
        assert len(row) == len(types), f"{table_id} #{row[0]}: {len(row)} cells"
        for c, (s, o) in enumerate(zip(seed_row, row)):
            if types[c] == "amount":
                same = o == s or (s == "" and o in zero)
            else:
                same = squeeze(s) == squeeze(o)
            if not same:
                diffs[f"{table_id} #{seed_row[0]} {labels[c]}"] = (s, o)
    return diffs


def compare_frame(table_id: str, seed_table: seed_julu.SeedTable, title: str, note: str | None) -> dict:
    """Title and empty-table note, the parts of a table outside its grid."""
    diffs = {}
    if squeeze(seed_table.title) != squeeze(title):
        diffs[f"{table_id} title"] = (seed_table.title, title)
    if seed_table.note != note:
        diffs[f"{table_id} 注"] = (seed_table.note or "", note or "")
    return diffs


NINE = [(scope, kind) for scope in SCOPES for kind in KINDS]


@pytest.mark.parametrize("scope,kind", NINE, ids=[f"{s}-{k}" for s, k in NINE])
def test_nine_tables_json_equal_seed(seed, julu, scope, kind):
    table_id = f"{scope}-{kind}"
    seed_table = getattr(seed, SCOPES[scope]).tables[KINDS.index(kind)]
    table = julu.tables[table_id]
    assert table["kind"] == kind
    banner = table["banner"]
    assert seed_table.banner == f"{banner['code']} {banner['name']}"
    assert seed_table.year == str(banner["year"])
    diffs = compare_frame(table_id, seed_table, table["title"], table["empty_note"])
    diffs |= compare_rows(table_id, seed_table, table["rows"], table, zero={"0.00", ""})
    assert diffs == expected(f"{table_id} ")


@pytest.mark.parametrize("scope,kind", NINE, ids=[f"{s}-{k}" for s, k in NINE])
def test_nine_tables_html_equal_seed(seed, julu, page, scope, kind):
    table_id = f"{scope}-{kind}"
    seed_table = getattr(seed, SCOPES[scope]).tables[KINDS.index(kind)]
    html = page.tables[table_id]
    banner_row = expand([cells for cls, cells in html.head if cls == "banner"])[0][0]
    assert squeeze(seed_table.banner) in squeeze(banner_row) and f"预算年度：{seed_table.year}" in banner_row
    colnums = [cells for cls, cells in html.head if "colnums" in cls]
    assert [c.text for c in colnums[0]] == seed_table.colnums, "the 栏次 row"
    notes = [n for n in html.notes if n.startswith("注：无")]
    diffs = compare_frame(table_id, seed_table, html.title, notes[0] if notes else None)
    diffs |= compare_rows(table_id, seed_table, expand(html.body), julu.tables[table_id], zero={""})
    assert diffs == expected(f"{table_id} ", html=True)


def test_seed_parse_dropped_only_the_stray_zero_lines(seed):
    """The parser drops banner/header rows and nothing else but the lone `0` line of each 收入总表."""
    for part in (seed.part1, seed.part2):
        stray = {t.title: [line.split("\t")[1] for line in t.stray] for t in part.tables if t.stray}
        assert stray == {part.tables[1].title: ["0"]}


def test_toc_equal_seed(seed, page):
    """The seed's 目录 lists part 1's nine tables and notes sections 一 … 九; ours the same, in order, linked."""
    published = [text for text, _ in seed.toc]
    targets = [f"d201-{kind}" for kind in KINDS] + [f"d201-notes-{n}" for n in range(2, 11)]
    assert len(published) == len(targets) == 18
    ours = dict(page.toc)
    assert [t for t, _ in page.toc if t in targets] == targets
    diffs = {f"目录 {t}": (s, ours[t]) for t, s in zip(targets, published) if squeeze(s) != squeeze(ours[t])}
    assert diffs == expected("目录 ")


# --- 2. performance tables --------------------------------------------------------------------------------

GRID = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
LATEX = {r"\geq": "≥", r"\leq": "≤", r"\%": "%", r"\ge": "≥", r"\le": "≤"}


def perf_text(text: str) -> str:
    """Text of a performance table as compared: no whitespace, half-width parentheses, no LaTeX ($\\geq 95\\%$)."""
    text = re.sub(r"\$([^$]*)\$", r"\1", text)
    for tex, char in LATEX.items():
        text = text.replace(tex, char)
    return squeeze(text).replace("（", "(").replace("）", ")")


def compare_performance(table_id: str, sp: seed_julu.SeedPerformance, title: str, lead: list[list[str]],
                        rows: list[list[str]]) -> dict[str, tuple[str, str]]:
    diffs = {}
    if perf_text(sp.title) != perf_text(title):
        diffs[f"{table_id} title"] = (sp.title, title)
    assert len(lead) == 1 and lead[0][0] == "绩效目标" and not any(lead[0][2:]), f"{table_id}: the 绩效目标 row"
    if perf_text(sp.goals) != perf_text(lead[0][1]):
        diffs[f"{table_id} 绩效目标"] = (sp.goals, lead[0][1])
    assert len(rows) == len(sp.rows), f"{table_id}: {len(rows)} indicator rows, the seed has {len(sp.rows)}"
    for i, (s_row, o_row) in enumerate(zip(sp.rows, rows), start=1):
        assert len(o_row) == len(GRID)
        for label, s, o in zip(GRID, s_row, o_row):
            if perf_text(s) != perf_text(o):
                diffs[f"{table_id} #{i} {label}"] = (s, o)
    return diffs


@pytest.mark.parametrize("scope", SCOPES)
def test_performance_tables_json_equal_seed(seed, julu, scope):
    published = getattr(seed, SCOPES[scope]).performance
    ours = [t for t in julu.data["tables"] if t["kind"] == "performance" and t["id"].startswith(f"{scope}-")]
    assert [p.number for p in published] == list(range(1, 38))
    assert [t["id"] for t in ours] == [f"{scope}-perf-{n:02d}" for n in range(1, 38)]
    diffs = {}
    for sp, table in zip(published, ours):
        assert table["title"].startswith(f"{sp.number}、") and table["header"] == [GRID]
        diffs |= compare_performance(table["id"], sp, table["title"], table["lead"], table["rows"])
    assert diffs == expected(f"{scope}-perf-")


@pytest.mark.parametrize("scope", SCOPES)
def test_performance_tables_html_equal_seed(seed, page, scope):
    published = getattr(seed, SCOPES[scope]).performance
    ids = [f"{scope}-perf-{n:02d}" for n in range(1, 38)]
    assert [i for i in page.tables if i.startswith(f"{scope}-perf-")] == ids
    diffs = {}
    for sp, table_id in zip(published, ids):
        html = page.tables[table_id]
        lead = expand([cells for cls, cells in html.head if cls == "lead"])
        assert expand([cells for cls, cells in html.head if cls == "head"]) == [GRID]
        diffs |= compare_performance(table_id, sp, html.title, lead, expand(html.body))
    assert diffs == expected(f"{scope}-perf-", html=True)


# --- 3. figures of the 情况说明 ---------------------------------------------------------------------------

def notes_text(page: Page, scope: str) -> str:
    """Our 情况说明 from its title to section 五 (exclusive), as one string."""
    ids = [b[1] for b in page.blocks]
    start, end = ids.index(f"{scope}-notes-1"), ids.index(f"{scope}-notes-6")
    return "".join(text for _, _, text in page.blocks[start:end])


# What budgetgen must print in part 1 (and, being the only unit, in part 2), whatever the seed says.
OUR_FIGURES = {"收入": "1841.44", "基本支出": "630.67", "人员经费": "565.72", "公用经费": "64.95",
               "项目支出": "1210.77", "机关运行经费": "64.95", "“三公”经费": "70.00"}


def compare_project_lists(published: list[tuple[str, Decimal, str]],
                          ours: list[tuple[str, Decimal, str]]) -> dict[str, tuple[str, str]]:
    """The seed's project list against ours: renamed projects and differing amounts, by name.

    Projects pair up by name; a name on one side only pairs with the one-sided name of the other list that has
    the same amount (that is how the seed's two renamed projects are recognised), else it stays unpaired.
    """
    seed_items = {name: printed for name, _, printed in published}
    our_items = {name: printed for name, _, printed in ours}
    assert len(seed_items) == len(published) and len(our_items) == len(ours), "a project listed twice"
    only_ours = [n for n in our_items if n not in seed_items]
    pairs = [(n, n) for n in seed_items if n in our_items]
    diffs = {}
    for name in (n for n in seed_items if n not in our_items):
        same = [o for o in only_ours if Decimal(our_items[o]) == Decimal(seed_items[name])]
        match = same[0] if len(same) == 1 else ""
        diffs[f"notes 项目名称 {name}"] = (name, match)
        if match:
            only_ours.remove(match)
            pairs.append((name, match))
    diffs |= {f"notes 项目名称 {o}": ("", o) for o in only_ours}
    for s, o in pairs:
        if Decimal(seed_items[s]) != Decimal(our_items[o]):
            diffs[f"notes 项目 {o}"] = (seed_items[s], our_items[o])
    return diffs


@pytest.mark.parametrize("scope", SCOPES)
def test_notes_figures_equal_seed(seed, julu, page, scope):
    text = notes_text(page, scope)
    ours = seed_julu.narrative_figures(text)
    assert {k: ours[k] for k in OUR_FIGURES} == OUR_FIGURES

    # 支出说明 lists every project once, in the order of the 绩效目标表, and the list adds up to 项目支出 (N2).
    projects = seed_julu.project_list(text)
    perf_titles = [t["title"] for t in julu.data["tables"]
                   if t["kind"] == "performance" and t["id"].startswith(f"{scope}-")]
    assert [f"{n}、{name}绩效目标表" for n, (name, _, _) in enumerate(projects, start=1)] == perf_titles
    assert len(projects) == 37
    assert sum((amount for _, amount, _ in projects), ZERO) == Decimal(ours["项目支出"]) == Decimal("1210.77")

    part = getattr(seed, SCOPES[scope])
    published = seed_julu.narrative_figures(part.notes)
    diffs = {f"{scope}-notes {name}": (published[name], ours[name]) for name in published
             if Decimal(published[name]) != Decimal(ours[name])}
    diffs |= {f"{scope}-{key}": v
              for key, v in compare_project_lists(seed_julu.project_list(part.notes), projects).items()}
    assert diffs == expected(f"{scope}-notes ")


def test_every_deviation_belongs_to_a_comparison():
    """A deviation under a key no comparison produces would silently never be checked."""
    key = re.compile(r"^(?:(?:d201|u201001)-(?:t[1-9] (?:title|注|#\d+ \S+)|perf-\d\d .+|notes .+)"
                     r"|目录 d201-(?:t[1-9]|notes-\d+))$")
    assert [k for k in SEED_DEVIATIONS if not key.match(k)] == []
