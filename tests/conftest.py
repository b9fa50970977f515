"""Shared fixtures: each sample is rendered once per test session, in-process, to JSON and HTML, and prepared (its
Disclosure built) once per session."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from budgetgen.cli import main
from budgetgen.document import Disclosure
from budgetgen.pipeline import prepare
from render_util import SAMPLE_NAMES, SAMPLES


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


@pytest.fixture(scope="session")
def disclosure():
    """disclosure(name): the Disclosure of samples/<name>, prepared once per session and shared by every test that
    asks — read it, or derive another with dataclasses.replace; never change it."""
    cache: dict[str, Disclosure] = {}

    def get(name: str) -> Disclosure:
        if name not in cache:
            cache[name] = prepare(SAMPLES / name)[0]
        return cache[name]

    return get


@pytest.fixture(scope="session")
def render_samples(tmp_path_factory, disclosure):
    """render_samples(fmt): every sample rendered through the command line to fmt and json in a new folder; for each
    name, {"path": the fmt file, "json": the parsed JSON, "doc": its Disclosure}."""

    def render_all(fmt: str) -> dict[str, dict]:
        out = tmp_path_factory.mktemp(fmt)
        result = {}
        for name in SAMPLE_NAMES:
            assert main(["render", str(SAMPLES / name), "--format", f"{fmt},json", "--out", str(out)]) == 0
            result[name] = {"path": out / f"{name}.{fmt}", "doc": disclosure(name),
                            "json": json.loads((out / f"{name}.json").read_text(encoding="utf-8"))}
        return result

    return render_all
