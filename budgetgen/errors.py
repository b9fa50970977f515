"""Findings (what validation says about an input) and the exceptions that carry them to the CLI."""

from __future__ import annotations

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
    """Bad command-line usage (exit code 2)."""


def describe_failure(exc: Exception) -> str:
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
        return f"文件读写失败：{exc.filename or ''} {exc.strerror or exc}".strip()
    if isinstance(exc, UsageError):
        return str(exc)
    detail = traceback.format_exc() if os.environ.get("BUDGETGEN_DEBUG") else "（设置环境变量 BUDGETGEN_DEBUG=1 可看到详细信息）"
    return (f"程序内部错误（{type(exc).__name__}：{exc}）。数据本身可能没有问题；"
            f"请把这段信息连同数据目录一起报告给维护人员{detail}")
