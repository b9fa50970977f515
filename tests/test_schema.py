"""The committed JSON Schema is the one the models generate, and every sample file satisfies it."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml

from budgetgen.schema import schema_text
from render_util import ROOT, SAMPLES


def test_committed_schema_matches_models():
    committed = (ROOT / "schemas" / "budget.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "运行 budgetgen schema --out schemas/budget.schema.json 更新已提交的 Schema"


def test_samples_validate_against_schema_as_editors_read_them():
    schema = json.loads(schema_text())
    files = sorted(SAMPLES.rglob("*.yaml"))
    assert len(files) > 40
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema="), path
        jsonschema.validate(yaml.safe_load(text), schema)


# --- one parser of figures: the loader and the schema accept the same texts (issue 12) ---------------------------

FIGURE_FILE = """\
budget_year: 2023
department: {{code: "305", name: 某县教育局}}
units:
  - code: "305001"
    name: 某县教育局本级
    nature: 行政
    basic:
      - {{function: "2050101", economic: "30101", amount: {figure}}}
"""
ACCEPTED = ["12", "12.50", "12.", ".5", "+3", "0012", "0", "0.00"]
REFUSED = ["1e1", "1E+1", "1.0e+1", "2e-2", "1_000", "１２", " 12", "12 ", "12\t", "五万元", "NaN", "Infinity",
           "0x1A", "1,200", "", "-", "+", ".", "12.5.1", "-1", "- 1", "12万元"]


def _loader_accepts(tmp_path, figure: str) -> tuple[bool, list]:
    from budgetgen.model.loader import load_file

    path = tmp_path / "d.yaml"
    path.write_text(FIGURE_FILE.format(figure=figure), encoding="utf-8")
    lf, findings = load_file(path, "d.yaml")
    return not lf.partial and lf.fragment is not None and not findings, findings


def _schema_accepts(figure: str) -> bool:
    data = yaml.safe_load(FIGURE_FILE.format(figure=figure))
    return jsonschema.Draft202012Validator(json.loads(schema_text())).is_valid(data)


def test_loader_and_schema_accept_the_same_figure_texts(tmp_path):
    for text in ACCEPTED + REFUSED:
        quoted = json.dumps(text, ensure_ascii=False)  # a YAML double-quoted string: both read the same text
        loader_ok, findings = _loader_accepts(tmp_path, quoted)
        assert loader_ok == _schema_accepts(quoted) == (text in ACCEPTED), (text, findings)


def test_a_figure_with_a_line_break_after_it_is_refused(tmp_path):
    """The pattern's $ is the editors' (ECMAScript: the very end); Python's re.search, which the jsonschema
    package uses, lets one final line break through, so this text is checked against the pattern as editors read it."""
    from budgetgen.model.numbers import NUMBER_PATTERN

    ok, [finding] = _loader_accepts(tmp_path, '"12\\n"')
    assert not ok and finding.code == "schema-decimal_parsing"
    assert re.fullmatch(NUMBER_PATTERN, "12\n") is None and re.fullmatch(NUMBER_PATTERN, "12")


def test_a_figure_in_exponent_form_is_refused_by_loader_and_schema_alike(tmp_path):
    for figure in ("1e1", '"1e1"'):
        ok, findings = _loader_accepts(tmp_path, figure)
        assert not ok and not _schema_accepts(figure)
        [f] = findings
        assert (f.file, f.line, f.path) == ("d.yaml", 8, "units[0].basic[0].amount")
        assert "科学计数法" in f.message and "「1e1」" in f.message
        assert f.fix == "写成 10 或 10.00"


def test_the_schema_pattern_is_the_loaders():
    from budgetgen.model.numbers import NUMBER_PATTERN

    patterns = set()

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and "pattern" in node and "anyOf" not in node:
                patterns.add(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(schema_text()))
    assert NUMBER_PATTERN in patterns


# --- profile.yaml: the schema an editor checks a bureau's 公开格式 with -------------------------------------------

def test_committed_profile_schema_matches_the_model():
    committed = (ROOT / "schemas" / "profile.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text("profile"), "运行 budgetgen schema --profile --out schemas/profile.schema.json 更新"


def test_built_in_profiles_validate_and_a_misspelt_key_does_not():
    schema = json.loads(schema_text("profile"))
    files = sorted((ROOT / "budgetgen" / "profiles").glob("*/profile.yaml"))
    assert {p.parent.name for p in files} == {"河北县级", "河北2025", "上海区级", "江苏省级"}
    for path in files:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)
    data = yaml.safe_load(files[0].read_text(encoding="utf-8"))
    data["tables"][0]["titel"] = data["tables"][0].pop("title")  # the typo validate names at its line
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
