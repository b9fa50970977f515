"""Hypothesis generators of valid department budgets, and the two ways into budgetgen: a dict or YAML files.

`budgets()` draws a *spec*: the authoring form of a department (what a YAML file holds: budget_year, level,
department, units, projects) as plain data, amounts as Decimal with two decimals, codes taken from the
catalog of the year. Every spec is valid input: codes exist, units sit under the department code, projects
name their unit when there are several, names are unique, procurement lines name a project of their unit.

`model_input(spec)` turns it into the dict `Budget.model_validate` takes (amounts as text, as the loader
reads them); `write_yaml(spec, folder)` writes it as one YAML file or as a folder of fragments, for
`load_budget`. `leaves(spec)` flattens it into leaf amounts, the independent oracle the tests compare
budgetgen's tables with. No test functions here; tests/test_properties.py and tests/test_hostile_text.py use it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st

from budgetgen import catalog as catalogs

# The settings every property test shares (@settings(max_examples=…, **PROFILE)). Reproducible in CI: the same
# examples every run, no example database; no explain phase (it re-runs a failing example dozens of times, each a
# full build, and takes minutes).
PROFILE = dict(deadline=None, derandomize=True, database=None, print_blob=True,
               phases=(Phase.explicit, Phase.generate, Phase.shrink),
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

YEAR = 2023
CAT = catalogs.load(YEAR)
CLASSES = sorted(code for code, _ in CAT.classes if code)
# 项-level function codes whose 类 the 收支总表 lists, grouped by 类 and 款 so that lines share parents.
FUNCTIONS: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
for _code in sorted(CAT.function):
    if len(_code) == 7 and _code[:3] in CLASSES:
        FUNCTIONS[_code[:3]][_code[:5]].append(_code)
FUNCTIONS = {k: dict(v) for k, v in FUNCTIONS.items()}
ECONOMICS = sorted(code for code in CAT.economic if len(code) == 5)
PERSONNEL_ECONOMICS = [c for c in ECONOMICS if CAT.is_personnel(c)]
# “三公”, 会议费 and 培训费 codes (domain.md §3).
SANGONG_CODES = ["30212", "30231", "31013", "30913", "30217", "30215", "30216"]

APPROPRIATION = ["一般公共预算", "政府性基金预算", "国有资本经营预算"]
OTHER_SOURCES = ["财政专户管理资金", "事业收入", "事业单位经营收入", "上级补助收入", "附属单位上缴收入", "其他收入"]
SOURCES = APPROPRIATION + OTHER_SOURCES
OTHER_KINDS = ["经营支出", "上解上级支出", "对附属单位补助支出"]
NATURES = ["行政", "事业", "参公"]

# Names: Chinese characters, Latin letters, digits and the punctuation YAML and HTML must escape.
# Never '§' (the notes' structure marker: see test_free_text_line_starting_with_section_sign), never
# whitespace (names are stripped) and never '，' (it separates the notes' list of projects).
NAME_ALPHABET = "党委办公室档案保密机要专项经费信息化建设维护会议培训公务用车接待系统平台运行中心县乡村" \
                "ABCxyz0123456789-:#&<>\"'%*!|{}[]（）“”、·"
names = st.text(NAME_ALPHABET, min_size=1, max_size=10)
# Free texts of the notes: several lines, same alphabet with spaces (still no '§').
texts = st.lists(st.text(NAME_ALPHABET + " ", min_size=1, max_size=16).map(str.strip).filter(bool),
                 min_size=1, max_size=3).map("\n".join)
REASONS = ["主要是人员工资调整", "主要是新增专项业务经费", "主要是压减一般性支出", "严格落实过紧日子要求"]


@st.composite
def amounts(draw, large: bool = True) -> Decimal:
    """A money amount (万元) with two decimals: zero, cents, ordinary, or up to the model's 14 digits."""
    branches = [st.integers(100, 10_000_000), st.integers(1, 99)]
    if large:
        branches.append(st.integers(10_000_000, 10**14 - 1))
    branches.append(st.just(0))  # last: Hypothesis favours the first branch, and all-zero budgets say little
    return Decimal(draw(st.one_of(*branches))).scaleb(-2)


MAX_AMOUNT = Decimal(10**14 - 1).scaleb(-2)  # the model's 14 digits


@dataclass
class Pools:
    """The codes one department uses: a few 类, a few 款 in each, a few 项 in each, so rows share parents."""

    functions: list[str]
    economics: list[str]


@st.composite
def pools(draw) -> Pools:
    functions: list[str] = []
    for lei in draw(st.lists(st.sampled_from(sorted(FUNCTIONS)), min_size=1, max_size=3, unique=True)):
        for kuan in draw(st.lists(st.sampled_from(sorted(FUNCTIONS[lei])), min_size=1, max_size=2, unique=True)):
            functions += draw(st.lists(st.sampled_from(FUNCTIONS[lei][kuan]), min_size=1, max_size=3, unique=True))
    economics = draw(st.lists(st.sampled_from(ECONOMICS), min_size=1, max_size=5, unique=True))
    economics += draw(st.lists(st.sampled_from(PERSONNEL_ECONOMICS), max_size=2, unique=True))
    if draw(st.integers(0, 2)):
        economics += draw(st.lists(st.sampled_from(SANGONG_CODES), min_size=1, max_size=4, unique=True))
    return Pools(functions, sorted(set(economics)))


def sources(other_kind: bool = False) -> st.SearchStrategy[str]:
    """Mostly 一般公共预算; a non-budget kind (经营支出 …) is paid from the unit's own money."""
    if other_kind:
        return st.sampled_from(OTHER_SOURCES)
    return st.one_of(st.just("一般公共预算"), st.sampled_from(SOURCES))


@st.composite
def money_fields(draw, pool: Pools, other_kind: bool = False) -> dict[str, Any]:
    """source and carryover, each written only sometimes (the defaults are 一般公共预算 and false)."""
    out: dict[str, Any] = {}
    source = draw(sources(other_kind))
    if source != "一般公共预算" or draw(st.booleans()):
        out["source"] = source
    carryover = draw(st.integers(0, 5)) == 0
    if carryover or draw(st.integers(0, 3)) == 0:
        out["carryover"] = carryover
    return out


@st.composite
def basic_lines(draw, pool: Pools, other_kinds: bool) -> dict[str, Any]:
    line: dict[str, Any] = {"function": draw(st.sampled_from(pool.functions)),
                            "economic": draw(st.sampled_from(pool.economics)), "amount": draw(amounts())}
    kind = draw(st.sampled_from(OTHER_KINDS)) if other_kinds and draw(st.booleans()) else None
    if kind:
        line["kind"] = kind
    elif draw(st.integers(0, 4)) == 0:
        line["kind"] = "基本支出"
    line.update(draw(money_fields(pool, other_kind=kind is not None)))
    return line


def project_total(project: dict[str, Any]) -> Decimal:
    if "amounts" in project:
        return sum((line["amount"] for line in project["amounts"]), Decimal(0))
    return project["amount"]


@st.composite
def projects(draw, pool: Pools, name: str, unit: str | None) -> dict[str, Any]:
    p: dict[str, Any] = {"name": name}
    if unit is not None:
        p["unit"] = unit
    function = draw(st.sampled_from(pool.functions))
    economic = st.one_of(st.none(), st.sampled_from(pool.economics))
    if draw(st.booleans()):  # one amount
        p["function"] = function
        e = draw(economic)
        if e is not None:
            p["economic"] = e
        p["amount"] = draw(amounts())
        p.update(draw(money_fields(pool)))
    else:  # several lines; a line may omit function when the project gives one
        if draw(st.booleans()):
            p["function"] = function
        lines = []
        for _ in range(draw(st.integers(1, 4))):
            line: dict[str, Any] = {}
            if "function" not in p or draw(st.booleans()):
                line["function"] = draw(st.sampled_from(pool.functions))
            e = draw(economic)
            if e is not None:
                line["economic"] = e
            line["amount"] = draw(amounts())
            line.update(draw(money_fields(pool)))
            lines.append(line)
        p["amounts"] = lines
    if draw(st.integers(0, 6)) == 0:
        p["classified"] = True
        return p
    total = project_total(p)
    p["goals"] = draw(st.lists(names, min_size=1, max_size=2))
    p["indicators"] = [
        {"level1": "产出指标", "level2": "数量指标", "name": "完成数量", "value": "≥5次", "basis": "计划标准"},
        {"level1": "产出指标", "level2": "成本指标", "name": "项目成本", "value": f"{total:.2f}万元",
         "basis": "预算标准"},
        {"level1": "效益指标", "level2": "社会效益指标", "name": draw(names), "description": draw(names),
         "value": "有效提升"},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "群众满意度", "value": "≥95%"},
    ]
    if draw(st.booleans()):
        p["purpose"] = draw(names)
    if draw(st.booleans()):
        plan = sorted(draw(st.lists(st.integers(0, 100), min_size=3, max_size=3))) + [100]
        p["plan"] = [Decimal(x) for x in plan]
    return p


@st.composite
def procurement(draw, project: dict[str, Any]) -> dict[str, Any]:
    total = min(project_total(project), MAX_AMOUNT)
    quantity = draw(st.integers(1, 20))
    unit_price = (total / quantity).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    line: dict[str, Any] = {"project": project["name"], "item": draw(names), "amount": unit_price * quantity}
    if draw(st.booleans()):
        line.update(catalog_no=draw(st.sampled_from(["A02010104", "A05010201", "C1801"])), measure="台",
                    quantity=Decimal(quantity), unit_price=unit_price)
    source = draw(st.sampled_from(SOURCES))
    if source != "一般公共预算":
        line["source"] = source
    if draw(st.integers(0, 4)) == 0:
        line["carryover"] = True
    if draw(st.booleans()):
        line["sme_reserved"] = (line["amount"] / 2).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    return line


@st.composite
def assets(draw) -> dict[str, Any]:
    a: dict[str, Any] = {}
    for key, strategy in [("buildings_area", st.integers(0, 50_000).map(Decimal)), ("buildings_value", amounts()),
                          ("office_area", st.integers(0, 5_000).map(Decimal)), ("office_value", amounts()),
                          ("vehicles", st.integers(0, 30)), ("vehicles_value", amounts()),
                          ("equipment", st.integers(0, 10)), ("equipment_value", amounts()),
                          ("other_value", amounts()), ("planned_purchase", amounts())]:
        if draw(st.booleans()):
            a[key] = draw(strategy)
    return a


@st.composite
def last_years(draw) -> dict[str, Any]:
    small = amounts(large=False)
    ly: dict[str, Any] = {"project": draw(small)}
    if draw(st.booleans()):
        ly["year"] = YEAR - 1
    if draw(st.booleans()):
        ly["basic"] = draw(small)
    else:
        ly["personnel"], ly["public"] = draw(small), draw(small)
    if draw(st.booleans()):
        ly["sangong"] = {k: draw(small) for k in ("abroad", "vehicle_purchase", "vehicle_operation", "reception")
                         if draw(st.booleans())}
    return ly


@st.composite
def budgets(draw, min_units: int = 1, max_units: int = 4) -> dict[str, Any]:
    """A valid department: min_units–max_units units, basic lines, projects, and sometimes everything else."""
    dept_code = str(draw(st.integers(100, 999)))
    unit_codes = [dept_code + f"{n:03d}" for n in
                  draw(st.lists(st.integers(1, 999), min_size=min_units, max_size=max_units, unique=True))]
    pool = draw(pools())
    other_kinds = draw(st.booleans())
    department: dict[str, Any] = {"code": dept_code, "name": draw(names), "duties": draw(st.lists(names, min_size=1,
                                                                                                max_size=3))}
    options = {}
    if draw(st.booleans()):
        options["performance_layout"] = draw(st.sampled_from(["简式", "详式"]))
    if draw(st.booleans()):
        options["project_order"] = draw(st.sampled_from(["拼音", "编码", "录入"]))
    if options:
        department["options"] = options
    if draw(st.booleans()):
        department["last_year"] = draw(last_years())
        department["reasons"] = {k: draw(st.sampled_from(REASONS))
                                 for k in ("total", "personnel", "public", "basic", "project", "sangong")}
    if draw(st.integers(0, 3)) == 0:
        department["performance"] = {"overall": draw(texts), "special_funds": draw(texts),
                                     "items": [{"title": draw(names), "text": draw(texts)}]}
    if draw(st.integers(0, 3)) == 0:
        department["other_matters"] = draw(texts)
    units = []
    for i, code in enumerate(unit_codes):
        unit: dict[str, Any] = {"code": code, "name": draw(names), "nature": draw(st.sampled_from(NATURES))}
        if draw(st.booleans()):
            unit["rank"] = "正科级"
        unit["basic"] = draw(st.lists(basic_lines(pool, other_kinds), min_size=int(i == 0), max_size=6))
        units.append(unit)
    project_names = draw(st.lists(names, max_size=6, unique=True))
    project_codes = draw(st.lists(st.integers(1, 999), min_size=len(project_names), max_size=len(project_names),
                                  unique=True))
    project_list = []
    for name, number in zip(project_names, project_codes):
        if len(units) > 1 or draw(st.booleans()):
            unit_code = draw(st.sampled_from(unit_codes))
        else:
            unit_code = None
        p = draw(projects(pool, name, unit_code))
        if draw(st.booleans()):
            p["code"] = f"{dept_code}-{number:03d}"
        project_list.append(p)
    for unit in units:
        own = [p for p in project_list if p.get("unit", unit_codes[0]) == unit["code"]]
        if own and draw(st.booleans()):
            unit["procurement"] = [draw(procurement(p)) for p in draw(st.lists(st.sampled_from(own), min_size=1,
                                                                                 max_size=2))]
        if draw(st.integers(0, 2)) == 0:
            unit["assets"] = draw(assets())
    return {"budget_year": YEAR, "level": draw(st.sampled_from(["县级", "市级", "省级"])), "department": department,
            "units": units, "projects": project_list}


# --- into budgetgen ----------------------------------------------------------------------------------------

def _plain(value: Any, trim: bool) -> Any:
    """Decimals as the text a clerk types ('12.30', or '12.3'/'12' with trim); everything else as is."""
    if isinstance(value, Decimal):
        text = f"{value:f}"
        if trim and "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    if isinstance(value, dict):
        return {k: _plain(v, trim) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, trim) for v in value]
    return value


def model_input(spec: dict[str, Any], trim: bool = False) -> dict[str, Any]:
    """The dict Budget.model_validate takes, amounts as strings (as the loader passes them)."""
    return _plain(spec, trim)


class _Number(str):
    """A scalar written without quotes: 12.30, 2013101."""


class _Dumper(yaml.SafeDumper):
    pass


def _represent_number(dumper: yaml.SafeDumper, value: _Number) -> yaml.Node:
    tag = "tag:yaml.org,2002:float" if "." in value else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, str(value))


_Dumper.add_representer(_Number, _represent_number)
CODE_KEYS = {"code", "function", "economic", "unit"}


def _yaml_ready(value: Any, trim: bool, bare_codes: bool, key: str = "") -> Any:
    if isinstance(value, Decimal):
        return _Number(_plain(value, trim))
    if isinstance(value, dict):
        return {k: _yaml_ready(v, trim, bare_codes, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_yaml_ready(v, trim, bare_codes, key) for v in value]
    if bare_codes and key in CODE_KEYS and isinstance(value, str) and value.isdigit():
        return _Number(value)
    return value


def dump(data: dict[str, Any], trim: bool = False, bare_codes: bool = False) -> str:
    return yaml.dump(_yaml_ready(data, trim, bare_codes), Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=4096)


def write_yaml(spec: dict[str, Any], folder: Path, split: bool, trim: bool = False, bare_codes: bool = False) -> Path:
    """The spec as YAML: one file, or (split) a folder of fragments like samples/julu-2023. Returns the path."""
    if not split:
        path = folder / "budget.yaml"
        path.write_text(dump(spec, trim, bare_codes), encoding="utf-8")
        return path
    root = folder / "dept"
    (root / "units").mkdir(parents=True)
    (root / "projects").mkdir()
    head = {k: spec[k] for k in ("budget_year", "level", "department")}
    (root / "department.yaml").write_text(dump(head, trim, bare_codes), encoding="utf-8")
    # Units in files named by position, so the merged order is the spec's order.
    for i, unit in enumerate(spec["units"]):
        (root / "units" / f"{i:02d}.yaml").write_text(dump({"units": [unit]}, trim, bare_codes), encoding="utf-8")
    for i, project in enumerate(spec["projects"]):
        (root / "projects" / f"{i:02d}.yml").write_text(dump({"projects": [project]}, trim, bare_codes),
                                                        encoding="utf-8")
    return root


# --- the oracle ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Leaf:
    unit: str
    function: str
    kind: str
    source: str
    carryover: bool
    economic: str | None
    amount: Decimal
    project: str | None = None


def unit_of(spec: dict[str, Any], project: dict[str, Any]) -> str:
    return project.get("unit") or spec["units"][0]["code"]


def leaves(spec: dict[str, Any]) -> list[Leaf]:
    """Every amount of the spec with its unit, 项, kind, source, carryover and economic code."""
    out = []
    for unit in spec["units"]:
        for line in unit["basic"]:
            out.append(Leaf(unit["code"], line["function"], line.get("kind", "基本支出"),
                            line.get("source", "一般公共预算"), line.get("carryover", False), line["economic"],
                            line["amount"]))
    for p in spec["projects"]:
        lines = p["amounts"] if "amounts" in p else [p]
        for line in lines:
            out.append(Leaf(unit_of(spec, p), line.get("function") or p["function"], "项目支出",
                            line.get("source", "一般公共预算"), line.get("carryover", False), line.get("economic"),
                            line["amount"], p["name"]))
    return out
