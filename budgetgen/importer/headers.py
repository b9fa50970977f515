"""Header texts → fields: the documented synonym list of every column import reads, how a header is normalised,
where a sheet's header row is, and the amount unit a sheet declares.

A clerk's export that names a column otherwise gives a mapping file (`budgetgen import --map 映射.yaml`):

    columns:                 # field: header text (or a list of them), tried before the synonyms below
      amount: 本年预算安排
      function: [支出科目代码, 科目代码]
    unit: 元                 # the amounts' unit, when no header or 单位： line says it
    skip: [封面, 说明]        # sheets not to read
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

# Every field import reads, with the header texts that name it (compared after normalise(): brackets, spaces and
# full/half width do not matter, and a trailing unit such as （元） is read as the amounts' unit). The first text
# of each is what `render --format lines` writes.
SYNONYMS: dict[str, tuple[str, ...]] = {
    # leaf budget lines
    "unit_code": ("单位编码", "预算单位编码", "单位代码", "预算单位代码", "单位编号"),
    "unit_name": ("单位名称", "预算单位名称", "预算单位", "单位"),
    "nature": ("单位性质", "单位类型"),
    "kind": ("支出类型", "支出类别", "支出性质", "基本支出/项目支出", "基本/项目"),
    "project_code": ("项目编码", "项目代码", "项目编号"),
    "project_name": ("项目名称", "项目"),
    "function": ("功能分类科目编码", "功能科目编码", "支出功能分类科目编码", "功能分类编码", "功能分类科目", "功能科目",
                 "科目编码", "编码"),
    "function_name": ("功能分类科目名称", "功能科目名称", "支出功能分类科目名称", "科目名称", "名称"),
    "function_class": ("类",),  # 类/款/项 in separate columns (under a 功能分类 heading, or alone)
    "function_kuan": ("款",),
    "function_xiang": ("项",),
    "economic": ("经济分类科目编码", "部门经济分类科目编码", "部门预算支出经济分类科目编码", "部门经济分类编码",
                 "经济科目编码", "经济分类编码", "部门经济分类", "经济分类科目", "经济分类", "经济科目"),
    "economic_name": ("经济分类科目名称", "部门经济分类科目名称", "部门经济分类名称", "经济科目名称", "经济分类名称"),
    "economic_class": (),  # 类/款 under an 经济分类 heading (see sub_field)
    "economic_kuan": (),
    "source": ("资金性质", "资金来源", "资金类型", "经费来源"),
    "sub_source": ("收入细分来源", "细分来源", "资金来源明细", "收入来源明细"),
    "carryover": ("上年结转", "是否上年结转", "结转资金"),
    "amount": ("金额", "预算数", "预算金额", "本年预算数", "预算额", "金额合计", "预算数合计"),
    # performance targets
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标", "指标名称"),
    "description": ("指标说明", "绩效指标描述", "指标描述", "指标内容", "指标解释"),
    "value": ("指标值", "目标值", "指标目标值", "年度指标值"),
    "basis": ("指标值确定依据", "确定依据", "指标值设定依据", "指标来源"),
    "goal": ("绩效目标", "年度绩效目标", "项目绩效目标", "总体目标"),
    "purpose": ("资金用途", "项目概述", "项目内容"),
    # last year's figures (one row per item)
    "item": ("项目名称", "项目", "科目", "内容"),
    "last_amount": ("上年预算数", "上年预算", "上年数", "上年金额"),
}

# Headers of a summary table (the published pivots: 收支总表, 支出总表 …): such a sheet is not read, its figures
# are what budgetgen computes from the lines.
SUMMARY_HEADERS = frozenset(("基本支出", "项目支出", "人员经费", "公用经费", "财政拨款收入", "本年收入", "收入总计",
                             "支出总计"))
UNITS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000)}  # 元 per unit
_UNIT_IN_HEADER = re.compile(r"[(\[]?(?:单位[:：]?|金额单位[:：]?)?(万元|千元|元)[)\]]?$")
_UNIT_LINE = re.compile(r"(?:金额)?单位\s*[:：]\s*(万元|千元|元)")
HEADER_SEARCH_ROWS = 30  # a header row further down than this is not looked for


def normalise(text: object) -> str:
    """A header cell's text as compared: NFKC (full-width brackets, letters and digits become half-width), no
    whitespace, no line breaks, no trailing unit."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"\s+", "", s)
    s = _UNIT_IN_HEADER.sub("", s) if len(s) > 2 else s
    return s.replace("（", "(").replace("）", ")")


def unit_in_header(text: object) -> str | None:
    """The unit a header cell names (金额（元）, 预算数(万元)), or None."""
    if text is None:
        return None
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))
    m = _UNIT_IN_HEADER.search(s)
    return m.group(1) if m and len(s) > len(m.group(0)) else None


def unit_line(text: object) -> str | None:
    """The unit a line above the table states (单位：元, 金额单位：万元), or None."""
    if text is None:
        return None
    m = _UNIT_LINE.search(unicodedata.normalize("NFKC", str(text)).replace(" ", ""))
    return m.group(1) if m else None


@dataclass
class Mapping:
    """A mapping file's overrides: header texts per field (tried first), the unit, sheets to skip."""

    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unit: str | None = None
    skip: tuple[str, ...] = ()

    def synonyms(self, name: str) -> tuple[str, ...]:
        return tuple(normalise(t) for t in self.columns.get(name, ())) + tuple(normalise(t) for t in SYNONYMS[name])


def field_of(text: object, mapping: Mapping, parent: str = "") -> str | None:
    """The field a header cell names; `parent` is the merged heading above it (类/款/项 under 功能分类 or 经济分类)."""
    s = normalise(text)
    if not s:
        return None
    for name, given in mapping.columns.items():  # a mapping file's texts win over every synonym
        if s in (normalise(t) for t in given):
            return name
    if s in ("类", "款", "项"):
        return sub_field(s, parent)
    for name in SYNONYMS:
        if s in (normalise(t) for t in SYNONYMS[name]):
            return name
    return None


def sub_field(s: str, parent: str) -> str | None:
    economic = "经济" in parent
    if s == "类":
        return "economic_class" if economic else "function_class"
    if s == "款":
        return "economic_kuan" if economic else "function_kuan"
    return None if economic else "function_xiang"
