"""Cross-checks of a loaded Budget: codes and references first, then the meaning of what was written.

Errors stop a render; warnings are reported (domain.md §7, §8: the mistakes the seeds published).
"""

from __future__ import annotations

from ..errors import Finding, Severity
from ..model.budget import Budget
from .codes import check_codes
from .performance import check_performance
from .texts import check_texts


def check(budget: Budget) -> list[Finding]:
    """All findings about a budget; errors mean it cannot be rendered."""
    findings = check_codes(budget)
    if any(f.severity is Severity.error for f in findings):
        return findings  # the meaning checks compute figures, which needs valid codes
    return findings + check_performance(budget) + check_texts(budget)
