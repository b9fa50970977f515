"""County benchmark: N departments of 巨鹿's size rendered to every format with --jobs 1 and --jobs 2.

    python -m benchmarks.county_bench            # 100 departments, as the issue asks (takes a while)
    python -m benchmarks.county_bench --count 10 --formats html,json,csv,xlsx

Prints throughput (departments per minute), the scaling ratio jobs 2 / jobs 1 (baseline: --jobs 1 on the same
machine and input), and the peak memory of the largest process (one worker). Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ._measure import ROOT, checkout_env, timed

SAMPLE = ROOT / "samples" / "julu-2023"


def make_county(root: Path, count: int) -> None:
    """Copies of the 巨鹿 sample, each with its own department code and name."""
    for i in range(count):
        code = f"{300 + i}"
        dept = root / f"dept-{i:03d}"
        shutil.copytree(SAMPLE, dept)
        main = dept / "department.yaml"
        text = main.read_text(encoding="utf-8").replace('code: "201"', f'code: "{code}"')
        main.write_text(text.replace("中共巨鹿县委办公室", f"测试部门{i:03d}"), encoding="utf-8")
        unit = dept / "units" / "201001.yaml"
        text = unit.read_text(encoding="utf-8").replace('"201001"', f'"{code}001"')
        unit.write_text(text.replace("中共巨鹿县委办公室", f"测试部门{i:03d}"), encoding="utf-8")


def measure(county: Path, out: Path, jobs: int, formats: str) -> dict:
    """One render of the county by this checkout's budgetgen: its seconds and the peak resident size (MB) of the
    largest process among it and its workers. Exits with the render's errors if it fails."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "budgetgen", "render", str(county), "--out", str(out), "--jobs", str(jobs)]
    if formats:
        command += ["--format", formats]
    seconds, _, peak_kb = timed(command, checkout_env(), ROOT)
    return {"seconds": seconds, "peak_mb": peak_kb / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100, help="number of departments (default 100)")
    parser.add_argument("--formats", default="", help="formats to render (default: every format)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="county-") as tmp:
        county = Path(tmp) / "county"
        make_county(county, args.count)
        results = {}
        for jobs in (1, 2):
            r = measure(county, Path(tmp) / f"out-{jobs}", jobs, args.formats)
            results[jobs] = r
            rate = args.count / r["seconds"] * 60
            print(f"--jobs {jobs}: {args.count} departments in {r['seconds']:.1f} s = {rate:.1f} departments/min, "
                  f"peak {r['peak_mb']:.0f} MB per process", flush=True)
    print(f"scaling jobs 2 / jobs 1 (baseline --jobs 1): {results[1]['seconds'] / results[2]['seconds']:.2f}x "
          f"(formats: {args.formats or 'all'}, machine: {len(os.sched_getaffinity(0))} cores)")


if __name__ == "__main__":
    main()
