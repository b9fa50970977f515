"""Disclosure → one JSON file with every table (the open-data companion)."""

from __future__ import annotations

import json

from ..document import Disclosure
from . import Options
from .data import document_data


def render(doc: Disclosure, options: Options) -> bytes:
    return (json.dumps(document_data(doc), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
