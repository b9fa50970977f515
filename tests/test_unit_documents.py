"""`render --units`: each unit's own 单位预算 beside the department's, from the one department folder (上海区级: every unit
publishes its own document), with figures summed here from the sample's YAML, and the set written all or nothing."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import yaml

from budgetgen import writers
from budgetgen.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "shanghai-street-2025"
UNITS = {"147001": "上海市普陀区人民政府澄溪街道办事处（本级）", "147002": "上海市普陀区澄溪街道社区事务受理服务中心",
         "147003": "上海市普陀区澄溪街道城市运行管理中心"}


def _yaml_lines() -> list[tuple[str, str, Decimal]]:
    """(unit, source, amount in 元) of every line of the sample, read with PyYAML alone (not budgetgen's loader)."""
    out = []
    for path in sorted((SAMPLE / "units").glob("*.yaml")):
        for unit in yaml.safe_load(path.read_text(encoding="utf-8"))["units"]:
            for line in unit.get("basic", []):
                out.append((unit["code"], line.get("source", "一般公共预算"), Decimal(str(line["amount"]))))
    for path in sorted((SAMPLE / "projects").glob("*.yaml")):
        for project in yaml.safe_load(path.read_text(encoding="utf-8"))["projects"]:
            default = project.get("source", "一般公共预算")
            for line in project.get("amounts") or [project]:
                out.append((project["unit"], line.get("source", default), Decimal(str(line["amount"]))))
    return out


def _t1(path: Path) -> dict[str, str]:
    """Table 1 of a JSON output: each row label (both sides) → its amount."""
    data = json.loads(path.read_text(encoding="utf-8"))
    t1 = next(t for t in data["tables"] if t["kind"] == "t1")
    cells = {}
    for row in t1["rows"]:
        cells[row[0]] = row[1]
        if row[2]:
            cells[row[2]] = row[3]
    return cells


def _render(out: Path, *more: str) -> int:
    return main(["render", str(SAMPLE), "--units", "--out", str(out), "--format", "json,html", *more])


def test_each_unit_gets_its_own_document_with_its_own_figures(tmp_path):
    assert _render(tmp_path) == 0
    lines = _yaml_lines()
    department = _t1(tmp_path / "shanghai-street-2025.json")
    units_total = Decimal(0)
    for code, name in UNITS.items():
        stem = f"shanghai-street-2025-{code}-{name}"
        t1 = _t1(tmp_path / f"{stem}.json")
        mine = [amount for unit, _, amount in lines if unit == code]
        assert Decimal(t1["支出总计"]) == Decimal(t1["收入总计"]) == sum(mine)
        assert Decimal(t1["二、事业收入"]) == sum(a for u, s, a in lines if u == code and s == "事业收入")
        units_total += Decimal(t1["支出总计"])
        page = (tmp_path / f"{stem}.html").read_text(encoding="utf-8")
        assert f"预算单位：{name}" in page and "2025年区级单位预算" in page
        assert f"编制单位：{name}" in page and "预算主管部门：" not in page
        assert "2025年预算单位财务收支预算总表" in page
    assert units_total == Decimal(department["支出总计"]) == sum(a for _, _, a in lines)
    assert Decimal(_t1(tmp_path / f"shanghai-street-2025-147002-{UNITS['147002']}.json")["支出总计"]) == \
        Decimal("6146800.00")  # typed from the sample: 147002's basic lines and its one project


def test_without_units_only_the_department(tmp_path):
    assert main(["render", str(SAMPLE), "--out", str(tmp_path), "--format", "json"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["shanghai-street-2025.json"]


def test_a_single_unit_folder_is_not_written_twice(tmp_path):
    folder = tmp_path / "unit"
    folder.mkdir()
    units = yaml.safe_load((SAMPLE / "units" / "02-社区事务受理服务中心.yaml").read_text(encoding="utf-8"))
    dept = yaml.safe_load((SAMPLE / "department.yaml").read_text(encoding="utf-8"))
    dept["department"].update(code=units["units"][0]["code"], name=units["units"][0]["name"])
    dept["department"].setdefault("options", {})["document"] = "单位预算"
    dept["department"].pop("last_year", None)
    (folder / "department.yaml").write_text(yaml.safe_dump(dept, allow_unicode=True), encoding="utf-8")
    (folder / "units.yaml").write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    projects = [p for p in yaml.safe_load((SAMPLE / "projects" / "06-社区事务受理窗口运行维护.yaml").read_text(
        encoding="utf-8"))["projects"]]
    (folder / "projects.yaml").write_text(yaml.safe_dump({"projects": projects}, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["render", str(folder), "--units", "--out", str(out), "--format", "json"]) == 0
    assert [p.name for p in out.iterdir()] == ["unit.json"]
    assert Decimal(_t1(out / "unit.json")["支出总计"]) == Decimal("6146800.00")


def test_a_unit_that_fails_replaces_nothing(tmp_path, monkeypatch):
    """The department's document renders before the failing unit's: it must not be moved in alone."""
    assert _render(tmp_path) == 0
    (tmp_path / "shanghai-street-2025.json").write_bytes(b"old")  # what an earlier run left
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert len(before) == 8
    real = writers.render

    def failing(name, doc, options=None):
        if doc.department_code == "147003":
            raise RuntimeError("磁盘已满")
        return real(name, doc, options)

    monkeypatch.setattr(writers, "render", failing)
    assert _render(tmp_path) == 1
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
