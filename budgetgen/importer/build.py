"""Records → a department's figures (units with their basic lines, projects with their lines, performance targets
and goals, last year's figures), checked against the year's catalog, and the YAML text budgetgen reads for each.

What the sheets cannot supply (duties, the overall goal, reasons for a change, a new project's goals) is written
as 待填写：… — text that `budgetgen validate` reports, place by place, until the clerk has written it."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import Finding, Severity
from ..model.budget import Assets, Kind, SanGong, Source
from ..model.numbers import plain
from .headers import ASSET_MONEY, VEHICLE_USES
from .records import (PROJECT, AssetsRecord, Code, GoalRecord, IndicatorRecord, LineRecord, Place, ProcurementRecord,
                      Records, UnitInfoRecord)

TO_FILL = "待填写："


@dataclass
class ProjectOut:
    unit: str
    code: str
    name: str
    lines: list[LineRecord] = field(default_factory=list)
    goals: list[str] | None = None  # None: no sheet gives them (kept as written, or 待填写 for a new project)
    purpose: str | None = None
    indicators: list[IndicatorRecord] | None = None
    classified: bool | None = None  # None: no sheet has a 是否涉密 column for it (kept as written)


@dataclass
class UnitFacts:
    """What the other sheets say of one unit; None where no sheet names it (then kept as written)."""

    info: UnitInfoRecord | None = None
    procurement: list[ProcurementRecord] | None = None
    assets: AssetsRecord | None = None
    last_year: dict[str, Decimal] | None = None  # 元
    last_year_at: Place | None = None


@dataclass
class UnitOut:
    code: str
    name: str
    nature: str  # 行政 / 事业 / 参公, "" when no sheet says
    basic: list[LineRecord] = field(default_factory=list)


@dataclass
class DepartmentOut:
    year: int
    code: str
    name: str
    per: Decimal  # 元 per unit of the folder's amounts (1 for 元, 10000 for 万元)
    units: dict[str, UnitOut] = field(default_factory=dict)
    projects: list[ProjectOut] = field(default_factory=list)
    last_year: dict[str, Decimal] = field(default_factory=dict)  # 元
    has_lines: bool = False
    facts: dict[str, UnitFacts] = field(default_factory=dict)  # unit code → its facts


def _error(findings: list[Finding], at: Place, message: str, fix: str, code: str,
           severity: Severity = Severity.error) -> None:
    findings.append(at.finding(severity, message, fix, code))


def _exact(findings: list[Finding], at: Place, yuan: Decimal, per: Decimal) -> None:
    """An error at `at` when `yuan` is not a whole number of 分 in the folder's unit (`per` 元)."""
    if yuan / per != (yuan / per).quantize(Decimal("0.01")):
        _error(findings, at, f"金额 {yuan} 元换算为万元后超过两位小数，目录中的金额按万元填写",
               "把部门文件中的 amount_unit 改为 元（金额按元填写）后再导入", "import-precision")


def repeated_lines(records: Records, findings: list[Finding]) -> None:
    """A line identical in every field to one in another file: most likely the same export given twice, or two
    exports that overlap; both are counted, so say where (within one sheet identical lines can be real)."""
    first: dict[tuple, LineRecord] = {}
    for line in records.lines:
        key = (line.unit_code, line.unit_name, line.kind, line.project_code, line.project_name, line.function.code,
               line.economic.code if line.economic else "", line.source, line.sub_source, line.carryover, line.amount)
        earlier = first.setdefault(key, line)
        if earlier is not line and earlier.at.sheet.file != line.at.sheet.file:
            _error(findings, line.at, f"这笔明细与 {earlier.at.sheet.file} 的 {earlier.at.text} 完全相同，两笔都会计入",
                   "两个导出表有重叠时删去重复的一份；确是两笔相同的支出时可忽略本警告", "import-repeated-line",
                   Severity.warning)


def same_name(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s)).replace("（", "(").replace("）", ")")
    return norm(a) == norm(b)


def check_codes(records: Records, catalog, findings: list[Finding]) -> None:
    """Every code in the catalog of the year (an error, with the nearest codes), every name as the catalog's
    (a warning naming both)."""
    label = catalog.label()
    for line in records.lines:
        _check_code(line.function, catalog.function, "功能分类科目", "function", catalog.nearest_function, label,
                    findings)
        if line.economic is not None:
            _check_code(line.economic, catalog.economic, "经济分类科目", "economic", catalog.nearest_economic, label,
                        findings)


def _check_code(code: Code, known: dict[str, str], what: str, key: str, nearest, label: str,
                findings: list[Finding]) -> None:
    digits = 7 if key == "function" else 5
    if len(code.code) != digits:
        _error(findings, code.at, f"{what}编码 {code.code} 应为 {digits} 位", f"填写{'项' if digits == 7 else '款'}级科目编码（{digits} 位）",
               "import-code-length")
        return
    if code.code not in known:
        near = "、".join(f"{c} {known[c]}" for c in nearest(code.code))
        _error(findings, code.at, f"{what} {code.code} 不在 budgetgen 的 {label}中",
               (f"是否为 {near}？" if near else "核对编码；") + f"如确为当年科目，在部门目录的 科目补充.yaml 中 {key}: 下加一行 "
               f"\"{code.code}\": 科目名称", "import-unknown-code")
        return
    if code.name and not same_name(code.name, known[code.code]):
        _error(findings, code.at, f"{what} {code.code} 在表中名为“{code.name}”，{label}中为“{known[code.code]}”",
               "核对编码是否正确；公开表按科目表的名称印出", "import-code-name", Severity.warning)


def assemble(records: Records, year: int, code: str, name: str, per: Decimal, existing_units: dict[str, str],
             findings: list[Finding], existing_projects: dict[str, set[str]] | None = None) -> DepartmentOut:
    """The department's units and projects from the records, in the order the sheets list them."""
    dept = DepartmentOut(year, code, name, per, has_lines=bool(records.lines))
    by_name = {n: c for c, n in existing_units.items()}
    for line in records.lines:
        unit = line.unit_code or by_name.get(line.unit_name, "")
        if not unit and not line.unit_name and len(existing_units) == 1:
            unit = next(iter(existing_units))
        if not unit:
            _error(findings, line.at, "这一行没有单位编码" + (f"，单位“{line.unit_name}”也不在部门目录中" if line.unit_name else ""),
                   "在表中加“单位编码”列并填写预算单位编码（如 201001）", "import-missing-unit")
            continue
        line.unit_code = unit
        known = dept.units.get(unit)
        unit_name = line.unit_name or existing_units.get(unit, "")
        if known is None:
            if not unit_name:
                _error(findings, line.at, f"单位 {unit} 没有单位名称", "在表中加“单位名称”列", "import-missing-unit")
                continue
            known = dept.units[unit] = UnitOut(unit, unit_name, line.nature)
        elif line.unit_name and not same_name(line.unit_name, known.name):
            _error(findings, line.at, f"单位 {unit} 在这一行名为“{line.unit_name}”，前面的行为“{known.name}”",
                   "同一单位编码写同一个名称", "import-unit-name", Severity.warning)
        if line.kind != PROJECT:
            if line.economic is None and line.kind == Kind.basic.value:
                _error(findings, line.at, "基本支出的这一行没有经济分类科目编码", "填写 5 位部门预算支出经济分类科目编码",
                       "import-missing-code")
                continue
            known.basic.append(line)
            continue
        project = _project(dept, line, findings)
        if project is not None:
            project.lines.append(line)
            _classify(project, line.classified)
    _attach_targets(dept, records, findings)
    for item in records.last_year:
        dept.last_year[item.name] = dept.last_year.get(item.name, Decimal(0)) + item.amount
    _unit_facts(dept, records, existing_units, existing_projects or {}, findings)
    for line in records.lines:  # every amount must be exact in the folder's unit
        _exact(findings, line.at, line.amount, per)
    return dept


def _project(dept: DepartmentOut, line: LineRecord, findings: list[Finding]) -> ProjectOut | None:
    for p in dept.projects:
        if p.unit != line.unit_code:
            continue
        if line.project_code and p.code == line.project_code:
            if p.name != line.project_name:
                _error(findings, line.at, f"项目编码 {p.code} 在前面的行名为“{p.name}”，这一行为“{line.project_name}”",
                       "同一项目编码写同一个项目名称", "import-project-name")
                return None
            return p
        if not line.project_code and not p.code and p.name == line.project_name:
            return p
        if p.name == line.project_name and (not line.project_code or not p.code):
            return p
    project = ProjectOut(line.unit_code, line.project_code, line.project_name)
    dept.projects.append(project)
    return project


def _attach_targets(dept: DepartmentOut, records: Records, findings: list[Finding]) -> None:
    def find(rec: IndicatorRecord | GoalRecord) -> ProjectOut | None:
        hits = [p for p in dept.projects if (not rec.unit_code or p.unit == rec.unit_code)
                and ((rec.project_code and p.code == rec.project_code) or (not rec.project_code and p.name == rec.project_name))]
        if len(hits) != 1:
            what = rec.project_name or rec.project_code
            _error(findings, rec.at, f"项目“{what}”在预算明细中{'没有' if not hits else '不止一个'}",
                   "核对项目名称或编码与预算明细表一致；同名项目写明项目编码", "import-unknown-project")
            return None
        return hits[0]

    for ind in records.indicators:
        if (p := find(ind)) is not None:
            p.indicators = (p.indicators or []) + [ind]
            _classify(p, ind.classified)
    for goal in records.goals:
        if (p := find(goal)) is not None:
            _classify(p, goal.classified)
            if goal.goals:
                p.goals = (p.goals or []) + goal.goals
            if goal.purpose:
                p.purpose = goal.purpose


def _classify(p: ProjectOut, flag: bool | None) -> None:
    """A project is classified when any row of it says 是; 否 on every row clears a hand-written classified."""
    if flag is not None:
        p.classified = bool(p.classified) or flag


def _unit_facts(dept: DepartmentOut, records: Records, existing_units: dict[str, str],
                existing_projects: dict[str, set[str]], findings: list[Finding]) -> None:
    """Each fact row to its unit: one the lines have (or, importing no lines, one the folder has)."""
    known = {c: u.name for c, u in dept.units.items()} if dept.has_lines else dict(existing_units)

    def unit_of(code: str, name: str, at: Place, what: str, severity: Severity = Severity.error) -> str | None:
        if not code and name:
            code = next((c for c, n in known.items() if same_name(n, name)), "")
            if not code:
                _error(findings, at, f"{what}中的单位“{name}”不在{'预算明细' if dept.has_lines else '部门目录'}中",
                       "核对单位名称，或加“单位编码”列", "import-unknown-unit", severity)
                return None
        if not code and not name:
            if len(known) == 1:
                return next(iter(known))
            _error(findings, at, f"{what}的这一行没有单位编码", "在表中加“单位编码”列并填写预算单位编码（如 201001）",
                   "import-missing-unit", severity)
            return None
        if code not in known:
            _error(findings, at, f"{what}中的单位 {code} 不在{'预算明细' if dept.has_lines else '部门目录'}中",
                   "核对单位编码；单位须在预算明细中（或已在部门目录中）", "import-unknown-unit", severity)
            return None
        return code

    def facts(unit: str) -> UnitFacts:
        return dept.facts.setdefault(unit, UnitFacts())

    for info in records.unit_info:
        if (unit := unit_of(info.unit_code, info.unit_name, info.at, "单位基本信息表", Severity.warning)) is not None:
            facts(unit).info = info
            if unit in dept.units and info.nature:
                dept.units[unit].nature = info.nature
    for item in records.procurement:
        if (unit := unit_of(item.unit_code, item.unit_name, item.at, "政府采购表")) is None:
            continue
        names = ({p.name for p in dept.projects if p.unit == unit} if dept.has_lines
                 else existing_projects.get(unit, set()))
        if item.project not in names:
            _error(findings, item.project_at, f"采购所属项目“{item.project}”不是单位 {unit} 的项目",
                   "填写该单位预算明细中的项目名称（与项目支出明细完全一致）", "import-unknown-procurement-project")
            continue
        bought = facts(unit).procurement
        facts(unit).procurement = (bought or []) + [item]
    for assets in records.assets:
        if (unit := unit_of(assets.unit_code, assets.unit_name, assets.at, "资产表")) is not None:
            if facts(unit).assets is not None:
                _error(findings, assets.at, f"单位 {unit} 在资产表中有不止一行", "每个单位写一行",
                       "import-repeated-unit")
                continue
            facts(unit).assets = assets
    for last in records.last_year:
        if not (last.unit_code or last.unit_name):
            continue
        if (unit := unit_of(last.unit_code, last.unit_name, last.at, "上年数表")) is not None:
            f = facts(unit)
            f.last_year = f.last_year or {}
            f.last_year[last.name] = f.last_year.get(last.name, Decimal(0)) + last.amount
            f.last_year_at = f.last_year_at or last.at
    for f in dept.facts.values():  # every amount exact in the folder's unit
        money = [(r.at, r.amount) for r in f.procurement or []] + [
            (r.at, v) for r in f.procurement or [] for v in (r.unit_price, r.sme_reserved) if v is not None]
        if f.assets is not None:
            money += [(f.assets.at, v) for k, v in f.assets.values.items() if k in ASSET_MONEY and isinstance(v, Decimal)]
        money += [(f.last_year_at, v) for v in (f.last_year or {}).values() if f.last_year_at is not None]
        for at, yuan in money:
            _exact(findings, at, yuan, dept.per)


# --- YAML text --------------------------------------------------------------------------------------------

_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:#\n\t]*")
_RESERVED = re.compile(r"(?i)true|false|yes|no|on|off|null|~|[-+0-9.eE_]+")


def scalar(text: str) -> str:
    """A text as a YAML scalar: plain when nothing in it means something to YAML, else double-quoted."""
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and not _RESERVED.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def amount_text(yuan: Decimal, per: Decimal) -> str:
    return f"{(yuan / per).quantize(Decimal('0.01'))}"


def _line_fields(line: LineRecord, per: Decimal, function: bool = True, economic: bool = True) -> list[str]:
    parts = []
    if function:
        parts.append(f'function: "{line.function.code}"')
    if economic and line.economic is not None:
        parts.append(f'economic: "{line.economic.code}"')
    parts.append(f"amount: {amount_text(line.amount, per)}")
    if line.source is not Source.general:
        parts.append(f"source: {line.source.value}")
    if line.sub_source:
        parts.append(f"sub_source: {line.sub_source}")
    if line.carryover:
        parts.append("carryover: true")
    return parts


def basic_lines(unit: UnitOut, per: Decimal) -> list[str]:
    if not unit.basic:
        return ["basic: []"]
    out = ["basic:"]
    for line in unit.basic:
        parts = _line_fields(line, per)
        if line.kind != Kind.basic.value:
            parts.append(f"kind: {line.kind}")
        out.append("  - {" + ", ".join(parts) + "}")
    return out


def project_figures(p: ProjectOut, per: Decimal, several_units: bool) -> list[str]:
    """The keys import owns in a project: code, unit, function, economic, amount (or amounts), source, sub_source,
    carryover."""
    out = []
    if p.code:
        out.append(f"code: {json.dumps(p.code, ensure_ascii=False)}")
    if several_units:
        out.append(f'unit: "{p.unit}"')
    if p.classified:
        out.append("classified: true")
    if len(p.lines) == 1:
        out += _line_fields(p.lines[0], per)
        return out
    functions = {line.function.code for line in p.lines}
    if len(functions) == 1:
        out.append(f'function: "{functions.pop()}"')
        shared = True
    else:
        shared = False
    out.append("amounts:")
    for line in p.lines:
        out.append("  - {" + ", ".join(_line_fields(line, per, function=not shared)) + "}")
    return out


def project_texts(p: ProjectOut, new: bool) -> list[str]:
    """The texts the sheets gave (goals, purpose, indicators); for a new project without goals, a place to fill."""
    out = []
    if p.purpose is not None:
        out.append(f"purpose: {scalar(p.purpose)}")
    if p.goals:
        out.append("goals:")
        out += [f"  - {scalar(g)}" for g in p.goals]
    elif new:
        out += ["goals:", f"  - {TO_FILL}本项目的绩效目标"]
    if p.indicators:
        out.append("indicators:")
        for ind in p.indicators:
            out.append(f"  - level1: {scalar(ind.level1 or TO_FILL + '一级指标')}")
            out.append(f"    level2: {scalar(ind.level2 or TO_FILL + '二级指标')}")
            out.append(f"    name: {scalar(ind.name)}")
            for key, value in (("description", ind.description), ("value", ind.value), ("basis", ind.basis)):
                if value:
                    out.append(f"    {key}: {scalar(value)}")
    return out


LAST_YEAR_FIELDS = ("personnel", "public", "basic", "project")
SANGONG_FIELDS = SanGong.money  # the model's order, as last_year.sangong is written


def last_year_lines(dept: DepartmentOut, findings: list[Finding], where: Place | None) -> list[str]:
    """department.last_year from the sheet's figures (人员经费 + 公用经费, or 基本支出; 项目支出; 三公)."""
    got = dept.last_year
    if "project" not in got:
        if where is not None:
            _error(findings, where, "上年数缺少“项目支出”", "在上年数表中加一行 项目支出", "import-last-year")
        return []
    return ["last_year:  # 由 budgetgen import 从导入表写入（再次导入时更新），单位与 amount_unit 相同"] + [
        "  " + line for line in last_year_fields(got, dept.per, dept.year)]


LAST_YEAR_OWNED = ("year", "personnel", "public", "basic", "project", "sangong")


def last_year_fields(got: dict[str, Decimal], per: Decimal, year: int) -> list[str]:
    """The keys of a last_year import owns (LAST_YEAR_OWNED): a unit without a 项目支出 row had none (0)."""
    out = [f"year: {year - 1}"]
    if "basic" in got and ("personnel" in got or "public" in got):  # units given differently: one total
        out.append(f"  basic: {amount_text(sum((got.get(k, Decimal(0)) for k in LAST_YEAR_FIELDS[:3]), Decimal(0)), per)}")
    elif "personnel" in got and "public" in got:
        out += [f"  personnel: {amount_text(got['personnel'], per)}", f"  public: {amount_text(got['public'], per)}"]
    elif "basic" in got:
        out.append(f"  basic: {amount_text(got['basic'], per)}")
    else:
        out.append(f"  basic: {amount_text(got.get('personnel', Decimal(0)) + got.get('public', Decimal(0)), per)}")
    out.append(f"  project: {amount_text(got.get('project', Decimal(0)), per)}")
    sangong = [f"{k}: {amount_text(got[k], per)}" for k in SANGONG_FIELDS if k in got]
    if sangong:
        out.append("  sangong: {" + ", ".join(sangong) + "}")
    return [line.removeprefix("  ") for line in out]


def department_file(dept: DepartmentOut, level: str, unit_word: str, sources: str, last_year: list[str]) -> str:
    lines = [
        f"# 由 budgetgen import 从 {sources} 生成。金额以导入表为准：再次导入同一目录时只更新金额（基本支出明细、",
        "# 项目金额、上年数），这里和各文件中手写的文字都保留。标有“待填写”的地方请写明，budgetgen validate 会逐条提示。",
        f"budget_year: {dept.year}",
        f"level: {level}                     # 乡镇级 / 县级 / 区级 / 市级 / 省级，决定说明和名词解释的措辞",
        f"amount_unit: {unit_word}",
        "department:",
        f'  code: "{dept.code}"',
        f"  name: {scalar(dept.name)}",
        "  duties:                        # 部门职责，每条一项",
        f"    - {TO_FILL}部门职责",
        "  performance:",
        f"    overall: {TO_FILL}部门整体绩效目标",
    ]
    lines += ["  " + line for line in last_year]
    if last_year:
        lines += ["  reasons:                       # 与上年相比有增减时写明原因",
                  f"    basic: {TO_FILL}基本支出增减原因", f"    project: {TO_FILL}项目支出增减原因"]
    lines += ['  other_matters: ""']
    return "\n".join(lines) + "\n"


def unit_file(unit: UnitOut, per: Decimal, facts: UnitFacts | None = None, year: int = 0) -> str:
    nature = unit.nature or "行政"
    note = "" if unit.nature else "  # 导入表中没有单位性质：请核对（行政 / 事业 / 参公）"
    blocks = fact_blocks(facts, per, year) if facts is not None else {}
    owned = "基本支出明细（basic:）" + ("及导入表给出的单位信息、政府采购、资产、上年数" if blocks else "")
    lines = [f"# {owned}由 budgetgen import 写入，再次导入时更新；其余内容手写，导入时保留。",
             "units:", f'  - code: "{unit.code}"', f"    name: {scalar(unit.name)}", f"    nature: {nature}{note}"]
    blocks.pop("nature", None)
    for key in ("rank", "funding"):
        lines += ["    " + line for line in blocks.pop(key, [])]
    lines += ["    " + line for line in basic_lines(unit, per)]
    for block in blocks.values():
        lines += ["    " + line for line in block]
    return "\n".join(lines) + "\n"


def fact_blocks(facts: UnitFacts, per: Decimal, year: int) -> dict[str, list[str]]:
    """A unit's keys as its facts give them: nature, rank, funding, procurement, assets, last_year (each only when
    a sheet gives it). assets and last_year are whole blocks here; folder.py keeps the keys of an existing block
    that no sheet gives (planned_purchase, appropriation …)."""
    out: dict[str, list[str]] = {}
    if (info := facts.info) is not None:
        for key, value in (("nature", info.nature), ("rank", info.rank), ("funding", info.funding)):
            if value:
                out[key] = [f"{key}: {scalar(value)}"]
    if facts.procurement is not None:
        out["procurement"] = ["procurement:  # 政府采购预算：由 budgetgen import 从导入表写入（再次导入时更新）"]
        for item in facts.procurement:
            out["procurement"] += [f"  - project: {scalar(item.project)}", f"    item: {scalar(item.item)}"]
            fields: list[tuple[str, str]] = [
                ("catalog_no", json.dumps(item.catalog_no, ensure_ascii=False) if item.catalog_no else ""),
                ("measure", scalar(item.measure) if item.measure else ""),
                ("quantity", plain(item.quantity) if item.quantity is not None else ""),
                ("unit_price", amount_text(item.unit_price, per) if item.unit_price is not None else ""),
                ("amount", amount_text(item.amount, per)),
                ("source", item.source.value if item.source is not Source.general else ""),
                ("carryover", "true" if item.carryover else ""),
                ("sme_reserved", amount_text(item.sme_reserved, per) if item.sme_reserved is not None else ""),
                ("category", item.category), ("form", item.form)]
            out["procurement"] += [f"    {k}: {v}" for k, v in fields if v]
    if facts.assets is not None:
        out["assets"] = ["assets:  # 资产占用情况：表中有的各项由 budgetgen import 写入（再次导入时更新），其余手写"]
        out["assets"] += ["  " + line for line in asset_fields(facts.assets, per)[1]]
    if facts.last_year is not None:
        out["last_year"] = ["last_year:  # 本单位上年数：由 budgetgen import 从导入表写入（再次导入时更新）"]
        out["last_year"] += ["  " + line for line in last_year_fields(facts.last_year, per, year)]
    return out


def asset_fields(assets: AssetsRecord, per: Decimal) -> tuple[set[str], list[str]]:
    """(the assets keys the sheet has, their lines) — a blank cell drops its key."""
    owned: set[str] = set()
    out = []
    for key in (k for k in Assets.model_fields if k != "vehicles_by_use"):  # the model's order
        if key not in assets.values:
            continue
        owned.add(key)
        value = assets.values[key]
        if value is None:
            continue
        if key in ASSET_MONEY:
            assert isinstance(value, Decimal)
            out.append(f"{key}: {amount_text(value, per)}")
        elif isinstance(value, Decimal):
            out.append(f"{key}: {plain(value)}")
        else:
            out.append(f"{key}: {value}")
    uses = [(u, assets.values["vehicles_" + u]) for u in VEHICLE_USES if "vehicles_" + u in assets.values]
    if uses:
        owned.add("vehicles_by_use")
        given = [f"{u}: {n}" for u, n in uses if n is not None]
        if given:
            out.append("vehicles_by_use: {" + ", ".join(given) + "}")
    return owned, out


def project_file(p: ProjectOut, per: Decimal, several_units: bool) -> str:
    lines = ["# 项目金额（code、function、economic、amount/amounts、source）由 budgetgen import 写入，再次导入时更新；",
             "# 绩效目标、指标等文字手写（导入表中有绩效指标时一并导入）。",
             "projects:", f"  - name: {scalar(p.name)}"]
    lines += ["    " + line for line in project_figures(p, per, several_units) + project_texts(p, new=True)]
    return "\n".join(lines) + "\n"


def file_stem(name: str) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f\s]', "", name)
    return cleaned.encode("utf-8")[:120].decode("utf-8", "ignore") or "项目"
