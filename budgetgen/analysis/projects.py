"""Projects → their order in the disclosure and their totals (预算数, of which 财政资金), summed once from the facts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pypinyin import Style, lazy_pinyin

from ..model.budget import Budget, ProjectOrder, Source
from .ledger import ZERO, Ledger


def pinyin_key(name: str) -> str:
    """Pinyin with tone numbers, punctuation as a space: reproduces the order 巨鹿 publishes (domain.md §7)."""
    # pypinyin's stub types `errors` as returning str; the list it documents (an item per character) works
    parts = lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True,
                        errors=_punctuation_as_space)  # type: ignore[arg-type]
    return "".join(parts)


def _punctuation_as_space(text: str) -> list[str]:
    return [c if c.isalnum() else " " for c in text]


def ordered(budget: Budget, indices: list[int]) -> list[int]:
    order = budget.department.options.project_order
    projects = budget.projects
    if order is ProjectOrder.pinyin:
        return sorted(indices, key=lambda i: (pinyin_key(projects[i].name), i))
    if order is ProjectOrder.code:
        # projects without a code go last, in the order written (checks warn about them)
        return sorted(indices, key=lambda i: (projects[i].code is None, projects[i].code or "", i))
    return list(indices)


@dataclass(frozen=True)
class ProjectTotal:
    """One project's budget: all its lines, and the appropriated part of them (财政资金); by source, this year's
    money and 上年结转 apart ((source, carryover, amount) in Source's order, this year's first)."""

    total: Decimal = ZERO
    appropriation: Decimal = ZERO
    by_source: tuple[tuple[Source, bool, Decimal], ...] = ()

    @property
    def other(self) -> Decimal:
        """其他资金: what is not appropriated."""
        return self.total - self.appropriation


def project_totals(ledger: Ledger) -> dict[int, ProjectTotal]:
    """Every project of the ledger's facts, by its index into Budget.projects (a project without money has none)."""
    total: dict[int, Decimal] = {}
    approp: dict[int, Decimal] = {}
    by_source: dict[int, dict[tuple[Source, bool], Decimal]] = {}
    for f in ledger.facts:
        if f.project is not None:
            total[f.project] = total.get(f.project, ZERO) + f.amount
            approp[f.project] = approp.get(f.project, ZERO) + (f.amount if f.appropriation else ZERO)
            sources = by_source.setdefault(f.project, {})
            sources[f.source, f.carryover] = sources.get((f.source, f.carryover), ZERO) + f.amount
    order = list(Source)
    return {i: ProjectTotal(total[i], approp[i],
                            tuple((src, carried, amount) for (src, carried), amount
                                  in sorted(by_source[i].items(), key=lambda kv: (kv[0][1], order.index(kv[0][0])))))
            for i in total}
