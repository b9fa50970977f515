"""Shared helpers for tests: render a sample in-process once, read the outputs."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from budgetgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SEEDS = ROOT.parent / "shared" / "seeds"


@lru_cache(maxsize=None)
def rendered(sample: str, out: str) -> dict:
    """Render samples/<sample> to html,json,csv in `out`; return the parsed JSON."""
    code = main(["render", str(SAMPLES / sample), "--format", "html,json,csv", "--out", out])
    assert code == 0
    return json.loads((Path(out) / f"{sample}.json").read_text(encoding="utf-8"))


def table(doc: dict, ident: str) -> dict:
    return next(t for t in doc["tables"] if t["id"] == ident)


def row(tab: dict, label: str, column: int = 2) -> list[str]:
    """The first body row whose cell `column` equals label."""
    return next(r for r in tab["rows"] if r[column] == label)
