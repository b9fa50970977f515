"""Findings (what validation says about an input) and the exceptions that carry them to the CLI."""

from __future__ import annotations

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


@dataclass
class InputError(Exception):
    """The input cannot be used; every finding is reported at once."""

    findings: list[Finding] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(f.render() for f in self.findings)


class UsageError(Exception):
    """Bad command-line usage (exit code 2)."""
