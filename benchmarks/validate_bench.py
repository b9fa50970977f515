"""Validate benchmark: a large department (2,000 projects in 50 units, one file per project) through
`budgetgen validate`, whole process, against the 巨鹿 sample measured in the same run (the baseline).

    python -m benchmarks.validate_bench               # 2,000 projects, 50 units, 5 runs each
    python -m benchmarks.validate_bench --projects 500 --units 10 --runs 3

Prints the median wall time, CPU and peak memory of each, and the ratio large / baseline. Not a test.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from ._measure import ROOT, Runs, checkout_env, timed

ECONOMIC = ["30101", "30102", "30201", "30211", "30231", "30299"]
FUNCTIONS = ["2050201", "2050202", "2050203", "2050204", "2050299", "2080505", "2101101", "2210201"]
PROJECT = """\
projects:
  - name: 专项经费{i:04d}
    code: "P{i:05d}"
    unit: "{unit}"
    function: "{function}"
    amounts:
      - {{economic: "30201", amount: {a}.00}}
      - {{economic: "30299", amount: {b}.50}}
    goals: [完成年度工作任务{i}]
    indicators:
      - {{level1: 产出指标, level2: 数量指标, name: 完成数量, description: 完成数量, value: ≥10项, basis: 计划标准}}
      - {{level1: 产出指标, level2: 成本指标, name: 项目成本, description: 项目成本, value: ≤{total}万元, basis: 预算}}
      - {{level1: 效益指标, level2: 社会效益指标, name: 服务水平, description: 服务水平, value: 提升, basis: 计划标准}}
      - {{level1: 满意度指标, level2: 服务对象满意度指标, name: 满意度, description: 满意度, value: ≥90%, basis: 计划标准}}
"""


def make_department(root: Path, projects: int, units: int) -> None:
    (root / "units").mkdir(parents=True)
    (root / "projects").mkdir()
    (root / "department.yaml").write_text(
        "budget_year: 2025\nlevel: 县级\ndepartment:\n  code: \"305\"\n  name: 某县教育局\n"
        "  duties: [负责全县教育工作]\n  last_year: {basic: 9000.00, project: 5000.00}\n"
        "  reasons: {total: 主要是学校增加, basic: 主要是教师增加, project: 主要是项目增加}\n", encoding="utf-8")
    for u in range(units):
        code = f"305{u + 1:03d}"
        lines = "\n".join(f'      - {{function: "{FUNCTIONS[(u + k) % len(FUNCTIONS)]}", economic: "{e}", '
                          f"amount: {10 + k}.{u % 100:02d}}}" for k, e in enumerate(ECONOMIC))
        (root / "units" / f"{code}.yaml").write_text(
            f'units:\n  - code: "{code}"\n    name: 某县第{u + 1}学校\n    nature: 事业\n    basic:\n{lines}\n',
            encoding="utf-8")
    for i in range(projects):
        a, b = 1 + i % 17, i % 5
        text = PROJECT.format(i=i, unit=f"305{i % units + 1:03d}", function=FUNCTIONS[i % len(FUNCTIONS)], a=a, b=b,
                              total=f"{a + b}.50")
        (root / "projects" / f"{i:04d}.yaml").write_text(text, encoding="utf-8")


def measure(path: Path, runs: int) -> Runs:
    result = Runs(str(path))
    for _ in range(runs):
        wall, cpu, rss = timed(["python3", "-m", "budgetgen", "validate", str(path)], checkout_env(), ROOT)
        result.wall.append(wall)
        result.cpu.append(cpu)
        result.max_rss_kb = max(result.max_rss_kb, rss)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="validate-") as tmp:
        big = Path(tmp) / "dept"
        make_department(big, args.projects, args.units)
        baseline = measure(ROOT / "samples" / "julu-2023", args.runs)
        large = measure(big, args.runs)
    for label, r in (("巨鹿 sample (baseline)", baseline), (f"{args.projects} projects, {args.units} units", large)):
        print(f"{label}: median {r.median():.2f} s wall, {sorted(r.cpu)[len(r.cpu) // 2]:.2f} s CPU, "
              f"peak {r.max_rss_kb / 1024:.0f} MB")
    print(f"ratio large / baseline: {large.median() / baseline.median():.2f}")


if __name__ == "__main__":
    main()
