"""A clerk's YAML file edited in place (new-year, import): its text as the loader read it, its node tree, where a
key's lines begin and end, and the edits spliced in, so comments, quoting and indentation survive."""

from __future__ import annotations

import codecs
from pathlib import Path

import yaml


class Unreadable(Exception):
    """The file cannot be read or parsed; the message says why, in Chinese (callers add what to do)."""


def read(path: Path) -> tuple[str, str, yaml.Node | None]:
    """The file's text exactly as the loader read it when validate passed (its decoder; a UTF-8 BOM kept, as the
    file is written back as it was), its encoding (utf-8, GBK or UTF-16) and its node tree (None when empty)."""
    from .model.loader import decode_text

    raw = path.read_bytes()
    findings: list = []
    text = decode_text(raw, str(path), findings)
    if text is None:
        raise Unreadable(f"{path}：{findings[0].message}；请用文本编辑器另存为 UTF-8 后重试")
    codes = {f.code for f in findings}
    encoding = "GBK" if "encoding-gbk" in codes else "UTF-16" if "encoding-utf16" in codes else "utf-8"
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise Unreadable(f"无法读取 {path}：{exc}") from None
    return ("\ufeff" + text if raw.startswith(codecs.BOM_UTF8) else text), encoding, root


def splice(text: str, changes: list[tuple[int, int, str]]) -> str:
    """The text with each (start, end, new) replaced, last first so earlier offsets stay right."""
    for start, end, new in sorted(changes, key=lambda c: (c[0], c[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text


BREAKS = "\r\n\x85\u2028\u2029"  # what YAML counts as a line break


def line_start(text: str, index: int) -> int:
    return max(text.rfind(b, 0, index) for b in BREAKS) + 1


def line_end(text: str, index: int) -> int:
    """The index after the line break that ends the line holding `index` (or the end of the text)."""
    ends = [i for i in (text.find(b, index) for b in BREAKS) if i >= 0]
    if not ends:
        return len(text)
    end = min(ends)
    return end + 2 if text.startswith("\r\n", end) else end + 1


def value_end(text: str, key: yaml.Node, value: yaml.Node) -> int:
    """Where the lines of `key: value` end: after its last line that holds more than blanks or a comment (the
    comments and blank lines after it stay, as they may belong to what follows)."""
    start = line_start(text, key.start_mark.index)
    end = value.end_mark.index
    if text[line_start(text, end):end].strip():  # the value ends inside a line: keep to that line's end
        return line_end(text, end)
    cut = line_start(text, end)  # the value ends where the next token's line starts
    while cut > start:
        prev = line_start(text, cut - (2 if text.startswith("\r\n", cut - 2) else 1))
        line = text[prev:cut].strip()
        if line and not line.startswith("#"):
            break
        cut = prev
    return max(cut, line_end(text, key.start_mark.index))
