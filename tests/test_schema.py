"""The committed JSON Schema is the one the models generate, and every sample file satisfies it."""

from __future__ import annotations

import json

import jsonschema
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
