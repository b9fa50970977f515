"""A department some ten times the 巨鹿 sample: its unit and its 37 projects, `copies` times over, each copy a unit
of its own (code 201001, 201002, …) with its own projects — ten times the tables, cells and pages.

    python -m benchmarks.big_department /tmp/julu-x10 [--copies 10]

The department file is the sample's; its figures of last year and its reasons stay as they are (the checks may
warn about them; the PDF is made all the same). Used by ``benchmarks.pdf_bench --sample``.
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

from ._measure import ROOT

SAMPLE = ROOT / "samples" / "julu-2023"


def make_department(root: Path, copies: int = 10, sample: Path = SAMPLE) -> Path:
    """Write the department into root (replaced if it exists) and return root."""
    if root.exists():
        shutil.rmtree(root)
    (root / "units").mkdir(parents=True)
    (root / "projects").mkdir()
    shutil.copyfile(sample / "department.yaml", root / "department.yaml")
    (unit_file,) = sorted((sample / "units").glob("*.yaml"))
    unit_text = unit_file.read_text(encoding="utf-8")
    (code,) = re.findall(r'^  - code: "(\d+)"', unit_text, flags=re.MULTILINE)
    (name,) = re.findall(r"^    name: (.+)$", unit_text, flags=re.MULTILINE)
    for k in range(copies):
        new_code = f"{int(code) + k:0{len(code)}d}"
        new_name = name if k == 0 else f"{name.removesuffix('本级')}第{k}分支机构"
        text = unit_text.replace(f'code: "{code}"', f'code: "{new_code}"', 1)
        text = text.replace(f"    name: {name}", f"    name: {new_name}", 1)
        if k:
            text = text.replace("nature: 行政", "nature: 事业", 1)
        (root / "units" / f"{new_code}.yaml").write_text(text, encoding="utf-8")
        for project in sorted((sample / "projects").glob("*.yaml")):
            suffix = "" if k == 0 else f"（{k}）"
            text = re.sub(r"^  - name: (.+)$", lambda m: f'  - name: {m.group(1)}{suffix}\n    unit: "{new_code}"',
                          project.read_text(encoding="utf-8"), count=1, flags=re.MULTILINE)
            (root / "projects" / f"{k:02d}-{project.name}").write_text(text, encoding="utf-8")
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args(argv)
    make_department(args.out, args.copies)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
