"""The JSON Schema of a department YAML file, generated from the models (schemas/ holds a committed copy)."""

from __future__ import annotations

import json

from .model.budget import Fragment

SCHEMA_ID = "https://budgetgen.invalid/schemas/budget.schema.json"


def schema() -> dict:
    data = Fragment.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **data}


def schema_text() -> str:
    return json.dumps(schema(), ensure_ascii=False, indent=2) + "\n"
