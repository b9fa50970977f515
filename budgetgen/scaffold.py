"""New department folders: `init` writes a commented example; `new-year` starts next year from this year's."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .fmt import money
from .schema import schema_text

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
    """julu-2023 → julu-2024; a name without the year gets -<year+1>."""
    name = folder.name
    new = name.replace(str(year), str(year + 1)) if str(year) in name else f"{name}-{year + 1}"
    return folder.with_name(new)


def new_year(folder: Path, target: Path | None) -> tuple[Path, list[str]]:
    """Copy this year's folder; next year's budget_year, this year's computed figures as last year's.

    Amounts, projects and texts stay as a draft to edit. Only the lines that must change are rewritten,
    so the clerk's comments survive.
    """
    from .build.figures import department_figures
    from .errors import InputError, Severity
    from .pipeline import validate

    budget, findings = validate(folder)
    errors = [f for f in findings if f.severity is Severity.error]
    if budget is None or errors:
        raise InputError(findings)
    year = budget.budget_year
    target = target or next_folder(folder, year)
    if target.exists():
        raise ScaffoldError(f"目录 {target} 已存在；请用 --out 指定新目录")
    f = department_figures(budget)
    shutil.copytree(folder, target)
    dept_file = target / Path(budget.department._at.file).resolve().relative_to(folder.resolve()) \
        if folder.is_dir() else target
    text = dept_file.read_text(encoding="utf-8")
    text, n = re.subn(r"(?m)^budget_year:\s*\d+", f"budget_year: {year + 1}", text, count=1)
    g = f.sangong
    per = budget.amount_unit.per_wan

    def typed(value) -> str:  # in the unit the department types (exact: 元 = 万元 × 10⁴)
        return money(value * per)

    block = [
        f"  last_year:                     # {year} 年预算（由 budgetgen new-year 从上年数据计算，单位：{budget.amount_unit.value}）",
        f"    year: {year}",
        f"    personnel: {typed(f.personnel)}",
        f"    public: {typed(f.public)}",
        f"    project: {typed(f.project)}",
        f"    sangong: {{abroad: {typed(g['abroad'])}, vehicle_purchase: {typed(g['vehicle_purchase'])}, "
        f"vehicle_operation: {typed(g['vehicle_operation'])}, reception: {typed(g['reception'])}}}",
        "  reasons:                       # 请写明与上年相比的增减原因",
        '    total: ""', '    personnel: ""', '    public: ""', '    project: ""', '    sangong: ""',
    ]
    text = _drop_block(text, "last_year")
    text = _drop_block(text, "reasons")
    text = re.sub(r"(?m)^department:[^\n]*\n", lambda m: m.group(0) + "\n".join(block) + "\n", text, count=1)
    dept_file.write_text(text, encoding="utf-8")
    notes = [f"预算年度改为 {year + 1}", f"上年数据：人员经费 {money(f.personnel)}、公用经费 {money(f.public)}、"
             f"项目支出 {money(f.project)}、“三公”经费 {money(g['sangong'])} 万元",
             "各项金额、项目和文字沿用今年的内容作为草稿，请逐项修改"]
    stale = [u for u in budget.units if u.last_year is not None]
    if stale:  # a unit's own last year is now two years old; the department's block above stands for all
        notes.append("以下单位文件中的 last_year 仍是上一年的数字，请改为本年（"
                     f"{year} 年）预算数或删除：" + "、".join(f"{u.name}（{Path(u._at.file).name}）" for u in stale))
    return target, notes


def _drop_block(text: str, key: str) -> str:
    """Drop `  key:` under department and every line indented below it."""
    out, skipping = [], False
    for line in text.split("\n"):
        if skipping and line.startswith("    "):
            continue
        skipping = False
        if re.match(rf"^  {key}:", line):
            skipping = True
            continue
        out.append(line)
    return "\n".join(out)
