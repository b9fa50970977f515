"""The explanatory notes (情况说明): wording templates fed with computed figures, parsed into blocks.

A --templates folder may come from anyone (a county bureau receives them from others), so it is untrusted:
it runs in Jinja2's sandbox, no file in it may be a symbolic link (_listing, _Loader), its rendering has a
time limit (render), and what its expressions print is the department's text, never structure (_guard).
"""

from __future__ import annotations

import ctypes
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from .. import fmt
from ..analysis.figures import Change, Figures
from ..document import Block, Heading, Paragraph
from ..errors import Finding, Severity, UsageError

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FOLDERS = ("notes", "html", "docx")  # what budgetgen reads of a --templates folder
TEMPLATE_SECONDS = 20.0  # wall time for one render of user templates (巨鹿's HTML: 0.15 s)
# The names a `§table NAME` / `§chart NAME` line may use: the inserts build passes to render_notes.
INSERTS = ("units", "procurement", "assets", "income-chart", "spending-chart", "performance")
# Put before every § that an expression prints: such a § never starts a structure line. A Unicode
# noncharacter, removed again by render_notes.
ESC = "\ufdd0"
_STRUCTURE = re.compile(r"§(?:h(?P<level>[1-6])(?![0-9])(?P<heading>.*)|lead(?:\s(?P<lead>.*))?|"
                        r"(?P<insert>table|chart)\s+(?P<name>\S+)|(?P<performance>performance))", re.DOTALL)
_KIND_HELP = ("可用的标记：§h1–§h6 标题、§lead 小标题、§table 表名、§chart 图名、§performance 绩效目标表"
              f"（表名、图名：{'、'.join(INSERTS)}）；如要在行首印出 § 字符本身，请写成 {{{{ \"§\" }}}}")


class TemplateError(UsageError):
    """A template that cannot be used, in words for the clerk (file and line where known)."""


def _change(c: Change | None) -> str:
    if c is None:
        return ""
    if c.direction == "持平":
        return "持平"
    return f"{c.direction}{fmt.money(c.amount)}万元"


def environment(kind: str, user_dir: Path | None = None, autoescape: bool = False) -> jinja2.Environment:
    """Templates of one kind (notes, html); a user folder overrides the shipped files one by one.

    A user's folder runs in Jinja2's sandbox: a template from outside must not reach Python. A symbolic link
    anywhere in it is refused (TemplateError) before anything is rendered.
    Cached: compiling the templates again for every department of a county was half the time. The cache is
    keyed by the names of the files in the user's folder too: Jinja2 sees a found template edited or removed,
    but not a new file that would now override a shipped one (a live preview must show it at once).
    """
    return _environment(kind, user_dir, autoescape, _listing(user_dir)[kind] if user_dir else ())


def _listing(user_dir: Path) -> dict[str, tuple[str, ...]]:
    """The files of each folder budgetgen reads in a --templates folder; TemplateError naming every symbolic
    link found there (a link could show any file of this computer in the published disclosure)."""
    files: dict[str, tuple[str, ...]] = {}
    links: list[str] = []
    for kind in FOLDERS:
        folder = user_dir / kind
        if folder.is_symlink():
            links.append(kind)
            continue
        names = []
        for top, dirs, found in os.walk(folder):  # never into a linked folder: followlinks=False
            for name in dirs + found:
                path = Path(top, name)
                relative = path.relative_to(folder)
                if path.is_symlink():
                    links.append(f"{kind}/{relative.as_posix()}")
                elif name in found:
                    names.append(str(relative))
        files[kind] = tuple(sorted(names))
    if links:
        raise TemplateError(f"模板目录 {user_dir} 中有符号链接，不予使用：{'、'.join(_described(user_dir, links))}。"
                            "自定义模板只能使用模板目录中的普通文件，请把链接换成文件本身的副本")
    return files


def _described(user_dir: Path, links: list[str]) -> list[str]:
    out = []
    for link in links[:10]:
        try:
            out.append(f"{link}（指向 {os.readlink(user_dir / link)}）")
        except OSError:
            out.append(link)
    return out + ([f"等共 {len(links)} 个"] if len(links) > 10 else [])


@lru_cache(maxsize=16)  # `files` is only part of the key
def _environment(kind: str, user_dir: Path | None, autoescape: bool, files: tuple[str, ...]) -> jinja2.Environment:
    cls = _Sandbox if user_dir else jinja2.Environment
    # What an expression prints is the department's text, never structure: each § it holds is escaped by
    # _guard and unescaped by render_notes (templates write structure only as literal text).
    env = cls(loader=_Loader(user_dir, kind), autoescape=autoescape, trim_blocks=True, lstrip_blocks=True,
              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
              finalize=_guard if kind == "notes" else None)
    env.filters.update(money=fmt.money, cn_paren=fmt.cn_paren, cn_number=fmt.cn_number, change=_change,
                       trim_period=lambda t: t.rstrip("。.；; "))
    env.budgetgen_user = user_dir is not None  # rendering has a time limit (render)
    return env


class _Loader(jinja2.FileSystemLoader):
    """The user's folder (if any) before the shipped one; never through a symbolic link in the user's folder
    (checked before the file is opened, again at every load: a preview reloads edited files). Notes
    templates: a literal structure line of an unknown kind is refused when the file is loaded (file, line)."""

    def __init__(self, user_dir: Path | None, kind: str):
        self.user = user_dir / kind if user_dir else None
        self.kind = kind
        super().__init__(([str(self.user)] if self.user else []) + [str(PACKAGE_TEMPLATES / kind)])

    def get_source(self, environment, template):
        if self.user is not None:
            path = self.user
            for piece in jinja2.loaders.split_template_path(template):
                if path.is_symlink():
                    break
                path = path / piece
            if path.is_symlink():
                raise TemplateError(f"模板文件 {path} 是符号链接（指向 {os.readlink(path)}），不予使用："
                                    "请把链接换成文件本身的副本")
        source, filename, uptodate = super().get_source(environment, template)
        if self.kind == "notes":
            for number, line in enumerate(_without_comments(source).split("\n"), start=1):
                _check_literal(line, filename, number)
        return source, filename, uptodate


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


class _Sandbox(SandboxedEnvironment):
    """Jinja2's sandbox, and no number or text too large to make: `9**9**9` or `"x" * 10**10` would run in C
    for minutes (beyond the time limit's reach), or fill the memory."""

    intercepted_binops = frozenset({"*", "**"})
    MAX_BITS = 4096
    MAX_ITEMS = 10_000_000

    def call_binop(self, context, operator, left, right):
        ints = isinstance(left, int) and isinstance(right, int)
        if operator == "**" and ints and abs(left) > 1 and right * max(left.bit_length(), 1) > self.MAX_BITS:
            raise SecurityError(f"模板中的乘方 {left} ** {right} 结果过大")
        if operator == "*":
            if ints and left.bit_length() + right.bit_length() > self.MAX_BITS:
                raise SecurityError("模板中的乘法结果过大")
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > self.MAX_ITEMS:
                    raise SecurityError(f"模板中的重复（* {n}）结果过大")
        return super().call_binop(context, operator, left, right)


class _Timeout(BaseException):
    """Raised in the rendering thread when the time is up (BaseException: nothing in a template catches it)."""


def render(env: jinja2.Environment, name: str, **context) -> str:
    """Template `name` rendered with `context`; with user templates (env from a --templates folder), within
    TEMPLATE_SECONDS of wall time, or TemplateError: a loop in a template must not hang a county's batch.

    The time is up → an exception is raised in this thread (PyThreadState_SetAsyncExc), which stops pure
    Python — all a Jinja2 template runs — at its next bytecode; _Sandbox keeps long single C operations out.
    No thread, no cost for budgetgen's own templates."""
    if not getattr(env, "budgetgen_user", False) or not hasattr(ctypes, "pythonapi"):
        return env.get_template(name).render(**context)
    ident, lock, state = threading.get_ident(), threading.Lock(), {"done": False, "fired": False}

    def fire():
        with lock:
            if not state["done"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(_Timeout))

    timer = threading.Timer(TEMPLATE_SECONDS, fire)
    timer.daemon = True
    timer.start()
    try:
        try:
            return env.get_template(name).render(**context)
        finally:
            with lock:
                state["done"] = True
                if state["fired"]:  # fired but maybe not yet delivered: withdraw it
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)
    except _Timeout:
        raise TemplateError(f"模板 {name} 运行超过 {TEMPLATE_SECONDS:g} 秒仍未完成，已停止：请检查自定义模板中的循环"
                            "（如多层嵌套的 for 循环、过大的 range）") from None
    except RecursionError:
        raise TemplateError(f"模板 {name} 嵌套过深，已停止：请检查自定义模板是否包含（include）自身，"
                            "或宏（macro）是否无休止地调用自身") from None
    finally:
        timer.cancel()
        timer.join()  # no thread left behind: the PDF forks only when this process has one thread


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


def render_notes(env: jinja2.Environment, scope: ScopeText, figures: Figures, id_prefix: str,
                 inserts: dict[str, Callable[[], list[Block]]]) -> list[Block]:
    """Render notes.j2 and turn its lines into blocks; §table/§performance lines pull in computed blocks.

    Lines end at \\n only (what Jinja2 makes of a template's own line breaks): any other line-break character
    a department's text holds stays inside its paragraph. A line is structure only if it starts with a bare §,
    which only a template's literal text can give (_guard)."""
    text = render(env, "notes.j2", s=scope, f=figures)
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
        files = _listing(user_dir)
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
