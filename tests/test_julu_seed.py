"""budgetgen's 巨鹿 2023 sample against the published disclosure (the seed), and the arithmetic of checks.md.

The rendered sample must reproduce every published table cell for cell, except where the seed itself is
wrong. Those places are listed once, by name, in SEED_DEVIATIONS, and every comparison below collects the
places where seed and output differ and asserts that they are *exactly* the listed ones: a new difference
fails, and so does a listed deviation that no longer differs.

Sections: 1. the nine tables of both parts (JSON and HTML), 2. the 37 performance tables of both parts,
3. the figures quoted in the 情况说明, 4. the identities A1–A7 and X1–X7 of shared/checks.md on both samples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from typing import NamedTuple

import pytest

import seed_julu
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
KINDS = [f"t{i}" for i in range(1, 10)]
ZERO = Decimal(0)


def expected(prefix: str, html: bool = False) -> dict[str, tuple[str, str]]:
    """The listed deviations whose key starts with prefix, as (seed, ours) in the JSON or the HTML form."""
    def shown(ours: str) -> str:
        return "" if html and ours == "0.00" else ours

    return {k: (d.seed, shown(d.ours)) for k, d in SEED_DEVIATIONS.items() if k.startswith(prefix)}


@pytest.fixture(scope="session")
def seed() -> seed_julu.Seed:
    if not seed_julu.SEED.exists():
        pytest.skip(f"seed text not found: {seed_julu.SEED}")
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

def column_paths(table: dict) -> list[str]:
    """Each column's full header path: 序号, 功能分类科目/科目编码, 本年收入/小计, 收入/项目 …"""
    heads = [row for row in table["header"] if row[0] != "栏次"]
    paths = []
    for c in range(len(table["columns"])):
        parts: list[str] = []
        for row in heads:
            text = next((row[k] for k in range(c, -1, -1) if row[k]), "")  # blanks continue a colspan
            if text not in parts:
                parts.append(text)
        paths.append("/".join(parts))
    return paths


def column_labels(table: dict) -> list[str]:
    """Each column named by its header: the leaf label (科目编码, 合计), or group/leaf where a leaf repeats (收入/项目)."""
    paths = column_paths(table)
    leaves = [p.rsplit("/", 1)[-1] for p in paths]
    return [leaf if leaves.count(leaf) == 1 else path for leaf, path in zip(leaves, paths)]


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


# --- 4. arithmetic: checks.md A1–A7 and X1–X7 on the rendered JSON of both samples -----------------------

FIGURE = re.compile(r"^-?\d+\.\d{2}$")
ORDINAL = re.compile(r"^[一二三四五六七八九十]+、")


def amount(text: str) -> Decimal:
    """A JSON figure: two decimals always; '' only where a row has no figure at all (counts as zero)."""
    assert text == "" or FIGURE.match(text), f"not an amount: {text!r}"
    return Decimal(text) if text else ZERO


class T:
    """A JSON table read by its published column names: t.get(row, "合计"), t.find("项目", "本年收入合计")."""

    def __init__(self, table: dict):
        self.table = table
        self.labels = column_labels(table)
        self.paths = column_paths(table)
        self.rows: list[list[str]] = table["rows"]
        self.figures = [i for i, c in enumerate(table["columns"]) if c["type"] == "amount"]

    def col(self, name: str) -> int:
        """A column by its label or its full header path (本年收入/小计)."""
        return self.labels.index(name) if name in self.labels else self.paths.index(name)

    def get(self, row: list[str], name: str) -> Decimal:
        return amount(row[self.col(name)])

    def find(self, column: str, label: str) -> list[str]:
        (row,) = [r for r in self.rows if r[self.col(column)] == label]
        return row

    def total(self, rows: list[list[str]], name: str) -> Decimal:
        return sum((self.get(r, name) for r in rows), ZERO)

    def coded(self) -> dict[str, list[str]]:
        """Classification rows by code; the 合计 row under ''."""
        return {r[self.col("科目编码")]: r for r in self.rows}


def scopes_of(rendered) -> dict[str, dict[str, T]]:
    """{'d201': {'t1': T, …}, 'u201001': {…}} — the department first, then each unit."""
    out: dict[str, dict[str, T]] = {}
    for table in rendered.data["tables"]:
        if table["kind"] in KINDS:
            out.setdefault(table["id"].rsplit("-", 1)[0], {})[table["kind"]] = T(table)
    return out


@pytest.fixture(params=["julu", "wei"])
def sample(request):
    return scopes_of(request.getfixturevalue(request.param))


def each_scope(sample):
    for scope, tables in sample.items():
        assert sorted(tables) == KINDS, f"{scope}: not all nine tables"
        yield scope, tables


def rows_until(t: T, column: str, label: str) -> list[list[str]]:
    """The rows above the one whose `column` reads `label`."""
    end = [r[t.col(column)] for r in t.rows].index(label)
    return t.rows[:end]


def check_a1(t1: T) -> None:
    """T1: 收入总计 = 支出总计; 本年收入合计 = the 9 income rows; 本年支出合计 = the 类 rows; 总计 = 合计 + 结转."""
    income = [r for r in rows_until(t1, "收入/项目", "本年收入合计") if r[t1.col("收入/项目")]]
    classes = [r for r in rows_until(t1, "支出/项目", "本年支出合计") if r[t1.col("支出/项目")]]
    assert len(income) == 9
    year_in, year_out = t1.find("收入/项目", "本年收入合计"), t1.find("支出/项目", "本年支出合计")
    assert t1.get(year_in, "收入/预算数") == t1.total(income, "收入/预算数")
    assert t1.get(year_out, "支出/预算数") == t1.total(classes, "支出/预算数")
    total_in, total_out = t1.find("收入/项目", "收入总计"), t1.find("支出/项目", "支出总计")
    assert t1.get(total_in, "收入/预算数") == (t1.get(year_in, "收入/预算数")
                                            + t1.get(t1.find("收入/项目", "上年结转结余"), "收入/预算数"))
    assert t1.get(total_out, "支出/预算数") == (t1.get(year_out, "支出/预算数")
                                             + t1.get(t1.find("支出/项目", "年终结转结余"), "支出/预算数"))
    assert t1.get(total_in, "收入/预算数") == t1.get(total_out, "支出/预算数")


def check_a2(t2: T) -> None:
    """T2: on every row 合计 = 本年收入小计 + 上年结转, and 小计 = the source columns."""
    sources = [path for path in t2.paths if path.startswith("本年收入/") and path != "本年收入/小计"]
    assert len(sources) == 7
    for row in t2.rows:
        assert t2.get(row, "合计") == t2.get(row, "本年收入/小计") + t2.get(row, "上年结转"), row
        assert t2.get(row, "本年收入/小计") == sum((t2.get(row, s) for s in sources), ZERO), row


def check_a3(t: T) -> None:
    """T3, T5, T7, T8: on every row 合计 = 基本支出 + 项目支出 (+ the other kinds of T3)."""
    kinds = t.labels[t.col("合计") + 1:]
    assert kinds[:2] == ["基本支出", "项目支出"]
    for row in t.rows:
        assert t.get(row, "合计") == sum((t.get(row, k) for k in kinds), ZERO), row


def check_tree(t: T, levels: tuple[int, ...]) -> None:
    """A4: 合计 row = sum of the 类 rows, 类 = sum of its 款, 款 = sum of its 项, in every figure column."""
    if not t.rows:
        return
    rows = t.coded()
    assert t.rows[0][t.col("科目名称")] == "合计" and t.rows[0][t.col("科目编码")] == ""
    codes = [r[t.col("科目编码")] for r in t.rows[1:]]
    assert codes == sorted(codes) and all(len(c) in levels for c in codes), codes
    for code in codes:
        if len(code) > levels[0]:
            assert code[:levels[levels.index(len(code)) - 1]] in rows, f"{code} without its parent"
    parents = [""] + [c for c in codes if len(c) < levels[-1]]
    for parent in parents:
        size = levels[0] if parent == "" else levels[levels.index(len(parent)) + 1]
        children = [rows[c] for c in codes if len(c) == size and c.startswith(parent)]
        assert children, f"{parent} has no children"
        for i in t.figures:
            assert amount(rows[parent][i]) == sum((amount(r[i]) for r in children), ZERO), (parent, t.labels[i])


def check_a5(t4: T) -> None:
    """T4: each expenditure row's 合计 = the three funds; 本年 and 总计 rows add up; 收入总计 = 支出总计."""
    funds = ["一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"]
    for row in t4.rows:
        if row[t4.col("支出/项目")]:
            assert t4.get(row, "合计") == sum((t4.get(row, f) for f in funds), ZERO), row
    income = [r for r in rows_until(t4, "收入/项目", "本年收入合计") if r[t4.col("收入/项目")]]
    classes = [r for r in rows_until(t4, "支出/项目", "本年支出合计") if r[t4.col("支出/项目")]]
    assert len(income) == 3
    year_in, year_out = t4.find("收入/项目", "本年收入合计"), t4.find("支出/项目", "本年支出合计")
    assert t4.get(year_in, "金额") == t4.total(income, "金额")
    for name in ["合计"] + funds:
        assert t4.get(year_out, name) == t4.total(classes, name), name
    # 年初财政拨款结转和结余 = its three fund rows, listed under it.
    start = [r[t4.col("收入/项目")] for r in t4.rows].index("年初财政拨款结转和结余")
    carried, by_fund = t4.rows[start], t4.rows[start + 1:start + 4]
    assert [ORDINAL.sub("", r[t4.col("收入/项目")]) for r in by_fund] == ["一般公共预算拨款", "政府性基金预算拨款",
                                                                      "国有资本经营预算拨款"]
    assert t4.get(carried, "金额") == t4.total(by_fund, "金额")
    total_in, total_out = t4.find("收入/项目", "收入总计"), t4.find("支出/项目", "支出总计")
    assert t4.get(total_in, "金额") == t4.get(year_in, "金额") + t4.get(carried, "金额")
    ending = t4.find("支出/项目", "年末财政拨款结转和结余")
    for name in ["合计"] + funds:
        assert t4.get(total_out, name) == t4.get(year_out, name) + t4.get(ending, name), name
    assert t4.get(total_in, "金额") == t4.get(total_out, "合计")


PERSONNEL_CLASSES = {"301", "303"}  # 工资福利支出, 对个人和家庭的补助 (domain.md §3)


def check_a6(t6: T) -> None:
    """T6: 合计 = 人员经费 + 公用经费 on every row; 类 = its 款; 人员 = 301 + 303, 公用 = the other 类."""
    for row in t6.rows:
        assert t6.get(row, "合计") == t6.get(row, "人员经费") + t6.get(row, "公用经费"), row
    check_tree(t6, (3, 5))
    for code, row in t6.coded().items():
        if len(code) == 3:
            kind = "人员经费" if code in PERSONNEL_CLASSES else "公用经费"
            assert t6.get(row, kind) == t6.get(row, "合计"), (code, kind)


def check_a7(t9: T) -> None:
    """T9: 小计 = 出国 + 公务用车 + 接待; 出国 = its two rows; 公务用车 = 购置 + 运行; 合计 = 小计 + 会议 + 培训;
    each row's 合计 = its fund columns; no blank where a sum exists."""
    def v(label: str, column: str = "合计") -> Decimal:
        return t9.get(t9.find("项目", label), column)

    funds = ["一般公共预算财政拨款", "政府性基金预算拨款", "国有资本经营预算财政拨款"]
    for column in ["合计"] + funds:
        def w(label: str) -> Decimal:
            return v(label, column)
        assert w("“三公”经费小计") == w("一、因公出国（境）费") + w("二、公务用车购置及运维费") + w("三、公务接待费")
        assert w("一、因公出国（境）费") == w("其中：教学科研人员因公出国（境）费") + w("其他因公出国（境）费")
        assert w("二、公务用车购置及运维费") == w("其中：公务用车购置费") + w("公务用车运行维护费")
        assert w("合计") == w("“三公”经费小计") + w("四、会议费") + w("五、培训费")
    for row in t9.rows:
        assert t9.get(row, "合计") == sum((t9.get(row, f) for f in funds), ZERO), row
        assert all(FIGURE.match(row[i]) for i in t9.figures), f"a blank figure in {row}"


def test_a1_summary_balances(sample):
    for _, t in each_scope(sample):
        check_a1(t["t1"])


def test_a2_income_rows(sample):
    for _, t in each_scope(sample):
        check_a2(t["t2"])


def test_a3_spending_rows(sample):
    for _, t in each_scope(sample):
        for kind in ("t3", "t5", "t7", "t8"):
            check_a3(t[kind])


def test_a4_parents_sum_children(sample):
    for _, t in each_scope(sample):
        for kind in ("t2", "t3", "t5", "t7", "t8"):
            check_tree(t[kind], (3, 5, 7))


def test_a5_appropriation_summary(sample):
    for _, t in each_scope(sample):
        check_a5(t["t4"])


def test_a6_basic_spending(sample):
    for _, t in each_scope(sample):
        check_a6(t["t6"])


def test_a7_sangong(sample):
    for _, t in each_scope(sample):
        check_a7(t["t9"])


def test_x1_appropriation_income_rows(sample):
    """X1: T1's three 财政拨款 income rows = T4's income rows."""
    for _, t in each_scope(sample):
        t1, t4 = t["t1"], t["t4"]
        assert [t1.get(r, "收入/预算数") for r in t1.rows[:3]] == [t4.get(r, "金额") for r in t4.rows[:3]]
        assert [r[t1.col("收入/项目")] for r in t1.rows[:3]] == [r[t4.col("收入/项目")] + "收入" for r in t4.rows[:3]]


def test_x2_appropriation_columns_by_class(sample):
    """X2: T4's fund columns = T5, T7, T8 by 类 (a 类 missing from a fund table is zero there)."""
    for _, t in each_scope(sample):
        t4 = t["t4"]
        classes = [r for r in rows_until(t4, "支出/项目", "本年支出合计") if r[t4.col("支出/项目")]]
        for column, kind in (("一般公共预算财政拨款", "t5"), ("政府性基金预算财政拨款", "t7"),
                             ("国有资本经营预算财政拨款", "t8")):
            fund = t[kind]
            by_name = {r[fund.col("科目名称")]: fund.get(r, "合计") for r in fund.rows
                       if len(r[fund.col("科目编码")]) == 3}
            in_t4 = {ORDINAL.sub("", r[t4.col("支出/项目")]): t4.get(r, column) for r in classes}
            assert set(by_name) <= set(in_t4), f"{kind} has a 类 that T4 does not list"
            assert {n: v for n, v in in_t4.items() if v} == {n: v for n, v in by_name.items() if v}, kind
            total = fund.get(fund.rows[0], "合计") if fund.rows else ZERO
            assert t4.get(t4.find("支出/项目", "本年支出合计"), column) == total, kind


def test_x3_summary_against_income_and_spending(sample):
    """X3: T1 本年收入合计 = T2 本年收入 (小计 of its 合计 row); T1 本年支出合计 = T3 合计."""
    for _, t in each_scope(sample):
        t1, t2, t3 = t["t1"], t["t2"], t["t3"]
        assert t1.get(t1.find("收入/项目", "本年收入合计"), "收入/预算数") == t2.get(t2.rows[0], "本年收入/小计")
        assert t1.get(t1.find("支出/项目", "本年支出合计"), "支出/预算数") == t3.get(t3.rows[0], "合计")


def test_x4_income_and_spending_list_the_same_codes(sample):
    """X4: T2 and T3 list the same codes with the same names and row totals."""
    for _, t in each_scope(sample):
        t2, t3 = t["t2"], t["t3"]
        def listed(x: T):
            return [(r[x.col("科目编码")], r[x.col("科目名称")], x.get(r, "合计")) for r in x.rows]
        assert listed(t2) == listed(t3)


def test_x5_basic_spending_total(sample):
    """X5: T5 基本支出 total = T6 合计."""
    for _, t in each_scope(sample):
        t5, t6 = t["t5"], t["t6"]
        basic = t5.get(t5.rows[0], "基本支出") if t5.rows else ZERO
        assert basic == (t6.get(t6.rows[0], "合计") if t6.rows else ZERO)


def test_x6_empty_fund_tables(sample):
    """X6: T4's 政府性基金 (国有资本经营) column is zero exactly when T7 (T8) is empty and carries its note."""
    for _, t in each_scope(sample):
        t4 = t["t4"]
        for column, kind in (("政府性基金预算财政拨款", "t7"), ("国有资本经营预算财政拨款", "t8")):
            zero = all(t4.get(r, column) == 0 for r in t4.rows)
            fund = t[kind].table
            assert zero == (not fund["rows"]) == (fund["empty_note"] is not None), kind
            if zero:
                assert fund["empty_note"].startswith("注：无") and fund["empty_note"].endswith("，空表列示。")


def test_x7_department_is_the_sum_of_its_units(sample):
    """X7: each department table = the sum of its units' tables, row by row (by code where rows are coded)."""
    scopes = list(sample)
    dept, units = sample[scopes[0]], [sample[s] for s in scopes[1:]]
    assert scopes[0].startswith("d") and units and all(s.startswith("u") for s in scopes[1:])
    for kind in KINDS:
        d = dept[kind]
        if "科目编码" in d.labels:
            want: dict[str, list[Decimal]] = {}
            names: dict[str, str] = {}
            for u in (unit[kind] for unit in units):
                for code, row in u.coded().items():
                    sums = want.setdefault(code, [ZERO] * len(d.figures))
                    for k, i in enumerate(u.figures):
                        sums[k] += amount(row[i])
                    names[code] = row[u.col("科目名称")]
            got = d.coded()
            assert sorted(got) == sorted(want), kind
            for code, row in got.items():
                assert row[d.col("科目名称")] == names[code]
                assert [amount(row[i]) for i in d.figures] == want[code], (kind, code)
        else:  # fixed rows (T1, T4, T9): the same labels in the same places, figures summed
            for r, row in enumerate(d.rows):
                others = [unit[kind].rows[r] for unit in units]
                for i, text in enumerate(row):
                    if i in d.figures:
                        assert amount(text) == sum((amount(o[i]) for o in others), ZERO), (kind, row[0], i)
                    else:
                        assert all(o[i] == text for o in others), (kind, row[0], i)
