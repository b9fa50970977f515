"""What every check needs: a finding placed at a model object's YAML line."""

from __future__ import annotations

from ..errors import Finding, Severity
from ..model.budget import Strict
from ..model.positions import position_of

E, W = Severity.error, Severity.warning


def at(obj: Strict, severity: Severity, message: str, field: str | tuple | None = None, fix: str = "",
       code: str = "") -> Finding:
    where = position_of(obj, field)
    if where is None:  # built in code, not read from a file
        return Finding(severity, message, fix=fix, code=code)
    return where.finding(severity, message, fix, code)
