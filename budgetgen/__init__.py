"""budgetgen: a department's budget YAML in, the complete standardized disclosure (部门预算公开) out.

The Python API is the command line's own flow::

    import budgetgen
    budget = budgetgen.load("samples/julu-2023")        # InputError: every finding, with file and line
    findings = budgetgen.check(budget)                  # every error and warning (Finding)
    doc = budgetgen.build(budget)                       # the Disclosure, every figure computed
    budgetgen.write(doc, "out", ["pdf", "docx"])        # the files, replaced as a set
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["load", "check", "build", "write", "Disclosure", "Finding", "InputError", "__version__"]

if TYPE_CHECKING:
    from .document import Disclosure
    from .errors import Finding, InputError
    from .pipeline import build, check, load, write

# Where each public name lives; imported on first use, so `import budgetgen` (and `budgetgen --version`) stays light.
_HOMES = {"load": "pipeline", "check": "pipeline", "build": "pipeline", "write": "pipeline",
          "Disclosure": "document", "Finding": "errors", "InputError": "errors"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        from importlib import import_module

        value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'budgetgen' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
