"""Profile folders (公开格式) → Profile: what one place's disclosure prints, as data a bureau clerk edits.

A profile is a folder: `profile.yaml` (the parts and their order, every table's title, banner, unit, columns as
pivots of the facts, rows, totals wording, empty-table note, zero display) and optionally `notes/`, Jinja2
wording templates that override budgetgen's own (budgetgen/templates/notes/) file by file. The built-in profiles
are the folders beside this module; a bureau copies one, edits it and points its departments at the copy.

`profile.yaml` is read like a department's YAML (model.loader.read_yaml: positions, encodings, forbidden
characters) and validated by the models below (model.messages: pydantic errors in Chinese) and by `_checks`
(placeholders, table shapes), every finding at its file:line. compose.engine builds the tables from it.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationError

from ..errors import Finding, Severity
from ..model.budget import AmountUnit, DocumentKind, Source, Strict
from ..model.loader import PROFILE_POINTER, attach_positions, display_name, read_yaml
from ..model.messages import finding_from_pydantic, merge_misnamed
from ..model.positions import Loc, SourceMap, loc_of, place, position_of

BUILTIN = Path(__file__).resolve().parent
DATA_FILE = "profile.yaml"  # a profile folder's data file
DEFAULT = "河北县级"  # the profile of a department that names none

Label = Annotated[str, StringConstraints(min_length=1, max_length=200)]
EconomicCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{3}([0-9]{2})?$")]
TableKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,19}$")]


class Part(str, Enum):
    tables = "公开表"
    notes = "情况说明"


class Zero(str, Enum):
    blank = "空白"
    shown = "0.00"


class Value(str, Enum):
    """What a column shows."""

    seq = "序号"
    code = "编码"  # the classification code in one column
    # The code in one column per part under this column's label as a spanning header: 功能分类科目编码 {类 | 款 | 项}.
    # Every row prints all its parts (a 项 row 201 | 03 | 01, its 款 row 201 | 03, its 类 row 201); 合计 none.
    codes = "类款项"  # function codes: 类 (3 digits) | 款 (2) | 项 (2)
    codes_two = "类款"  # economic codes (类 3 digits | 款 2), or function rows that stop at 款
    name = "名称"  # the classification name
    class_ = "类"  # one part of the code, a column of its own (201 | 03 | 01), under any header the profile writes
    item_ = "款"
    sub = "项"
    label = "项目"  # a fixed row's (or a layout's) wording
    amount = "金额"


class Classification(str, Enum):
    function = "功能分类"
    economic = "经济分类"


class CodeLevel(str, Enum):
    class_ = "类"
    item_ = "款"
    sub = "项"


CODE_LENGTH = {CodeLevel.class_: 3, CodeLevel.item_: 5, CodeLevel.sub: 7}
# The parts of a code a column shows (value 类款项 and 类款: one column each), and where each lies in the code
CODE_PARTS: dict[Value, tuple[CodeLevel, ...]] = {
    Value.codes: (CodeLevel.class_, CodeLevel.item_, CodeLevel.sub), Value.codes_two: (CodeLevel.class_, CodeLevel.item_),
    Value.class_: (CodeLevel.class_,), Value.item_: (CodeLevel.item_,), Value.sub: (CodeLevel.sub,)}
PART_SLICE = {CodeLevel.class_: slice(0, 3), CodeLevel.item_: slice(3, 5), CodeLevel.sub: slice(5, 7)}


class Layout(str, Enum):
    """Tables laid out in Python (compose.engine.LAYOUTS), their wording still from the profile."""

    summary = "收支总表"  # income rows beside the year's 类 (table 1)
    appropriation = "财政拨款收支总表"  # appropriated income beside the 类 by fund, with carry-over rows (table 4)
    uses = "收支总表（含支出用途）"  # income rows beside the year's 类 and beside the declared spending uses (Jiangsu)
    procurement = "政府采购"  # the units' procurement lines by 货物/工程/服务, each with its 采购组织形式 (Jiangsu T12)


class ClassRows(str, Enum):
    """Which function 类 a layout's spending side lists."""

    all = "全部"  # every 类 of the year's catalog
    with_money = "有金额"  # only those with money in the table


class SpendingKind(str, Enum):
    basic = "基本支出"
    project = "项目支出"
    operating = "经营支出"
    remit = "上解上级支出"
    subsidy = "对附属单位补助支出"
    reserve = "单位预留机动经费"


class When(str, Enum):
    """When a fixed row, an income row or an amount column is printed."""

    always = "总是"
    with_money = "有金额"  # only when the scope has money it counts (a column: in any row)


class Personnel(str, Enum):
    personnel = "人员经费"
    public = "公用经费"


class Pick(Strict):
    """Which facts an amount counts: every condition written must hold (none written: every fact)."""

    source: list[Source] | None = Field(None, description="资金来源")
    kind: list[SpendingKind] | None = Field(None, description="支出类型")
    spending: Personnel | None = Field(None, description="经费：人员经费或公用经费")
    carryover: bool | None = Field(None, description="是否上年结转")
    economic: list[EconomicCode] | None = Field(None, description="经济分类编码（类 3 位或款 5 位）")
    running: bool | None = Field(None, description="是否机关运行经费（按分析的口径：行政、参公单位基本支出中的公用经费）；"
                                                   "只用于固定行（items）表的列和各表的 where，由 compose.engine 计入")
    sub_source: list[Label] | None = Field(None, description="收入细分来源（如 专项收入）；写“无”计入没写细分来源的资金")

    def picks(self) -> bool:
        """Whether any condition is written."""
        return any(getattr(self, name) is not None for name in Pick.model_fields)

    def matches(self, fact: Any, catalog: Any) -> bool:
        """Whether an analysis.ledger.Fact counts here (catalog: whose economic classes are 人员经费). `running` is
        not decided here (a fact does not know its unit's nature): compose.engine picks the analysis' 机关运行经费."""
        if self.source is not None and fact.source not in self.source:
            return False
        if self.kind is not None and fact.kind not in {k.value for k in self.kind}:
            return False
        if self.carryover is not None and fact.carryover != self.carryover:
            return False
        if self.spending is not None:
            personnel = fact.economic is not None and catalog.is_personnel(fact.economic)
            if personnel != (self.spending is Personnel.personnel):
                return False
        if self.economic is not None:
            if fact.economic is None or not any(fact.economic.startswith(code) for code in self.economic):
                return False
        if self.sub_source is not None and (fact.sub_source or NO_SUB_SOURCE) not in self.sub_source:
            return False
        return True


NO_SUB_SOURCE = "无"  # a sub_source condition that counts the facts without one


class Column(Pick):
    """A column, or a group of columns under a spanning header (`columns`)."""

    label: Label = Field(description="表头文字")
    key: str = Field("", max_length=40, description="数据文件（JSON、CSV）中的列名，省略则同表头文字")
    value: Value = Field(Value.amount, description="这一列印什么：金额（省略即为金额）、序号、编码、名称、项目；"
                                                   "类款项、类款：科目编码在本列表头下分 类、款、项（类、款）几列印")
    width: float = Field(1.0, gt=0, le=20, description="相对列宽（类款项、类款：分列各列的宽度之和，省略则为 1.8）")
    when: When = Field(When.always, description="何时印这一列：总是（省略即为总是）、有金额（本表任一行在这一列有金额时才印；"
                                                "只用于金额列）")
    columns: list[Column] = Field(default_factory=list, description="下级列")

    def leaves(self) -> list[Column]:
        return [self] if not self.columns else [leaf for c in self.columns for leaf in c.leaves()]


class Item(Pick):
    """A fixed row: the sum of its `items`, or of the facts its conditions pick."""

    label: str = Field(max_length=200, description="行的文字")
    level: int | None = Field(None, ge=0, le=9, description="层级：0 合计（加粗），1、2、3 逐级缩进；省略则按嵌套层数")
    when: When = Field(When.always, description="何时印这一行：总是（省略即为总是）、有金额（这一行有金额时才印）")
    items: list[Item] = Field(default_factory=list, description="下级行")


def every_row(items: list[Item]) -> list[Item]:
    """Every row of a tree of fixed rows, each before the rows under it."""
    return [row for item in items for row in [item, *every_row(item.items)]]


class Rows(Strict):
    """Rows by classification: a 合计 row, then every code that has money at the chosen levels, in code order."""

    classification: Classification = Field(description="功能分类或经济分类")
    levels: list[CodeLevel] = Field(default_factory=lambda: [CodeLevel.class_, CodeLevel.item_, CodeLevel.sub],
                                    min_length=1, description="列出的层级")
    total: Label = Field("合计", description="合计行的文字")


Pair = Annotated[list[Label], Field(min_length=2, max_length=2)]


class Totals(Strict):
    """The closing rows of a two-sided table: (income side, spending side) wording of each."""

    year: Pair | None = Field(None, description="本年合计行；省略则不印")
    carryover: Pair | None = Field(None, description="结转行；省略则不印")
    total: Pair = Field(description="总计行")


class Table(Strict):
    key: TableKey = Field(description="表的代号（t1、t2 …），数据文件的文件名用它")
    documents: list[DocumentKind] | None = Field(None, min_length=1,
                                                 description="只在这几种文件中印这张表：部门预算（部门和所附各单位）、"
                                                             "单位预算（单位单独公开）；省略则都印")
    label: Label | None = Field(None, description="标题上方的表号，如“公开 01 表”；省略则不印")
    title: Label = Field(description="表的标题")
    layout: Layout | None = Field(None, description="用程序排版的表式")
    landscape: bool = Field(False, description="横向页面")
    colnums: bool | None = Field(None, description="表头下的栏次行（栏次、1、2 …）；省略则同整个格式")
    thousands: bool | None = Field(None, description="金额加千分位分隔符；省略则同整个格式")
    unit: AmountUnit | None = Field(None, description="金额单位：万元或元；省略则同整个格式")
    zero: Zero | None = Field(None, description="零值的印法；省略则同整个格式")
    where: Pick | None = Field(None, description="本表只计入的金额")
    rows: Rows | None = Field(None, description="按科目分类列出的各行")
    items: list[Item] | None = Field(None, description="固定的各行")
    columns: list[Column] = Field(min_length=1, description="各列（表头）")
    empty_note: str | None = Field(None, max_length=500, description="没有金额时表下的说明")
    income: list[Item] | None = Field(None, description="收入各行（收支总表一类表式）")
    spending: str | None = Field(None, max_length=200, description="支出各行的写法，如“{序号}{名称}”")
    spending_classes: ClassRows = Field(ClassRows.all, description="支出各行列出的类：全部（当年科目表的全部类）或 有金额")
    uses: list[Item] | None = Field(None, description="按支出用途的支出各行（表式“收支总表（含支出用途）”）")
    totals: Totals | None = Field(None, description="合计、结转、总计各行的文字")

    def leaves(self) -> list[Column]:
        return [leaf for c in self.columns for leaf in c.leaves()]

    def printed_in(self, document: DocumentKind) -> bool:
        """Whether a document of this kind (options.document) prints this table."""
        return self.documents is None or document in self.documents


class Banner(Strict):
    left: str = Field("", max_length=200, description="左")
    centre: str = Field("", max_length=200, description="中")
    right: str = Field("", max_length=200, description="右")


class Headings(Strict):
    department: Label | None = Field(None, description="第一部分（部门）的标题；省略则不印")
    units: Label | None = Field(None, description="第二部分（所属单位）的标题；省略则部门预算不附印各所属单位的预算")
    unit: Label = Field(description="每个所属单位的标题")
    tables: Label = Field(description="公开表部分的标题")


NotesFile = Annotated[str, StringConstraints(pattern=r"^[^/\\\s]+\.j2$", max_length=100)]


class NotesPart(Strict):
    """A part of notes rendered from one template of the profile's notes/ folder (instead of notes.j2)."""

    notes: NotesFile = Field(description="情况说明模板的文件名（在格式目录的 notes/ 中），如 说明-前.j2")


class CoverText(Strict):
    name: str = Field("", max_length=200, description="封面第一行（单位名称）")
    title: Label = Field(description="封面标题")
    subtitle: str = Field("", max_length=200, description="封面副标题")


class Cover(Strict):
    department: CoverText = Field(description="部门预算的封面")
    unit: CoverText = Field(description="单位预算（单独公开一个单位）的封面")


class Profile(Strict):
    name: Label = Field(description="格式名称")
    description: str = Field("", max_length=2000, description="说明")
    parts: list[Part | NotesPart] = Field(min_length=1, description="每个部门（单位）依次印出的部分")
    headings: Headings
    cover: Cover | None = Field(None, description="封面的文字；省略则用 budgetgen 的封面")
    colnums: bool = Field(True, description="各表表头下的栏次行（栏次、1、2 …）")
    thousands: bool = Field(False, description="金额加千分位分隔符（1,234,567.89）")
    zero: Zero = Field(Zero.blank, description="零值的印法：空白或 0.00")
    unit: AmountUnit | None = Field(None, description="各表的金额单位；省略则按部门数据的 table_unit（默认万元）")
    banner: Banner = Field(default_factory=Banner, description="表上方一行")
    running_sources: list[Source] | None = Field(
        None, min_length=1, description="机关运行经费的资金来源口径（表和说明文字同一口径）；省略则计入全部资金来源")
    tables: list[Table] = Field(min_length=1, description="公开表")

    def tables_in(self, document: DocumentKind) -> list[Table]:
        """The tables a document of this kind prints, in order (those whose `documents` leave it out skipped)."""
        return [table for table in self.tables if table.printed_in(document)]


@dataclass(frozen=True)
class Loaded:
    """A profile and where it comes from: its folder (notes/ in it overrides the wording) and whether it is one
    of budgetgen's own."""

    profile: Profile
    folder: Path
    builtin: bool

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def templates(self) -> Path | None:
        """The folder whose notes/ overrides budgetgen's wording, when the profile has one."""
        return self.folder if (self.folder / "notes").is_dir() else None


# --- placeholders -------------------------------------------------------------------------------------------

DOC_FIELDS = ("名称", "编码", "年度", "上年")
TABLE_FIELDS = ("称谓",) + DOC_FIELDS + ("单位",)
PLACE = ("地区",)  # department.options.region: the headings and the cover may name the district (普陀区)
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "title": TABLE_FIELDS, "label": TABLE_FIELDS, "empty_note": TABLE_FIELDS, "banner": TABLE_FIELDS,
    "headings.department": DOC_FIELDS + PLACE, "headings.units": DOC_FIELDS + PLACE,
    "headings.unit": ("序号",) + DOC_FIELDS + PLACE,
    "headings.tables": ("称谓",) + DOC_FIELDS + PLACE, "spending": ("序号", "名称", "编码"),
    "cover": ("称谓",) + DOC_FIELDS + PLACE,
}


def placeholders(pattern: str) -> list[str]:
    """The {names} a pattern uses; ValueError for an unmatched brace."""
    return [name for _, name, spec, conv in string.Formatter().parse(pattern) if name is not None]


def fill(pattern: str, **values: Any) -> str:
    """A pattern with its placeholders filled (checked when the profile was loaded)."""
    return pattern.format_map(values)


# --- loading ------------------------------------------------------------------------------------------------

def builtins() -> list[str]:
    """The names of budgetgen's own profiles."""
    return sorted(p.name for p in BUILTIN.iterdir() if (p / DATA_FILE).is_file())


_CACHE: dict[tuple[Path, int, int], tuple[Profile | None, tuple[Finding, ...]]] = {}


def load(folder: Path, builtin: bool = False) -> tuple[Loaded | None, list[Finding]]:
    """A profile folder read and validated: the profile, or None with the findings that say why."""
    data_file = folder / DATA_FILE
    shown = display_name(data_file)
    if not data_file.is_file():
        return None, [Finding(Severity.error, f"公开格式目录 {display_name(folder)} 中没有 {DATA_FILE}", shown,
                              code="profile-missing", fix=f"复制一个内置格式目录（{'、'.join(builtins())}）后修改")]
    stat = data_file.stat()
    key = (data_file.resolve(), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        _CACHE[key] = _read(data_file, shown)
    profile, findings = _CACHE[key]
    return (Loaded(profile, folder, builtin) if profile is not None else None), list(findings)


def _read(path: Path, shown: str) -> tuple[Profile | None, tuple[Finding, ...]]:
    data, smap, findings = read_yaml(path, shown)
    if data is None:
        return None, tuple(findings)
    if not isinstance(data, dict):
        line, col = smap.position(())
        findings.append(Finding(Severity.error, "公开格式文件顶层应是“字段: 值”的形式（name、parts、tables 等）",
                                shown, line, col, code="profile-top-level"))
        return None, tuple(findings)
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        findings.extend(_profile_finding(err, smap) for err in merge_misnamed(exc.errors()))
        return None, tuple(findings)
    attach_positions(profile, smap)
    findings.extend(_checks(profile))
    findings.extend(_notes_files(profile, path.parent))
    failed = any(f.severity is Severity.error for f in findings)
    return (None if failed else profile), tuple(findings)


def _profile_finding(err: Any, smap: SourceMap) -> Finding:
    found = finding_from_pydantic(err, smap, Profile)
    return Finding(found.severity, found.message, found.file, found.line, found.column, found.path, found.fix,
                   found.code.replace("schema-", "profile-", 1))


# --- checks beyond the models: placeholders and the shape of each table ---------------------------------------

SHAPES = {
    "rows": {Value.seq, Value.code, Value.name, *CODE_PARTS, Value.amount},
    "items": {Value.seq, Value.label, Value.amount},
}
LAYOUT_SHAPES = {  # the leaves a layout fills, in order (an appropriation table: one or more fund columns at the end)
    Layout.summary: [Value.seq, Value.label, Value.amount, Value.label, Value.amount],
    Layout.appropriation: [Value.seq, Value.label, Value.amount, Value.label, Value.amount, Value.amount],
    Layout.uses: [Value.seq, Value.label, Value.amount, Value.label, Value.amount, Value.label, Value.amount],
    Layout.procurement: [Value.seq, Value.label, Value.label, Value.amount],
}
MORE_COLUMNS = {  # layouts whose spending side may take more amount columns after its 合计, each with its conditions
    Layout.appropriation: "（最后的金额列可有多列，各写资金来源）",
    Layout.summary: "（支出预算数之后可再有金额列，各写条件，如 人员经费、公用经费、项目支出）",
}


def _error(obj: Any, field: Any, message: str, fix: str = "", code: str = "profile-invalid") -> Finding:
    at = position_of(obj, field)
    loc = loc_of(obj)
    file = loc.file if loc is not None else ""
    if at is None:
        return Finding(Severity.error, message, file, code=code, fix=fix)
    return at.finding(Severity.error, message, fix, code)


def _checks(profile: Profile) -> Iterator[Finding]:
    yield from _pattern(profile.headings, "department", "headings.department")
    yield from _pattern(profile.headings, "units", "headings.units")
    yield from _pattern(profile.headings, "unit", "headings.unit")
    yield from _pattern(profile.headings, "tables", "headings.tables")
    for side in ("left", "centre", "right"):
        yield from _pattern(profile.banner, side, "banner")
    if profile.cover is not None:
        for text in (profile.cover.department, profile.cover.unit):
            for field in ("name", "title", "subtitle"):
                yield from _pattern(text, field, "cover")
    named = [p.value if isinstance(p, Part) else p.notes for p in profile.parts]
    if len(set(named)) != len(named):
        yield _error(profile, "parts", "parts 中有重复的部分", "每个部分只写一次")
    seen: dict[tuple[str, DocumentKind], int] = {}  # (key, document kind) → the table (1, 2 …) printing it there
    for n, table in enumerate(profile.tables, start=1):
        taken = [seen[(table.key, kind)] for kind in DocumentKind if table.printed_in(kind) and (table.key, kind) in seen]
        if taken:
            yield _error(table, "key", f"表的代号 {table.key} 重复（第 {taken[0]} 张表已用）",
                         "每张表用不同的代号；同一张表分别为部门预算、单位预算各写一种时，两张表各写 documents: [部门预算]、"
                         "documents: [单位预算]")
        for kind in DocumentKind:
            if table.printed_in(kind):
                seen.setdefault((table.key, kind), n)
        yield from _table_checks(table)


def _notes_files(profile: Profile, folder: Path) -> Iterator[Finding]:
    """Each notes part's template: in the profile's notes/ folder, or one of budgetgen's own."""
    from ..templating import PACKAGE_TEMPLATES

    for part in profile.parts:
        if isinstance(part, NotesPart) and not any((base / "notes" / part.notes).is_file()
                                                   for base in (folder, PACKAGE_TEMPLATES)):
            yield _error(part, "notes", f"格式目录的 notes/ 中没有模板 {part.notes}",
                         "把模板放进格式目录的 notes/ 中，或改正文件名")


def _pattern(obj: Any, field: str, kind: str) -> Iterator[Finding]:
    pattern = getattr(obj, field)
    if pattern is None:
        return
    allowed = PLACEHOLDERS[kind]
    shown = "、".join(f"{{{a}}}" for a in allowed)
    try:
        names = placeholders(pattern)
    except ValueError:
        yield _error(obj, field, f"“{pattern}”中的大括号不成对", f"占位符写成 {{名称}} 的样子；可用：{shown}")
        return
    for name in names:
        if name not in allowed:
            yield _error(obj, field, f"“{pattern}”中的占位符 {{{name}}} 在这里不可用",
                         f"可用的占位符：{shown}" if allowed else "这里不能用占位符")


def _table_checks(table: Table) -> Iterator[Finding]:
    yield from _pattern(table, "title", "title")
    yield from _pattern(table, "label", "label")
    yield from _pattern(table, "empty_note", "empty_note")
    yield from _pattern(table, "spending", "spending")
    leaves = table.leaves()
    keys: dict[str, Column] = {}
    for leaf in leaves:
        key = leaf.key or leaf.label
        if key in keys and leaf.value is Value.amount:
            yield _error(leaf, "label", f"列名“{key}”在本表中重复", "给其中一列写上不同的 key")
        if leaf.value is Value.amount:
            keys.setdefault(key, leaf)
    yield from _group_checks(table.columns)
    misplaced = [leaf for leaf in leaves if leaf.value in CODE_PARTS] if table.rows is None else []
    for leaf in misplaced:  # said once here, not again by the shape checks below
        yield _error(leaf, "value", f"“{leaf.label}”按 类、款、项 分列印科目编码（value: {leaf.value.value}），只用于按科目"
                     "分类列出各行的表（写 rows 的表）", "删除这一列，或改为这张表能印的列")
    shapes = [name for name in ("layout", "rows", "items") if getattr(table, name) is not None]
    if len(shapes) != 1:
        yield _error(table, "key", f"表 {table.key} 应写 rows（按科目分类的行）、items（固定的行）、layout（程序排版的"
                     f"表式：{'、'.join(layout.value for layout in Layout)}）三者之一，实际写了"
                     f"{'、'.join(shapes) or '零个'}", "按表的样子保留其中一个")
        return
    if table.items is None:
        for leaf in leaves:
            if leaf.running is not None:
                yield _error(leaf, "running", "running（机关运行经费）只用于固定行（items）表的列和 where",
                             "删除 running，或把这张表写成 items 表")
    if table.layout is not Layout.uses and table.uses is not None:
        yield _error(table, "uses", f"uses 只用于表式“{Layout.uses.value}”", f"删除 uses，或写 layout: {Layout.uses.value}")
    if table.layout is None:
        for name in ("income", "spending", "totals"):
            if getattr(table, name) is not None:
                yield _error(table, name, f"{name} 只用于 layout 表式的表", f"删除 {name}，或写上 layout")
        allowed = SHAPES["rows" if table.rows is not None else "items"]
        for leaf in leaves:
            if leaf.value not in allowed and leaf not in misplaced:
                yield _error(leaf, "value", f"这张表的列不能印“{leaf.value.value}”",
                             "可用：" + "、".join(v.value for v in Value if v in allowed))
        if not any(leaf.value is Value.amount for leaf in leaves):
            yield _error(table, "columns", "这张表没有金额列", "至少写一列金额（省略 value 即为金额）")
    yield from _when_checks(table, leaves)
    if table.rows is not None:
        yield from _rows_checks(table.rows, leaves)
    if table.items is not None:
        yield from _items_checks(table.items)
    if table.layout is not None and not misplaced:
        yield from _layout_checks(table, leaves)


def _when_checks(table: Table, leaves: list[Column]) -> Iterator[Finding]:
    """`when: 有金额` on a column: an amount column, and in a layout only one of the amount columns it may add at the
    end (MORE_COLUMNS), the others being its fixed shape."""
    fixed = 0  # the leaves a layout always prints
    if table.layout is not None:
        seq = 1 if leaves and leaves[0].value is Value.seq else 0
        fixed = len(leaves) if table.layout not in MORE_COLUMNS else 4 + seq

    def walk(columns: list[Column]) -> Iterator[Column]:
        for column in columns:
            yield column
            yield from walk(column.columns)

    for column in walk(table.columns):
        if column.when is When.always:
            continue
        if column.columns:
            yield _error(column, "when", f"“{column.label}”是分组表头（有下级列），不能写 when", "把 when 写在下级的金额列上")
        elif column.value is not Value.amount:
            yield _error(column, "when", f"“{column.label}”印{column.value.value}，when: {column.when.value} 只用于金额列",
                         "删除 when")
        elif next(i for i, leaf in enumerate(leaves) if leaf is column) < fixed:
            assert table.layout is not None
            fix = "删除 when" + (f"；when 只用于表式最后可加的金额列{MORE_COLUMNS[table.layout]}"
                                 if table.layout in MORE_COLUMNS else "")
            yield _error(column, "when", f"表式“{table.layout.value}”的“{column.label}”一列总是印，不能写 "
                         f"when: {column.when.value}", fix)


def _group_checks(columns: list[Column]) -> Iterator[Finding]:
    for column in columns:
        if column.columns:
            if column.picks() or column.value is not Value.amount or column.key:
                yield _error(column, "label", f"“{column.label}”是分组表头（有下级列），不能写 key、value 或金额条件",
                             "把这些写在下级列上")
            yield from _group_checks(column.columns)
        elif column.value is not Value.amount and column.picks():
            yield _error(column, "value", f"“{column.label}”印{column.value.value}，不能写金额条件", "删除金额条件")


def _rows_checks(rows: Rows, leaves: list[Column]) -> Iterator[Finding]:
    levels = [CODE_LENGTH[level] for level in rows.levels]
    if levels != sorted(set(levels)):
        yield _error(rows, "levels", "levels 应按 类、款、项 的顺序写，且不重复")
    if rows.classification is Classification.economic and CodeLevel.sub in rows.levels:
        yield _error(rows, "levels", "经济分类只有 类、款 两级", "levels 写 [类, 款]")
    parts = {part for leaf in leaves for part in CODE_PARTS.get(leaf.value, ())}
    for leaf in leaves:
        if rows.classification is Classification.economic and CodeLevel.sub in CODE_PARTS.get(leaf.value, ()):
            yield _error(leaf, "value", f"经济分类只有 类、款 两级，“{leaf.label}”不能印“项”（value: {leaf.value.value}）",
                         "经济分类的编码分两列写 value: 类款" if leaf.value is Value.codes else "删除这一列")
        elif (leaf.value is Value.codes_two and rows.classification is Classification.function
              and CodeLevel.sub in rows.levels and CodeLevel.sub not in parts):
            yield _error(leaf, "value", f"这张表列到功能分类的项，而“{leaf.label}”只分 类、款 两列，项一级的编码印不出来",
                         "功能分类的编码分三列写 value: 类款项，或 rows 的 levels 只写 [类, 款]")
    if not any(leaf.value in (Value.code, Value.codes, Value.codes_two, Value.class_) for leaf in leaves):
        yield _error(rows, "classification", "按科目分类的表需要一列科目编码（value: 编码；或分列印：类款项、类款，"
                     "或 类、款、项 各一列）")


def _items_checks(items: list[Item]) -> Iterator[Finding]:
    for item in items:
        if item.items:
            if item.picks():
                yield _error(item, "label", f"“{item.label}”有下级行，金额为下级之和，不能再写金额条件",
                             "删除这一行的金额条件")
            yield from _items_checks(item.items)


def _layout_checks(table: Table, leaves: list[Column]) -> Iterator[Finding]:
    assert table.layout is not None
    shape = LAYOUT_SHAPES[table.layout]
    values = [leaf.value for leaf in leaves]
    if values[:1] != [Value.seq]:  # the 序号 column may be left out
        values = [Value.seq] + values
    fits = values == shape if table.layout not in MORE_COLUMNS else (
        len(values) >= len(shape) and values[:5] == shape[:5] and all(v is Value.amount for v in values[5:]))
    if not fits:
        want = "（序号，可省略）、" + "、".join(v.value for v in shape[1:]) + MORE_COLUMNS.get(table.layout, "")
        yield _error(table, "columns", f"表式“{table.layout.value}”的各列应依次为：{want}；实际为："
                     f"{'、'.join(leaf.value.value for leaf in leaves)}")
    wanted = () if table.layout is Layout.procurement else ("income", "spending", "totals")
    for name in wanted + (("uses",) if table.layout is Layout.uses else ()):
        if getattr(table, name) is None:
            yield _error(table, "layout", f"表式“{table.layout.value}”需要 {name}", "参照内置格式补上")


def default() -> Loaded:
    """河北县级, the profile of a department that names none."""
    found, findings = load(BUILTIN / DEFAULT, builtin=True)
    if found is None:  # pragma: no cover - a shipped profile is tested
        raise RuntimeError("; ".join(f.render() for f in findings))
    return found


def copy(name: str, target: Path) -> list[Path]:
    """A built-in profile copied to `target` (which must not exist or be empty) for a bureau to edit: its
    profile.yaml, and in notes/ every wording template (budgetgen's, with the profile's own files over them), which
    then override budgetgen's."""
    import shutil

    from ..errors import UsageError
    from ..templating import PACKAGE_TEMPLATES

    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} 已存在且不是空目录；请换一个新目录名")
    source = BUILTIN / name
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / DATA_FILE, target / DATA_FILE)
    for notes in (PACKAGE_TEMPLATES / "notes", source / "notes"):
        if notes.is_dir():
            shutil.copytree(notes, target / "notes", ignore=shutil.ignore_patterns("__pycache__", ".*"),
                            dirs_exist_ok=True)
    return sorted(p for p in target.rglob("*") if p.is_file())


# --- which profile a department uses ---------------------------------------------------------------------------

def resolve(root: Path, options: Any, override: Path | None = None) -> tuple[Loaded | None, list[Finding]]:
    """The profile of the department at `root`: `override` (--profile DIR); else the one its options name (a
    built-in name, or a folder path relative to the department folder); else the nearest 公开格式.yaml in its folder
    or a folder above it (a built-in name or a path relative to that file); else 河北县级."""
    if override is not None:
        return _folder(override, display_name(override), None, None)
    base = root.resolve() if root.is_dir() else root.resolve().parent
    named = getattr(options, "profile", None)
    if named:
        return _named(named, base, options, "profile")
    for folder in (base, *base.parents):
        pointer = folder / PROFILE_POINTER
        if pointer.is_file():
            return _pointer(pointer)
    return load(BUILTIN / DEFAULT, builtin=True)


def builtin_folder(spec: str) -> Path | None:
    """The folder of the built-in profile named `spec` (None when it names none)."""
    if "/" not in spec and "\\" not in spec and (BUILTIN / spec / DATA_FILE).is_file():
        return BUILTIN / spec
    return None


def locate(spec: str, base: Path = Path(".")) -> Path:
    """The folder a profile name means: a built-in profile's, else the path `spec` (relative to `base`)."""
    return builtin_folder(spec) or base / spec


def _named(spec: str, base: Path, obj: Any, field: Any) -> tuple[Loaded | None, list[Finding]]:
    """A profile named in a file (a department's options, a 公开格式.yaml): a built-in name or a folder path."""
    own = builtin_folder(spec)
    if own is not None:
        return load(own, builtin=True)
    return _folder(base / spec, spec, obj, field)


def _folder(folder: Path, spec: str, obj: Any, field: Any) -> tuple[Loaded | None, list[Finding]]:
    if folder.is_dir() and (folder / DATA_FILE).is_file():
        return load(folder)
    names = "、".join(builtins())
    if folder.is_dir():
        message = f"公开格式目录 {spec} 中没有 {DATA_FILE}"
    else:
        message = f"找不到公开格式“{spec}”：它不是内置格式，也不是一个目录"
    fix = f"内置格式有：{names}；自己的格式写格式目录的路径（相对于这个文件所在的目录）"
    if obj is None:
        return None, [Finding(Severity.error, message, spec, code="profile-unknown", fix=fix)]
    return None, [_error(obj, field, message, fix, "profile-unknown")]


def _pointer(path: Path) -> tuple[Loaded | None, list[Finding]]:
    """A county's 公开格式.yaml: `profile: 名称或目录`."""
    shown = display_name(path)
    data, smap, findings = read_yaml(path, shown)
    if data is None:
        return None, findings
    holder = _Holder()
    place(holder, Loc(smap, ()))
    if not isinstance(data, dict) or set(data) != {"profile"} or not isinstance(data["profile"], str):
        line, col = smap.position(())
        return None, findings + [Finding(Severity.error, f"{PROFILE_POINTER} 应只有一行“profile: 格式名称或格式目录”",
                                         shown, line, col, code="profile-pointer",
                                         fix=f"例如 profile: {DEFAULT}，或 profile: 公开格式/我县格式")]
    found, more = _named(data["profile"].strip(), path.parent, holder, "profile")
    return found, findings + more


class _Holder:
    """Something to hang a 公开格式.yaml's position on (positions.place)."""
