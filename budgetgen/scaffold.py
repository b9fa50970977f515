"""New department folders: `init` writes a commented example; `new-year` starts next year from this year's."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from .fmt import money
from .model.positions import position_of
from .schema import schema_text
from .yaml_edit import BREAKS, Unreadable, line_end, line_start, read, splice, value_end

SCHEMA_NAME = "budget.schema.json"

DEPARTMENT = """\
# yaml-language-server: $schema={schema}
# 部门预算数据（金额单位：万元，最多两位小数；按元填写时把下面的 amount_unit 改为 元。不要填写任何合计数，合计由 budgetgen 计算）。
# 写好后运行：budgetgen validate {folder}    生成公开文件：budgetgen render {folder} --out out/
budget_year: {year}
level: 县级                     # 乡镇级 / 县级 / 区级 / 市级 / 省级，决定说明和名词解释的措辞
amount_unit: 万元                # 本部门各文件金额的单位：万元 或 元
department:
  code: "{code}"                 # 部门编码
  name: {name}
  duties:                        # 部门职责，每条一项，公开时自动编号（一）（二）……
    - 负责本部门职责范围内的各项工作。
  structure: ""                  # 机构设置补充说明，如内设机构
  last_year:                     # 上年预算（用于“比上年增减情况”）
    year: {last}
    basic: 12.00                 # 上年基本支出；也可分别填写 personnel（人员经费）和 public（公用经费）
    project: 5.00                # 上年项目支出
    sangong: {{abroad: 0, vehicle_purchase: 0, vehicle_operation: 0, reception: 0}}
  reasons:                       # 与上年相比有增减时写明原因
    total: ""
    basic: "主要是人员工资调整"
    project: ""
    sangong: ""
  performance:
    overall: 围绕部门职责，保障各项工作正常运转。
    items: []
    safeguards: []
  other_matters: ""
  options:
    performance_layout: 简式     # 简式（绩效目标表）或 详式（含项目编码、资金用途、支出计划）
    project_order: 拼音          # 绩效目标表排序：拼音 / 编码 / 录入
"""

UNIT = """\
# yaml-language-server: $schema=../{schema}
# 一个预算单位。基本支出按“功能科目（项，7 位）× 经济科目（款，5 位）”逐笔填写。
units:
  - code: "{code}001"
    name: {name}本级
    nature: 行政                 # 行政 / 事业 / 参公
    rank: 正科级
    funding: 财政拨款
    basic:
      - {{function: "2013101", economic: "30101", amount: 10.00}}   # 行政运行 · 基本工资
      - {{function: "2013101", economic: "30201", amount: 2.50}}    # 行政运行 · 办公费
    procurement: []
    assets: {{buildings_area: 0, vehicles: 0, vehicles_value: 0, other_value: 0, planned_purchase: 0}}
"""

PROJECT = """\
# yaml-language-server: $schema=../{schema}
# 一个项目一个文件。金额只有一笔时用 amount + economic；多笔时用 amounts 列表。
projects:
  - name: 示例项目
    function: "2013105"          # 专项业务
    economic: "30299"            # 其他商品和服务支出
    amount: 5.00
    goals:
      - 保障本项目工作按期完成
    indicators:
      - {{level1: 产出指标, level2: 数量指标, name: 完成事项数, description: 年度完成事项数量, value: ≥1项, basis: 工作计划}}
      - {{level1: 产出指标, level2: 成本指标, name: 项目总成本, description: 项目预算总额, value: 5万元, basis: 预算批复}}
      - {{level1: 效益指标, level2: 社会效益指标, name: 服务保障水平, description: 工作保障情况, value: 有效保障, basis: 工作要求}}
      - {{level1: 满意度指标, level2: 服务对象满意度指标, name: 服务对象满意度, description: 服务对象满意程度, value: ≥90%, basis: 问卷调查}}
"""


class ScaffoldError(Exception):
    pass


def init(folder: Path, year: int, code: str, name: str) -> list[Path]:
    if folder.exists() and any(folder.iterdir()):
        raise ScaffoldError(f"目录 {folder} 已存在且不为空；请换一个新目录")
    (folder / "units").mkdir(parents=True, exist_ok=True)
    (folder / "projects").mkdir(exist_ok=True)
    values = {"schema": SCHEMA_NAME, "folder": folder, "year": year, "last": year - 1, "code": code, "name": name}
    files = {
        folder / "department.yaml": DEPARTMENT.format(**values),
        folder / "units" / f"{code}001.yaml": UNIT.format(**values),
        folder / "projects" / "01-示例项目.yaml": PROJECT.format(**values),
        folder / SCHEMA_NAME: schema_text(),  # editors validate against it offline
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)


def next_folder(folder: Path, year: int) -> Path:
    """julu-2023 → julu-2024; a name without the year gets -<year+1> (before the suffix of a single file)."""
    name = folder.stem if folder.is_file() else folder.name
    new = name.replace(str(year), str(year + 1)) if str(year) in name else f"{name}-{year + 1}"
    return folder.with_name(new + (folder.suffix if folder.is_file() else ""))


def new_year(folder: Path, target: Path | None) -> tuple[Path, list[str]]:
    """Copy this year's folder; next year's budget_year, this year's computed figures as last year's.

    Amounts, projects and texts stay as a draft to edit. Only the lines that must change are rewritten, so the
    clerk's comments, quoting and indentation survive. The copy is made in a hidden staging folder beside the
    target and moved in at the end: on any failure nothing is left that would block a rerun.
    """
    from .errors import InputError
    from .pipeline import examine

    examined = examine(folder)
    budget, analysis = examined.budget, examined.analysis
    if budget is None or analysis is None or examined.failed:
        raise InputError(examined.findings)
    year = budget.budget_year
    target = target or next_folder(folder, year)
    if target.is_symlink() or target.exists() and not (target.is_dir() and not any(target.iterdir())):
        raise ScaffoldError(f"目录 {target} 已存在；请用 --out 指定新目录")
    f = analysis.department.figures  # the figures the checks read
    g = f.sangong
    per = budget.amount_unit.per_wan

    def typed(value) -> str:  # in the unit the department types (exact: 元 = 万元 × 10⁴)
        return money(value * per)

    last_year = [
        f"last_year:  # {year} 年预算（由 budgetgen new-year 从上年数据计算，单位：{budget.amount_unit.value}）",
        f"{{}}year: {year}",
        f"{{}}personnel: {typed(f.personnel)}",
        f"{{}}public: {typed(f.public)}",
        f"{{}}project: {typed(f.project)}",
        f"{{}}sangong: {{{{abroad: {typed(g['abroad'])}, vehicle_purchase: {typed(g['vehicle_purchase'])}, "
        f"vehicle_operation: {typed(g['vehicle_operation'])}, reception: {typed(g['reception'])}}}}}",
    ]
    givens = [budget.department.last_year] + [u.last_year for u in budget.units]
    if any(given is not None and given.appropriation is not None for given in givens):  # 上海区级 compares it
        sources = f.income_by_source
        last_year.append(f"{{}}appropriation: {typed(sources['general'] + sources['fund'] + sources['state_capital'])}")
    if any(given is not None and given.functions for given in givens):  # 江苏省级 compares it by 项
        from .model.budget import Source

        this_year = analysis.department.ledger.where(lambda fact: fact.source is Source.general and not fact.carryover)
        by_code = this_year.by(lambda fact: fact.function)
        last_year.append("{}functions:  # 一般公共预算当年拨款，按项级科目")
        last_year += [f'{{0}}{{0}}"{code}": {typed(by_code[code])}' for code in sorted(by_code) if by_code[code]]
    last_year += [
        "reasons:  # 请写明与上年相比的增减原因",
        '{}total: ""', '{}personnel: ""', '{}public: ""', '{}project: ""', '{}sangong: ""',
    ]
    edits, notes = _next_year_texts(folder, year, last_year)
    _build_beside(folder, target, edits)
    notes[:0] = [f"预算年度改为 {year + 1}", f"上年数据：人员经费 {money(f.personnel)}、公用经费 {money(f.public)}、"
                 f"项目支出 {money(f.project)}、“三公”经费 {money(g['sangong'])} 万元",
                 "各项金额、项目和文字沿用今年的内容作为草稿，请逐项修改"]
    stale = [u for u in budget.units if u.last_year is not None]
    if stale:  # a unit's own last year is now two years old; the department's block above stands for all
        where = [(u.name, position_of(u)) for u in stale]  # read from files: each has its position
        notes.append("以下单位文件中的 last_year 仍是上一年的数字，请改为本年（"
                     f"{year} 年）预算数或删除：" + "、".join(f"{name}（{Path(p.file).name}）" if p is not None else name
                                                   for name, p in where))
    return target, notes


def _next_year_texts(folder: Path, year: int, block: list[str]) -> tuple[dict[Path, str], list[str]]:
    """The files that change, by path relative to the folder ("." for a single file), with their new text:
    every budget_year (in whichever files hold one) one year on, and in the department's file the last_year and
    reasons blocks replaced by `block`, indented as the file indents."""
    import yaml

    from .model.loader import yaml_files

    edits: dict[Path, str] = {}
    notes: list[str] = []
    years = department = 0
    for path in yaml_files(folder):
        rel = path.relative_to(folder) if folder.is_dir() else Path(".")
        try:
            text, encoding, root = read(path)
        except Unreadable as exc:
            raise ScaffoldError(str(exc)) from None
        if not isinstance(root, yaml.MappingNode):
            continue
        changes: list[tuple[int, int, str]] = []  # (start, end, replacement) in character indexes
        keys = {k.value: (k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode)}
        if "budget_year" in keys:
            value = keys["budget_year"][1]
            quote = value.style if isinstance(value, yaml.ScalarNode) and value.style in ("'", '"') else ""
            changes.append((value.start_mark.index, value.end_mark.index, f"{quote}{year + 1}{quote}"))
            if not years and "draft" not in keys and keys["budget_year"][0].start_mark.column == 0:
                # the draft line: checks warn and the cover says 草稿 until the clerk has been through it
                at = line_end(text, value.end_mark.index)
                newline = "\r\n" if "\r\n" in text else "\n"
                line = f"draft: 由 {year} 年数据生成，金额、项目、文字和资产尚未按 {year + 1} 年核对"
                changes.append((at, at, ("" if text[at - 1:at] in BREAKS else newline) + line + newline))
            years += 1
        if "department" in keys:
            changes += _department_changes(text, *keys["department"], block, path)
            department += 1
        if not changes:
            continue
        text = splice(text, changes)
        _check(text, path, year, "department" in keys)
        edits[rel] = text
        if encoding != "utf-8":
            notes.append(f"{rel if folder.is_dir() else path.name} 原为 {encoding} 编码，新目录中已另存为 UTF-8")
    if not years or department != 1:
        raise ScaffoldError(f"在 {folder} 中没有找到 budget_year 或唯一的 department，无法生成下一年度目录")
    return edits, notes


def _department_changes(text: str, key, value, block: list[str], path: Path) -> list[tuple[int, int, str]]:
    """Drop department.last_year and department.reasons (with every line of their values) and put `block` first
    under department, at the indentation of department's own keys."""
    import yaml

    if not isinstance(value, yaml.MappingNode) or value.flow_style or not value.value:
        raise ScaffoldError(f"{path} 中的 department 不是逐行书写的（例如写成了 {{…}}），new-year 无法改写；"
                            "请改为每个字段一行后重试")
    indent = value.value[0][0].start_mark.column
    step = " " * max(indent, 2)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = [" " * indent + line.format(step) for line in block]
    at = line_end(text, key.end_mark.index)
    changes = [(at, at, newline.join(lines) + newline)]
    for k, v in value.value:
        if getattr(k, "value", None) in ("last_year", "reasons"):
            changes.append((line_start(text, k.start_mark.index), value_end(text, k, v), ""))
    return changes


def _check(text: str, path: Path, year: int, department: bool) -> None:
    """The rewritten file reads back with next year and this year as last year (else: nothing is written)."""
    import yaml

    try:
        data = yaml.safe_load(text)
        ok = data.get("budget_year", year + 1) in (year + 1, str(year + 1)) and (
            not department or data["department"]["last_year"]["year"] == year)
    except (yaml.YAMLError, AttributeError, KeyError, TypeError):
        ok = False
    if not ok:
        raise ScaffoldError(f"改写 {path} 时出错（程序内部错误），没有生成新目录；请把该文件报告给维护人员")


def _build_beside(folder: Path, target: Path, edits: dict[Path, str]) -> None:
    """Copy folder, apply the edits, and move the result to target: built in a hidden staging folder beside the
    target (same file system), so a failure or a killed run leaves no half-made folder."""
    from .writers import STAGING_PREFIX, OutputSet

    with OutputSet(target.parent) as staged:  # also removes what killed runs left there
        built = staged.folder / target.name
        if folder.is_dir():
            shutil.copytree(folder, built, symlinks=True, ignore=shutil.ignore_patterns(f"{STAGING_PREFIX}*"))
        else:
            shutil.copy2(folder, built)
        for rel, text in edits.items():
            path = built / rel if folder.is_dir() else built
            if not path.parent.resolve().is_relative_to(built.resolve().parent):  # never written through a link
                raise ScaffoldError(f"{folder / rel} 位于链接的目录中，new-year 不会改写它；请先复制为普通目录")
            path.unlink()  # a symlinked file is replaced by the new file, never written through
            path.write_text(text, encoding="utf-8", newline="")
        if folder.is_dir():
            os.replace(built, target)  # an empty target folder is replaced; a non-empty one is refused
        else:
            try:
                os.link(built, target)  # never replaces an existing file
            except FileExistsError:
                raise
            except OSError:  # no hard links on this file system
                if target.exists():
                    raise FileExistsError(errno.EEXIST, "文件已存在", str(target)) from None
                os.replace(built, target)
