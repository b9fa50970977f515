"""What the department writes in words, against what budgetgen computes: reasons for changes, quoted figures."""

from __future__ import annotations

import re
from decimal import Decimal

from .. import fmt
from ..analysis import BudgetAnalysis
from ..analysis.figures import Figures, reasons_of
from ..profiles import DEFAULT
from ..errors import Finding
from ..model.budget import Budget, Source, Strict
from .base import W, at
from .performance import DESCRIPTION, placeholder

# A figure a clerk may quote in free text, and where budgetgen computes it.
QUOTED = [
    (r"人员经费", lambda f: f.personnel),
    (r"(?:日常)?公用经费", lambda f: f.public),
    (r"基本支出", lambda f: f.basic),
    (r"项目支出", lambda f: f.project),
    (r"机关运行经费", lambda f: f.running),
    (r"[“\"]?三公[”\"]?经费", lambda f: f.sangong["sangong"]),
]
QUOTE = r"{name}(?:预算)?(?:为|共计|安排|合计)?\s*(\d+(?:\.\d+)?)\s*万元"


def check_texts(budget: Budget, analysis: BudgetAnalysis) -> list[Finding]:
    figures = analysis.department.figures
    dept = budget.department
    out: list[Finding] = []
    if not dept.duties:
        out.append(at(dept, W, "没有填写部门职责，公开文件的“部门职责”一节将是空的", "duties", code="missing-duties"))
    out.extend(_changes(budget, figures, analysis))
    out.extend(_quoted_figures(budget, figures))
    out.extend(_uses(budget, analysis))
    out.extend(_unprinted(budget))
    out.extend(_descriptions(budget))
    out.extend(_placeholders(budget))
    out.extend(_draft(budget))
    for unit in budget.units:
        if not analysis.ledger_of(unit.code):
            out.append(at(unit, W, f"单位“{unit.name}”没有任何预算金额", "code", code="unit-without-money"))
        for line in unit.procurement:
            if line.quantity is not None and line.unit_price is not None:
                product = (line.quantity * line.unit_price).quantize(fmt.CENT)
                if product != line.amount:
                    out.append(at(line, W, f"数量 × 单价 = {fmt.money(product)} 万元，与采购金额 {fmt.money(line.amount)} 万元不符",
                                  "amount", code="procurement-product"))
            project = budget.project_named(unit.code, line.project)
            if project is not None:
                budget_total = analysis.total_of(project).total
                if line.amount > budget_total:
                    out.append(at(line, W, f"采购金额 {fmt.money(line.amount)} 万元超过来源项目“{project.name}”的预算 "
                                           f"{fmt.money(budget_total)} 万元", "amount", code="procurement-over-budget"))
    return out


def _changes(budget: Budget, f: Figures, analysis: BudgetAnalysis) -> list[Finding]:
    dept = budget.department
    if f.last is None:
        return [at(dept, W, "没有上年预算数据（last_year），“比上年增减情况”无法计算", "last_year",
                   "填写上年基本支出和项目支出，例如 last_year: {basic: 600.00, project: 700.00}", "missing-last-year")]
    owner = dept if dept.last_year is not None or len(budget.units) > 1 else budget.units[0]
    out = _unexplained(owner, f, reasons_of(budget, budget.units), "")
    if len(budget.units) > 1:  # units that compare with their own last year word their own reasons
        for unit in budget.units:
            if unit.last_year is not None:
                figures = analysis.unit(unit.code).figures
                out += _unexplained(unit, figures, reasons_of(budget, [unit]), f"单位“{unit.name}”")
    return out


def _unexplained(owner, f: Figures, reasons, who: str) -> list[Finding]:
    """A change against last year with no reason given, for one scope."""
    out = []
    changed = [(key, label) for key, label in (("personnel", "人员经费"), ("public", "公用经费"), ("basic", "基本支出"),
                                               ("project", "项目支出")) if key in f.changes]
    if "personnel" in f.changes:
        changed = [c for c in changed if c[0] != "basic"]
    for key, label in changed:
        change = f.changes[key]
        reason = getattr(reasons, key)
        if change.direction != "持平" and not reason and not reasons.total:
            out.append(at(owner, W, f"{who}{label}比上年{change.direction}{fmt.money(change.amount)}万元，但没有说明原因",
                          "reasons", f"在 reasons.{key} 中写明增减原因", "change-without-reason"))
        elif reason and _against(reason, change.direction):
            out.append(at(reasons, W, f"{who}{label}比上年{change.direction}{fmt.money(change.amount)}万元，原因却写"
                                      f"“{reason}”", key, f"核对原因是否写反（{label}是{change.direction}）",
                          "reason-against-change"))
    total = f.changes.get("total")
    if total is not None and reasons.total and _against(reasons.total, total.direction):
        out.append(at(reasons, W, f"{who}收支总额比上年{total.direction}{fmt.money(total.amount)}万元，原因却写"
                                  f"“{reasons.total}”", "total", f"核对原因是否写反（总额是{total.direction}）",
                      "reason-against-change"))
    approp = f.changes.get("appropriation.spending")  # worded with reasons.total (上海区级's 预算编制说明)
    if approp is not None and approp.direction != "持平":
        if not reasons.total:
            out.append(at(owner, W, f"{who}财政拨款支出比上年{approp.direction}{fmt.money(approp.amount)}万元，但没有说明原因",
                          "reasons", "在 reasons.total 中写明增减原因", "change-without-reason"))
        elif _against(reasons.total, approp.direction) and (total is None or total.direction != approp.direction):
            out.append(at(reasons, W, f"{who}财政拨款支出比上年{approp.direction}{fmt.money(approp.amount)}万元，原因却写"
                                      f"“{reasons.total}”", "total", f"核对原因是否写反（财政拨款是{approp.direction}）",
                          "reason-against-change"))
    sangong = f.changes.get("sangong.sangong")
    if sangong is not None and sangong.direction != "持平" and not reasons.sangong:
        out.append(at(owner, W, f"{who}“三公”经费比上年{sangong.direction}{fmt.money(sangong.amount)}万元，但没有说明原因",
                      "reasons", "在 reasons.sangong 中写明增减原因", "change-without-reason"))
    return out


UP = re.compile(r"增加|新增|增长|提高|上涨|增设|扩大|提标")
DOWN = re.compile(r"减少|压减|下降|降低|核减|取消|缩减|削减|压缩|调减")


def _against(reason: str, direction: str) -> bool:
    """A reason whose words only go the other way (“主要是新增项目” for a decrease)."""
    up, down = bool(UP.search(reason)), bool(DOWN.search(reason))
    return (direction == "减少" and up and not down) or (direction == "增加" and down and not up)


def _texts(budget: Budget) -> list[tuple[Strict, str | tuple, str]]:
    """(owner, field, text) of every free text the department writes."""
    dept = budget.department
    texts: list[tuple[Strict, str | tuple, str]] = [(dept.reasons, name, getattr(dept.reasons, name))
                                                    for name in type(dept.reasons).model_fields if name != "functions"]
    texts += [(dept.reasons, ("functions", code), text) for code, text in dept.reasons.functions.items()]
    texts += [(dept.performance, "overall", dept.performance.overall),
              (dept.performance, "special_funds", dept.performance.special_funds), (dept, "other_matters", dept.other_matters),
              (dept, "structure", dept.structure)]
    texts += [(item, "text", item.text) for item in dept.performance.items + dept.performance.safeguards]
    texts += [(dept, "duties", d) for d in dept.duties]
    return [(o, n, t) for o, n, t in texts if t]


# Of a major project's texts (DESCRIPTION), every one but implementer (the unit's name when not written) is needed
# once any is written.
NEEDED = ("overview", "basis", "approach", "period")


def _descriptions(budget: Budget) -> list[Finding]:
    """A project described in part: the items missing are not printed (without an overview, not the project)."""
    out = []
    for project in budget.projects:
        written = [name for name in DESCRIPTION if getattr(project, name)]
        missing = [name for name in NEEDED if name not in written]
        if not written or not missing or project.classified:  # classified: checks.performance says so
            continue
        labels = "、".join(f"{DESCRIPTION[name]}（{name}）" for name in missing)
        effect = ("没有项目概述的项目不列入“项目经费情况说明”，已写的内容不会印出" if "overview" in missing
                  else "缺少的各项在“项目经费情况说明”中不印出")
        out.append(at(project, W, f"项目“{project.name}”的项目经费情况说明缺少{labels}：{effect}", written[0],
                      f"补写 {'、'.join(missing)}；不作为重大项目说明时删去 {'、'.join(written)}",
                      "project-half-described"))
    return out


def _uses(budget: Budget, analysis: BudgetAnalysis) -> list[Finding]:
    """A “主要用于” text (department.uses) for a code the document's 财政拨款支出主要内容 does not list; a reason by 项
    (reasons.functions) for a code without 一般公共预算当年拨款, or with no last year's figure to compare."""
    ledger = analysis.department.ledger
    dept = budget.department
    appropriated = {f.function for f in ledger.facts if f.appropriation and f.amount}
    general = {f.function for f in ledger.facts if f.source is Source.general and not f.carryover and f.amount}
    out = _not_listed(dept, "uses", dept.uses, appropriated, analysis, "非财政拨款",
                      "不在“财政拨款支出主要内容”所列的项级科目中，这段文字不会印出", "use-not-listed")
    out += _not_listed(dept.reasons, "functions", dept.reasons.functions, general, analysis, "一般公共预算当年拨款以外",
                       "不在“一般公共预算当年拨款具体使用情况”所列的项级科目中，这条原因不会印出", "reason-not-listed")
    last = dept.last_year
    if dept.reasons.functions and (last is None or not last.functions):
        out.append(at(dept.reasons, W, "写了各项级科目的增减原因（reasons.functions），但没有上年各科目的数字"
                                       "（last_year.functions），无从比较，原因不会印出", "functions",
                      "在 last_year 中按项级科目写上年一般公共预算当年拨款：functions: {\"2013801\": 3600.00, …}",
                      "reason-without-last-year"))
    return out


# Texts only some profiles' wording prints, and the name their notes templates read each by (analysis.funds,
# compose.notes): a profile whose templates never name it does not print what the clerk wrote.
PRINTED_BY = {"uses": re.compile(r"\.use\b"), "functions": re.compile(r"\.reason\b"),
              "overview": re.compile(r"\bmajor_projects\b")}


def _unprinted(budget: Budget) -> list[Finding]:
    """Texts written for wording the department's profile does not have (上海区级's 主要用于 by 项 and 项目经费情况说明,
    江苏省级's reasons by 项): said, not left silent. Judged by the profile's notes templates and budgetgen's own."""
    from ..templating import PACKAGE_TEMPLATES

    loaded = budget.profile
    folders = [PACKAGE_TEMPLATES / "notes"] + ([loaded.folder / "notes"] if loaded is not None else [])
    wording = "\n".join(path.read_text(encoding="utf-8") for folder in folders if folder.is_dir()
                        for path in sorted(folder.glob("*.j2")))
    name = loaded.name if loaded is not None else DEFAULT
    dept = budget.department
    described = [p for p in budget.projects if p.overview]
    written: list[tuple[Strict | None, str, str]] = [
        (dept if dept.uses else None, "uses", "各项级科目“主要用于”的文字（uses）"),
        (dept.reasons if dept.reasons.functions else None, "functions", "各项级科目的增减原因（reasons.functions）"),
        (described[0] if described else None, "overview", "项目经费情况说明（overview 等）")]
    return [at(owner, W, f"写了{what}，但公开格式“{name}”的说明文字中没有这一部分，不会印出", field,
               "选用印出它的公开格式（如 上海区级、江苏省级），或删去；用自己的措辞模板印出它时可不理会",
               "text-not-printed")
            for owner, field, what in written if owner is not None and not PRINTED_BY[field].search(wording)]


def _not_listed(owner, field: str, texts: dict[str, str], items: set[str], analysis: BudgetAnalysis, other: str,
                effect: str, code: str) -> list[Finding]:
    """A text keyed by a function 项 code (uses, reasons.functions) whose code is not among `items`, with the
    nearest codes that are."""
    ledger = analysis.department.ledger
    catalog = analysis.catalog
    listed = sorted(items)
    out = []
    for key in texts:
        if key in items:
            continue
        spent = any(f.function == key and f.amount for f in ledger.facts)
        why = f"只有{other}的支出" if spent else "没有支出"
        near = sorted(listed, key=lambda c: (c[:5] != key[:5], c[:3] != key[:3],
                                             sum(a != b for a, b in zip(c, key, strict=True)), c))[:3]
        named = "、".join(_named(c, catalog) for c in near)
        out.append(at(owner, W, f"{field} 中的科目 {_named(key, catalog)} 在本部门{why}，{effect}", (field, key),
                      (f"是否为 {named}？" if named else "") + "核对科目编码，或删去这一行", code))
    return out


def _named(code: str, catalog) -> str:
    name = catalog.function.get(code)
    return f"{code} {name}" if name else code


def _draft(budget: Budget) -> list[Finding]:
    """While new-year's draft line stands: the draft itself, every text that still names last year, last year's
    assets — each a warning, so that a draft is never taken for a finished disclosure."""
    if not budget.draft:
        return []
    last = budget.budget_year - 1
    out = [budget.draft_at.finding(W, f"这是由 {last} 年数据生成的下一年度草稿：{budget.draft}", "draft",
                                   "逐项核对金额、项目、文字和资产，改好后删除 draft 这一行", "draft")]
    texts = _texts(budget) + _project_texts(budget)
    texts += [(p, ("goals", i), g) for p in budget.projects for i, g in enumerate(p.goals)]
    texts += [(row, name, getattr(row, name)) for p in budget.projects for row in p.indicators
              for name in ("description", "value")]
    for owner, field, text in texts:
        if f"{last}年" in text or f"{last}-" in text:
            out.append(at(owner, W, f"文字中仍写着 {last} 年：「{text[:40]}」", field, f"改为 {budget.budget_year} 年的内容",
                          "draft-dated-text"))
    for unit in budget.units:
        if unit.assets is not None:
            out.append(at(unit, W, f"单位“{unit.name}”的固定资产沿用了上一份数据（{last - 1} 年末），表中却将印为截止 "
                                   f"{last}-12-31", "assets", f"改为 {last} 年末的固定资产数", "draft-assets"))
    return out


def _quoted_figures(budget: Budget, f: Figures) -> list[Finding]:
    out = []
    for owner, field, text in _texts(budget):
        for name, value in QUOTED:
            for m in re.finditer(QUOTE.format(name=name), text):
                quoted, actual = Decimal(m.group(1)), value(f)
                if quoted.quantize(fmt.CENT) != actual.quantize(fmt.CENT):
                    out.append(at(owner, W, f"文字中写“{m.group(0)}”，但计算所得为 {fmt.money(actual)} 万元", field,
                                  "删去文字中的数字（公开文件会自动写出计算值），或核对数据", "quoted-figure"))
    return out


def _project_texts(budget: Budget) -> list[tuple[Strict, str | tuple, str]]:
    """(owner, field, text) of the texts a department writes for 项目经费情况说明 and 财政拨款支出主要内容."""
    texts: list[tuple[Strict, str | tuple, str]] = [(p, name, getattr(p, name)) for p in budget.projects
                                                    for name in DESCRIPTION]
    texts += [(budget.department, ("uses", code), text) for code, text in budget.department.uses.items()]
    return [(o, n, t) for o, n, t in texts if t]


def _placeholders(budget: Budget) -> list[Finding]:
    return [at(owner, W, f"文字中有模板占位内容「{hit}」", field, "写明实际内容", "placeholder")
            for owner, field, text in _texts(budget) + _project_texts(budget) if (hit := placeholder(text))]
