"""The explanatory notes (情况说明): wording templates fed with computed figures, parsed into blocks.

A --templates folder may come from anyone, so it is untrusted: budgetgen.templating gives it Jinja2's sandbox,
refuses symbolic links and limits its rendering time; here, what the notes' expressions print is the
department's text, never structure (_guard), and a literal structure line of an unknown kind is refused when
its file is loaded (_check_source).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2

from .. import templating
from ..analysis.figures import Figures
from ..analysis.funds import AppropriationItem, FundFigures
from ..document import Block, Heading, Paragraph
from ..errors import Finding, Severity
from ..templating import TemplateError, listing, render

# The names a `§table NAME` / `§chart NAME` line may use: the inserts build passes to render_notes.
INSERTS = ("units", "procurement", "assets", "income-chart", "spending-chart", "performance")
# Put before every § that an expression prints: such a § never starts a structure line. A Unicode
# noncharacter, removed again by render_notes.
ESC = "\ufdd0"
_STRUCTURE = re.compile(r"§(?:h(?P<level>[1-6])(?![0-9])(?P<heading>.*)|lead(?:\s(?P<lead>.*))?|"
                        r"(?P<insert>table|chart)\s+(?P<name>\S+)|(?P<performance>performance))", re.DOTALL)
_KIND_HELP = ("可用的标记：§h1–§h6 标题、§lead 小标题、§table 表名、§chart 图名、§performance 绩效目标表"
              f"（表名、图名：{'、'.join(INSERTS)}）；如要在行首印出 § 字符本身，请写成 {{{{ \"§\" }}}}")


def environment(kind: str, user_dir: Path | None = None, autoescape: bool = False,
                profile: Path | None = None) -> jinja2.Environment:
    """templating.environment, with the notes' own rules for the notes: what an expression prints is the
    department's text, never structure (each § it holds is escaped by _guard and unescaped by render_notes;
    templates write structure only as literal text), and a structure line of an unknown kind is refused when
    its file is loaded (_check_source). A profile folder's templates come between user_dir's and the shipped ones."""
    if kind == "notes":
        return templating.environment(kind, user_dir, autoescape, finalize=_guard, check=_check_source,
                                      profile=profile)
    return templating.environment(kind, user_dir, autoescape, profile=profile)


def _check_source(source: str, filename: str) -> None:
    """A notes template's literal structure lines, checked when the file is loaded (file, line)."""
    for number, line in enumerate(_without_comments(source).split("\n"), start=1):
        _check_literal(line, filename, number)


def _without_comments(source: str) -> str:
    """The source with each {# comment #} blanked out, its line breaks kept (line numbers stay)."""
    return re.sub(r"\{#.*?#\}", lambda m: "\n" * m.group(0).count("\n"), source, flags=re.DOTALL)


def _check_literal(line: str, filename: str, number: int) -> None:
    """A template line that starts with § and whose kind is written out must be a known kind."""
    text, literal = _written(line)
    if not text.startswith("§") or text.startswith("§{{"):
        return
    complete = literal == text
    if complete and _STRUCTURE.fullmatch(text) is None or not complete and not _may_start(literal):
        raise TemplateError(f"模板 {filename} 第 {number} 行：无法识别的结构标记“{_head(text)}”。{_KIND_HELP}")
    found = _STRUCTURE.fullmatch(text) if complete else None
    if found and found["insert"] and found["name"] not in INSERTS:
        raise TemplateError(f"模板 {filename} 第 {number} 行：没有名为“{found['name']}”的表格或图表。{_KIND_HELP}")


def _written(line: str) -> tuple[str, str]:
    """A template line without its {% tags %}, stripped; and its literal start, before any {{ expression }}."""
    text = re.sub(r"\{%.*?%\}", "", line).strip()
    return text, text.split("{{", 1)[0]


def _may_start(literal: str) -> bool:
    """Whether a structure line may start with `literal`, the rest being printed (§h{{ n }}, §table {{ x }})."""
    return any(kind.startswith(literal) for kind in ("§h", "§lead", "§table", "§chart", "§performance")) or \
        any(_STRUCTURE.match(literal + rest) for rest in ("1 x", " x"))


def _head(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[:width] + "…"


def _guard(value):
    """finalize of the notes: every § in what an expression prints gets ESC before it (once: a macro's output
    is printed again), so it can never start a structure line, whatever line breaks the text holds."""
    if isinstance(value, (int, float, Decimal, jinja2.Undefined)) or value is None:
        return value
    text = value if isinstance(value, str) else str(value)
    if "§" not in text:
        return value
    return re.sub(f"(?<!{ESC})§", ESC + "§", text)


@dataclass
class ScopeText:
    """The words a notes template needs about its scope, besides figures."""

    name: str
    word: str  # 部门 / 单位
    is_department: bool
    self: str  # 我部门 / 本单位
    gov: str  # 县级
    gov_short: str  # 我县
    duties_intro: str
    duties: list[str]
    structure: str
    performance: Any
    reasons: Any
    other_matters: str
    # this year's income by source (资金来源 → 万元), and the appropriated spending by function 项 in code order:
    # what a notes template may quote beyond the figures (上海区级's 预算编制说明 goes item by item)
    sources: dict[str, Decimal] = field(default_factory=dict)
    items: list[AppropriationItem] = field(default_factory=list)
    natures: dict[str, int] = field(default_factory=dict)  # how many of the scope's units are 行政, 事业, 参公
    procurement: Any = None  # the scope's analysis.sums.ProcurementTotals (by 货物/工程/服务, SME reserve)
    assets: Any = None  # the scope's analysis.sums.AssetTotals (vehicles by use, equipment)
    # 江苏省级's 情况说明 (profile notes): the scope's units by name; all spending (上年结转 included) by function 类
    # in code order, as (code, name, amount) with money only; all spending by use (analysis.spending_by_use); and
    # each appropriated fund's figures as the fund's tables print them (资金来源 → FundFigures)
    unit_names: list[str] = field(default_factory=list)
    classes: list[tuple[str, str, Decimal]] = field(default_factory=list)
    uses: dict[str, Decimal] = field(default_factory=dict)
    funds: dict[str, FundFigures] = field(default_factory=dict)
    # (unit name, its AssetTotals) of the scope's units that give assets, in the units' order (上海区级 六（五）)
    assets_by_unit: list[tuple[str, Any]] = field(default_factory=list)
    # the scope's projects its clerk describes (项目经费情况说明, 上海区级 七), in the projects' order
    major_projects: list[ProjectNote] = field(default_factory=list)


@dataclass
class ProjectNote:
    """A project the clerk describes (项目经费情况说明): the texts as written (implementer: the unit's name where
    none is written), its budget and, by source, this year's money and 上年结转 ((source, carryover, amount))."""

    name: str
    overview: str
    basis: str
    implementer: str
    approach: str
    period: str
    amount: Decimal
    sources: list[tuple[str, bool, Decimal]]
    goals: list[str]


def render_notes(env: jinja2.Environment, scope: ScopeText, figures: Figures, id_prefix: str,
                 inserts: dict[str, Callable[[], list[Block]]], template: str = "notes.j2") -> list[Block]:
    """Render notes.j2 (or a profile's notes part, `template`) and turn its lines into blocks; §table/§performance
    lines pull in computed blocks.

    Lines end at \\n only (what Jinja2 makes of a template's own line breaks): any other line-break character
    a department's text holds stays inside its paragraph. A line is structure only if it starts with a bare §,
    which only a template's literal text can give (_guard)."""
    text = render(env, template, s=scope, f=figures)
    blocks: list[Block] = []
    sections = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("§"):
            blocks.append(Paragraph(_unescape(line)))
            continue
        found = _STRUCTURE.fullmatch(line)
        if found is None or found["insert"] and found["name"] not in inserts:
            raise TemplateError(_unknown_line(env, line, found))
        if found["level"]:
            level = int(found["level"])
            ident = ""
            if level <= 3:
                sections += 1
                ident = f"{id_prefix}-notes-{sections}"
            blocks.append(Heading(_unescape(found["heading"].strip()), level, id=ident, toc=level <= 3))
        elif found["insert"]:
            blocks.extend(inserts[found["name"]]())
        elif found["performance"]:
            blocks.extend(inserts["performance"]())
        elif (found["lead"] or "").strip():  # an empty label (its text left empty by the data): nothing
            blocks.append(Paragraph(_unescape(found["lead"].strip()), "lead"))
    return blocks


def _unescape(text: str) -> str:
    return text.replace(ESC + "§", "§")


def _unknown_line(env: jinja2.Environment, line: str, found) -> str:
    """The message for a structure line render_notes can't use, naming the template line that wrote it."""
    what = (f"没有名为“{found['name']}”的表格或图表" if found is not None
            else f"无法识别的结构标记“{_head(_unescape(line))}”")
    where = _template_line(env, line)
    return f"{where or '情况说明模板'}：{what}。{_KIND_HELP}"


def _template_line(env: jinja2.Environment, line: str) -> str:
    """“模板 FILE 第 N 行” for the notes template line most likely to have written the output `line`: the
    line starting with § whose literal text before its first {{ … }} is the longest start of `line`."""
    best, where = -1, ""
    loader = env.loader
    if loader is None:  # not one of environment()'s: no template to name
        return where
    for name in sorted(set(loader.list_templates())):
        try:
            source, filename, _ = loader.get_source(env, name)
        except (jinja2.TemplateNotFound, TemplateError, OSError):
            continue
        for number, text in enumerate(_without_comments(source).split("\n"), start=1):
            literal = _written(text)[1]
            if literal.startswith("§") and line.startswith(literal) and len(literal) > best:
                best, where = len(literal), f"模板 {filename} 第 {number} 行"
    return where


def template_findings(user_dir: Path) -> list[Finding]:
    """Whether a --templates folder can be used, before any department is rendered (for validate/check):
    symbolic links, syntax errors and unknown structure lines of the notes templates, as errors."""
    try:
        files = listing(user_dir)
        for kind in ("notes", "html"):
            env = environment(kind, user_dir, autoescape=kind == "html")
            for name in files[kind]:
                if name.endswith(".j2"):
                    env.get_template(Path(name).as_posix())
    except TemplateError as exc:
        return [Finding(Severity.error, str(exc), file=str(user_dir), code="template-unusable")]
    except jinja2.TemplateSyntaxError as exc:
        return [Finding(Severity.error, f"模板 {exc.filename or exc.name} 第 {exc.lineno} 行有语法错误：{exc.message}",
                        file=exc.filename or str(user_dir), line=exc.lineno or 0, code="template-syntax")]
    return []
