"""The explanatory notes (情况说明): wording templates fed with computed figures, parsed into blocks."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .. import fmt
from ..document import Block, Heading, Paragraph
from .figures import Change, Figures

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _change(c: Change | None) -> str:
    if c is None:
        return ""
    if c.direction == "持平":
        return "持平"
    return f"{c.direction}{fmt.money(c.amount)}万元"


def environment(kind: str, user_dir: Path | None = None, autoescape: bool = False) -> jinja2.Environment:
    """Templates of one kind (notes, html); a user folder overrides the shipped files one by one.

    A user's folder runs in Jinja2's sandbox: a template from outside must not reach Python.
    Cached: compiling the templates again for every department of a county was half the time. The cache is
    keyed by the names of the files in the user's folder too: Jinja2 sees a found template edited or removed,
    but not a new file that would now override a shipped one (a live preview must show it at once).
    """
    return _environment(kind, user_dir, autoescape, _file_names(user_dir / kind) if user_dir else ())


def _file_names(folder: Path) -> tuple[str, ...]:
    return tuple(sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()))


@lru_cache(maxsize=16)  # `files` is only part of the key
def _environment(kind: str, user_dir: Path | None, autoescape: bool, files: tuple[str, ...]) -> jinja2.Environment:
    paths = ([str(user_dir / kind)] if user_dir else []) + [str(PACKAGE_TEMPLATES / kind)]
    cls = SandboxedEnvironment if user_dir else jinja2.Environment
    # What an expression prints is the department's text, never structure: a line of it starting with §
    # is escaped by _guard and unescaped by render_notes (templates write § only as literal text).
    env = cls(loader=jinja2.FileSystemLoader(paths), autoescape=autoescape, trim_blocks=True, lstrip_blocks=True,
              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
              finalize=_guard if kind == "notes" else None)
    env.filters.update(money=fmt.money, cn_paren=fmt.cn_paren, cn_number=fmt.cn_number, change=_change,
                       trim_period=lambda t: t.rstrip("。.；; "))
    return env


def _guard(value):
    if isinstance(value, str) and "§" in value:
        return re.sub(r"(?m)^(\s*)§", r"\1\\§", value)
    return value


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
    """Render notes.j2 and turn its lines into blocks; §table/§performance lines pull in computed blocks."""
    text = env.get_template("notes.j2").render(s=scope, f=figures)
    blocks: list[Block] = []
    sections = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("\\§"):  # the department's own text, escaped by _guard
            blocks.append(Paragraph(line[1:]))
        elif line.startswith("§h"):
            level = int(line[2])
            body = line[3:].strip()
            ident = ""
            if level <= 3:
                sections += 1
                ident = f"{id_prefix}-notes-{sections}"
            blocks.append(Heading(body, level, id=ident, toc=level <= 3))
        elif line.startswith("§lead "):
            blocks.append(Paragraph(line[6:].strip(), "lead"))
        elif line.startswith(("§table ", "§chart ")) or line == "§performance":
            name = line.split(" ", 1)[1] if " " in line else "performance"
            blocks.extend(inserts[name]())
        else:
            blocks.append(Paragraph(line))
    return blocks
