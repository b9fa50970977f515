"""Sheets → records: each sheet's header row found by its texts (headers.py), its rows read into leaf lines,
performance indicators, goals or last year's figures, every value keeping its sheet!cell for messages.
Amounts are held in 元 (exact), whatever unit the sheet is in."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from ..errors import Finding, Severity
from ..model.budget import SUB_SOURCES, Kind, Source
from .headers import (ASSET_AREAS, ASSET_COUNTS, ASSET_FIELDS, ASSET_MONEY, HEADER_SEARCH_ROWS, SUMMARY_HEADERS, UNITS,
                      Mapping, field_of, normalise, unit_in_header, unit_line)
from .sheets import Sheet, ref

PROJECT = "项目支出"
# A header row names at least two known columns, one of them one of these (or an asset column under a heading)
ANCHORS = frozenset({"amount", "level3", "goal", "last_amount", "purpose", "proc_item", "proc_amount", "nature",
                     "rank", "funding", "classified"}) | ASSET_FIELDS


@dataclass(frozen=True)
class Place:
    sheet: Sheet
    row: int
    col: int

    @property
    def text(self) -> str:
        return self.sheet.at(self.row, self.col)

    def finding(self, severity: Severity, message: str, fix: str, code: str) -> Finding:
        """A finding at this cell: its file, row and column, and sheet!cell as the path."""
        return Finding(severity, message, self.sheet.file, self.row, self.col, self.text, fix, code)


@dataclass
class Code:
    code: str
    name: str  # as the sheet names it ("" when it does not)
    at: Place


@dataclass
class LineRecord:
    unit_code: str
    unit_name: str
    nature: str  # a Nature value (行政 / 事业 / 参公), "" when the sheet does not say
    kind: str  # 基本支出 … or 项目支出
    project_code: str
    project_name: str
    function: Code
    economic: Code | None
    source: Source
    carryover: bool
    amount: Decimal  # 元
    at: Place  # the amount's cell
    sub_source: str = ""  # 收入细分来源 (专项收入 …), one of model.budget.SUB_SOURCES[source]
    classified: bool | None = None  # 是否涉密 (None: the sheet has no such column, or the cell is blank)


@dataclass
class IndicatorRecord:
    unit_code: str
    project_code: str
    project_name: str
    level1: str
    level2: str
    name: str
    description: str
    value: str
    basis: str
    at: Place
    classified: bool | None = None


@dataclass
class GoalRecord:
    unit_code: str
    project_code: str
    project_name: str
    goals: list[str]
    purpose: str
    at: Place
    classified: bool | None = None


LAST_YEAR_ITEMS = {  # an item's label (normalised) → the field of last_year / last_year.sangong
    "人员经费": "personnel", "公用经费": "public", "日常公用经费": "public", "基本支出": "basic", "项目支出": "project",
    "因公出国(境)费": "abroad", "因公出国(境)费用": "abroad", "公务用车购置费": "vehicle_purchase",
    "公务用车运行维护费": "vehicle_operation", "公务用车运行费": "vehicle_operation", "公务接待费": "reception",
}


@dataclass
class LastYearRecord:
    name: str  # a field of LastYear or SanGong
    amount: Decimal  # 元
    at: Place
    unit_code: str = ""  # when the sheet names units (单位上年数): units[].last_year too
    unit_name: str = ""


@dataclass
class ProcurementRecord:
    """One row of a 政府采购预算 sheet; money in 元."""

    unit_code: str
    unit_name: str
    project: str
    item: str
    catalog_no: str
    measure: str
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal
    source: Source
    carryover: bool
    sme_reserved: Decimal | None
    category: str  # a ProcurementCategory value or ""
    form: str  # a ProcurementForm value or ""
    at: Place  # the amount's cell
    project_at: Place


@dataclass
class UnitInfoRecord:
    """One row of a 单位基本信息 sheet: "" where the sheet has no such column or the cell is blank."""

    unit_code: str
    unit_name: str
    nature: str  # a Nature value
    rank: str
    funding: str
    at: Place


@dataclass
class AssetsRecord:
    """One unit's row of an 资产 sheet: every column the sheet has (None: blank), money in 元."""

    unit_code: str
    unit_name: str
    values: dict[str, Decimal | int | None]
    at: Place


@dataclass
class Meta:
    """What the lines above the tables say of the department (预算年度：2023, 部门名称：…)."""

    year: int | None = None
    year_at: str = ""
    code: str = ""
    name: str = ""


@dataclass
class Records:
    lines: list[LineRecord] = field(default_factory=list)
    indicators: list[IndicatorRecord] = field(default_factory=list)
    goals: list[GoalRecord] = field(default_factory=list)
    last_year: list[LastYearRecord] = field(default_factory=list)
    procurement: list[ProcurementRecord] = field(default_factory=list)
    unit_info: list[UnitInfoRecord] = field(default_factory=list)
    assets: list[AssetsRecord] = field(default_factory=list)
    meta: Meta = field(default_factory=Meta)
    unit_word: str = ""  # the unit of the first amounts read (元, 千元 or 万元)


def text_of(value: Any) -> str:
    """A cell as text: integral numbers without .0, dates as dates, text stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value).strip()


_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
BLANK_AMOUNTS = ("", "-", "--", "—", "——", "/")


def amount_of(value: Any, word: str = "金额数字") -> tuple[Decimal | None, str]:
    """A cell's amount (in the sheet's unit) and "", or None and what is wrong (text that is no figure: “…”不是
    `word`). Text with thousands separators, full-width digits, a currency sign or a trailing unit is read;
    (12.00) and （12.00） are negative."""
    if value is None:
        return Decimal(0), ""
    if isinstance(value, bool):
        return None, f"“{value}”不是金额"
    if isinstance(value, int):
        return Decimal(value), ""
    if isinstance(value, float):
        return Decimal(repr(value)), ""
    if isinstance(value, Decimal):
        return value, ""
    raw = str(value)
    s = unicodedata.normalize("NFKC", raw).strip()
    s = re.sub(r"[\s,'¥$]", "", s).removesuffix("万元").removesuffix("千元").removesuffix("元")
    if s in BLANK_AMOUNTS:
        return Decimal(0), ""
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    elif s.startswith("-"):
        negative, s = True, s[1:]
    if not _NUMBER.fullmatch(s):
        return None, f"“{raw.strip()}”不是{word}"
    try:
        figure = Decimal(s)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None, f"“{raw.strip()}”不是{word}"
    return (-figure if negative else figure), ""


def _digits(value: Any) -> tuple[str, str]:
    """A code cell: its digits and the name written after them (2013101 行政运行, [30101]基本工资)."""
    s = unicodedata.normalize("NFKC", text_of(value))
    m = re.fullmatch(r"\[?([0-9]+)\]?\s*[-—:：]?\s*(.*)", s, re.S)
    return (m.group(1), m.group(2).strip()) if m else ("", s)


SOURCE_WORDS = (("政府性基金", Source.fund), ("国有资本经营", Source.state_capital), ("财政专户", Source.special_account),
                ("事业单位经营", Source.operating), ("经营收入", Source.operating), ("事业收入", Source.business),
                ("上级补助", Source.higher), ("附属单位", Source.subsidiary), ("其他收入", Source.other),
                ("一般公共预算", Source.general), ("公共财政", Source.general), ("一般预算", Source.general),
                ("财政拨款", Source.general), ("其他资金", Source.other))
SOURCE_FIX = "写为：" + "、".join(s.value for s in Source) + "；上年结转资金写“上年结转（一般公共预算）”或在“上年结转”列填“是”"
YES = ("是", "y", "yes", "true", "1", "√", "✓")


def source_of(text: str) -> tuple[Source | None, bool]:
    """资金性质 text → (source, 上年结转); None when no known word is in it."""
    s = unicodedata.normalize("NFKC", text)
    carry = "结转" in s
    if not s or (carry and not any(word in s for word, _ in SOURCE_WORDS)):
        return Source.general, carry
    for word, source in SOURCE_WORDS:
        if word in s:
            return source, carry
    return None, carry


def kind_of(text: str) -> str | None:
    s = text.replace(" ", "")
    for word, kind in (("机动", Kind.reserve.value), ("基本", Kind.basic.value), ("项目", PROJECT),
                       ("经营", Kind.operating.value), ("上解", Kind.remit.value), ("附属", Kind.subsidy.value)):
        if word in s:
            return kind
    return None


NO = ("否", "n", "no", "false", "0", "×", "✗", "x")


def yes_no(value: Any) -> bool | None | str:
    """是否 cell → True / False, None when blank, the text itself when it is neither."""
    if isinstance(value, bool):
        return value
    s = unicodedata.normalize("NFKC", text_of(value)).lower()
    if not s:
        return None
    if s in YES:
        return True
    if s in NO:
        return False
    return text_of(value)


NATURES = "行政（行政单位、行政机关）、事业（事业单位）、参公（参照公务员法管理事业单位）"


def nature_of(text: str) -> str | None:
    """单位性质 as written (行政单位, 参照公务员法管理事业单位 …) → 行政 / 事业 / 参公; None when not one of them."""
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("(", "").replace(")", "")
    if "参公" in s or "参照公务员" in s:
        return "参公"
    if re.fullmatch(r"(?:公益[一二三]类|全额拨款|差额拨款|自收自支|全额|差额|财政补助)?事业(?:单位)?类?", s):
        return "事业"
    if re.fullmatch(r"(?:党政)?(?:行政(?:单位|机关)?|机关(?:单位)?)类?", s):
        return "行政"
    return None


CATEGORY_WORDS = (("货物", "货物"), ("工程", "工程"), ("服务", "服务"))
CATEGORY_LETTERS = {"A": "货物", "B": "工程", "C": "服务"}  # 品目编码 A…/B…/C…, or the letter as the 类别
FORM_WORDS = (("部门集中", "部门集中采购"), ("集中采购", "集中采购"), ("政府集中", "集中采购"), ("集采", "集中采购"),
              ("分散", "分散采购"))
METHODS = ("公开招标", "邀请招标", "竞争性谈判", "竞争性磋商", "询价", "单一来源", "框架协议", "电子卖场", "网上商城",
           "定点采购", "协议供货", "其他")


class Reader:
    """Reads sheets into Records; every problem is a Finding naming file and sheet!cell, with a fix."""

    def __init__(self, mapping: Mapping, declared_unit: str | None, findings: list[Finding]):
        self.mapping = mapping
        self.declared = declared_unit
        self.findings = findings
        self.records = Records()

    def error(self, at: Place | Sheet, message: str, fix: str, code: str) -> None:
        self._add(Severity.error, at, message, fix, code)

    def warning(self, at: Place | Sheet, message: str, fix: str, code: str) -> None:
        self._add(Severity.warning, at, message, fix, code)

    def _add(self, severity: Severity, at: Place | Sheet, message: str, fix: str, code: str) -> None:
        if isinstance(at, Place):
            self.findings.append(at.finding(severity, message, fix, code))
        else:
            self.findings.append(Finding(severity, message, at.file, 0, 0, f"工作表“{at.name}”", fix, code))

    # --- a sheet ------------------------------------------------------------------------------------------

    def read(self, sheet: Sheet) -> None:
        if sheet.name in self.mapping.skip or not sheet.rows:
            return
        self._meta(sheet)
        if any(len({normalise(v) for v in row} & SUMMARY_HEADERS) >= 2 for row in sheet.rows[:HEADER_SEARCH_ROWS]):
            self.warning(sheet, "未导入：这是汇总表（有“基本支出”“项目支出”等合计列），公开表中的合计由明细计算",
                         "导入逐笔明细（基本支出明细、项目支出明细）；如这张表就是明细，在映射文件中写明各列",
                         "import-summary-skipped")
            return
        found = self._header(sheet)
        if found is None:
            self.warning(sheet, "未导入：没有找到表头（明细表须有“金额”和“功能分类科目编码”或“类/款/项”等列，"
                                "绩效指标表须有“一级指标”“二级指标”“三级指标”列）",
                         "如是需要导入的表，在映射文件的 columns: 中写明各列的表头（见 README“导入预算系统的导出表”）",
                         "import-sheet-skipped")
            return
        header_row, columns, top = found
        if "level1" in columns and "level2" in columns and "level3" in columns:
            self._indicators(sheet, columns, top)
        elif "proc_item" in columns:
            self._procurement(sheet, columns, header_row, top)
        elif ASSET_FIELDS & set(columns):
            self._assets(sheet, columns, header_row, top)
        elif "last_amount" in columns:
            self._last_year(sheet, columns, header_row, top)
        elif "amount" in columns and ({"function", "function_class", "function_xiang"} & set(columns)):
            self._lines(sheet, columns, header_row, top)
        elif "goal" in columns or "purpose" in columns or (
                "classified" in columns and {"project_name", "project_code"} & set(columns)):
            self._goals(sheet, columns, top)
        elif {"nature", "rank", "funding"} & set(columns) and "amount" not in columns:
            self._unit_info(sheet, columns, top)
        else:
            missing = "功能分类科目编码（或类/款/项）" if "amount" in columns else "金额"
            self.error(Place(sheet, header_row, 1), f"表头缺少“{missing}”列，这张表无法导入",
                       f"在表头加上“{missing}”列；表头写法不同时，在映射文件的 columns: 中写明", "import-missing-column")
            return

    def _meta(self, sheet: Sheet) -> None:
        meta = self.records.meta
        for r in range(1, min(len(sheet.rows), 8) + 1):
            for c, value in enumerate(sheet.rows[r - 1], start=1):
                s = unicodedata.normalize("NFKC", text_of(value)).replace(" ", "")
                if not s:
                    continue
                m = re.search(r"预算年度[:：]?(20[0-9]{2})", s) or (re.search(r"(20[0-9]{2})年", s) if r <= 2 else None)
                if m and meta.year is None:
                    meta.year, meta.year_at = int(m.group(1)), sheet.at(r, c)
                m = re.search(r"部门编码[:：]([0-9]+)", s)
                if m and not meta.code:
                    meta.code = m.group(1)
                m = re.search(r"(?:部门名称|编制部门|预算主管部门|主管部门)[:：]([^:：]+)", s)
                if m and not meta.name:
                    code, name = _digits(m.group(1))
                    meta.name = name or m.group(1)
                    meta.code = meta.code or code

    def _header(self, sheet: Sheet) -> tuple[int, dict[str, int], int] | None:
        """(header row, field → column, first data row) of the first row naming at least two known columns."""
        for r in range(1, min(len(sheet.rows), HEADER_SEARCH_ROWS) + 1):
            row = sheet.rows[r - 1]
            cols = {c: f for c, v in enumerate(row, start=1) if (f := field_of(v, self.mapping))}
            if len(set(cols.values())) < 2:
                continue
            below = sheet.rows[r] if r < len(sheet.rows) else []
            parent = ""
            subs: dict[int, str] = {}
            for c in range(1, max(len(row), len(below)) + 1):
                above = sheet.value(r, c)
                if above is not None:
                    parent = normalise(above)
                under = sheet.value(r + 1, c)
                both = field_of(parent + text_of(under), self.mapping) if parent and text_of(under) else None
                f = both if both in ASSET_FIELDS else field_of(under, self.mapping, parent)  # 房屋 over 面积
                if f is not None and f not in cols.values() and f not in subs.values():
                    subs[c] = f
            if not (ANCHORS & set(cols.values()) or ASSET_FIELDS & set(subs.values())):
                continue
            top = r + 1
            if subs:  # a second header row (类 | 款 | 项 under 功能分类科目编码)
                cols.update(subs)
                top = r + 2
            columns: dict[str, int] = {}
            for c, f in sorted(cols.items()):
                if f == "function_name" and cols.get(c - 1) in ("economic", "economic_kuan"):
                    f = "economic_name"
                columns.setdefault(f, c)
            if {"function_class", "function_xiang"} & set(columns):
                columns.pop("function", None)
            if {"economic_class", "economic_kuan"} & set(columns):
                columns.pop("economic", None)
            return r, columns, top
        return None

    def _unit(self, sheet: Sheet, columns: dict[str, int], header_row: int, key: str) -> Decimal | None:
        """元 per unit of the sheet's amounts: declared, the mapping file's, the amount header's, a 单位： line."""
        found, where = self._header_unit(sheet, header_row, columns[key]) or (None, None)
        if found is None:
            for r in range(1, header_row + 1):
                for c, value in enumerate(sheet.rows[r - 1], start=1):
                    if (u := unit_line(value)) is not None:
                        found, where = u, Place(sheet, r, c)
                        break
                if found:
                    break
        declared = self.declared or self.mapping.unit
        self.records.unit_word = self.records.unit_word or declared or found or ""
        if declared:
            if found and found != declared and where is not None:
                self.warning(where, f"表中写的金额单位是“{found}”，但按指定的“{declared}”读取",
                             f"核对 --unit（或映射文件的 unit:）是否应为 {found}", "import-unit-conflict")
            return UNITS[declared]
        if found is None:
            self.error(sheet, "找不到金额单位：表头（如“金额（元）”）和表格上方（如“单位：元”）都没有写明",
                       "用 --unit 元（或 千元、万元）指定金额单位", "import-no-unit")
            return None
        return UNITS[found]

    @staticmethod
    def _header_unit(sheet: Sheet, header_row: int, col: int) -> tuple[str, Place] | None:
        """The unit a column's header names (金额（元）), on the header row or the one below, and where."""
        for r in (header_row, header_row + 1):
            if (u := unit_in_header(sheet.value(r, col))) is not None:
                return u, Place(sheet, r, col)
        return None

    def _cell(self, sheet: Sheet, r: int, col: int | None) -> Any:
        """A cell's value; a cell inside a merged range reads the range's first cell."""
        if col is None:
            return None
        value = sheet.value(r, col)
        if value is None and (m := sheet.merge_of(r, col)) is not None:
            value = sheet.value(m[0], m[1])
        return value

    def _figure(self, at: Place, value: Any, what: str, fix: str, per: Decimal | None = None,
                blank: tuple[str, ...] = (), integer: bool = False, word: str = "金额数字",
                code: str = "import-amount-text",
                negative: tuple[str, str, str] | None = None) -> Decimal | None | Literal[False]:
        """A money or count cell's figure (× `per`, 元 per the sheet's unit); None when its text is one of `blank`;
        False (and an error at `at`: `what` and what is wrong, `fix`, `code`) when it is no figure (“…”不是`word`),
        negative (or `negative`'s message, fix and code) or, when `integer`, not a whole number."""
        if text_of(value) in blank:
            return None
        figure, problem = amount_of(value, word)
        if figure is not None and figure < 0:
            if negative is not None:
                self.error(at, *negative)
                return False
            problem = "为负数"
        elif figure is not None and integer and figure != figure.to_integral_value():
            problem = f"“{text_of(value)}”不是整数"
        if figure is None or problem:
            self.error(at, f"{what}{problem}", fix, code)
            return False
        return figure if per is None else figure * per

    def _merged(self, sheet: Sheet, r: int, col: int) -> tuple[int, int, int, int] | None:
        """The range the cell is in when it is merged over several rows (one amount for several lines: each
        would count it)."""
        merge = sheet.merge_of(r, col)
        return merge if merge is not None and merge[2] > merge[0] else None

    def _merged_error(self, at: Place, merge: tuple[int, int, int, int], what: str, fix: str) -> None:
        span = f"{at.sheet.name}!{ref(merge[0], merge[1])}:{ref(merge[2], merge[3])}"
        self.error(at, f"{what}单元格合并了 {merge[2] - merge[0] + 1} 行（{span}），无法确定每一行的金额", fix,
                   "import-merged-amount")

    # --- leaf lines ---------------------------------------------------------------------------------------

    def _lines(self, sheet: Sheet, columns: dict[str, int], header_row: int, top: int) -> None:
        per = self._unit(sheet, columns, header_row, "amount")
        if per is None:
            return
        a = columns["amount"]
        sheet_kind = kind_of(sheet.name) if ("基本" in sheet.name or "项目" in sheet.name) else None
        parents: list[tuple[Code, Place]] = []
        leaves: list[LineRecord] = []
        reported: set[tuple[int, int, int, int]] = set()
        for r in range(top, len(sheet.rows) + 1):
            def get(name: str, r: int = r) -> str:
                return text_of(self._cell(sheet, r, columns.get(name)))

            row = sheet.rows[r - 1]
            if all(text_of(v) == "" for v in row):
                continue
            at = Place(sheet, r, a)
            if (merge := self._merged(sheet, r, a)) is not None:
                if merge not in reported:
                    reported.add(merge)
                    self._merged_error(Place(sheet, merge[0], merge[1]), merge, "金额", "取消合并单元格，逐行填写各笔金额")
                continue
            function = self._code(sheet, columns, r, "function", (3, 5, 7))
            texts = [text_of(v) for v in row]
            if function is None:
                if self._total_row(texts):
                    continue  # a total row: budgetgen computes totals
                if amount_of(row[a - 1] if a <= len(row) else None)[0]:
                    self.error(Place(sheet, r, columns.get("function", columns.get("function_class", 1))),
                               "这一行有金额，但没有功能分类科目编码", "填写 7 位功能分类科目编码（项级）",
                               "import-missing-code")
                continue
            negative = (f"金额为负数（{text_of(sheet.value(r, a))}）",
                        "预算明细金额不能为负数：核对这一行，冲减应在对应的明细中直接减去", "import-negative")
            yuan = self._figure(at, self._cell(sheet, r, a), "金额", "改为数字，如 12,345.67；没有金额的行留空或删除",
                                per, negative=negative)
            if yuan is None or yuan is False:
                continue
            if yuan != yuan.quantize(Decimal("0.01")):
                self.error(at, f"金额 {text_of(sheet.value(r, a))} 换算为元后超过两位小数", "金额最多精确到分",
                           "import-precision")
                continue
            if len(function.code) < 7:
                parents.append((function, at))
                continue
            if not yuan:
                continue
            source_text = get("source")
            source, carry = source_of(source_text)
            if source is None:
                self.error(Place(sheet, r, columns["source"]), f"资金性质“{source_text}”无法识别", SOURCE_FIX,
                           "import-unknown-source")
                continue
            carry = carry or get("carryover").lower() in YES
            sub_source = unicodedata.normalize("NFKC", get("sub_source")).replace("(", "（").replace(")", "）")
            allowed = SUB_SOURCES.get(source, ())
            if sub_source and sub_source not in allowed:
                self.error(Place(sheet, r, columns["sub_source"]),
                           f"收入细分来源“{get('sub_source')}”不属于资金性质“{source.value}”",
                           f"写为 {'、'.join(allowed)} 之一" if allowed else "这种资金性质不分细分来源，留空",
                           "import-unknown-sub-source")
                continue
            kind_text = get("kind")
            kind = kind_of(kind_text) if kind_text else None
            if kind_text and kind is None:
                self.error(Place(sheet, r, columns["kind"]), f"支出类型“{kind_text}”无法识别",
                           "写为 基本支出、项目支出、经营支出、上解上级支出 或 对附属单位补助支出", "import-unknown-kind")
                continue
            project_code, project_name = get("project_code"), get("project_name")
            if kind is None:
                kind = sheet_kind or (PROJECT if project_name or project_code else Kind.basic.value)
            if kind == PROJECT and not project_name:
                self.error(Place(sheet, r, columns.get("project_name", a)), "项目支出的这一行没有项目名称",
                           "填写项目名称（同一项目的各笔金额写同一个名称）", "import-missing-project")
                continue
            unit = self._unit_of_row(sheet, columns, r, blank_code=False)
            if unit is None:
                continue
            unit_code, unit_name = unit
            nature = self._nature(sheet, columns, r)
            if nature is None:
                continue
            economic = self._code(sheet, columns, r, "economic", (3, 5))
            classified = self._flag(sheet, columns, r)
            if isinstance(classified, str):
                continue
            leaves.append(LineRecord(unit_code, unit_name, nature, kind, project_code,
                                     project_name if kind == PROJECT else "", function, economic, source, carry, yuan,
                                     at, sub_source, classified))
        for code, at in parents:  # a 类 or 款 row above its 项 rows is a subtotal; alone, it is money without a 项
            if not any(leaf.function.code.startswith(code.code) for leaf in leaves) and amount_of(
                    self._cell(sheet, at.row, at.col))[0]:
                self.error(code.at, f"功能分类科目 {code.code} 不是项级科目（7 位），金额无法归入公开表",
                           "改为该科目下的项级科目编码（7 位）", "import-code-level")
        self.records.lines.extend(leaves)

    def _code(self, sheet: Sheet, columns: dict[str, int], r: int, prefix: str,
              lengths: tuple[int, ...]) -> Code | None:
        """The row's function (prefix "function", 类/款/项 (3, 5, 7)) or economic ("economic", 类/款 (3, 5)) code:
        one code column, or its parts in columns of their own; None when the row has none."""
        parts = [f"{prefix}_{level}" for level in ("class", "kuan", "xiang")[:len(lengths)]]
        if prefix in columns:
            c = columns[prefix]
            code, name = _digits(self._cell(sheet, r, c))
        elif parts[0] in columns or parts[-1] in columns:
            c = columns.get(parts[-1], columns.get(parts[0], 1))
            code = _join([_digits(self._cell(sheet, r, columns.get(k)))[0] for k in parts], lengths)
            name = ""
        else:
            return None
        if not code:
            return None
        if f"{prefix}_name" in columns:
            name = text_of(self._cell(sheet, r, columns[f"{prefix}_name"])) or name
        return Code(code, name, Place(sheet, r, c))

    # --- performance targets, goals, last year -------------------------------------------------------------

    def _indicators(self, sheet: Sheet, columns: dict[str, int], top: int) -> None:
        last: dict[str, str] = {}
        for r in range(top, len(sheet.rows) + 1):
            values = {}
            for name in ("unit_code", "project_code", "project_name", "level1", "level2", "level3", "description",
                         "value", "basis"):
                values[name] = text_of(self._cell(sheet, r, columns.get(name)))
            if not values["level3"]:
                continue
            for name in ("unit_code", "project_code", "project_name", "level1", "level2"):  # printed merged down
                values[name] = values[name] or last.get(name, "")
                last[name] = values[name]
            at = Place(sheet, r, columns["level3"])
            if not values["project_name"] and not values["project_code"]:
                self.error(at, "绩效指标这一行没有项目名称或项目编码", "在“项目名称”或“项目编码”列写明指标所属的项目",
                           "import-missing-project")
                continue
            classified = self._flag(sheet, columns, r)
            if isinstance(classified, str):
                continue
            self.records.indicators.append(IndicatorRecord(
                values["unit_code"], values["project_code"], values["project_name"], values["level1"],
                values["level2"], values["level3"], values["description"], values["value"], values["basis"], at,
                classified))

    def _goals(self, sheet: Sheet, columns: dict[str, int], top: int) -> None:
        for r in range(top, len(sheet.rows) + 1):
            code, name = (text_of(self._cell(sheet, r, columns.get(k))) for k in ("project_code", "project_name"))
            goal = text_of(self._cell(sheet, r, columns.get("goal"))) if "goal" in columns else ""
            purpose = text_of(self._cell(sheet, r, columns.get("purpose"))) if "purpose" in columns else ""
            classified = self._flag(sheet, columns, r) if code or name else None
            if isinstance(classified, str) or not (goal or purpose or classified is not None) or not (code or name):
                continue
            goals = [re.sub(r"^\s*[0-9]+\s*[.、．)）]\s*", "", g).strip() for g in goal.splitlines()]
            self.records.goals.append(GoalRecord(
                text_of(self._cell(sheet, r, columns.get("unit_code"))), code, name, [g for g in goals if g], purpose,
                Place(sheet, r, columns.get("goal", columns.get("purpose", columns.get("classified", 1)))),
                classified))

    def _last_year(self, sheet: Sheet, columns: dict[str, int], header_row: int, top: int) -> None:
        per = self._unit(sheet, columns, header_row, "last_amount")
        label = columns.get("item", columns.get("project_name"))
        if per is None or label is None:
            if label is None:
                self.error(Place(sheet, header_row, 1), "上年数表缺少“项目”列（写人员经费、公用经费、项目支出等）",
                           "在表头加上“项目”列", "import-missing-column")
            return
        unit = ("", "")
        for r in range(top, len(sheet.rows) + 1):
            text = normalise(sheet.value(r, label)).lstrip("0123456789一二三四五六七八九十、.其中:：")
            given = (_digits(self._cell(sheet, r, columns.get("unit_code")))[0],
                     text_of(self._cell(sheet, r, columns.get("unit_name"))))
            if any(given):  # 单位上年数: a unit's rows (its cells often printed merged down)
                unit = given
            if not text:
                continue
            name = LAST_YEAR_ITEMS.get(text)
            at = Place(sheet, r, columns["last_amount"])
            if name is None:
                if "合计" not in text and "小计" not in text and "三公" not in text:
                    self.warning(Place(sheet, r, label), f"上年数“{text}”未导入（不是 budgetgen 使用的上年项目）",
                                 "上年数只需写：" + "、".join(dict.fromkeys(LAST_YEAR_ITEMS)), "import-last-year-item")
                continue
            amount = self._figure(at, sheet.value(r, columns["last_amount"]), "上年金额", "改为数字", per)
            if amount is None or amount is False:
                continue
            self.records.last_year.append(LastYearRecord(name, amount, at, *unit))

    # --- 涉密, 政府采购, 单位基本信息, 资产 -------------------------------------------------------------------

    def _flag(self, sheet: Sheet, columns: dict[str, int], r: int) -> bool | None | str:
        """The row's 是否涉密: True / False / None (no column, blank); the text (and an error) when unreadable."""
        if "classified" not in columns:
            return None
        value = yes_no(self._cell(sheet, r, columns["classified"]))
        if isinstance(value, str):
            self.error(Place(sheet, r, columns["classified"]), f"是否涉密“{value}”无法识别",
                       "写为 是 或 否（也可写 Y/N、1/0、√，不涉密可留空）", "import-classified")
        return value

    def _money_units(self, sheet: Sheet, columns: dict[str, int], header_row: int,
                     keys: tuple[str, ...]) -> dict[str, Decimal] | None:
        """元 per unit of each money column: its own header's unit (价值（万元）), else the sheet's (--unit, the
        mapping file, the first money column's header, a 单位： line)."""
        present = [k for k in keys if k in columns]
        if not present:
            return {}
        sheet_per = self._unit(sheet, columns, header_row, present[0])
        if sheet_per is None:
            return None
        out = {}
        for key in present:
            own = None if self.declared or self.mapping.unit else self._header_unit(sheet, header_row, columns[key])
            out[key] = UNITS[own[0]] if own else sheet_per
        return out

    def _unit_of_row(self, sheet: Sheet, columns: dict[str, int], r: int,
                     blank_code: bool = True) -> tuple[str, str] | None:
        """(单位编码, 单位名称) of a row; None (and an error) when the code is not 3–12 digits (a blank code cell too,
        unless `blank_code`)."""
        written = text_of(self._cell(sheet, r, columns.get("unit_code")))
        code = _digits(written)[0] if "unit_code" in columns else ""
        name = text_of(self._cell(sheet, r, columns.get("unit_name")))
        if "unit_code" in columns and (written or not blank_code) and not re.fullmatch(r"[0-9]{3,12}", code):
            self.error(Place(sheet, r, columns["unit_code"]), f"单位编码“{written}”不是 3–12 位数字",
                       "填写预算单位编码，如 201001", "import-unit-code")
            return None
        return code, name

    @staticmethod
    def _total_row(texts: list[str]) -> bool:
        return any(w in t for t in texts for w in ("合计", "小计", "总计"))

    def _number(self, sheet: Sheet, r: int, col: int, what: str, fix: str,
                integer: bool = False) -> Decimal | None | Literal[False]:
        """A count or quantity cell: the number, None when blank, False (and an error) when not a number."""
        return self._figure(Place(sheet, r, col), self._cell(sheet, r, col), what, fix, blank=BLANK_AMOUNTS,
                            integer=integer, word="数字", code="import-number-text")

    def _procurement(self, sheet: Sheet, columns: dict[str, int], header_row: int, top: int) -> None:
        key = "proc_amount" if "proc_amount" in columns else "amount"
        if key not in columns:
            self.error(Place(sheet, header_row, 1), "政府采购表缺少“采购金额”列", "在表头加上“采购金额”（或“预算金额”）列",
                       "import-missing-column")
            return
        if "project_name" not in columns:
            self.error(Place(sheet, header_row, 1), "政府采购表缺少“项目名称”列（采购所属的项目）",
                       "在表头加上“项目名称”列", "import-missing-column")
            return
        pers = self._money_units(sheet, columns, header_row, (key, "unit_price", "sme_reserved"))
        if pers is None:
            return
        for r in range(top, len(sheet.rows) + 1):
            texts = [text_of(v) for v in sheet.rows[r - 1]]
            item = text_of(self._cell(sheet, r, columns["proc_item"]))
            if not item or self._total_row(texts):
                continue
            unit = self._unit_of_row(sheet, columns, r)
            at = Place(sheet, r, columns[key])
            if (merge := self._merged(sheet, r, columns[key])) is not None:
                if r == merge[0]:
                    self._merged_error(at, merge, "采购金额", "取消合并单元格，逐行填写各条采购的金额")
                continue
            money: dict[str, Decimal | None] = {}
            for k, per in pers.items():
                figure = self._figure(Place(sheet, r, columns[k]), self._cell(sheet, r, columns[k]),
                                      "采购金额" if k == key else "单价" if k == "unit_price" else "预留中小企业份额",
                                      "改为数字，如 12,345.67", per, blank=() if k == key else BLANK_AMOUNTS)
                if figure is False:
                    break
                money[k] = figure
            else:
                quantity = (self._number(sheet, r, columns["quantity"], "数量", "改为数字，如 10")
                            if "quantity" in columns else None)
                project = text_of(self._cell(sheet, r, columns["project_name"]))
                source_text = text_of(self._cell(sheet, r, columns.get("source")))
                source, carry = source_of(source_text)
                category = self._choice(sheet, columns, r, "proc_category", CATEGORY_WORDS, "采购类别",
                                        "写为 货物、工程 或 服务")
                form = self._choice(sheet, columns, r, "proc_form", FORM_WORDS, "采购组织形式",
                                    "写为 集中采购、部门集中采购 或 分散采购", METHODS)
                catalog_no = text_of(self._cell(sheet, r, columns.get("catalog_no")))
                if category == "" and catalog_no[:1].upper() in "ABC" and catalog_no[:1]:
                    category = CATEGORY_LETTERS[catalog_no[0].upper()]
                if source is None:
                    self.error(Place(sheet, r, columns["source"]), f"资金来源“{source_text}”无法识别", SOURCE_FIX,
                               "import-unknown-source")
                    continue
                if not project:
                    self.error(Place(sheet, r, columns["project_name"]), "政府采购的这一行没有项目名称",
                               "填写采购所属的项目名称（须为本单位的项目）", "import-missing-project")
                    continue
                if unit is None or quantity is False or category is None or form is None:
                    continue
                carry = carry or text_of(self._cell(sheet, r, columns.get("carryover"))).lower() in YES
                amount = money[key]
                assert amount is not None
                self.records.procurement.append(ProcurementRecord(
                    unit[0], unit[1], project, item, catalog_no,
                    text_of(self._cell(sheet, r, columns.get("measure"))),
                    quantity if isinstance(quantity, Decimal) else None, money.get("unit_price"), amount, source, carry, money.get("sme_reserved"), category,
                    form, at, Place(sheet, r, columns["project_name"])))

    def _choice(self, sheet: Sheet, columns: dict[str, int], r: int, key: str, words: tuple[tuple[str, str], ...],
                what: str, fix: str, ignored: tuple[str, ...] = ()) -> str | None:
        """A 类别 / 组织形式 cell → its value ("" when blank or one of `ignored`); None (and an error) otherwise."""
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text_of(self._cell(sheet, r, columns.get(key)))))
        if not text:
            return ""
        for word, value in words:
            if word in text or CATEGORY_LETTERS.get(text.upper()) == value:
                return value
        if any(m in text for m in ignored):  # 采购方式 (公开招标 …) is not the 组织形式: not imported
            return ""
        self.error(Place(sheet, r, columns[key]), f"{what}“{text}”无法识别", fix, f"import-{key.replace('_', '-')}")
        return None

    def _unit_info(self, sheet: Sheet, columns: dict[str, int], top: int) -> None:
        if not {"unit_code", "unit_name"} & set(columns):
            self.error(Place(sheet, top - 1, 1), "单位基本信息表缺少“单位编码”或“单位名称”列",
                       "在表头加上“单位编码”列", "import-missing-column")
            return
        for r in range(top, len(sheet.rows) + 1):
            texts = [text_of(v) for v in sheet.rows[r - 1]]
            unit = self._unit_of_row(sheet, columns, r)
            if unit is None or not any(unit) or self._total_row(texts):
                continue
            nature = self._nature(sheet, columns, r)
            if nature is None:
                continue
            self.records.unit_info.append(UnitInfoRecord(
                unit[0], unit[1], nature, text_of(self._cell(sheet, r, columns.get("rank"))),
                text_of(self._cell(sheet, r, columns.get("funding"))),
                Place(sheet, r, columns.get("nature", columns.get("rank", columns.get("funding", 1))))))

    def _nature(self, sheet: Sheet, columns: dict[str, int], r: int) -> str | None:
        """The row's 单位性质 as a Nature value ("" when blank or no such column); None (and an error) when it is
        none of them."""
        text = text_of(self._cell(sheet, r, columns.get("nature")))
        nature = nature_of(text) if text else ""
        if nature is None:
            self.error(Place(sheet, r, columns["nature"]), f"单位性质“{text}”无法识别", "写为 " + NATURES,
                       "import-unknown-nature")
        return nature

    def _assets(self, sheet: Sheet, columns: dict[str, int], header_row: int, top: int) -> None:
        pers = self._money_units(sheet, columns, header_row, ASSET_MONEY)
        if pers is None:
            return
        fields = [k for k in columns if k in ASSET_FIELDS]
        for r in range(top, len(sheet.rows) + 1):
            texts = [text_of(v) for v in sheet.rows[r - 1]]
            unit = self._unit_of_row(sheet, columns, r)
            if unit is None or self._total_row(texts) or not any(text_of(self._cell(sheet, r, columns[k]))
                                                                 for k in fields):
                continue
            values: dict[str, Decimal | int | None] = {}
            ok = True
            for k in fields:
                c = columns[k]
                if k in pers:
                    figure = self._figure(Place(sheet, r, c), self._cell(sheet, r, c), "资产价值", "改为数字，如 12,345.67",
                                          pers[k], blank=("",))
                    if figure is False:
                        ok = False
                        continue
                    values[k] = figure
                else:
                    count = k in ASSET_COUNTS or k.startswith("vehicles_")
                    number = self._number(sheet, r, c, "面积" if k in ASSET_AREAS else "数量",
                                          "改为数字，如 1,200" if k in ASSET_AREAS else "填写台（辆、套）数，如 3",
                                          integer=count)
                    if number is False:
                        ok = False
                        continue
                    values[k] = None if number is None else int(number) if count else number
            if ok:
                self.records.assets.append(AssetsRecord(unit[0], unit[1], values, Place(sheet, r, columns[fields[0]])))


def _join(parts: list[str], lengths: tuple[int, ...]) -> str:
    """类/款/项 cells joined into one code: each part either the full code (20131) or its own digits (31)."""
    code = ""
    for part, length in zip(parts, lengths, strict=True):
        if not part:
            break
        code = part if len(part) == length else code + part
    return code

