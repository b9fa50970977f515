"""How a figure is written: the one parser of amounts, percentages and quantities typed as text.

NUMBER_PATTERN is both what the loader accepts (number_text, run before pydantic reads the Decimal) and the
string pattern of the JSON Schema (budget._number_schema): plain digits with an optional point and a leading +,
as 12, 12.50, 12., .5, +3. Anything else is refused alike, with what to write instead: 1e1 (科学计数法), 1_000,
full-width digits, spaces. A leading minus is left to the field's lower bound (不能为负数), which refuses it too.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic_core import PydanticCustomError

NUMBER_PATTERN = r"^\+?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$"
_NUMBER = re.compile(NUMBER_PATTERN)
_NEGATIVE = re.compile(r"^-(?:[0-9]+\.?[0-9]*|\.[0-9]+)$")
# The error type messages.py words as "应为金额数字" (pydantic's own type for text that is no number).
NOT_A_NUMBER = "decimal_parsing"


def is_number_text(text: str) -> bool:
    """Whether text is a figure as budgetgen reads it (and as the JSON Schema's pattern accepts it)."""
    return _NUMBER.fullmatch(text) is not None  # fullmatch: "$" alone would let a final newline through


def number_text(value: Any) -> Any:
    """Pydantic's before-validator of every Amount, Percent and Quantity: text must be is_number_text.

    Values built in code (Decimal, int) pass unchanged. A refused text that Python could still read as a number
    carries the plain figure (ctx "plain", e.g. 10 for 1e1) so the message can say what to write.
    """
    if not isinstance(value, str) or is_number_text(value) or _NEGATIVE.fullmatch(value):
        return value
    ctx: dict[str, Any] = {"text": value, "plain": "", "exponent": "e" in value.lower()}
    try:
        figure = Decimal(value.strip())
    except (InvalidOperation, ValueError):
        figure = None
    if figure is not None and figure.is_finite() and figure.adjusted() < 15:
        ctx["plain"] = plain(figure)
    raise PydanticCustomError(NOT_A_NUMBER, "not a figure as budgetgen reads it: {text}", ctx)


def plain(figure: Decimal) -> str:
    """A figure as a clerk should type it: 1E+1 -> 10 (no exponent, no trailing zeros)."""
    text = format(figure, "f")
    return (text.rstrip("0").rstrip(".") or "0") if "." in text else text
