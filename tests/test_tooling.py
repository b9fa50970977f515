"""The rules the test suite keeps for itself: a missing seed skips locally and fails under CI; no test module imports
another (shared checks live in plain modules: identities.py, strategies.py, render_util.py, seed_julu.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize("env, fails", [
    ({}, False),
    ({"CI": "1"}, True),
    ({"CI": "true"}, True),
    ({"CI": "0"}, False),
    ({"BUDGETGEN_REQUIRE_SEEDS": "1"}, True),
    ({"CI": "1", "BUDGETGEN_REQUIRE_SEEDS": "0"}, False),  # asked for explicitly: a CI machine without the seeds
])
def test_a_missing_seed_skips_locally_and_fails_under_ci(require_seed, monkeypatch, tmp_path, env, fails):
    for name in ("CI", "BUDGETGEN_REQUIRE_SEEDS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(pytest.fail.Exception if fails else pytest.skip.Exception, match="seed not found"):
        require_seed(tmp_path / "seeds" / "000_missing.txt")
    present = tmp_path / "000_present.txt"
    present.write_text("原件", encoding="utf-8")
    assert require_seed(present) == present


def test_no_test_module_imports_another():
    test_modules = {p.stem for p in TESTS.glob("test_*.py")}
    found = []
    for path in sorted(TESTS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found += [f"{path.name} imports {n}" for n in names if n.split(".")[0] in test_modules]
    assert found == []
