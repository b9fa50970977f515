"""The JSON Schemas of budgetgen's YAML files, generated from the models (schemas/ holds committed copies): a
department's data files (budget.schema.json) and a profile's profile.yaml (profile.schema.json), for editors
that check YAML as it is typed."""

from __future__ import annotations

import json

BASE_ID = "https://budgetgen.invalid/schemas/"
SCHEMA_ID = BASE_ID + "budget.schema.json"
KINDS = ("budget", "profile")  # what `budgetgen schema` can write: department data, or a 公开格式's profile.yaml


def schema(kind: str = "budget") -> dict:
    if kind == "profile":
        from .profiles import Profile

        data = Profile.model_json_schema(mode="validation")
    else:
        from .model.budget import Fragment

        data = Fragment.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{BASE_ID}{kind}.schema.json", **data}


def schema_text(kind: str = "budget") -> str:
    return json.dumps(schema(kind), ensure_ascii=False, indent=2) + "\n"
