"""Shared fixtures: each sample is rendered once per test session, in-process, to JSON and HTML."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from budgetgen.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@dataclass
class Rendered:
    """One sample as budgetgen writes it: the data JSON (parsed) and the HTML text."""

    name: str
    data: dict
    html: str

    @property
    def tables(self) -> dict[str, dict]:
        """The JSON tables by id (d201-t1, u201001-perf-03 …)."""
        return {t["id"]: t for t in self.data["tables"]}


def render(name: str, out: Path) -> Rendered:
    code = main(["render", str(SAMPLES / name), "--format", "json,html", "--out", str(out)])
    assert code == 0, f"budgetgen render {name} exited with {code}"
    data = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    return Rendered(name, data, (out / f"{name}.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def julu(tmp_path_factory) -> Rendered:
    return render("julu-2023", tmp_path_factory.mktemp("julu"))


@pytest.fixture(scope="session")
def wei(tmp_path_factory) -> Rendered:
    return render("wei-2021", tmp_path_factory.mktemp("wei"))
