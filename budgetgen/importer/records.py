"""Sheets → records: each sheet's header row found by its texts (headers.py), its rows read into leaf lines,
performance indicators, goals or last year's figures, every value keeping its sheet!cell for messages.
Amounts are held in 元 (exact), whatever unit the sheet is in."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import Finding, Severity
from ..model.budget import SUB_SOURCES, Kind, Source
from .headers import HEADER_SEARCH_ROWS, SUMMARY_HEADERS, UNITS, Mapping, field_of, normalise, unit_in_header, unit_line
from .sheets import Sheet, ref

PROJECT = "项目支出"


@dataclass(frozen=True)
class Place:
    sheet: Sheet
    row: int
    col: int

    @property
    def text(self) -> str:
        return self.sheet.at(self.row, self.col)


@dataclass
class Code:
    code: str
    name: str  # as the sheet names it ("" when it does not)
    at: Place


@dataclass
class LineRecord:
    unit_code: str
    unit_name: str
    nature: str
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


@dataclass
class GoalRecord:
    unit_code: str
    project_code: str
    project_name: str
    goals: list[str]
    purpose: str
    at: Place


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
    meta: Meta = field(default_factory=Meta)
    sheets_read: list[str] = field(default_factory=list)
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


def amount_of(value: Any) -> tuple[Decimal | None, str]:
    """A cell's amount (in the sheet's unit) and "", or None and what is wrong. Text with thousands separators,
    full-width digits, a currency sign or a trailing unit is read; (12.00) and （12.00） are negative."""
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
        return None, f"“{raw.strip()}”不是金额数字"
    try:
        figure = Decimal(s)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None, f"“{raw.strip()}”不是金额数字"
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
            file, where, line, col = at.sheet.file, at.text, at.row, at.col
        else:
            file, where, line, col = at.file, f"工作表“{at.name}”", 0, 0
        self.findings.append(Finding(severity, message, file, line, col, where, fix, code))

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
        elif "last_amount" in columns:
            self._last_year(sheet, columns, header_row, top)
        elif "amount" in columns and ({"function", "function_class", "function_xiang"} & set(columns)):
            self._lines(sheet, columns, header_row, top)
        elif "goal" in columns or "purpose" in columns:
            self._goals(sheet, columns, top)
        else:
            missing = "功能分类科目编码（或类/款/项）" if "amount" in columns else "金额"
            self.error(Place(sheet, header_row, 1), f"表头缺少“{missing}”列，这张表无法导入",
                       f"在表头加上“{missing}”列；表头写法不同时，在映射文件的 columns: 中写明", "import-missing-column")
            return
        self.records.sheets_read.append(f"{sheet.file} {sheet.name}")

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
            if len(set(cols.values())) < 2 or not ({"amount", "level3", "goal", "last_amount", "purpose"}
                                                   & set(cols.values())):
                continue
            top = r + 1
            below = sheet.rows[r] if r < len(sheet.rows) else []
            parent = ""
            subs = {}
            for c in range(1, max(len(row), len(below)) + 1):
                above = sheet.value(r, c)
                if above is not None:
                    parent = normalise(above)
                f = field_of(sheet.value(r + 1, c), self.mapping, parent)
                if f is not None and f not in cols.values():
                    subs[c] = f
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
        found, where = None, ""
        col = columns[key]
        for r in range(header_row, header_row + 2):
            if (u := unit_in_header(sheet.value(r, col))) is not None:
                found, where = u, sheet.at(r, col)
                break
        if found is None:
            for r in range(1, header_row + 1):
                for c, value in enumerate(sheet.rows[r - 1], start=1):
                    if (u := unit_line(value)) is not None:
                        found, where = u, sheet.at(r, c)
                        break
                if found:
                    break
        declared = self.declared or self.mapping.unit
        self.records.unit_word = self.records.unit_word or declared or found or ""
        if declared:
            if found and found != declared:
                self.warning(Place(sheet, *_rc(where)), f"表中写的金额单位是“{found}”，但按指定的“{declared}”读取",
                             f"核对 --unit（或映射文件的 unit:）是否应为 {found}", "import-unit-conflict")
            return UNITS[declared]
        if found is None:
            self.error(sheet, "找不到金额单位：表头（如“金额（元）”）和表格上方（如“单位：元”）都没有写明",
                       "用 --unit 元（或 千元、万元）指定金额单位", "import-no-unit")
            return None
        return UNITS[found]

    def _cell(self, sheet: Sheet, r: int, col: int | None) -> Any:
        """A cell's value; a cell inside a merged range reads the range's first cell."""
        if col is None:
            return None
        value = sheet.value(r, col)
        if value is None and (m := sheet.merge_of(r, col)) is not None:
            value = sheet.value(m[0], m[1])
        return value

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
            merge = sheet.merge_of(r, a)
            if merge is not None and merge[2] > merge[0]:
                if merge not in reported:
                    reported.add(merge)
                    span = f"{sheet.name}!{ref(merge[0], merge[1])}:{ref(merge[2], merge[3])}"
                    self.error(Place(sheet, merge[0], merge[1]), f"金额单元格合并了 {merge[2] - merge[0] + 1} 行"
                               f"（{span}），无法确定每一行的金额", "取消合并单元格，逐行填写各笔金额", "import-merged-amount")
                continue
            function = self._function(sheet, columns, r)
            texts = [text_of(v) for v in row]
            if function is None:
                if any(w in t for t in texts for w in ("合计", "小计", "总计")):
                    continue  # a total row: budgetgen computes totals
                if amount_of(row[a - 1] if a <= len(row) else None)[0]:
                    self.error(Place(sheet, r, columns.get("function", columns.get("function_class", 1))),
                               "这一行有金额，但没有功能分类科目编码", "填写 7 位功能分类科目编码（项级）",
                               "import-missing-code")
                continue
            amount, problem = amount_of(self._cell(sheet, r, a))
            if amount is None:
                self.error(at, f"金额{problem}", "改为数字，如 12,345.67；没有金额的行留空或删除", "import-amount-text")
                continue
            if amount < 0:
                self.error(at, f"金额为负数（{text_of(sheet.value(r, a))}）", "预算明细金额不能为负数：核对这一行，"
                           "冲减应在对应的明细中直接减去", "import-negative")
                continue
            yuan = amount * per
            if yuan != yuan.quantize(Decimal("0.01")):
                self.error(at, f"金额 {text_of(sheet.value(r, a))} 换算为元后超过两位小数", "金额最多精确到分",
                           "import-precision")
                continue
            if len(function.code) < 7:
                parents.append((function, at))
                continue
            if not amount:
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
            unit_code, unit_name = _digits(get("unit_code"))[0] if "unit_code" in columns else "", get("unit_name")
            if "unit_code" in columns and not re.fullmatch(r"[0-9]{3,12}", unit_code):
                self.error(Place(sheet, r, columns["unit_code"]), f"单位编码“{get('unit_code')}”不是 3–12 位数字",
                           "填写预算单位编码，如 201001", "import-unit-code")
                continue
            economic = self._economic(sheet, columns, r)
            leaves.append(LineRecord(unit_code, unit_name, get("nature"), kind, project_code,
                                     project_name if kind == PROJECT else "", function, economic, source, carry, yuan,
                                     at, sub_source))
        for code, at in parents:  # a 类 or 款 row above its 项 rows is a subtotal; alone, it is money without a 项
            if not any(leaf.function.code.startswith(code.code) for leaf in leaves) and amount_of(
                    self._cell(sheet, at.row, at.col))[0]:
                self.error(code.at, f"功能分类科目 {code.code} 不是项级科目（7 位），金额无法归入公开表",
                           "改为该科目下的项级科目编码（7 位）", "import-code-level")
        self.records.lines.extend(leaves)

    def _function(self, sheet: Sheet, columns: dict[str, int], r: int) -> Code | None:
        if "function" in columns:
            c = columns["function"]
            code, name = _digits(self._cell(sheet, r, c))
        elif "function_class" in columns or "function_xiang" in columns:
            parts = [_digits(self._cell(sheet, r, columns.get(k)))[0]
                     for k in ("function_class", "function_kuan", "function_xiang")]
            c = columns.get("function_xiang", columns.get("function_class", 1))
            code = _join(parts, (3, 5, 7))
            name = ""
        else:
            return None
        if not code:
            return None
        if "function_name" in columns:
            name = text_of(self._cell(sheet, r, columns["function_name"])) or name
        return Code(code, name, Place(sheet, r, c))

    def _economic(self, sheet: Sheet, columns: dict[str, int], r: int) -> Code | None:
        if "economic" in columns:
            c = columns["economic"]
            code, name = _digits(self._cell(sheet, r, c))
        elif "economic_class" in columns or "economic_kuan" in columns:
            c = columns.get("economic_kuan", columns.get("economic_class", 1))
            code = _join([_digits(self._cell(sheet, r, columns.get(k)))[0]
                          for k in ("economic_class", "economic_kuan")], (3, 5))
            name = ""
        else:
            return None
        if not code:
            return None
        if "economic_name" in columns:
            name = text_of(self._cell(sheet, r, columns["economic_name"])) or name
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
            self.records.indicators.append(IndicatorRecord(
                values["unit_code"], values["project_code"], values["project_name"], values["level1"],
                values["level2"], values["level3"], values["description"], values["value"], values["basis"], at))

    def _goals(self, sheet: Sheet, columns: dict[str, int], top: int) -> None:
        for r in range(top, len(sheet.rows) + 1):
            code, name = (text_of(self._cell(sheet, r, columns.get(k))) for k in ("project_code", "project_name"))
            goal = text_of(self._cell(sheet, r, columns.get("goal"))) if "goal" in columns else ""
            purpose = text_of(self._cell(sheet, r, columns.get("purpose"))) if "purpose" in columns else ""
            if not (goal or purpose) or not (code or name):
                continue
            goals = [re.sub(r"^\s*[0-9]+\s*[.、．)）]\s*", "", g).strip() for g in goal.splitlines()]
            self.records.goals.append(GoalRecord(text_of(self._cell(sheet, r, columns.get("unit_code"))), code, name,
                                                 [g for g in goals if g], purpose,
                                                 Place(sheet, r, columns.get("goal", columns.get("purpose", 1)))))

    def _last_year(self, sheet: Sheet, columns: dict[str, int], header_row: int, top: int) -> None:
        per = self._unit(sheet, columns, header_row, "last_amount")
        label = columns.get("item", columns.get("project_name"))
        if per is None or label is None:
            if label is None:
                self.error(Place(sheet, header_row, 1), "上年数表缺少“项目”列（写人员经费、公用经费、项目支出等）",
                           "在表头加上“项目”列", "import-missing-column")
            return
        for r in range(top, len(sheet.rows) + 1):
            text = normalise(sheet.value(r, label)).lstrip("0123456789一二三四五六七八九十、.其中:：")
            if not text:
                continue
            name = LAST_YEAR_ITEMS.get(text)
            at = Place(sheet, r, columns["last_amount"])
            if name is None:
                if "合计" not in text and "小计" not in text and "三公" not in text:
                    self.warning(Place(sheet, r, label), f"上年数“{text}”未导入（不是 budgetgen 使用的上年项目）",
                                 "上年数只需写：" + "、".join(dict.fromkeys(LAST_YEAR_ITEMS)), "import-last-year-item")
                continue
            amount, problem = amount_of(sheet.value(r, columns["last_amount"]))
            if amount is None or amount < 0:
                self.error(at, f"上年金额{problem or '为负数'}", "改为数字", "import-amount-text")
                continue
            self.records.last_year.append(LastYearRecord(name, amount * per, at))


def _join(parts: list[str], lengths: tuple[int, ...]) -> str:
    """类/款/项 cells joined into one code: each part either the full code (20131) or its own digits (31)."""
    code = ""
    for part, length in zip(parts, lengths, strict=True):
        if not part:
            break
        code = part if len(part) == length else code + part
    return code


def _rc(where: str) -> tuple[int, int]:
    from .sheets import parse_ref

    return parse_ref(where.rsplit("!", 1)[1])
