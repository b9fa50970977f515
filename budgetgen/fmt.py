"""The one home of formatting: amounts, percentages, Chinese numerals. Every writer and template calls these."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .document import Cell

CENT = Decimal("0.01")
_DIGITS = "零一二三四五六七八九"


def money(value: Decimal | None) -> str:
    """Two decimals, as published (1841.44); '' for None."""
    if value is None:
        return ""
    return f"{value.quantize(CENT, ROUND_HALF_UP):f}"


def cell_amount(value: Decimal | None) -> str:
    """An amount in a table cell: zero and nothing both stay empty, as the genre prints them."""
    if value is None or value == 0:
        return ""
    return money(value)


def percent(value: Decimal | None) -> str:
    return "" if value is None else f"{money(value)}%"


def cell_text(cell: Cell) -> str:
    """A table cell as the document prints it (HTML, DOCX): zero amounts stay empty (the genre's convention)."""
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, Decimal):
        if cell.kind == "amount":
            return cell_amount(v)
        if cell.kind == "percent":
            return percent(v)
        return money(v)
    return str(v)


def cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 31 -> 三十一 (section and row numerals up to 99)."""
    if n < 0 or n > 99:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[ones] if ones else ''}"


def cn_ordinal(n: int) -> str:
    """一、 style heading prefix."""
    return f"{cn_number(n)}、"


def cn_paren(n: int) -> str:
    """（一） style prefix."""
    return f"（{cn_number(n)}）"
