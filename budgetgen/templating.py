"""Template folders → Jinja2 environments: the shipped templates, overridden file by file by a --templates folder.

A --templates folder may come from anyone (a county bureau receives them from others), so it is untrusted:
it runs in Jinja2's sandbox, no file in it may be a symbolic link (listing, _Loader), and its rendering has a
time limit (render). The notes add their own rules for their kind (compose.notes: `finalize`, `check`).
Writers use this module for the HTML templates; it knows nothing of how a document is composed.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from . import fmt
from .errors import UsageError

PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"
FOLDERS = ("notes", "html", "docx")  # what budgetgen reads of a --templates folder
TEMPLATE_SECONDS = 20.0  # wall time for one render of user templates (巨鹿's HTML: 0.15 s)


class TemplateError(UsageError):
    """A template that cannot be used, in words for the clerk (file and line where known)."""


def _change(c) -> str:
    """A change from the year before (analysis.figures.Change) in words: 增加12.00万元, 持平."""
    if c is None:
        return ""
    if c.direction == "持平":
        return "持平"
    return f"{c.direction}{fmt.money(c.amount)}万元"


def environment(kind: str, user_dir: Path | None = None, autoescape: bool = False,
                finalize: Callable | None = None, check: Callable[[str, str], None] | None = None,
                profile: Path | None = None) -> jinja2.Environment:
    """Templates of one kind (notes, html); a user folder overrides the shipped files one by one, and a profile
    folder (budgetgen.profiles: its notes/) comes between the two.

    A user's folder runs in Jinja2's sandbox: a template from outside must not reach Python. A symbolic link
    anywhere in it is refused (TemplateError) before anything is rendered. `finalize` is Jinja2's (what every
    expression prints goes through it); `check(source, filename)` may refuse a file when it is loaded.
    Cached: compiling the templates again for every department of a county was half the time. The cache is
    keyed by the names of the files in the user's folder too: Jinja2 sees a found template edited or removed,
    but not a new file that would now override a shipped one (a live preview must show it at once).
    """
    folders = tuple(d for d in (user_dir, profile) if d is not None)
    files = tuple(listing(d)[kind] for d in folders)
    return _environment(kind, folders, autoescape, files, finalize, check)


def listing(user_dir: Path) -> dict[str, tuple[str, ...]]:
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
def _environment(kind: str, folders: tuple[Path, ...], autoescape: bool, files: tuple[tuple[str, ...], ...],
                 finalize: Callable | None, check: Callable[[str, str], None] | None) -> jinja2.Environment:
    cls = _Sandbox if folders else jinja2.Environment
    env = cls(loader=_Loader(folders, kind, check), autoescape=autoescape, trim_blocks=True, lstrip_blocks=True,
              undefined=jinja2.StrictUndefined, keep_trailing_newline=True, finalize=finalize)
    env.filters.update(money=fmt.money, cn_paren=fmt.cn_paren, cn_number=fmt.cn_number, change=_change,
                       trim_period=lambda t: t.rstrip("。.；; "))
    return env


class _Loader(jinja2.FileSystemLoader):
    """The user's folders (if any: --templates, then a profile's) before the shipped one; never through a symbolic
    link in a user's folder (checked before the file is opened, again at every load: a preview reloads edited
    files); `check` may refuse a file's source when it is loaded (the notes: a structure line of an unknown kind)."""

    def __init__(self, folders: tuple[Path, ...], kind: str, check: Callable[[str, str], None] | None = None):
        self.users = [folder / kind for folder in folders]
        self.kind = kind
        self.check = check
        super().__init__([str(user) for user in self.users] + [str(PACKAGE_TEMPLATES / kind)])

    def get_source(self, environment, template):
        for user in self.users:
            path = user
            for piece in jinja2.loaders.split_template_path(template):
                if path.is_symlink():
                    break
                path = path / piece
            if path.is_symlink():
                raise TemplateError(f"模板文件 {path} 是符号链接（指向 {os.readlink(path)}），不予使用："
                                    "请把链接换成文件本身的副本")
            if path.is_file():
                break
        source, filename, uptodate = super().get_source(environment, template)
        if self.check is not None:
            self.check(source, filename)
        return source, filename, uptodate


class _Sandbox(SandboxedEnvironment):
    """Jinja2's sandbox, and no number or text too large to make: `9**9**9` or `"x" * 10**10` would run in C
    for minutes (beyond the time limit's reach), or fill the memory."""

    budgetgen_user = True  # a department's own templates (only they run sandboxed): rendering has a time limit
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
