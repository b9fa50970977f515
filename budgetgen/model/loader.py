"""Read a department's YAML file(s) into a Budget, keeping every value's file, line and column."""

from __future__ import annotations

import codecs
import copy
import os
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from collections.abc import Callable
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import Finding, InputError, Severity
from .budget import AmountUnit, Budget, Department, Fragment, Level, Project, Strict, Unit
from .messages import finding_from_pydantic, merge_misnamed, merge_split_amounts
from .positions import Loc, Path_, SourceMap, path_text, place

MAX_FILE_BYTES = 20 * 1024 * 1024  # a department is a few hundred KB; 20 MB is surely a mistake
MAX_NODES = 500_000  # guards against alias bombs ("billion laughs")
MAX_DEPTH = 64
YAML_SUFFIXES = (".yaml", ".yml")
CATALOG_FILE = "科目补充.yaml"  # a department's or a county's own codes (read by model.additions, not a fragment)
PROFILE_POINTER = "公开格式.yaml"  # names the profile of the departments at and below it (read by budgetgen.profiles)

# libyaml's parser when PyYAML has it (several times faster); both are safe loaders and keep marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# Characters no text of a budget may hold (they corrupt DOCX/XLSX or mean nothing): C0/C1 controls other than tab
# and the line breaks below, lone surrogates, non-characters (U+FDD0–U+FDEF, U+xFFFE/U+xFFFF of every plane).
_FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef"
                        + "".join(f"{chr(p + 0xFFFE)}{chr(p + 0xFFFF)}" for p in range(0, 0x110000, 0x10000)) + "]")
# Line breaks other than \n, made \n in every text so that nothing downstream sees them.
_BREAKS = re.compile("\r\n|[\r\v\f\x85\u2028\u2029]")
# What YAML itself refuses in a file (its "printable" set); reported before parsing, with positions.
_UNREADABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_ENDS = re.compile("\r\n|\r|\n")
_CHAR_NAMES = {0: "空字符 NUL", 0x0B: "垂直制表符", 0x0C: "换页符", 0x1B: "ESC 控制字符", 0x7F: "删除字符 DEL"}


def char_name(c: str) -> str:
    """A forbidden character as a clerk can find it: U+XXXX and what it is."""
    cp = ord(c)
    if cp in _CHAR_NAMES:
        kind = _CHAR_NAMES[cp]
    elif 0xD800 <= cp <= 0xDFFF:
        kind = "单独的代理项，不是有效字符"
    elif cp < 0x20 or 0x7F <= cp <= 0x9F:
        kind = "控制字符"
    elif cp & 0xFFFE == 0xFFFE or 0xFDD0 <= cp <= 0xFDEF:
        kind = "Unicode 非字符"
    else:
        kind = unicodedata.name(c, "不可见字符")
    return f"U+{cp:04X}（{kind}）"


FORBIDDEN_FIX = ("删除这个字符（它看不见，多半是从网页、Word 或其他系统复制来的；也可能是双引号中的 \\x00、\\uFFFE "
                 "一类转义）；需要换行时直接换行")


class _Converter:
    """YAML node tree -> plain data. Scalars stay strings so amounts parse exactly as typed (never float).

    Every string passes through text(): forbidden characters are errors at the value (and replaced by U+FFFD,
    so nothing downstream meets them), other line breaks become \n.
    """

    NULLS = {"", "~", "null", "Null", "NULL"}

    def __init__(self, smap: SourceMap):
        self.smap = smap
        self.count = 0
        self.findings: list[Finding] = []

    def convert(self, node: yaml.Node, path: Path_ = (), depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig("文件中的数据项过多（可能是 YAML 别名反复展开造成的“别名炸弹”），已停止读取")
        if depth > MAX_DEPTH:
            raise _TooBig(f"嵌套层级超过 {MAX_DEPTH} 层，不是有效的预算数据")
        self.smap.values.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.ScalarNode):
            if node.style is None and node.value in self.NULLS:
                return None
            return self.text(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self._add(key_node, path, "字段名必须是简单文字")
                    continue
                key = self.text(key_node, path)
                if key == "<<":
                    self._add(key_node, path, "不支持 YAML 合并键 <<，请直接写出各字段")
                    continue
                kpath = path + (key,)
                if key in out:
                    first = self.smap.keys[kpath][0]
                    self._add(key_node, kpath, f"字段 {key} 重复出现（第 {first} 行已有），后一个会覆盖前一个",
                              fix="删除或合并重复的字段")
                self.smap.keys.setdefault(kpath, (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
                out[key] = self.convert(value_node, kpath, depth + 1)
            return out
        raise _TooBig("无法识别的 YAML 内容")  # pragma: no cover - yaml has only three node kinds

    def text(self, node: yaml.ScalarNode, path: Path_) -> str:
        value = node.value
        bad = sorted(set(_FORBIDDEN.findall(value)))
        if bad:
            names = "、".join(char_name(c) for c in bad)
            self._add(node, path, f"文字中有不允许的字符 {names}", FORBIDDEN_FIX, "forbidden-character")
            value = _FORBIDDEN.sub("\ufffd", value)
        return _BREAKS.sub("\n", value) if _BREAKS.search(value) else value

    def _add(self, node: yaml.Node, path: Path_, message: str, fix: str = "", code: str = "yaml-structure") -> None:
        self.findings.append(Finding(Severity.error, message, self.smap.file, node.start_mark.line + 1,
                                     node.start_mark.column + 1, path_text(path), fix, code))


class _TooBig(Exception):
    pass


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
SAVE_AS_UTF8 = "用文本编辑器将文件另存为 UTF-8 编码（记事本：“另存为”时编码选 UTF-8）"


def decode_text(raw: bytes, name: str, findings: list[Finding]) -> str | None:
    """The file's text: UTF-8 (with or without BOM), UTF-16/32 with a BOM, or GBK when it reads as Chinese.

    Legacy two-byte encodings overlap: most Big5 files decode as GBK (and the reverse) into rare characters, kana
    and Greek letters. A file is read as GBK only when its GBK reading is ordinary simplified Chinese and a better
    fit than a Big5 reading; Big5 or an undecidable file is refused (never printed as mojibake).
    """
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError:
                findings.append(Finding(Severity.error, f"文件开头标明是 {codec.upper()} 编码，但内容无法按此读取",
                                        name, fix=SAVE_AS_UTF8, code="encoding"))
                return None
            findings.append(Finding(Severity.warning, f"文件是 {codec.upper()} 编码（记事本的“Unicode”），已按 "
                                    f"{codec.upper()} 读取", name, fix="建议另存为 UTF-8 编码，以免其他软件读错",
                                    code="encoding-utf16"))
            return text.removeprefix("\ufeff")
    head = raw[:2000]
    zeros = sorted((head[0::2].count(0), head[1::2].count(0)))
    if zeros[1] * 3 > len(head) // 2 and zeros[0] * 20 < len(head) // 2:  # UTF-16 without BOM: every other byte 0
        findings.append(Finding(Severity.error, "文件像是没有 BOM 的 UTF-16 编码，无法可靠读取", name,
                                fix=SAVE_AS_UTF8, code="encoding"))
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
    gbk, big5 = _legacy(raw, "gb18030"), _legacy(raw, "cp950")
    odd_gbk, odd_big5 = _unusual_gbk(gbk), _unusual_big5(big5)
    if gbk is not None and _plausible(gbk, odd_gbk) and (big5 is None or odd_gbk < odd_big5):
        findings.append(Finding(Severity.warning, "文件是 GBK/GB18030 编码，已按 GBK 读取", name, 0, 0,
                                fix="建议另存为 UTF-8 编码，以免其他软件读错", code="encoding-gbk"))
        return gbk
    if big5 is not None and _plausible(big5, odd_big5) and (gbk is None or odd_big5 < odd_gbk):
        findings.append(Finding(Severity.error, f"文件是 Big5（繁体中文）编码，budgetgen 不按 Big5 读取，以免文字读错"
                                f"（按 Big5 读出的开头为「{_sample(big5)}」）", name, fix=SAVE_AS_UTF8 + "，文字用简体",
                                code="encoding-big5"))
        return None
    if gbk is None and big5 is None:
        findings.append(Finding(Severity.error, f"文件不是 UTF-8 编码，第 {line} 行有无法识别的字节", name, line, 1,
                                fix=SAVE_AS_UTF8, code="encoding"))
        return None
    misread = gbk if gbk is not None else big5
    assert misread is not None  # both None returned above
    shown = _sample(misread)
    findings.append(Finding(Severity.error, f"文件不是 UTF-8 编码，也无法确定是 GBK 还是 Big5 编码：按 "
                            f"{'GBK' if gbk is not None else 'Big5'} 读出的是乱码「{shown}」", name, line, 1,
                            fix=SAVE_AS_UTF8, code="encoding"))
    return None


def _legacy(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        return None


def _unusual(text: str | None, codec: str, ordinary) -> int:
    """How many non-ASCII characters of text fall outside what ordinary text in codec uses."""
    if text is None:
        return 0
    odd = 0
    for c in text:
        if c < "\x80":
            continue
        try:
            odd += not ordinary(c.encode(codec))
        except UnicodeEncodeError:
            odd += 1
    return odd


def _unusual_gbk(text: str | None) -> int:
    """Characters outside ordinary GB2312 text (punctuation, full-width forms, 汉字): kana, Greek, Cyrillic,
    box drawing, private use and GBK's rare extension characters are what Big5 bytes decode to."""
    return _unusual(text, "gb2312", lambda b: b[0] <= 0xA3 or 0xB0 <= b[0] <= 0xF7)


def _unusual_big5(text: str | None) -> int:
    """Characters outside Big5's symbols and its 5,401 frequent characters (level 1): what GBK bytes become."""
    return _unusual(text, "cp950", lambda b: 0xA140 <= int.from_bytes(b, "big") <= 0xA3BF
                    or 0xA440 <= int.from_bytes(b, "big") <= 0xC67E)


def _plausible(text: str, odd: int) -> bool:
    wide = sum(c >= "\x80" for c in text)
    return odd <= max(1, wide // 20)


def _sample(text: str) -> str:
    wide = "".join(c for c in text if c >= "\x80" and c.isprintable())
    return wide[:12]


def _unreadable(text: str, name: str) -> list[Finding]:
    """Characters YAML refuses in a file, each at its line and column (at most five, then how many more)."""
    found: list[Finding] = []
    for m in _UNREADABLE.finditer(text):
        if len(found) == 5:
            rest = len(_UNREADABLE.findall(text)) - 5
            found.append(Finding(Severity.error, f"文件中还有 {rest} 处同类字符", name, code="forbidden-character",
                                 fix=FORBIDDEN_FIX))
            break
        before = text[: m.start()]
        line = len(_LINE_ENDS.findall(before)) + 1
        col = len(_LINE_ENDS.split(before)[-1]) + 1
        found.append(Finding(Severity.error, f"文件中有不允许的字符 {char_name(m.group())}", name, line, col,
                             code="forbidden-character", fix=FORBIDDEN_FIX))
    return found


def _yaml_error(exc: yaml.YAMLError, name: str, text: str) -> Finding:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    problem = getattr(exc, "problem", "") or str(exc)
    if "\t" in problem or "'\\t'" in problem:
        message, fix = "用 Tab 键缩进了，YAML 只能用空格缩进", "把这一行开头的 Tab 换成空格"
    elif "mapping values are not allowed" in problem:
        message, fix = "冒号位置不对：值里含有“: ”或缩进错误", "检查缩进，或把含冒号的文字用引号括起来"
    elif "could not find expected ':'" in problem:
        message, fix = "缺少冒号“:”，或上一行的引号没有闭合", "字段名后加“: ”，并检查引号是否成对"
    elif "nesting depth" in problem:  # PyYAML 6.0.4 and later refuse deep nesting themselves
        message, fix = "嵌套层级过深（超过 PyYAML 的上限），不是有效的预算数据", "检查是否有成串的括号 [ 或 {"
    elif "invalid Unicode character escape" in problem:
        message, fix = "双引号中的 \\u 转义不是有效的字符", "删除这个转义，直接写出文字"
    elif "found undefined alias" in problem:
        message, fix = "引用了未定义的别名", "删除 * 开头的别名引用"
    elif "expected <block end>" in problem or "did not find expected" in problem:
        message, fix = "缩进不一致或列表项格式错误", "同一层级的字段要对齐，列表项以“- ”开头"
    elif "found unexpected end of stream" in problem or "while scanning a quoted scalar" in str(exc):
        message, fix = "引号没有闭合", "检查这一行的引号是否成对"
    else:
        message, fix = f"YAML 格式错误（{problem}）", "检查这一行的缩进、冒号和引号"
    lines = text.splitlines()
    tabbed = next((n for n, ln in enumerate(lines[:max(line, 1)], start=1) if re.match(r"^ *\t", ln)), None)
    if tabbed:  # whichever parser reports it, a tab in the indentation is the cause
        line, col = tabbed, lines[tabbed - 1].index("\t") + 1
        message, fix = "用 Tab 键缩进了，YAML 只能用空格缩进", "把这一行开头的 Tab 换成空格"
    wide = next((n for n in range(min(line, len(lines)), 0, -1) if _FULL_WIDTH_KEY.match(lines[n - 1])), None)
    if wide and not tabbed:  # “name： 满意度”: YAML reads one scalar and stumbles on the next line
        line, col = wide, lines[wide - 1].index("：") + 1
        message, fix = "字段名后用了全角冒号“：”", "改为半角冒号加空格“: ”（英文输入法下的冒号）"
    unclosed = _unclosed_quote(lines[:line])
    if unclosed:  # YAML reports an unclosed quote where it finally gives up, often lines later
        line, col = unclosed
        message, fix = "引号没有闭合", "在这一行的文字末尾补上对应的引号，或去掉开头的引号"
    if 0 < line <= len(lines):
        message += f"：第 {line} 行为「{lines[line - 1].strip()}」"
    return Finding(Severity.error, message, name, line, col, "", fix, "yaml-syntax")


_FULL_WIDTH_KEY = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][A-Za-z0-9_]*\s*：")


def _unclosed_quote(lines: list[str]) -> tuple[int, int] | None:
    """The first line whose value opens a quote it never closes (a value, not a comment or inner text)."""
    for number, raw in enumerate(lines, start=1):
        body = raw.split(" #", 1)[0]
        value = body.split(": ", 1)[1].lstrip() if ": " in body else body.lstrip().removeprefix("- ").lstrip()
        for quote in ('"', "'"):
            if value.startswith(quote) and value.count(quote) % 2 == 1:
                return number, raw.index(quote) + 1
    return None


@dataclass
class LoadedFile:
    smap: SourceMap
    fragment: Fragment | None
    partial: bool = False  # the file had errors; fragment holds only the parts that are valid on their own
    dropped: frozenset[str] = frozenset()  # the codes of units written in it but not kept (invalid as a whole)


def read_yaml(path: Path, display: str) -> tuple[Any, SourceMap, list[Finding]]:
    """One YAML file as plain data (scalars as strings) with its positions; None when it cannot be read."""
    findings: list[Finding] = []
    smap = SourceMap(display)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            findings.append(Finding(Severity.error, f"文件过大（{size / 1024 / 1024:.0f} MB），不像是部门预算数据",
                                    display, code="too-big", fix="检查是否选错了文件"))
            return None, smap, findings
        raw = path.read_bytes()
    except OSError as exc:
        findings.append(Finding(Severity.error, f"无法读取文件：{exc.strerror or exc}", display, code="io"))
        return None, smap, findings
    text = decode_text(raw, display, findings)
    if text is None:
        return None, smap, findings
    unreadable = _unreadable(text, display)
    if unreadable:
        findings.extend(unreadable)
        return None, smap, findings
    if not text.strip():
        findings.append(Finding(Severity.error, "文件是空的", display, code="empty-file",
                                fix="填写预算数据，或删除这个文件"))
        return None, smap, findings
    try:
        nodes = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.YAMLError as exc:
        findings.append(_yaml_error(exc, display, text))
        return None, smap, findings
    except RecursionError:
        findings.append(Finding(Severity.error, "嵌套层级过深，不是有效的预算数据", display, code="too-deep"))
        return None, smap, findings
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        findings.append(Finding(Severity.error, "文件里只有注释，没有数据", display, code="empty-file"))
        return None, smap, findings
    if len(nodes) > 1:
        second = nodes[1].start_mark.line + 1
        findings.append(Finding(Severity.error, "一个文件只能有一个 YAML 文档（发现了“---”分隔的第二个文档）",
                                display, second, 1, code="multi-document", fix="把第二部分移到另一个文件"))
        return None, smap, findings
    conv = _Converter(smap)
    try:
        data = conv.convert(nodes[0])
    except _TooBig as exc:
        findings.append(Finding(Severity.error, str(exc), display, code="too-big"))
        return None, smap, findings
    except RecursionError:
        findings.append(Finding(Severity.error, "嵌套层级过深，不是有效的预算数据", display, code="too-deep"))
        return None, smap, findings
    findings.extend(conv.findings)
    return data, smap, findings


def load_file(path: Path, display: str) -> tuple[LoadedFile, list[Finding]]:
    """Parse and validate one YAML file into a Fragment."""
    data, smap, findings = read_yaml(path, display)
    if data is None:
        return LoadedFile(smap, None), findings
    if not isinstance(data, dict):
        line, col = smap.position(())
        findings.append(Finding(Severity.error, "文件顶层应是“字段: 值”的形式（如 budget_year、department、units、projects）",
                                display, line, col, code="top-level"))
        return LoadedFile(smap, None), findings
    try:
        fragment = Fragment.model_validate(data)
    except ValidationError as exc:
        findings.extend(finding_from_pydantic(err, smap, Fragment) for err in merge_misnamed(merge_split_amounts(exc.errors(), data)))
        units = data.get("units")
        written = {u["code"] for u in units if isinstance(u, dict) and isinstance(u.get("code"), str)} \
            if isinstance(units, list) else set()
        salvaged = _salvage(data, smap)
        kept = {u.code for u in salvaged.units} if salvaged is not None else set()
        return LoadedFile(smap, salvaged, partial=True, dropped=frozenset(written - kept)), findings
    attach_positions(fragment, smap, ())
    return LoadedFile(smap, fragment), findings


def _salvage(data: dict, smap: SourceMap) -> Fragment | None:
    """The parts of an invalid file that are valid on their own, so the other checks still see them.

    The file's errors are already findings; what is kept here only lets codes, references and the other
    files be checked in the same run (validate lists every finding at once). Nothing is rendered from it.
    """
    kept: dict[str, Any] = {}
    places: dict[str, list[int]] = {}
    for key, value in data.items():
        if key not in Fragment.model_fields:
            continue
        if key in ("units", "projects") and isinstance(value, list):
            item_model = Unit if key == "units" else Project
            items, where = [], []
            for i, item in enumerate(value):
                pruned = _pruned(item, item_model.model_validate)
                if pruned is not None:
                    items.append(item_model.model_validate(pruned))
                    where.append(i)
            kept[key], places[key] = items, where
            continue
        part = _pruned({key: value}, Fragment.model_validate)
        if part is not None:
            kept[key] = part[key]
    try:
        fragment = Fragment.model_validate({k: v for k, v in kept.items() if k not in places})
    except ValidationError:  # pragma: no cover - every part was validated alone
        return None
    attach_positions(fragment, smap, ())
    for key, items in ((k, kept[k]) for k in places):
        setattr(fragment, key, items)
        for item, i in zip(items, places[key], strict=True):
            attach_positions(item, smap, (key, i))
    return fragment


def _pruned(value: Any, validate: Callable[[Any], Any], rounds: int = 50) -> Any | None:
    """A copy of `value` without the optional entries its errors are at (a wrong amount or code under last_year,
    a misspelt key …), so that the rest of it — the department's options, say — is still checked; None when an error
    is not at a removable entry (a required field missing, a rule across fields)."""
    value = copy.deepcopy(value)
    for _ in range(rounds):
        try:
            validate(value)
            return value
        except ValidationError as exc:
            loc = tuple(exc.errors()[0]["loc"])
            if not _drop(value, loc[:-1] if loc and loc[-1] == "[key]" else loc):
                return None
    return None


def _drop(value: Any, loc: tuple) -> bool:
    """Remove the entry at `loc` (a dict key, never a list's item: the others' indices are their positions)."""
    if not loc:
        return False
    parent = value
    for part in loc[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return False
    if isinstance(parent, dict) and loc[-1] in parent:
        del parent[loc[-1]]
        return True
    return False


def attach_positions(obj: Any, smap: SourceMap, path: Path_ = ()) -> None:
    """Give every model object (budgetgen's Strict models: department data, profiles) its Loc, so later checks can
    point at the YAML line."""
    if isinstance(obj, Strict):
        place(obj, Loc(smap, path))
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            attach_positions(getattr(obj, name), smap, path + (name,))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            attach_positions(item, smap, path + (i,))


def yaml_files(root: Path) -> list[Path]:
    """The files of a department that are read (a single file, or every .yaml/.yml file of a folder)."""
    return department_files(root)[0]


def misnamed_yaml(name: str) -> str | None:
    """The name a YAML file should have when a Windows tool changed it (a.YAML, a.Yml, a.yaml.txt -> a.yaml)."""
    lower = name.lower()
    for end in (".yaml.txt", ".yml.txt", ".yaml", ".yml"):
        if lower.endswith(end) and not name.endswith(YAML_SUFFIXES) and len(name) > len(end):
            return name[: -len(end)] + ".yaml"
    return None


# Shown hidden on Windows, so a clerk never sees them: not worth a finding.
_SYSTEM_FILES = {"thumbs.db", "desktop.ini", "ehthumbs.db"}


def department_files(root: Path) -> tuple[list[Path], list[Finding]]:
    """The files read, and a finding for every other file in the folder (hidden files, 科目补充.yaml and the
    editors' JSON Schema aside).

    A YAML file whose name a Windows tool changed (.YAML, .Yml, .yaml.txt …) is an error: its figures would be
    missing without a word. Any other file is a warning: it is not read.
    """
    if root.is_file():
        return [root], []
    read: list[Path] = []
    findings: list[Finding] = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        name, lower = p.name, p.name.lower()
        shown = display_name(p)
        if p.is_dir():
            if p.is_symlink():  # not followed (a link may loop, or lead out of the department)
                findings.append(Finding(Severity.warning, "目录未读取：这是一个指向其他目录的链接，budgetgen 不读取链接的目录",
                                        shown, code="file-not-read", fix="把需要的文件直接放进部门目录"))
            continue
        if p.suffix in YAML_SUFFIXES and p.is_file():
            if name not in (CATALOG_FILE, PROFILE_POINTER):
                read.append(p)
            continue
        if lower in _SYSTEM_FILES or name.startswith("~$") or lower.endswith(".schema.json"):
            continue  # hidden on Windows, or the editors' JSON Schema (budgetgen init writes budget.schema.json)
        if not p.is_file():
            findings.append(Finding(Severity.warning, "文件未读取：这是一个指向不存在文件的链接", shown,
                                    code="file-not-read", fix="删除这个链接，或让它指向正确的文件"))
            continue
        proper = misnamed_yaml(name)
        if proper is not None:
            if lower.endswith(".txt"):
                why = "文件名末尾多了 .txt（Windows 记事本保存时常自动加上）"
            else:
                why = f"扩展名“{name[len(proper) - 5:]}”不是小写的 .yaml 或 .yml"
            findings.append(Finding(Severity.error, f"这个文件没有读取：{why}，其中的数据不会计入预算", shown,
                                    code="misnamed-yaml", fix=f"把文件改名为 {proper}（资源管理器中先勾选“文件扩展名”"
                                                              "才能看到完整文件名）"))
            continue
        findings.append(Finding(Severity.warning, "文件未读取：budgetgen 只读取扩展名为 .yaml 或 .yml 的文件", shown,
                                code="file-not-read",
                                fix="如是预算数据，改为 .yaml 扩展名；如是说明或附件，可忽略这条警告，或移出部门目录"))
    return read, findings


def display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_budget(root: Path) -> tuple[Budget, list[Finding]]:
    """Load a department (one file or a folder), with every finding of every file.

    A file with errors still gives the parts that are valid on their own (budget.partial is then True), so one
    broken file does not hide the findings of the others. Raises InputError (with all findings) only when
    nothing can be checked: no files, or no budget year or department anywhere. The codes of 科目补充.yaml
    files are the pipeline's to add (model.additions), not the loader's.
    """
    root = Path(root)
    shown = display_name(root)
    if not root.exists():
        raise InputError([Finding(Severity.error, "路径不存在", shown, code="no-path",
                                  fix="检查路径拼写，或先用 budgetgen init 创建部门目录")])
    files, findings = department_files(root)
    if not files:
        raise InputError([Finding(Severity.error, "目录中没有 .yaml 或 .yml 文件", shown, code="no-yaml")] + findings)
    loaded: list[LoadedFile] = []
    for f in files:
        lf, fs = load_file(f, display_name(f))
        findings.extend(fs)
        loaded.append(lf)
    budget = _merge(loaded, root, shown, findings)
    if budget.amount_unit is AmountUnit.yuan:
        to_wan(budget, AmountUnit.yuan.per_wan)
    return budget, findings


def to_wan(obj: Any, per_wan: Decimal) -> None:
    """Every money field of the models under obj, divided into 万元 (exact: Decimal division by 10⁴)."""
    if isinstance(obj, list):
        for item in obj:
            to_wan(item, per_wan)
        return
    if not isinstance(obj, BaseModel):
        return
    for name in getattr(obj, "money", ()):
        value = getattr(obj, name)
        if isinstance(value, dict):  # amounts by code (last_year.functions)
            setattr(obj, name, {code: amount / per_wan for code, amount in value.items()})
        elif value is not None:
            setattr(obj, name, value / per_wan)
    for name in type(obj).model_fields:
        value = getattr(obj, name)
        if isinstance(value, (BaseModel, list)):
            to_wan(value, per_wan)


def _merge(loaded: list[LoadedFile], root: Path, shown: str, findings: list[Finding]) -> Budget:
    firsts: dict[str, tuple[Any, str]] = {}  # budget_year / level / amount_unit -> (value, file)
    dept_at = None
    department = None
    draft, draft_at = "", None
    units, projects = [], []
    errors: list[Finding] = []
    for lf in loaded:
        frag = lf.fragment
        if frag is None:
            continue
        if frag.draft and draft_at is None:
            draft, draft_at = frag.draft, Loc(lf.smap, ())
        for key, what in (("budget_year", "预算年度"), ("level", "政府层级"), ("amount_unit", "金额单位")):
            value = getattr(frag, key)
            if value is None:
                continue
            if key in firsts and firsts[key][0] != value:
                line, col = lf.smap.position((key,))
                first, where = firsts[key]
                errors.append(Finding(Severity.error, f"{what}与 {where} 中的 {getattr(first, 'value', first)} 不一致",
                                      lf.smap.file, line, col, key, code="conflict",
                                      fix=f"整个部门只写一次 {key}，或各文件写成一样"))
            firsts.setdefault(key, (value, lf.smap.file))
        if frag.department is not None:
            if department is not None:
                line, col = lf.smap.position(("department",))
                errors.append(Finding(Severity.error, f"部门信息 department 只能写一次（{dept_at} 中已有）",
                                      lf.smap.file, line, col, "department", code="conflict"))
            department, dept_at = frag.department, lf.smap.file
        units.extend(frag.units)
        projects.extend(frag.projects)
    broken = any(lf.fragment is None or lf.partial for lf in loaded)
    # the units a file wrote that are not here: unknown altogether when a file could not be read at all
    hidden = None if any(lf.fragment is None for lf in loaded) else frozenset().union(*(lf.dropped for lf in loaded))
    year = firsts.get("budget_year", (None,))[0]
    if year is None and not broken:
        errors.append(Finding(Severity.error, "缺少预算年度 budget_year", shown, code="missing",
                              fix="在部门文件顶层加一行，例如 budget_year: 2023"))
    if department is None and not broken:
        errors.append(Finding(Severity.error, "缺少部门信息 department（编码、名称等）", shown, code="missing"))
    if not units and not broken:
        errors.append(Finding(Severity.error, "没有任何预算单位 units", shown, code="missing",
                              fix="至少写一个单位，例如部门本级"))
    findings.extend(errors)
    if year is None or (department is None and not broken) or not units:
        # Nothing to check codes against (the year) or nothing to check at all.
        raise InputError(sorted(findings, key=Finding.sort_key))
    if department is None:  # it is in a file with errors: check the rest under a stand-in
        department = Department(code="00", name="（部门信息有误）")
    level = firsts.get("level", (Level.county,))[0]
    unit = firsts.get("amount_unit", (AmountUnit.wan,))[0]
    return Budget(budget_year=year, level=level, amount_unit=unit, department=department, units=units,
                  projects=projects, source_name=root.stem if root.is_file() else Path(os.path.abspath(root)).name, draft=draft,
                  draft_at=draft_at, partial=broken, hidden_units=hidden)
