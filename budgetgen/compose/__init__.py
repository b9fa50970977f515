"""Budget + its analysis → Disclosure: the tables pivot the analysis' facts; the notes, charts, performance, assets and
procurement tables take their figures and totals from it (budgetgen.analysis computes them, once per scope)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from ..analysis import BudgetAnalysis, analyse
from ..analysis.figures import reasons_of
from ..analysis.funds import AppropriationItem, FundFigures
from ..analysis.ledger import ZERO
from ..analysis.sums import APPROPRIATED, PROCUREMENT_FUNDS, procurement_fund
from ..document import Banner, Block, Cell, Chart, Heading, LeafLine, Row, Table
from ..fmt import cn_ordinal
from .. import profiles
from ..model.budget import AmountUnit, Budget, DocumentKind, Level, Reasons, Source, Unit
from ..model.numbers import plain
from .grid import H, header
from .notes import ProjectNote, ScopeText, environment, render_notes
from .performance import performance_blocks
from .engine import analysed_income, income_row, tables_of
from .tables import Scope

GOV_SHORT = {Level.county: "我县", Level.district: "我区", Level.city: "我市", Level.province: "我省"}


def gov_words(budget: Budget) -> tuple[str, str]:
    """How the notes name the government: (县级, 我县), (区级, 我区) …; a township is (乡镇, 我乡 or 我镇 as its name
    says)."""
    if budget.level is Level.township:
        name = budget.department.name
        return "乡镇", "我乡" if "乡" in name and "镇" not in name else "我镇"
    return budget.level.value, GOV_SHORT[budget.level]


def build(budget: Budget, analysis: BudgetAnalysis | None = None, templates: Path | None = None,
          profile: profiles.Loaded | None = None, unit: str | None = None):
    """The complete disclosure: part 1 the department (= sum of its units), part 2 each unit; or, for a
    单位预算, the one unit's own tables and notes: the folder's only unit, or the unit coded `unit` of a department
    (its own document, as Shanghai's units publish beside the 部门预算). Every figure is read from `analysis` (the
    pipeline's; made here only when a caller has none); the tables, their order and the headings are the profile's
    (`profile`, else the one the pipeline chose for the budget, else 河北县级)."""
    from ..document import Disclosure
    from .presentation import present

    analysis = analyse(budget) if analysis is None else analysis
    loaded = profile or budget.profile or profiles.default()
    form = loaded.profile
    catalog = analysis.catalog
    env = environment("notes", templates, profile=loaded.templates)
    dept = budget.department
    unit_word = table_unit(budget, form)
    year = budget.budget_year
    words = {"编码": dept.code, "名称": dept.name, "年度": str(year), "上年": str(year - 1)}
    place = {"地区": dept.options.region or ""}  # {地区}: the headings and the cover may name it
    document = DocumentKind.unit if unit is not None else dept.options.document  # the tables a profile prints for it

    def parts(scope: Scope, heading: bool, notes_of: Callable[[list[Block]], list[Block]]) -> list[Block]:
        out: list[Block] = []
        texts: list[ScopeText] = []  # made at the first notes part, for all of them

        def text() -> ScopeText:
            if not texts:
                texts.append(scope_text(budget, scope))
            return texts[0]

        for n, part in enumerate(form.parts, start=1):
            if part is profiles.Part.tables:
                if heading:
                    out.append(Heading(profiles.fill(form.headings.tables, **words, **place, 称谓=scope.word), 2,
                                       id=f"{scope.id}-tables"))
                out.extend(tables_of(scope, form, document))
            elif isinstance(part, profiles.NotesPart):  # one template of the profile's notes/ (情况说明 in parts)
                out.extend(notes_of(_notes(budget, scope, env, text(), part.notes, f"{scope.id}-p{n}")))
            else:
                out.extend(notes_of(_notes(budget, scope, env, text())))
        return out

    if document is DocumentKind.unit:
        alone = budget.units[0] if unit is None else next((u for u in budget.units if u.code == unit), None)
        if alone is None:
            raise ValueError(f"部门中没有编码为 {unit} 的单位")
        scoped = analysis.alone if unit is None else analysis.unit(unit)
        scope = Scope(scoped, alone.code, alone.name, "单位", year, catalog, f"u{alone.code}", unit_word)
        words.update({"编码": alone.code, "名称": alone.name})
        blocks: list[Block] = parts(scope, True, list)
        lines = leaf_lines(budget, analysis, unit)
        return covered(present(Disclosure(title=f"{alone.name}{year}年单位预算", department_code=alone.code,
                                          department_name=alone.name, year=year, blocks=blocks,
                                          source_name=budget.source_name, kind=DocumentKind.unit.value,
                                          draft=bool(budget.draft), lines=lines)),
                       form, {**words, **place, "称谓": "单位"})
    blocks = []
    if form.headings.department is not None:
        blocks.append(Heading(profiles.fill(form.headings.department, **words, **place), 1, id="part1"))
    scope = Scope(analysis.department, dept.code, dept.name, "部门", year, catalog, f"d{dept.code}", unit_word)
    blocks.extend(parts(scope, True, list))
    if form.headings.units is not None:
        blocks.append(Heading(profiles.fill(form.headings.units, **words, **place), 1, id="part2"))
    for i, member in enumerate(budget.units if form.headings.units is not None else [], start=1):
        uscope = Scope(analysis.unit(member.code), member.code, member.name, "单位", year, catalog, f"u{member.code}",
                       unit_word)
        title = profiles.fill(form.headings.unit, 序号=cn_ordinal(i), 名称=member.name, 编码=member.code, 年度=str(year),
                              上年=str(year - 1), **place)
        blocks.append(Heading(title, 2, id=f"{uscope.id}-tables"))
        blocks.extend(parts(uscope, False, nested))
    return covered(present(Disclosure(title=f"{dept.name}{year}年部门预算", department_code=dept.code,
                                      department_name=dept.name, year=year, blocks=blocks,
                                      source_name=budget.source_name, draft=bool(budget.draft),
                                      lines=leaf_lines(budget, analysis))), form, {**words, **place, "称谓": "部门"})


def covered(doc, form: profiles.Profile, words: dict[str, str]):
    """The cover's wording from the profile, where it gives any (else present()'s stays)."""
    if form.cover is not None:
        text = form.cover.unit if doc.kind == DocumentKind.unit.value else form.cover.department
        doc.cover.name, doc.cover.title, doc.cover.subtitle = (profiles.fill(p, **words)
                                                               for p in (text.name, text.title, text.subtitle))
    return doc


def table_unit(budget: Budget, form: profiles.Profile) -> AmountUnit:
    """The unit the tables print in (a table of the profile may name its own): the department's table_unit where
    its options write one, else the profile's, else 万元."""
    options = budget.department.options
    if "table_unit" in options.model_fields_set:
        return options.table_unit
    return form.unit or AmountUnit.wan


def leaf_lines(budget: Budget, analysis: BudgetAnalysis, unit: str | None = None) -> list[LeafLine]:
    """The department's leaf facts (or one unit's) as data, with their codes' names (the lines format writes them)."""
    catalog = analysis.catalog
    units = {u.code: u.name for u in budget.units}
    out = []
    for fact in analysis.department.ledger.facts:
        if unit is not None and fact.unit != unit:
            continue
        project = budget.projects[fact.project] if fact.project is not None else None
        out.append(LeafLine(fact.unit, units[fact.unit], fact.kind, (project.code or "") if project else "",
                            project.name if project else "", fact.function, catalog.function.get(fact.function, ""),
                            fact.economic or "", catalog.economic.get(fact.economic or "", ""), fact.source.value,
                            fact.carryover, fact.amount, fact.sub_source or ""))
    return out


def nested(blocks: list[Block]) -> list[Block]:
    """A unit's notes under the unit's heading (part 2): one level deeper in the 目录 and the PDF outline than
    the department's notes in part 1, whose headings they share."""
    for b in blocks:
        if isinstance(b, Heading):
            b.outline = b.level + 1
    return blocks


def scope_text(budget: Budget, scope: Scope) -> ScopeText:
    """What the notes templates say about a scope besides its figures; made once per scope and document, however
    many notes parts its profile has."""
    analysis = scope.analysis
    units = analysis.units
    dept = budget.department
    is_dept = scope.word == "部门"
    unit = units[0]
    gov, gov_short = gov_words(budget)
    reasons = reasons_of(budget, units)
    return ScopeText(
        name=scope.name, word=scope.word, is_department=is_dept, self="我部门" if is_dept else "本单位",
        gov=gov, gov_short=gov_short,
        duties_intro="" if is_dept else unit.duties_intro,
        duties=dept.duties if is_dept or unit.duties is None else unit.duties,
        structure=dept.structure if is_dept else "", performance=dept.performance,
        reasons=reasons,
        other_matters=dept.other_matters,
        sources={source.value: amount for source, amount in analysis.income_by_source.items()},
        items=appropriation_items(budget, scope),
        natures=analysis.natures,
        procurement=analysis.procurement, assets=analysis.assets,
        unit_names=[u.name for u in units],
        classes=[(code, scope.catalog.function_name(code), amount)
                 for code, amount in sorted(analysis.spending_by_class.items()) if amount],
        uses=dict(analysis.spending_by_use),
        funds={source.value: fund_figures(budget, scope, source, reasons) for source in APPROPRIATED},
        assets_by_unit=[(u.name, analysis.assets_by_unit[u.code]) for u in units if u.code in analysis.assets_by_unit],
        major_projects=major_projects(budget, scope),
    )


def _notes(budget: Budget, scope: Scope, env, text: ScopeText, template: str = "notes.j2",
           ident: str = "") -> list[Block]:
    """A scope's notes from `template`; their headings' ids start with `ident` (else the scope's id)."""
    analysis = scope.analysis
    units = analysis.units
    is_dept = text.is_department
    inserts: dict[str, Callable[[], list[Block]]] = {
        "income-chart": lambda: income_chart(scope, budget.profile.profile if budget.profile else None),
        "spending-chart": lambda: spending_chart(scope),
        "units": lambda: [units_table(scope, units)],
        "procurement": lambda: [procurement_table(budget, scope, units)],
        "assets": lambda: [assets_table(scope)],
        "performance": lambda: performance_blocks(budget, analysis, scope.id),
    }
    more = {} if template == "notes.j2" else {"template": template}  # a profile's notes part (parts: {notes: …})
    blocks = render_notes(env, text, analysis.figures, ident or scope.id, inserts, **more)
    for block in blocks:  # the notes' tables (units, procurement, assets, performance) are about this scope too
        if isinstance(block, Table) and not block.scope:
            block.scope = "部门" if is_dept else scope.code
    return blocks


def appropriation_items(budget: Budget, scope: Scope, source: Source | None = None) -> list[AppropriationItem]:
    """The scope's appropriated spending (or one fund's) by function 项 as the analysis sums it, each with the
    department's “主要用于” text (上海区级's 预算编制说明, 江苏省级's 一般公共预算当年拨款具体使用情况)."""
    uses = budget.department.uses
    return [replace(item, use=_use(uses[item.code])) if item.code in uses else item
            for item in scope.analysis.appropriation(source)]


def _use(text: str) -> str:
    """A clerk's “主要用于……” text without the words the notes put before it (written or not)."""
    for lead in ("主要用于", "用于"):
        if text.startswith(lead):
            return text[len(lead):].lstrip("：:，, ")
    return text


def major_projects(budget: Budget, scope: Scope) -> list[ProjectNote]:
    """The scope's projects its clerk describes (an overview written; never a classified one), in the projects'
    order, for 项目经费情况说明."""
    analysis = scope.analysis
    out = []
    for i in analysis.projects:
        project = budget.projects[i]
        if not project.overview or project.classified:
            continue
        total = analysis.project_totals[i]
        out.append(ProjectNote(project.name, project.overview, project.basis,
                               project.implementer or budget.unit_of(project).name, project.approach, project.period,
                               total.total, [(src.value, carried, amount) for src, carried, amount in total.by_source
                                             if amount], list(project.goals)))
    return out


def fund_figures(budget: Budget, scope: Scope, source: Source, reasons: Reasons) -> FundFigures:
    """One appropriated fund of the scope as the analysis sums it (江苏省级 T7–T9 and T11 for 一般公共预算, T10 for
    政府性基金预算, T4's column for 国有资本经营预算, printed only with money), each 项 with the department's texts:
    what it is for (uses) and, where last year's figure is given, why it changed (reasons.functions)."""
    fund = scope.analysis.fund(source)
    why = reasons.functions if fund.last is not None else {}
    uses = budget.department.uses
    return replace(fund, items=[replace(item, use=_use(uses.get(item.code, "")), reason=why.get(item.code, ""))
                                for item in fund.items])


def income_chart(scope: Scope, form: profiles.Profile | None = None) -> list[Block]:
    """Income by source, as a bar chart (only sources that bring money; one bar alone says nothing): table 1's
    income rows — the profile's 收支总表 rows where it has one (a row is left out when an earlier one already counts
    its sources, as 1. 一般公共预算 under 一、财政拨款收入) — and 上年结转, as the analysis has them."""
    rows = _income_rows(form)
    if rows is None:
        items = list(scope.analysis.income)
    else:
        known, current = analysed_income(scope), scope.ledger.where(lambda f: not f.carryover)
        items = [(_unnumbered(row.label), income_row(row, known, current, scope.catalog)) for row in rows]
    items.append(("上年结转", scope.analysis.figures.carryover))
    items = [(label, amount) for label, amount in items if amount]
    return [Chart(f"{scope.id}-chart-income", f"{scope.word}收入构成（万元）", items)] if len(items) > 1 else []


def _income_rows(form: profiles.Profile | None) -> list[profiles.Item] | None:
    """The income rows of the profile's 收支总表 that do not repeat an earlier row's sources (None: no profile or
    no such table)."""
    summary = next((t for t in form.tables if t.income), None) if form is not None else None
    if summary is None:
        return None
    taken: set = set()
    rows = []
    for row in profiles.every_row(summary.income or []):
        sources = set(row.source or [])
        if row.source is None or sources & taken:
            continue
        taken |= sources
        rows.append(row)
    return rows


def _unnumbered(label: str) -> str:
    """一、一般公共预算拨款收入 → 一般公共预算拨款收入; 1. 一般公共预算 → 一般公共预算 (a chart's bars have no numbers)."""
    return re.sub(r"^\s*(?:[一二三四五六七八九十]+、|[0-9]+[.．、]\s*|（[一二三四五六七八九十]+）)", "", label)


def spending_chart(scope: Scope) -> list[Block]:
    """Spending by function 类, largest first (table 1's spending figures)."""
    by_class = scope.analysis.spending_by_class
    items = sorted(((scope.catalog.function_name(code), amount) for code, amount in by_class.items() if amount),
                   key=lambda item: -item[1])
    return [Chart(f"{scope.id}-chart-spending", f"{scope.word}支出按功能分类（万元）", items)] if len(items) > 1 else []


def units_table(scope: Scope, units: list[Unit]) -> Table:
    head, columns = header([H("单位名称", key="name", kind="text", width=3), H("单位性质", key="nature", kind="text"),
                            H("单位规格", key="rank", kind="text"), H("经费保障形式", key="funding", kind="text")],
                           colnums=False)
    rows = [Row([Cell(u.name), Cell(u.nature.value), Cell(u.rank), Cell(u.funding)]) for u in units]
    return Table(f"{scope.id}-units", f"{scope.word}机构设置情况", None, columns, head, rows, kind="units", toc=False)


def procurement_table(budget: Budget, scope: Scope, units: list[Unit]) -> Table:
    tree = [H("政府采购项目来源", [H("项目名称", key="project", kind="text", width=2.2), H("预算资金", key="budget")]),
            H("采购物品名称", key="item", kind="text", width=2), H("政府采购目录序号", key="catalog_no", kind="text"),
            H("计量单位", key="measure", kind="text", width=0.7), H("数量", key="quantity", kind="number", width=0.7),
            H("单价", key="unit_price"),
            H("政府采购金额（当年部门预算安排资金）", [H("合计", key="total")] + [H(f, key=f) for f in PROCUREMENT_FUNDS]),
            H(f"{budget.budget_year}年预留中小微企业份额", key="sme")]
    head, columns = header(tree, colnums=False)
    rows: list[Row] = []
    totals = scope.analysis.procurement
    for unit in units:
        for line in unit.procurement:
            fund = procurement_fund(line.source, line.carryover)
            project = budget.project_named(unit.code, line.project)
            project_budget = scope.analysis.total_of(project).total if project else None
            rows.append(Row([Cell(line.project), Cell(project_budget, "amount"), Cell(line.item),
                             Cell(line.catalog_no), Cell(line.measure),
                             Cell(_plain(line.quantity), "number"), Cell(line.unit_price, "amount"),
                             Cell(line.amount, "amount")]
                            + [Cell(line.amount if f == fund else ZERO, "amount") for f in PROCUREMENT_FUNDS]
                            + [Cell(line.sme_reserved, "amount")]))
    if rows:
        total_row = Row([Cell("合计"), Cell(None, "amount"), Cell(""), Cell(""), Cell(""), Cell(""),
                         Cell(None, "amount"), Cell(totals.total, "amount")]
                        + [Cell(totals.by_fund[f], "amount") for f in PROCUREMENT_FUNDS] + [Cell(totals.sme, "amount")],
                        level=0)
        rows.insert(0, total_row)
    return Table(f"{scope.id}-procurement", f"{scope.word}政府采购预算", Banner(scope.code, scope.name, None),
                 columns, head, rows, empty_note=None if rows else "注：无政府采购预算，空表列示。",
                 notes=["注：同一采购目录序号的物品，其单价会因配置规格不同而变动，均符合资产配置标准。涉密采购事项按照相关规定执行。"],
                 landscape=True, kind="procurement", toc=False)


def _plain(value: Decimal | None) -> str:
    """A quantity as typed, without trailing zeros (35, 1.5)."""
    return "" if value is None else plain(value)


def assets_table(scope: Scope) -> Table:
    """The scope's fixed assets, as the analysis totals them."""
    assets = scope.analysis.assets
    total = assets.fields.get
    rows = [
        ("资产总额", None, assets.value),
        ("1、房屋（平方米）", total("buildings_area"), total("buildings_value")),
        ("其中：办公用房（平方米）", total("office_area"), total("office_value")),
        ("2、车辆（台、辆）", total("vehicles"), total("vehicles_value")),
        ("3、单价在20万元以上的设备", total("equipment"), total("equipment_value")),
        ("4、其他固定资产", None, total("other_value")),
    ]
    head, columns = header([H("项目", key="item", kind="text", width=3), H("数量", key="quantity", kind="number"),
                            H("价值（金额单位：万元）", key="value")], colnums=False)
    body = [Row([Cell(label), Cell(_plain(Decimal(q)) if q else "", "number"), Cell(v, "amount")],
                level=0 if i == 0 else 9) for i, (label, q, v) in enumerate(rows)]
    banner = Banner(scope.code, scope.name, None, unit_label=None, extra=f"截止时间：{scope.year - 1}-12-31")
    return Table(f"{scope.id}-assets", f"{scope.word}固定资产占用情况表", banner, columns, head, body,
                 kind="assets", toc=False)
