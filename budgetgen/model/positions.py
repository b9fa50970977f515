"""Where things were written in the YAML files: the one module that keeps positions and reads them.

The loader records every value's position in a SourceMap and places a Loc on each model object it reads.
Everyone else asks here: position_of(obj, field) for a Position (file, line, column, YAML path), or
position_in_file(obj, path) for another value of the same file. An object built in code has no position (None).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import Finding, Severity

Path_ = tuple  # a YAML path: keys and list indices
Field = str | int | tuple | None  # a field of an object, or a path below it


@dataclass
class SourceMap:
    """Positions of one file's values (and mapping keys) by YAML path."""

    file: str
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """The nearest known position of path (falling back to its parents)."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if not key and p in self.keys:
                return self.keys[p]
            p = p[:-1]
        return self.values.get((), (1, 1))


def path_text(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass(frozen=True)
class Position:
    """A place in a YAML file: 1-based line and column, and the YAML path written there (projects[2].amount)."""

    file: str
    line: int
    column: int
    path: str = ""

    def finding(self, severity: Severity, message: str, fix: str = "", code: str = "") -> Finding:
        return Finding(severity, message, self.file, self.line, self.column, self.path, fix, code)


def _below(field_name: Field) -> Path_:
    return field_name if isinstance(field_name, tuple) else (field_name,) if field_name is not None else ()


@dataclass
class Loc:
    """Where a model object was written: enough to point a finding at it or at one of its fields."""

    smap: SourceMap
    path: Path_

    @property
    def file(self) -> str:
        return self.smap.file

    def position(self, field_name: Field = None) -> Position:
        path = self.path + _below(field_name)
        line, col = self.smap.position(path)
        return Position(self.smap.file, line, col, path_text(path))

    def finding(self, severity: Severity, message: str, field_name: Field = None, fix: str = "",
                code: str = "") -> Finding:
        return self.position(field_name).finding(severity, message, fix, code)


def place(obj: Any, loc: Loc | None) -> None:
    """Record where obj was written (the loader; a project's shorthand line stands where its project does)."""
    obj._at = loc


def loc_of(obj: Any) -> Loc | None:
    """Where obj was written, or None when it was built in code."""
    return getattr(obj, "_at", None)


def position_of(obj: Any, field_name: Field = None) -> Position | None:
    """The position of obj (or of one of its fields, or a path below it: ("goals", 2)); None when built in code.

    A field the file does not spell out (a default) gives the nearest position above it: the object itself.
    """
    loc = loc_of(obj)
    return None if loc is None else loc.position(field_name)


def position_in_file(obj: Any, path: Path_) -> Position | None:
    """The position of path, from the top of the file obj was written in (("budget_year",) beside a department)."""
    loc = loc_of(obj)
    return None if loc is None else Loc(loc.smap, ()).position(path)
