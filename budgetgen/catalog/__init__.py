"""Classification codes and names per budget year (政府收支分类科目): a base list plus each year's changes, read from data/."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

BASE_YEAR = 2023  # the year whose lists are written out in full; every other year is derived by its changes
FIRST_YEAR = 2019
GENERAL = "一般公共预算"


class CatalogDataError(ValueError):
    """budgetgen's own catalog data does not apply cleanly (a bug in the data files, caught by the tests)."""


class UnknownYear(LookupError):
    pass


@dataclass(frozen=True)
class Addition:
    """A code a department (or a county) adds in its 科目补充.yaml: where it was written, for findings."""

    kind: str  # function / economic
    code: str
    name: str
    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Catalog:
    year: int  # the year whose list this is (names print as that year's list has them)
    function: dict[str, str]  # 类/款/项 code -> name
    economic: dict[str, str]  # 部门预算支出经济分类: 类/款 code -> name
    classes: tuple[tuple[str, str], ...]  # the ordered 类 list of the 收支总表 (code may be "")
    personnel: frozenset[str] = field(default_factory=frozenset)  # economic 类 that are 人员经费
    fund: dict[str, str] = field(default_factory=dict)  # function code -> 一般公共预算 / 政府性基金预算 / …
    government_economic: dict[str, str] = field(default_factory=dict)  # 政府预算支出经济分类: 类/款 -> name
    provisional: bool = False  # the year's official list is not published yet: the latest one stands in

    def function_name(self, code: str) -> str:
        return self.function[code]

    def economic_name(self, code: str) -> str:
        return self.economic[code]

    def fund_of(self, code: str) -> str:
        """The budget a function code belongs to; an added code takes its nearest listed parent's."""
        for n in (len(code), 5, 3):
            if code[:n] in self.fund:
                return self.fund[code[:n]]
        return GENERAL

    def label(self) -> str:
        """How messages name this list: “2023 年科目表”, or “2027 年科目表（暂定）” for a year not yet published."""
        return f"{self.year} 年科目表" + ("（暂定）" if self.provisional else "")

    def nearest_function(self, code: str, fund: str | None = None) -> list[str]:
        """Codes of the same level that look like code, best first (for “did you mean”): same 款, same fund first."""
        return _nearest(code, self.function, parents=(5, 3), prefer=(lambda c: self.fund_of(c) == fund) if fund
                        else None)

    def nearest_economic(self, code: str) -> list[str]:
        return _nearest(code, self.economic, parents=(3,))

    def is_personnel(self, economic_code: str) -> bool:
        return economic_code[:3] in self.personnel

    def with_additions(self, additions: tuple[Addition, ...]) -> Catalog:
        """This catalog with a department's own codes; an added name replaces the listed one (checks warn)."""
        if not additions:
            return self
        function, economic = dict(self.function), dict(self.economic)
        for a in additions:
            (function if a.kind == "function" else economic)[a.code] = a.name
        return Catalog(self.year, dict(sorted(function.items())), dict(sorted(economic.items())),
                       _classes(function), self.personnel, self.fund, self.government_economic, self.provisional)


def _nearest(code: str, known: dict[str, str], parents: tuple[int, ...], prefer=None) -> list[str]:
    """Same-length codes ranked by: same parent first, then the preferred kind, then fewest differing digits."""
    def distance(other: str) -> int:
        return sum(a != b for a, b in zip(other, code, strict=True))  # same length: see near below

    def rank(other: str) -> tuple:
        outside = tuple(other[:n] != code[:n] for n in parents)
        return (*outside[:1], prefer is not None and not prefer(other), *outside[1:], distance(other),
                -difflib.SequenceMatcher(None, code, other).ratio(), other)

    near = [c for c in known if len(c) == len(code) and c != code and (distance(c) <= 2 or c[:5] == code[:5])]
    return sorted(near, key=rank)[:3]


# ---------------------------------------------------------------------------------------------- data files

@dataclass(frozen=True)
class Change:
    year: int
    op: str  # + added, - removed, = renamed (in `year`, against year - 1)
    code: str
    name: str
    old_name: str
    fund: str
    where: str


def _rows(path: str) -> list[tuple[str, list[str]]]:
    text = resources.files(__package__).joinpath("data", path).read_text(encoding="utf-8")
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        out.append((f"{path}:{n}", [part.strip() for part in line.split("\t")]))
    return out


def _files(folder: str) -> list[str]:
    root = resources.files(__package__).joinpath("data", folder)
    return sorted(f"{folder}/{p.name}" for p in root.iterdir() if p.name.endswith(".tsv"))


@cache
def _years() -> dict[int, tuple[str, str]]:
    """years.tsv: budget year -> (status 正式/暂定, note)."""
    return {int(row[0]): (row[1], row[2] if len(row) > 2 else "") for _, row in _rows("years.tsv")}


@cache
def _base() -> dict[str, dict[str, tuple[str, str]]]:
    """The base year's three lists: kind -> code -> (name, fund)."""
    lists: dict[str, dict[str, tuple[str, str]]] = {"function": {}, "economic": {}, "government": {}}
    for path in _files("function"):
        for where, row in _rows(path):
            _put(lists["function"], row[0], (row[1], row[2]), where)
    for kind in ("economic", "government"):
        name = "department" if kind == "economic" else "government"
        for where, row in _rows(f"economic/{name}.tsv"):
            _put(lists[kind], row[0], (row[1], ""), where)
    return lists


def _put(table: dict, code: str, value: tuple[str, str], where: str) -> None:
    if code in table:
        raise CatalogDataError(f"{where}: {code} 重复")
    table[code] = value


@cache
def _changes() -> dict[str, list[Change]]:
    out: dict[str, list[Change]] = {"function": [], "economic": [], "government": []}
    for path in _files("changes"):
        kind = ("function" if path.startswith("changes/function") else
                "government" if "government" in path else "economic")
        for where, row in _rows(path):
            if kind == "function":
                year, op, code, name, old, fund = (row + [""] * 6)[:6]
            else:
                year, op, code, name, old = (row + [""] * 5)[:5]
                fund = ""
            out[kind].append(Change(int(year), op, code, name, old, fund, where))
    return out


INVERSE = {"+": "-", "-": "+", "=": "="}


def _apply(table: dict[str, tuple[str, str]], changes: list[Change], year: int) -> None:
    """Turn the base year's list into `year`'s: later years apply their changes, earlier ones undo them (in turn)."""
    forward = year > BASE_YEAR
    span = [c for c in changes if (BASE_YEAR < c.year <= year if forward else year < c.year <= BASE_YEAR)]
    for c in sorted(span, key=lambda c: c.year if forward else -c.year):
        op = c.op if forward else INVERSE[c.op]
        name = c.old_name if (c.op == "=" and not forward) else c.name
        if (op == "+") == (c.code in table):
            action = "应用" if forward else "撤销"
            state = "已有" if c.code in table else "没有"
            raise CatalogDataError(f"{c.where}: {c.year} 年的变化 {c.op} {c.code} 无法{action}：此时科目表中{state}这个科目")
        if op == "-":
            del table[c.code]
        else:
            table[c.code] = (name, c.fund or table.get(c.code, ("", ""))[1])
    for code in table:
        if len(code) > 3 and code[:-2] not in table:
            raise CatalogDataError(f"{year} 年科目表：{code} 缺少上级科目 {code[:-2]}")


def _classes(function: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The 类 rows of the 收支总表: every 类 of the year's list in code order, then 人行科目 (no code)."""
    return tuple((code, name) for code, name in sorted(function.items()) if len(code) == 3) + (("", "人行科目"),)


def available_years() -> list[int]:
    """Budget years budgetgen has a list for (the latest may be provisional)."""
    return sorted(_years())


def is_provisional(year: int) -> bool:
    return _years().get(year, ("",))[0] == "暂定"


def for_year(year: int) -> Catalog:
    """The year's catalog, or the latest earlier one when budgetgen has none for that year.

    A year before the first list raises UnknownYear; checks then report it and go on with the first list.
    """
    years = [y for y in available_years() if y <= year]
    if not years:
        raise UnknownYear(year)
    return load(years[-1])


def official_for(budget) -> Catalog:
    """The official list a department is checked against: its year's (the first list before 2019, where checks
    report the year)."""
    return for_year(max(budget.budget_year, FIRST_YEAR))


def for_budget(budget) -> Catalog:
    """The catalog a department is checked and built with: its official list plus the codes of its 科目补充.yaml
    files. Made once per Budget."""
    if budget._catalog is None:
        budget._catalog = official_for(budget).with_additions(tuple(budget.additions))
    return budget._catalog


@cache
def load(year: int) -> Catalog:
    if year not in _years():
        raise UnknownYear(year)
    base, changes = _base(), _changes()
    lists = {}
    for kind in ("function", "economic", "government"):
        table = dict(base[kind])
        _apply(table, changes[kind], year)
        lists[kind] = dict(sorted(table.items()))
    function = {code: name for code, (name, _) in lists["function"].items()}
    return Catalog(
        year=year, function=function,
        economic={code: name for code, (name, _) in lists["economic"].items()},
        classes=_classes(function),
        personnel=frozenset(row[0] for _, row in _rows("personnel.tsv")),
        fund={code: fund for code, (_, fund) in lists["function"].items()},
        government_economic={code: name for code, (name, _) in lists["government"].items()},
        provisional=is_provisional(year),
    )
