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


def grouped(value: Decimal, blank_zero: bool = True) -> str:
    """Two decimals with thousands separators (1,234,567.89), as tables in 元 print them; '' for zero (blank_zero)."""
    return "" if blank_zero and value == 0 else f"{value.quantize(CENT, ROUND_HALF_UP):,f}"


def percent(value: Decimal | None) -> str:
    return "" if value is None else f"{money(value)}%"


def cell_text(cell: Cell) -> str:
    """A table cell as the document prints it (HTML, DOCX): zero amounts stay empty (the genre's convention)."""
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, Decimal):
        if cell.grouped and cell.kind in ("amount", "number"):
            return grouped(v, blank_zero=cell.kind == "amount")
        if cell.kind == "amount":
            return cell_amount(v)
        if cell.kind == "percent":
            return percent(v)
        return money(v)
    return str(v)


def cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 100 -> 一百, 101 -> 一百零一, 110 -> 一百一十, 10001 -> 一万零一 (below 10⁸)."""
    if n < 0 or n >= 10**8:
        raise ValueError(n)
    if n == 0:
        return _DIGITS[0]
    high, low = divmod(n, 10000)
    if not high:
        text = _below_10000(low)
        return text[1:] if text.startswith("一十") else text  # 十二, not 一十二 (but 一百一十二)
    head = cn_number(high) + "万"
    if not low:
        return head
    return head + ("零" if low < 1000 else "") + _below_10000(low)


def _below_10000(n: int) -> str:
    """1..9999 with every 一 written (一十 inside a larger number) and one 零 for each run of zeros."""
    out: list[str] = []
    zero = False
    for power, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // power % 10
        if digit:
            if zero and out:
                out.append("零")
            out.append(_DIGITS[digit] + name)
            zero = False
        else:
            zero = True
    return "".join(out)


def cn_ordinal(n: int) -> str:
    """一、 style heading prefix."""
    return f"{cn_number(n)}、"


def cn_paren(n: int) -> str:
    """（一） style prefix."""
    return f"（{cn_number(n)}）"
