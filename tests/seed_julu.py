"""Read the published 中共巨鹿县委办公室 2023 disclosure (seed text) back into tables and quoted figures.

The seed is the published PDF turned into plain text: headings and paragraphs are lines, every table row is
one tab-separated line, and each page of a table repeats the banner (`201 中共巨鹿县委办公室`, `预算年度：2023`,
`单位：万元`) and the column header rows down to the `栏次` row. A paragraph or a table cell cut by a page break
comes out as two lines. This module undoes exactly that and nothing more: it keeps the published values as
printed (its mistakes included), so the tests can compare them with budgetgen's output and list every
difference by name.

No test functions here; tests/test_julu_seed.py uses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from render_util import SEEDS

SEED = SEEDS / "000_c4b2ef731adb2906.txt"

PART2_HEADING = "第二部分 部门所属单位预算"
# `201 中共巨鹿县委办公室` (department) or `201001 中共巨鹿县委办公室本级` (unit): the first line of every page of a table.
BANNER = re.compile(r"^(\d{3}|\d{6}) (\S+)$")
YEAR = re.compile(r"^预算年度：\s*(\d{4})$")
UNIT_LABEL = "单位：万元"
SEQ = re.compile(r"^\d+$")
# A code the PDF extraction wrapped inside its cell: `201260 1` is 2012601.
SPLIT_CODE = re.compile(r"^\d+(?: \d+)+$")
TOC_ENTRY = re.compile(r"^(.+?)\.{3,}\t(\d+)$")
PERF_TITLE = re.compile(r"^(\d+)、(.+)绩效目标表$")
NOTES_TITLE = re.compile(r"\d{4}\s*年(部门|单位)预算信息公开情况说明$")
NOTES_END = "五、预算绩效信息"


@dataclass
class SeedTable:
    """One published table with its pages joined: data rows only, as printed."""

    title: str
    banner: str  # `201 中共巨鹿县委办公室`
    year: str | None  # from `预算年度：2023`
    colnums: list[str]  # the 栏次 row: 栏次, 1, 2 … (its length is the number of columns)
    rows: list[list[str]] = field(default_factory=list)  # every row padded to the width of the 栏次 row
    note: str | None = None  # `注：无…预算，空表列示。`
    stray: list[str] = field(default_factory=list)  # lines below a 栏次 row without a 序号 (the lone "0")

    @property
    def width(self) -> int:
        return len(self.colnums)


@dataclass
class SeedPerformance:
    """One 项目绩效目标表: its number and project name, the goals line and the indicator grid."""

    number: int
    name: str
    title: str
    goals: str
    rows: list[list[str]]  # 一级, 二级, 三级, 描述, 指标值, 依据 — 一级 filled down, page-cut cells joined


@dataclass
class SeedPart:
    """Part 1 (the department) or part 2 (its one unit)."""

    tables: list[SeedTable]  # the nine tables, in published order (t1 … t9)
    performance: list[SeedPerformance]
    notes: str  # 情况说明 from its title to 五、预算绩效信息, whitespace removed, page breaks joined


@dataclass
class Seed:
    toc: list[tuple[str, int]]  # the 目录 entries with a page number: (text, page)
    part1: SeedPart
    part2: SeedPart


# --- small text helpers -----------------------------------------------------------------------------------

def squeeze(text: str) -> str:
    """Remove all whitespace: the PDF puts spaces around Latin digits (`630.67 万元`) and inside labels (`合 计`)."""
    return re.sub(r"\s+", "", text)


def cell(text: str) -> str:
    """A table cell as printed, except a wrapped code is put back together (`201260 1` → `2012601`)."""
    text = text.strip()
    return text.replace(" ", "") if SPLIT_CODE.match(text) else text


def is_row(line: str) -> bool:
    return "\t" in line


def nonblank_after(lines: list[str], i: int) -> str:
    """The next line after i that has any text ('' at the end)."""
    for line in lines[i + 1:]:
        if line.strip():
            return line
    return ""


# --- the nine tables --------------------------------------------------------------------------------------

def is_table_title(lines: list[str], i: int) -> bool:
    """A table starts with a title line directly followed by a banner; later pages have a row before the banner."""
    line = lines[i]
    return (bool(line.strip()) and not is_row(line) and not BANNER.match(line)
            and bool(BANNER.match(nonblank_after(lines, i))))


def parse_table(lines: list[str], start: int) -> tuple[SeedTable, int]:
    """Read the table whose title is lines[start]; return it and the index of the first line after it.

    Each page is: banner, 预算年度, 单位, header rows ending with the 栏次 row, data rows. Lines between a banner
    and the 栏次 row are header; below the 栏次 row a line is data when it starts with a 序号, otherwise it is
    a stray extraction line (kept aside, so a test can see exactly what was dropped).
    """
    table = SeedTable(title=lines[start].strip(), banner="", year=None, colnums=[])
    in_header = True
    i = start + 1
    while i < len(lines):
        line = lines[i]
        text = line.strip()
        if not text:
            pass
        elif BANNER.match(line):
            table.banner = table.banner or text
            in_header = True  # a new page: its header rows follow
        elif YEAR.match(text):
            table.year = YEAR.match(text).group(1)
        elif text == UNIT_LABEL:
            pass
        elif text.startswith("注："):
            table.note = text
        elif is_row(line):
            fields = [cell(f) for f in line.split("\t")]
            if in_header:
                if fields[0] == "栏次":
                    table.colnums = fields
                    in_header = False
            elif SEQ.match(fields[0]):
                table.rows.append(fields)
            else:
                table.stray.append(line)
        else:
            break  # a heading or paragraph: the table is over
        i += 1
    table.rows = [pad(row, table.width) for row in table.rows]
    return table, i


def pad(row: list[str], width: int) -> list[str]:
    """Rows lose their trailing empty cells in extraction; an extra non-empty cell would be a parse error."""
    if len(row) > width and any(row[width:]):
        raise ValueError(f"row wider than its 栏次 row ({width}): {row}")
    return (row + [""] * width)[:width]


def nine_tables(lines: list[str]) -> list[SeedTable]:
    """The first nine titled tables of a part: 收支总表 … “三公”经费支出表, in the order published."""
    tables: list[SeedTable] = []
    i = 0
    while i < len(lines) and len(tables) < 9:
        if is_table_title(lines, i):
            table, i = parse_table(lines, i)
            tables.append(table)
        else:
            i += 1
    if len(tables) != 9:
        raise ValueError(f"found {len(tables)} tables, expected 9")
    return tables


# --- performance tables -----------------------------------------------------------------------------------

def performance_tables(lines: list[str]) -> list[SeedPerformance]:
    """Every `N、<项目>绩效目标表` of a part with its goals and indicator rows."""
    out: list[SeedPerformance] = []
    for i, line in enumerate(lines):
        m = PERF_TITLE.match(line.strip())
        if m:
            out.append(parse_performance(lines, i, int(m.group(1)), m.group(2)))
    return out


def parse_performance(lines: list[str], start: int, number: int, name: str) -> SeedPerformance:
    goals = ""
    rows: list[list[str]] = []
    for line in lines[start + 1:]:
        if not line.strip():
            continue
        if not is_row(line):
            break  # the next title, or 六、政府采购预算情况
        fields = pad([f.strip() for f in line.split("\t")], 6)
        if fields[0] == "绩效目标":
            goals = fields[1]
        elif fields[0] == "一级指标":
            continue  # the grid header, repeated after a page break
        elif rows and not any(fields[:3]):
            # A row cut by a page break: its remaining text continues the previous row's cells.
            rows[-1] = [a + b for a, b in zip(rows[-1], fields)]
        else:
            if not fields[0] and rows:
                fields[0] = rows[-1][0]  # 一级 is a merged cell: printed on its first row only
            rows.append(fields)
    return SeedPerformance(number, name, lines[start].strip(), goals, rows)


# --- 目录 and notes ---------------------------------------------------------------------------------------

def toc(lines: list[str]) -> list[tuple[str, int]]:
    return [(m.group(1).strip(), int(m.group(2))) for m in map(TOC_ENTRY.match, lines) if m]


def notes_text(lines: list[str]) -> str:
    """The 情况说明 up to its section 五, as one string without whitespace (joins page-cut paragraphs)."""
    start = next(i for i, line in enumerate(lines) if NOTES_TITLE.search(line.strip()))
    end = next(i for i in range(start, len(lines)) if lines[i].strip() == NOTES_END)
    return squeeze("".join(lines[start:end]))


def parse_part(lines: list[str]) -> SeedPart:
    return SeedPart(nine_tables(lines), performance_tables(lines), notes_text(lines))


def load(path: Path = SEED) -> Seed:
    lines = path.read_text(encoding="utf-8").splitlines()
    split = lines.index(PART2_HEADING)
    return Seed(toc(lines[:split]), parse_part(lines[:split]), parse_part(lines[split:]))


# --- figures quoted in a narrative (used on the seed's text and on ours alike) ------------------------------

AMOUNT = r"(\d+(?:\.\d+)?)"

# The figures section 二/三/四 of a 情况说明 quote, each found by the words around it. The patterns accept both the
# seed's wording and budgetgen's (e.g. 一般公共预算收入 / 一般公共预算拨款收入, 支出预算为 / 支出预算).
NARRATIVE_FIGURES = {
    "收入": rf"预算收入{AMOUNT}万元",
    "一般公共预算收入": rf"一般公共预算(?:拨款)?收入{AMOUNT}万元",
    "支出": rf"支出预算为?{AMOUNT}万元",
    "基本支出": rf"其中：?基本支出{AMOUNT}万元",
    "人员经费": rf"人员经费{AMOUNT}万元",
    "公用经费": rf"公用经费{AMOUNT}万元",
    "项目支出": rf"项目支出{AMOUNT}万元，主要为",
    "上年年份": r"较(\d{4})年预算",
    "上年预算": rf"较\d{{4}}年预算{AMOUNT}万元",
    "比上年增减": rf"较\d{{4}}年预算\d+(?:\.\d+)?万元(?:增加|减少){AMOUNT}万元",
    "机关运行经费": rf"机关运行经费共计安排{AMOUNT}万元",
    "“三公”经费": rf"“三公”经费预算安排{AMOUNT}万元",
    "公务用车运行维护费": rf"公务用车运行维护费{AMOUNT}万元",
}


def narrative_figures(text: str) -> dict[str, str]:
    """Each figure of NARRATIVE_FIGURES as printed (first occurrence); a missing one is an error."""
    text = squeeze(text)
    found = {}
    for name, pattern in NARRATIVE_FIGURES.items():
        m = re.search(pattern, text)
        if m is None:
            raise ValueError(f"narrative figure {name} not found")
        found[name] = m.group(1)
    return found


PROJECT_ITEM = re.compile(rf"^(.+?){AMOUNT}万元$")


def project_list(text: str) -> list[tuple[str, Decimal, str]]:
    """The projects 支出说明 lists after `项目支出…万元，主要为`: (name, amount, amount as printed), in order.

    Items are separated by `，`; no project name contains one. A name may contain digits (…2023年财政补贴), so
    the amount is the number right before the final 万元.
    """
    m = re.search(rf"项目支出{AMOUNT}万元，主要为(.+?)。", squeeze(text))
    if m is None:
        raise ValueError("no project list in 支出说明")
    items = []
    for part in m.group(2).split("，"):
        item = PROJECT_ITEM.match(part)
        if item is None:
            raise ValueError(f"not a project item: {part}")
        items.append((item.group(1), Decimal(item.group(2)), item.group(2)))
    return items
