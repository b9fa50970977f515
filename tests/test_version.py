"""The version lives in one place: budgetgen.__version__, which pyproject.toml reads (issue 12)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import budgetgen

ROOT = Path(__file__).resolve().parents[1]


def test_pyproject_reads_the_version_from_the_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "budgetgen.__version__"}
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+([ab]|rc)?[0-9]*", budgetgen.__version__)
