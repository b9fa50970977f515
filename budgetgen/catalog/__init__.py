"""Classification codes and names per budget year (政府收支分类科目), read from the data files beside this module."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Catalog:
    year: int
    function: dict[str, str]  # 类/款/项 code -> name
    economic: dict[str, str]  # 类/款 code -> name
    classes: tuple[tuple[str, str], ...]  # the ordered 类 list of the 收支总表 (code may be "")
    personnel: frozenset[str] = field(default_factory=frozenset)  # economic 类 that are 人员经费

    def function_name(self, code: str) -> str:
        return self.function[code]

    def economic_name(self, code: str) -> str:
        return self.economic[code]

    def nearest_function(self, code: str) -> list[str]:
        """Codes of the same level that look like code, best first (for “did you mean”)."""
        return _nearest(code, self.function, parents=(5, 3))

    def nearest_economic(self, code: str) -> list[str]:
        return _nearest(code, self.economic, parents=(3,))

    def is_personnel(self, economic_code: str) -> bool:
        return economic_code[:3] in self.personnel


def _nearest(code: str, known: dict[str, str], parents: tuple[int, ...]) -> list[str]:
    """Same-length codes ranked by: same parent first, then fewest differing digits (a slip of one key)."""
    def rank(other: str) -> tuple:
        outside = tuple(other[:n] != code[:n] for n in parents)
        distance = sum(a != b for a, b in zip(other, code))
        return (*outside, distance, -difflib.SequenceMatcher(None, code, other).ratio(), other)

    candidates = sorted((c for c in known if len(c) == len(code) and c != code), key=rank)
    return [c for c in candidates if sum(a != b for a, b in zip(c, code)) <= 2][:3]


def _read_tsv(year: int, name: str) -> list[tuple[str, str]]:
    text = resources.files(__package__).joinpath("data", str(year), name).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, _, label = line.partition("\t")
        rows.append((code.strip(), label.strip()))
    return rows


def available_years() -> list[int]:
    root = resources.files(__package__).joinpath("data")
    return sorted(int(p.name) for p in root.iterdir() if p.name.isdigit())


class UnknownYear(LookupError):
    pass


def for_year(year: int) -> Catalog:
    """The year's catalog, or the latest earlier one when budgetgen has none for that year yet.

    Codes change little from year to year; check_codes warns that the earlier catalog was used.
    """
    years = [y for y in available_years() if y <= year]
    if not years:
        raise UnknownYear(year)
    return load(years[-1])


@lru_cache(maxsize=None)
def load(year: int) -> Catalog:
    if year not in available_years():
        raise UnknownYear(year)
    return Catalog(
        year=year,
        function=dict(_read_tsv(year, "function.tsv")),
        economic=dict(_read_tsv(year, "economic.tsv")),
        classes=tuple(_read_tsv(year, "classes.tsv")),
        personnel=frozenset(code for code, _ in _read_tsv(year, "personnel.tsv")),
    )
