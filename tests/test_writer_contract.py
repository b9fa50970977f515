"""One writer contract over a complete document: compose sets what writers print besides figures (emphasis,
indent, banner line, 栏次 row, cover and 目录 wording), and every format renders through the same render(doc,
options) listed once in FORMATS; write() stages the whole set and moves it in together."""

from __future__ import annotations

import importlib
import inspect

import pytest

from budgetgen import writers
from budgetgen.document import Disclosure
from render_util import SAMPLE_NAMES


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_compose_sets_the_presentation_fields(disclosure, name):
    doc: Disclosure = disclosure(name)
    assert doc.cover.name == doc.department_name and doc.cover.title == f"{doc.year}年{doc.kind}"
    assert doc.cover.subtitle == f"（{doc.kind}信息公开）" and doc.cover.notice == "" and doc.toc_title == "目　录"
    for table in doc.tables():
        for row in table.rows:
            assert row.emphasis == {0: "row", 1: "text"}.get(row.level, "")
            assert row.indent == {2: 1, 3: 2}.get(row.level, 0)
        if table.banner is not None:
            b = table.banner
            assert b.left == f"{b.code} {b.name}" and b.right == (b.unit_label or "")
            assert b.centre == (f"预算年度：{b.year}" if b.year else "") + (b.extra or "")
        nine = table.kind in {f"t{i}" for i in range(1, 10)}
        assert (table.colnum_row is not None) == nine
        if nine:
            assert table.header[table.colnum_row][0].value == "栏次" and table.colnum_row == len(table.header) - 1
            assert table.scope == ("部门" if table.id.startswith("d") else table.banner.code)


def test_bold_follows_the_rows_emphasis():
    from budgetgen.document import Cell, Row

    text, amount = Cell("一般公共服务支出", "text"), Cell(None, "amount")
    assert [Row([text, amount], emphasis="row").bold(c) for c in (text, amount)] == [True, True]
    assert [Row([text, amount], emphasis="text").bold(c) for c in (text, amount)] == [True, False]
    assert [Row([text, amount]).bold(c) for c in (text, amount)] == [False, False]
    assert Row([Cell("绩效目标", "label", strong=True)]).bold(Cell("x", "label", strong=True))


def test_every_format_is_one_module_with_one_render():
    names = [f.name for f in writers.FORMATS]
    assert len(set(names)) == len(names) and writers.available() == names
    assert len({f.module for f in writers.FORMATS}) == len(names)
    for f in writers.FORMATS:
        module = importlib.import_module(f.module)
        assert list(inspect.signature(module.render).parameters) == ["doc", "options"], f.module
        assert f.label and (f.suffix.startswith(".") or f.name == "csv" or f.suffix.endswith(".xlsx"))


@pytest.mark.parametrize("name", ["html", "json", "csv", "xlsx"])
def test_write_gives_the_bytes_render_gives(disclosure, tmp_path, name):
    doc = disclosure("wei-2021")
    (path,) = writers.write(doc, tmp_path, "魏县", [name], writers.Options())
    data = writers.render(name, doc)
    if isinstance(data, dict):
        assert sorted(p.name for p in path.iterdir()) == sorted(data)
        assert all((path / n).read_bytes() == content for n, content in data.items())
    else:
        assert path.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # nothing staged is left behind


def test_a_failing_format_names_itself_and_replaces_nothing(disclosure, tmp_path, monkeypatch):
    doc = disclosure("wei-2021")
    writers.write(doc, tmp_path, "d", ["json"])
    before = (tmp_path / "d.json").read_bytes()
    xlsx = importlib.import_module("budgetgen.writers.xlsx")
    monkeypatch.setattr(xlsx, "render", lambda doc, options: (_ for _ in ()).throw(ValueError("boom")))
    with pytest.raises(writers.FormatFailed) as caught:
        writers.write(doc, tmp_path, "d", ["html", "json", "xlsx"])
    assert caught.value.name == "xlsx" and isinstance(caught.value.cause, ValueError)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.json"] and (tmp_path / "d.json").read_bytes() == before

