"""Cross-checks of a loaded Budget: codes and references first, then the meaning of what was written.

Errors stop a render; warnings are reported (domain.md §7, §8: the mistakes the seeds published).
"""

from __future__ import annotations

from ..analysis import BudgetAnalysis, analyse
from ..errors import Finding
from ..model.budget import Budget
from .amounts import check_amounts
from .codes import check_codes
from .facts import check_facts
from .performance import check_performance
from .texts import check_texts


def check(budget: Budget, analysis: BudgetAnalysis | None = None) -> list[Finding]:
    """All findings about a budget, at once; errors mean it cannot be rendered.

    Unknown codes do not stop the meaning checks (they sum amounts, whatever their codes); only a project whose
    unit cannot be found does, since its money belongs nowhere (and the budget cannot be analysed). The checks
    read the figures from `analysis`, the pipeline's (made here when a caller has none).
    """
    analysis = analyse(budget) if analysis is None else analysis
    units = {u.code for u in budget.units}
    orphans = any(p.unit is not None and p.unit not in units for p in budget.projects)
    findings = (check_codes(budget) + check_amounts(budget)
                + check_facts(budget, analysis.catalog))
    if orphans:
        return findings
    return findings + check_performance(budget, analysis) + check_texts(budget, analysis)
