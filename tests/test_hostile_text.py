"""Random departments whose names and free texts hold what careless or hostile input holds (other line breaks,
the notes' § marker, control characters, XML-forbidden characters, spreadsheet formulas): each is either refused
with a file and line, or read as text — every format renders, no text becomes a heading, a table or a formula."""

from __future__ import annotations

import copy
import csv
import json
import tempfile
import zipfile
from pathlib import Path
from xml.dom import minidom

from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as gen
from budgetgen.cli import main
from budgetgen.errors import Severity
from budgetgen.pipeline import validate
from strategies import PROFILE

# The classes of issue 11: the notes' § marker, markup and spreadsheet formulas anywhere; other line breaks in free
# texts; control and non-characters (refused by the loader with their position).
MARKED = ["§h2 ", "§table units", "§performance", "=1+1", "+SUM(A1)", "-2+3", "@cmd", "<b>", "&amp;"]
BREAKS = ["\r", "\v", "\f", "\x85", "\u2028", "\u2029", "\r\n", "\t"]
REFUSED = ["\x00", "\x07", "\x1b", "\ufffe", "\uffff"]
WORDS = st.text("部门经费办公室", min_size=1, max_size=4)
# Always a word among them: a text of only breaks and blanks is empty once stripped (a different error).
names = st.tuples(WORDS, st.lists(st.one_of(st.sampled_from(MARKED), WORDS), max_size=4)).map(
    lambda t: "".join(t[1][:1]) + t[0] + "".join(t[1][1:]))
texts = st.tuples(WORDS, st.lists(st.one_of(st.sampled_from(MARKED + BREAKS), WORDS), max_size=6)).map(
    lambda t: "".join(t[1][:2]) + t[0] + "".join(t[1][2:]))


@st.composite
def hostile_budgets(draw) -> tuple[dict, dict, bool]:
    """The same department twice — with hostile texts, and with plain words in their places — and whether a
    refused character was slipped into one of the texts."""
    spec = draw(gen.budgets(min_units=1, max_units=2))
    plain = copy.deepcopy(spec)
    for one, word in ((spec, None), (plain, "文字")):
        dept = one["department"]
        dept["duties"] = [word or draw(texts) for _ in range(3)]
        dept["other_matters"] = word or draw(texts)
        dept.setdefault("reasons", {})["total"] = word or draw(texts)
        one["units"][0]["name"] = word or draw(names)
        for project in one["projects"][:1]:
            project["goals"] = [word or draw(texts)]
    refused = draw(st.booleans())
    if refused:
        spec["department"]["duties"][draw(st.integers(0, 2))] += draw(st.sampled_from(REFUSED))
    return spec, plain, refused


def _rendered(spec: dict, folder: Path) -> tuple[dict, str] | None:
    """JSON and HTML of the spec rendered to every format but PDF; None when validate refuses it (then every
    error names its file and line)."""
    path = gen.write_yaml(spec, folder, split=False)
    _, findings = validate(path)
    errors = [f for f in findings if f.severity is Severity.error]
    if errors:
        assert all(f.file and f.line for f in errors), errors
        return None
    out = folder / "out"
    assert main(["render", str(path), "--format", "html,json,csv,docx,xlsx", "--out", str(out)]) == 0
    for name in ("budget.docx", "budget.xlsx"):  # well-formed XML, whatever the text held
        with zipfile.ZipFile(out / name) as archive:
            for member in archive.namelist():
                if member.endswith(".xml"):
                    minidom.parseString(archive.read(member))
    for csv_path in (out / "budget-csv").glob("*.csv"):  # no cell a spreadsheet would run as a formula
        with csv_path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                assert not any(cell[:1] in ("=", "+", "@") or (cell[:1] == "-" and not _number(cell[1:]))
                               for cell in row), row
    return (json.loads((out / "budget.json").read_text(encoding="utf-8")),
            (out / "budget.html").read_text(encoding="utf-8"))


def _number(text: str) -> bool:
    return text.replace(".", "", 1).isdigit()


@settings(max_examples=15, **PROFILE)
@given(case=hostile_budgets())
def test_hostile_text_is_refused_with_a_place_or_printed_as_text(case):
    hostile, plain, refused = case
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        got = _rendered(hostile, Path(a))
        assert (got is None) == refused, "refused characters are errors; everything else is text"
        if refused:
            return
        expected = _rendered(plain, Path(b))
    assert expected is not None
    (data, html), (plain_data, plain_html) = got, expected
    # text never becomes structure: the same tables, headings and 目录 entries as with plain words
    assert [t["id"] for t in data["tables"]] == [t["id"] for t in plain_data["tables"]]
    for tag in ("<h2", "<h3", "<h4", "<h5", "<li class=\"toc-"):
        assert html.count(tag) == plain_html.count(tag), tag
