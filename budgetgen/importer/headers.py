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

from ..model.budget import Assets, VehicleUses

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
    "project_name": ("项目名称", "项目", "预算项目名称"),
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
    # last year's figures (one row per item; with 单位编码/单位名称 columns, one row per unit × item: units[].last_year)
    "item": ("项目名称", "项目", "科目", "内容"),
    "last_amount": ("上年预算数", "上年预算", "上年数", "上年金额"),
    # 涉密项目 (on the project lines, the targets or goals sheet, or a list of projects): 是/否, Y/N, 1/0, √
    "classified": ("是否涉密", "是否涉密项目", "涉密项目", "涉密"),
    # 单位基本信息 (one row per unit, with 单位编码/单位名称; 单位性质 is "nature" above)
    "rank": ("单位规格", "机构规格", "单位级别", "机构级别", "规格"),
    "funding": ("经费保障形式", "经费保障方式", "经费形式", "经费供给方式", "经费来源方式"),
    # 政府采购预算 (one row per item, with 单位编码/单位名称, 项目名称, 资金来源/资金性质 and 上年结转 as above;
    # the amount is 采购金额 or, in such a sheet, any of the amount texts above such as 预算金额)
    "proc_item": ("采购品目", "采购品目名称", "采购物品名称", "采购物品", "品目名称", "采购内容"),
    "catalog_no": ("采购目录", "采购目录编码", "采购目录序号", "政府采购目录序号", "品目编码", "采购品目编码", "目录编码"),
    "measure": ("计量单位", "单位(计量)"),
    "quantity": ("数量", "采购数量"),
    "unit_price": ("单价", "采购单价"),
    "proc_amount": ("采购金额", "政府采购金额", "采购预算金额", "采购预算", "政府采购预算"),
    "sme_reserved": ("预留中小企业份额", "预留中小微企业份额", "面向中小企业预留", "面向中小企业预留金额",
                     "预留中小企业金额", "中小企业预留份额"),
    "proc_category": ("采购类别", "采购品目类别", "品目类别", "采购类型"),
    "proc_form": ("采购组织形式", "组织形式", "采购方式"),
    # 资产 (固定资产占用情况, one row per unit with 单位编码/单位名称). A two-row header reads a heading and the
    # text under it together (房屋 over 面积（平方米）| 价值（万元） is 房屋面积, 房屋价值); a leading 其中： and a
    # trailing count unit such as （平方米）（台、辆）（台、套） do not matter. Values in the amounts' unit.
    "buildings_area": ("房屋面积", "房屋(平方米)", "房屋建筑面积", "房屋建筑物面积", "房屋占用面积"),
    "buildings_value": ("房屋价值", "房屋账面价值", "房屋金额", "房屋建筑物价值", "房屋原值"),
    "office_area": ("办公用房面积", "办公用房(平方米)", "办公用房建筑面积", "办公用房占用面积"),
    "office_value": ("办公用房价值", "办公用房账面价值", "办公用房金额", "办公用房原值"),
    "vehicles": ("车辆数", "车辆(台、辆)", "车辆(辆)", "车辆(台)", "车辆数量", "车辆台数", "公务用车数量", "车辆合计"),
    "vehicles_value": ("车辆价值", "车辆账面价值", "车辆金额", "车辆原值"),
    "equipment": tuple(s + t for s in ("单价20万元以上设备", "单价在20万元以上的设备", "单位价值20万元以上设备",
                                       "单位价值20万元以上的设备", "20万元以上设备") for t in ("", "数", "数量", "台套数")),
    "equipment_value": tuple(s + t for s in ("单价20万元以上设备", "单价在20万元以上的设备", "单位价值20万元以上设备",
                                             "单位价值20万元以上的设备", "20万元以上设备") for t in ("价值", "金额")),
    "large_equipment": tuple(s + t for s in ("单价100万元以上设备", "单价在100万元以上的设备", "单位价值100万元以上设备",
                                             "单位价值100万元以上的设备", "100万元以上设备")
                             for t in ("", "数", "数量", "台套数")),
    "large_equipment_value": tuple(s + t for s in ("单价100万元以上设备", "单价在100万元以上的设备",
                                                   "单位价值100万元以上设备", "单位价值100万元以上的设备",
                                                   "100万元以上设备") for t in ("价值", "金额")),
    "other_value": ("其他固定资产", "其他固定资产价值", "其他固定资产金额", "其他资产价值"),
    "planned_purchase": ("本年度拟购置固定资产总额", "本年拟购置固定资产", "拟购置固定资产", "拟购置资产",
                         "拟购置固定资产金额", "本年度拟购置资产"),
    "vehicles_minister": ("部级领导干部用车",),  # 车辆按用途 (units[].assets.vehicles_by_use)
    "vehicles_leaders": ("主要领导干部用车",),
    "vehicles_confidential": ("机要通信用车",),
    "vehicles_emergency": ("应急保障用车",),
    "vehicles_enforcement": ("执法执勤用车",),
    "vehicles_special": ("特种专业技术用车",),
    "vehicles_retired": ("离退休干部用车",),
    "vehicles_other": ("其他用车",),
}

ASSET_MONEY = Assets.money  # the model's: money is converted, counts and areas are not
ASSET_COUNTS = ("vehicles", "equipment", "large_equipment")
ASSET_AREAS = ("buildings_area", "office_area")
VEHICLE_USES = tuple(VehicleUses.model_fields)
ASSET_FIELDS = frozenset(ASSET_MONEY + ASSET_COUNTS + ASSET_AREAS + tuple("vehicles_" + u for u in VEHICLE_USES))

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
    bare = _COUNT_UNIT.sub("", s.removeprefix("其中:").removeprefix("其中"))  # 其中：办公用房面积（平方米）
    if bare != s and bare:
        return field_of(bare, mapping, parent)
    return None


_COUNT_UNIT = re.compile(r"\((?:平方米|㎡|m2|台|辆|套|个|台、辆|台/辆|台、套|台/套|辆、台|套、台)\)$")


def sub_field(s: str, parent: str) -> str | None:
    economic = "经济" in parent
    if s == "类":
        return "economic_class" if economic else "function_class"
    if s == "款":
        return "economic_kuan" if economic else "function_kuan"
    return None if economic else "function_xiang"
