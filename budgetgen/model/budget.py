"""What a department authors: the pydantic models of the budget YAML (no totals, only leaf facts)."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, ClassVar

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, WithJsonSchema, field_validator,
                      model_validator)

from .numbers import NUMBER_PATTERN, number_text
from .positions import loc_of, place


def _code_schema(digits: str, what: str) -> WithJsonSchema:
    # Editors (yaml-language-server) accept a code typed with or without quotes.
    return WithJsonSchema({"type": ["string", "integer"], "pattern": f"^[0-9]{{{digits}}}$", "description": what})


FunctionCode = Annotated[str, Field(pattern=r"^[0-9]{7}$"), _code_schema("7", "支出功能分类科目编码（项级，7 位）")]
EconomicCode = Annotated[str, Field(pattern=r"^[0-9]{5}$"), _code_schema("5", "部门预算支出经济分类科目编码（款级，5 位）")]
UnitCode = Annotated[str, Field(pattern=r"^[0-9]{3,12}$"), _code_schema("3,12", "单位编码")]
DeptCode = Annotated[str, Field(pattern=r"^[0-9]{2,9}$"), _code_schema("2,9", "部门编码")]
def _number_schema(what: str) -> WithJsonSchema:
    # Declared here, not left to pydantic: its Decimal schema changes between releases (schemas/ must not drift).
    return WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0},
                                     {"type": "string", "pattern": NUMBER_PATTERN}], "description": what})


Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2), BeforeValidator(number_text),
                   _number_schema("金额（万元；顶层写 amount_unit: 元 时为元），最多两位小数")]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2), BeforeValidator(number_text),
                    _number_schema("累计支出进度（%）")]
Quantity = Annotated[Decimal, Field(ge=0), BeforeValidator(number_text), _number_schema("数量")]
Text = Annotated[str, Field(min_length=1)]
# Names and labels print in headings, table headers and cells: a limit keeps layout (and the PDF) sane.
# Free texts (purpose, goals, descriptions, reasons …) stay unlimited.
MAX_NAME = 200
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
Label = Annotated[str, Field(max_length=MAX_NAME)]  # may be empty


class Source(str, Enum):
    """Where the money comes from (资金来源); the first three are 财政拨款."""

    general = "一般公共预算"
    fund = "政府性基金预算"
    state_capital = "国有资本经营预算"
    special_account = "财政专户管理资金"
    business = "事业收入"
    operating = "事业单位经营收入"
    higher = "上级补助收入"
    subsidiary = "附属单位上缴收入"
    other = "其他收入"

    @property
    def appropriation(self) -> bool:
        return self in (Source.general, Source.fund, Source.state_capital)


# The sub-sources (收入细分来源) a profile may itemise, per source: Jiangsu's 收入预算总表 lists 一般公共预算资金 as
# 公共财政拨款（补助）资金 and 专项收入 (the other three are the non-tax incomes other Jiangsu years list beside them),
# 财政专户管理资金 as 专户管理教育收费 and 其他非税收入. A source not listed here has no sub-sources.
SUB_SOURCES: dict[Source, tuple[str, ...]] = {
    Source.general: ("公共财政拨款（补助）资金", "专项收入", "行政事业性收费收入", "罚没收入", "国有资源（资产）有偿使用收入"),
    Source.special_account: ("专户管理教育收费", "其他非税收入"),
}


class Kind(str, Enum):
    """Spending kind (支出类型, 支出用途) for non-project lines."""

    basic = "基本支出"
    operating = "经营支出"
    remit = "上解上级支出"
    subsidy = "对附属单位补助支出"
    # Money a unit keeps back for needs arising during the year (Jiangsu T1/T3): not yet assigned to an
    # economic 款, so the economic code is optional; neither 基本 nor 项目 (no 人员/公用 split, no 机关运行经费).
    reserve = "单位预留机动经费"


class Nature(str, Enum):
    administrative = "行政"
    institution = "事业"
    civil_service_managed = "参公"


class Level(str, Enum):
    township = "乡镇级"
    county = "县级"
    district = "区级"
    city = "市级"
    province = "省级"


class AmountUnit(str, Enum):
    """The unit of the figures a department types, or of the figures a table prints."""

    yuan = "元"
    wan = "万元"

    @property
    def per_wan(self) -> Decimal:
        """How many of this unit make one 万元."""
        return Decimal(10000) if self is AmountUnit.yuan else Decimal(1)


class DocumentKind(str, Enum):
    department = "部门预算"  # the department (part 1) and each of its units (part 2)
    unit = "单位预算"  # one unit's own disclosure (a folder with one unit)


class PerformanceLayout(str, Enum):
    simple = "简式"  # 巨鹿: goals and indicator grid
    detailed = "详式"  # 魏县: head block with code, budget, uses and spending plan


class ProjectOrder(str, Enum):
    pinyin = "拼音"
    code = "编码"
    input = "录入"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True, use_enum_values=False)
    # Where this object stands in its YAML file (a positions.Loc): set and read only through model.positions.
    _at: Any = PrivateAttr(default=None)
    # Fields holding money (Amount): converted to 万元 when the department types 元 (model.amounts).
    money: ClassVar[tuple[str, ...]] = ()


class Line(Strict):
    """One leaf amount: function 项 × economic 款 × source."""

    function: FunctionCode | None = Field(None, description="功能分类科目（项目的 amounts 中可省略，沿用项目的 function）")
    economic: EconomicCode | None = Field(
        None, description="经济分类科目（基本支出必填；项目的 amounts 中省略时沿用项目的 economic）")
    amount: Amount
    source: Source = Field(Source.general,
                           description="资金来源，默认一般公共预算；项目的 amounts 中省略时沿用项目的 source")
    carryover: bool = Field(False, description="是否为上年结转资金；项目的 amounts 中省略时沿用项目的 carryover")
    sub_source: Name | None = Field(
        None, description="收入细分来源（公开表逐项列示时填写），如 专项收入、专户管理教育收费；项目的 amounts 中省略且"
                          "资金来源与项目相同时沿用项目的 sub_source")
    # The fields this line took from its project (Project._lines_inherit), for findings' positions.
    _inherited: frozenset = PrivateAttr(default=frozenset())

    money: ClassVar[tuple[str, ...]] = ("amount",)


INHERITED = ("economic", "source", "carryover")  # what a project's amounts lines take from the project


class BasicLine(Line):
    kind: Kind = Field(Kind.basic, description="支出类型，默认基本支出")


class Indicator(Strict):
    """One row of a performance target grid (绩效指标)."""

    level1: Name = Field(description="一级指标：产出指标、效益指标、满意度指标")
    level2: Name = Field(description="二级指标，如数量指标、成本指标、社会效益指标")
    name: Name = Field(description="三级指标")
    description: str = Field("", description="绩效指标描述")
    value: str = Field("", description="指标值")
    basis: str = Field("", description="指标值确定依据")


class Project(Strict):
    """A project (项目支出): its money and its performance targets."""

    name: Name
    code: Label | None = Field(None, description="项目编码")
    unit: UnitCode | None = Field(None, description="所属单位编码；部门只有一个单位时可省略")
    function: FunctionCode | None = Field(None, description="功能分类科目（项级）；用 amounts 时是各笔资金的默认值")
    economic: EconomicCode | None = Field(
        None, description="经济分类科目；用 amounts 时是各笔资金的默认值（某笔自己写了 economic 的以该笔为准）")
    amount: Amount | None = Field(None, description="金额：项目只有一笔资金时使用；多笔时用 amounts")
    source: Source = Field(Source.general, description="资金来源，默认一般公共预算；用 amounts 时是各笔资金的默认值"
                                                       "（某笔自己写了 source 的以该笔为准）")
    carryover: bool = Field(False, description="是否为上年结转资金；用 amounts 时是各笔资金的默认值"
                                               "（某笔自己写了 carryover 的以该笔为准）")
    sub_source: Name | None = Field(None, description="收入细分来源，如 专项收入；用 amounts 时是资金来源与项目相同的"
                                                      "各笔资金的默认值")
    amounts: list[Line] | None = Field(None, description="按经济分类或资金来源拆分的多笔资金；各笔未写的 function、"
                                                         "economic、source、carryover 沿用项目的值")
    classified: bool = Field(False, description="涉密项目：绩效目标表只公开“此项涉密”，金额照常计入各表")
    purpose: str = Field("", description="资金用途")
    # 项目经费情况说明 (上海区级 七): a clerk makes a project one of the major projects it explains by describing it
    # (overview written); 年度预算安排 is computed, 绩效目标 are `goals`.
    overview: str = Field("", description="项目概述（项目经费情况说明：写了项目概述的项目作为重大项目列入，"
                                         "并应同时写 basis、approach、period）")
    basis: str = Field("", description="立项依据（项目经费情况说明）")
    implementer: Label = Field("", description="实施主体（项目经费情况说明）；不填时为项目所属单位的名称")
    approach: str = Field("", description="实施方案（项目经费情况说明）")
    period: Label = Field("", description="实施周期（项目经费情况说明），如 2025年1月至12月")
    plan: list[Percent] | None = Field(None, min_length=4, max_length=4, description="资金支出计划：3月底、6月底、10月底、12月底累计百分比")
    goals: list[Text] = Field(default_factory=list, description="绩效目标（逐条）")
    indicators: list[Indicator] = Field(default_factory=list, description="绩效指标表各行")

    money: ClassVar[tuple[str, ...]] = ("amount",)

    @model_validator(mode="after")
    def _one_way_to_give_money(self) -> Project:
        if (self.amount is None) == (self.amounts is None):
            raise ValueError("项目金额须且只能用 amount（单笔）或 amounts（多笔）之一给出")
        return self

    @model_validator(mode="after")
    def _lines_inherit(self) -> Project:
        """Each line of amounts takes the project's economic, source and carryover unless it sets its own.

        function is left to readers (line.function or project.function), as before. A line's _inherited names
        what it took, so findings about an inherited value point at the project's field, not at the line.
        """
        for line in self.amounts or ():
            taken = [name for name in INHERITED if name in self.model_fields_set and name not in line.model_fields_set]
            for name in taken:
                setattr(line, name, getattr(self, name))
                line.__pydantic_fields_set__.discard(name)  # still not what the line itself says
            # a sub-source belongs to its source: taken only by a line whose source is the project's
            if ("sub_source" in self.model_fields_set and "sub_source" not in line.model_fields_set
                    and line.source == self.source):
                line.sub_source = self.sub_source
                line.__pydantic_fields_set__.discard("sub_source")
                taken.append("sub_source")
            line._inherited = frozenset(taken)
        return self

    def lines(self) -> list[Line]:
        """The project's money as lines, the shorthand expanded."""
        if self.amounts is not None:
            return self.amounts
        assert self.amount is not None  # amount or amounts (_one_way_to_give_money)
        # Not validated again: the project's fields were, and a 元 amount in 万元 has more than two decimals.
        line = Line.model_construct(function=self.function, economic=self.economic, amount=self.amount,
                                    source=self.source, carryover=self.carryover, sub_source=self.sub_source)
        place(line, loc_of(self))
        return [line]

class ProcurementCategory(str, Enum):
    """What is bought (采购品目类别)."""

    goods = "货物"
    works = "工程"
    services = "服务"


class ProcurementForm(str, Enum):
    """How the purchase is organised (采购组织形式)."""

    central = "集中采购"  # by the government's central procurement agency (政府集中采购)
    department = "部门集中采购"
    decentralised = "分散采购"


class Procurement(Strict):
    """One line of the government procurement budget (政府采购预算)."""

    project: Name = Field(description="政府采购项目来源：项目名称（须为本单位项目）")
    item: Name = Field(description="采购物品名称")
    catalog_no: Label = Field("", description="政府采购目录序号")
    measure: Label = Field("", description="计量单位")
    quantity: Quantity | None = None
    unit_price: Amount | None = None
    amount: Amount = Field(description="政府采购金额（万元）")
    source: Source = Source.general
    carryover: bool = False
    sme_reserved: Amount | None = Field(None, description="预留中小微企业份额（万元）")
    category: ProcurementCategory | None = Field(None, description="采购品目类别：货物、工程、服务")
    form: ProcurementForm | None = Field(None, description="采购组织形式：集中采购、部门集中采购、分散采购")

    money: ClassVar[tuple[str, ...]] = ("unit_price", "amount", "sme_reserved")


class VehicleUses(Strict):
    """Vehicles by use (车辆按用途), as Shanghai prints them: counts (台、辆)."""

    minister: int | None = Field(None, ge=0, description="部级领导干部用车")
    leaders: int | None = Field(None, ge=0, description="主要领导干部用车")
    confidential: int | None = Field(None, ge=0, description="机要通信用车")
    emergency: int | None = Field(None, ge=0, description="应急保障用车")
    enforcement: int | None = Field(None, ge=0, description="执法执勤用车")
    special: int | None = Field(None, ge=0, description="特种专业技术用车")
    retired: int | None = Field(None, ge=0, description="离退休干部用车")
    other: int | None = Field(None, ge=0, description="其他用车")

    def total(self) -> int:
        return sum(getattr(self, name) or 0 for name in VehicleUses.model_fields)


class Assets(Strict):
    """Fixed assets held at the end of last year (单位固定资产占用情况)."""

    buildings_area: Quantity | None = Field(None, description="房屋（平方米）")
    buildings_value: Amount | None = None
    office_area: Quantity | None = Field(None, description="其中：办公用房（平方米）")
    office_value: Amount | None = None
    vehicles: int | None = Field(None, ge=0, description="车辆（台、辆）")
    vehicles_value: Amount | None = None
    equipment: int | None = Field(None, ge=0, description="单价在20万元以上的设备（台、套）")
    equipment_value: Amount | None = None
    large_equipment: int | None = Field(None, ge=0, description="其中：单位价值100万元以上的设备（台、套）")
    large_equipment_value: Amount | None = Field(None, description="其中：单位价值100万元以上设备的价值（万元）")
    other_value: Amount | None = Field(None, description="其他固定资产（万元）")
    planned_purchase: Amount = Field(Decimal("0"), description="本年度拟购置固定资产总额（万元）")
    vehicles_by_use: VehicleUses | None = Field(None, description="车辆按用途：各用途的台数，合计应等于 vehicles")

    money: ClassVar[tuple[str, ...]] = ("buildings_value", "office_value", "vehicles_value", "equipment_value",
                                        "large_equipment_value", "other_value", "planned_purchase")


class Item(Strict):
    title: Label = ""
    text: str = ""


class Performance(Strict):
    """Free texts of section 五 (预算绩效信息)."""

    overall: str = Field("", description="部门整体绩效目标：总体绩效目标")
    items: list[Item] = Field(default_factory=list, description="分项绩效目标")
    safeguards: list[Item] = Field(default_factory=list, description="工作保障措施")
    special_funds: str = Field("", description="专项资金绩效目标")


class SanGong(Strict):
    """Last year's “三公” figures, as published then."""

    abroad: Amount = Decimal("0")
    vehicle_purchase: Amount = Decimal("0")
    vehicle_operation: Amount = Decimal("0")
    reception: Amount = Decimal("0")

    money: ClassVar[tuple[str, ...]] = ("abroad", "vehicle_purchase", "vehicle_operation", "reception")


class LastYear(Strict):
    """Last year's approved budget, for the comparison (比上年增减情况)."""

    year: int | None = Field(None, description="对比年度，默认预算年度的上一年")
    personnel: Amount | None = Field(None, description="上年人员经费")
    public: Amount | None = Field(None, description="上年公用经费")
    basic: Amount | None = Field(None, description="上年基本支出（未分人员、公用时填写）")
    project: Amount = Field(description="上年项目支出")
    sangong: SanGong | None = None
    appropriation: Amount | None = Field(
        None, description="上年财政拨款收入预算（一般公共预算、政府性基金预算、国有资本经营预算拨款之和，不含上年结转）："
                          "上海区级的预算编制说明据此写财政拨款收入、支出比上年增减；不填则不作比较")

    functions: dict[FunctionCode, Amount] = Field(
        default_factory=dict, description="上年一般公共预算当年拨款支出，按功能分类项级科目：科目编码 → 金额（江苏省级的"
                                          "情况说明逐项写比上年增减，合计为一般公共预算当年拨款的上年数；不填则不作比较）")

    money: ClassVar[tuple[str, ...]] = ("personnel", "public", "basic", "project", "appropriation", "functions")

    @model_validator(mode="after")
    def _basic_once(self) -> LastYear:
        split = self.personnel is not None or self.public is not None
        if split and (self.personnel is None or self.public is None):
            raise ValueError("上年人员经费 personnel 与公用经费 public 须同时填写")
        if split == (self.basic is not None):
            raise ValueError("上年基本支出须且只能用 basic 或 personnel + public 之一给出")
        return self

    def basic_total(self) -> Decimal:
        if self.basic is not None:
            return self.basic
        assert self.personnel is not None and self.public is not None  # basic or both (_basic_once)
        return self.personnel + self.public


class Reasons(Strict):
    """Why figures changed against last year, in the department's words."""

    total: str = ""
    personnel: str = ""
    public: str = ""
    basic: str = ""
    project: str = ""
    sangong: str = ""
    functions: dict[FunctionCode, str] = Field(
        default_factory=dict, description="各功能分类项级科目比上年增减的原因：科目编码 → 原因（与 last_year.functions 一起用）")


class Unit(Strict):
    """A budget unit (预算单位) of the department."""

    code: UnitCode
    name: Name
    nature: Nature = Field(description="单位性质：行政、事业、参公")
    rank: Label = Field("", description="单位规格，如正科级")
    funding: Label = Field("财政拨款", description="经费保障形式")
    duties_intro: str = Field("", description="单位职责前的引语")
    duties: list[Text] | None = Field(None, description="单位职责；省略时沿用部门职责")
    basic: list[BasicLine] = Field(default_factory=list, description="基本支出等非项目支出明细")
    procurement: list[Procurement] = Field(default_factory=list)
    assets: Assets | None = None
    last_year: LastYear | None = Field(None, description="本单位上年预算数（多单位部门逐单位填写，用于单位的比上年增减说明）")
    reasons: Reasons | None = Field(None, description="本单位比上年增减的原因；省略时沿用部门的说明")


class Options(Strict):
    performance_layout: PerformanceLayout = PerformanceLayout.simple
    project_order: ProjectOrder = ProjectOrder.pinyin
    document: DocumentKind = Field(DocumentKind.department,
                                   description="部门预算（部门 + 所属单位）或 单位预算（只有一个单位时，单独公开本单位预算）")
    table_unit: AmountUnit = Field(AmountUnit.wan, description="九张公开表的金额单位：万元（默认）或 元")
    profile: str | None = Field(None, max_length=500,
                                description="公开格式：内置格式的名称（如 河北县级，默认），或格式目录的路径（相对于部门目录）")
    region: str | None = Field(None, max_length=50,
                               description="地区名称，如 普陀区：公开格式的封面、标题中的 {地区}（上海区级的封面用它）")


class Department(Strict):
    code: DeptCode
    name: Name
    duties: list[Text] = Field(default_factory=list, description="部门职责（逐条）")
    structure: str = Field("", description="机构设置补充说明，如内设机构")
    performance: Performance = Field(default_factory=Performance)
    last_year: LastYear | None = None
    reasons: Reasons = Field(default_factory=Reasons)
    uses: dict[FunctionCode, str] = Field(
        default_factory=dict, description="财政拨款支出主要内容：功能分类项级科目 → 该科目“主要用于”的文字，如 "
                                          "\"2010301\": 保障机关正常运转的人员经费和日常公用经费（上海区级的预算编制说明"
                                          "逐项印出；没写的科目按基本支出和项目名称生成）")
    other_matters: str = Field("", description="其他需要说明的事项；空则写“无其他需要说明的事项”")
    options: Options = Field(default_factory=Options)


class Fragment(Strict):
    """One YAML file. A department is one file or a folder of them; their lists are joined."""

    model_config = ConfigDict(title="budgetgen 部门预算数据", extra="forbid")

    budget_year: int | None = Field(None, ge=2000, le=2100, description="预算年度（科目表自 2019 年起）")
    level: Level | None = Field(None, description="政府层级，决定名词解释等措辞")
    amount_unit: AmountUnit | None = Field(None, description="本部门各文件金额的单位：万元（默认）或 元")
    draft: str | None = Field(None, description="budgetgen new-year 生成的草稿标记：金额、文字逐项核对修改后删除这一行")
    department: Department | None = None
    units: list[Unit] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)

    @field_validator("units", "projects", mode="before")
    @classmethod
    def _none_is_empty(cls, v: Any) -> Any:
        return [] if v is None else v


class Budget(BaseModel):
    """A whole department, merged from its fragments (not authored directly)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    budget_year: int
    level: Level
    amount_unit: AmountUnit = AmountUnit.wan  # what the clerk typed; amounts are held in 万元 after loading
    draft: str = ""  # set by new-year until the clerk has gone through the draft (checks warn, the cover says so)
    draft_at: Any = None  # positions.Loc of the draft line's file
    department: Department
    units: list[Unit]
    projects: list[Project]
    source_name: str = ""
    partial: bool = False  # some file had errors: only its valid parts are here (findings only, never rendered)
    # the codes of units a file with errors wrote but that are not here (None: a file could not be read, any may be)
    hidden_units: frozenset[str] | None = frozenset()
    additions: tuple[Any, ...] = ()  # catalog.Addition: codes from 科目补充.yaml beside the department
    profile: Any = None  # profiles.Loaded: the profile it is rendered with (set by the pipeline)
    load_findings: list[Any] = []  # errors.Finding: what reading the files found (check() reports them too)
    _catalog: Any = PrivateAttr(default=None)  # the year's catalog with the additions (catalog.for_budget)

    def unit_code_of(self, project: Project) -> str:
        """The project's unit code as the department means it: no unit = the only (or first) unit."""
        return project.unit or self.units[0].code

    def unit_of(self, project: Project) -> Unit:
        code = self.unit_code_of(project)
        return next(u for u in self.units if u.code == code)

    def project_named(self, unit_code: str, name: str) -> Project | None:
        """The unit's project of that name (a procurement line's source); two units may use the same name."""
        return next((p for p in self.projects if p.name == name and self.unit_of(p).code == unit_code), None)
