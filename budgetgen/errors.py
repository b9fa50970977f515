"""Findings (what validation says about an input) and the exceptions that carry them to the CLI."""

from __future__ import annotations

import errno
import os
import traceback
from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    error = "错误"
    warning = "警告"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    message: str
    file: str = ""
    line: int = 0  # 1-based; 0 when unknown
    column: int = 0
    path: str = ""  # YAML path, e.g. projects[3].function
    fix: str = ""
    code: str = ""  # a stable identifier for machines, e.g. unknown-function-code

    def where(self) -> str:
        if not self.file:
            return ""
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file

    def render(self) -> str:
        head = self.where()
        parts = [f"{head}: " if head else "", f"{self.severity.value}："]
        if self.path:
            parts.append(f"[{self.path}] ")
        parts.append(self.message)
        if self.fix:
            parts.append(f"（建议：{self.fix}）")
        return "".join(parts)

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.path, self.message)

    def as_dict(self) -> dict:
        return {
            "severity": "error" if self.severity is Severity.error else "warning",
            "file": self.file, "line": self.line, "column": self.column, "path": self.path,
            "message": self.message, "fix": self.fix, "code": self.code,
        }


def summary(findings: list[Finding]) -> str:
    """How many errors and warnings, as every command and the preview word it."""
    errors = sum(f.severity is Severity.error for f in findings)
    return f"{errors} 个错误，{len(findings) - errors} 个警告"


@dataclass
class InputError(Exception):
    """The input cannot be used; every finding is reported at once."""

    findings: list[Finding] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(f.render() for f in self.findings)


class UsageError(Exception):
    """Bad command-line usage, or a machine that cannot do what was asked; the command says it and exits with
    exit_code (2: usage, as argparse; a subclass may say otherwise)."""

    exit_code = 2


class ForbiddenCharacter(ValueError):
    """Text that XML 1.0 (so Word and Excel files) cannot hold: C0 control characters, U+FFFE/U+FFFF, surrogates."""

    def __init__(self, text: str, index: int, target: str):
        self.text, self.index, self.target = text, index, target
        super().__init__(str(self))

    def __str__(self) -> str:
        start = max(0, self.index - 12)
        context = "".join(ch if ch.isprintable() else "▯" for ch in self.text[start:self.index + 12])
        return (f"{self.target} 不能保存字符 U+{ord(self.text[self.index]):04X}（控制字符或非字符），"
                f"它出现在“{context}”中（▯ 处）；为免生成损坏的文件，未写出 {self.target}"
                "（建议：删除这个字符；数据中没有时，检查 --templates 中的模板文件）")


_OS_ERRORS = {
    errno.ENOSPC: "磁盘空间已满，写入 {file} 时失败（建议：清理磁盘空间，或用 --out 换一个有空间的位置）",
    errno.EDQUOT: "磁盘配额已用完，写入 {file} 时失败（建议：清理空间或请管理员增加配额）",
    errno.ENAMETOOLONG: "文件名过长，无法写入 {file}（建议：缩短目录名或部门目录名）",
    errno.EACCES: "没有权限写入 {file}（建议：检查目录权限，或用 --out 换一个目录）",
    errno.EPERM: "没有权限写入 {file}（建议：检查目录权限，或用 --out 换一个目录）",
    errno.EROFS: "{file} 所在的位置只读，无法写入（建议：用 --out 换一个目录）",
}


def describe_os_error(exc: OSError) -> str:
    """A file-system failure in words, always with the file it concerns when one is known."""
    file = exc.filename or ""
    if exc.errno in _OS_ERRORS and file:
        return _OS_ERRORS[exc.errno].format(file=file)
    return f"文件读写失败：{file} {exc.strerror or exc}".strip()


def describe_failure(exc: BaseException) -> str:
    """Template, file-system and font failures in words; anything else as an internal error."""
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"模板 {exc.filename or exc.name} 第 {exc.lineno} 行有语法错误：{exc.message}"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"模板试图访问不允许的内容，已被安全沙箱阻止：{exc}"
    if isinstance(exc, jinja2.UndefinedError):
        return f"模板引用了不存在的数据：{exc.message}"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"找不到模板文件：{exc.name}"
    if isinstance(exc, OSError):
        return describe_os_error(exc)
    if isinstance(exc, ForbiddenCharacter):
        return str(exc)
    if isinstance(exc, UsageError):
        return str(exc)
    detail = traceback.format_exc() if os.environ.get("BUDGETGEN_DEBUG") else "（设置环境变量 BUDGETGEN_DEBUG=1 可看到详细信息）"
    return (f"程序内部错误（{type(exc).__name__}：{exc}）。数据本身可能没有问题；"
            f"请把这段信息连同数据目录一起报告给维护人员{detail}")
