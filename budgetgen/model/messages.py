"""Pydantic validation errors turned into findings a clerk can act on, in Chinese."""

from __future__ import annotations

import difflib
import re
import typing
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from ..errors import Finding, Severity
from .positions import SourceMap, path_text


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that owns the last element of loc."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _inner_model(info.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _find_type(annotation: Any, kind: type) -> Any:
    """The first class in an annotation that is a subclass of kind: list[Unit] | None -> Unit."""
    stack = [annotation]
    while stack:
        a = stack.pop()
        if isinstance(a, type) and issubclass(a, kind):
            return a
        stack.extend(typing.get_args(a))
    return None


def _inner_model(annotation: Any) -> Any:
    return _find_type(annotation, BaseModel)


def _enum_at(model: type[BaseModel] | None, name: Any) -> type[Enum] | None:
    if model is None or name not in model.model_fields:
        return None
    return _find_type(model.model_fields[name].annotation, Enum)


def _describe(model: type[BaseModel] | None, name: Any) -> str:
    if model is None or not isinstance(name, str) or name not in model.model_fields:
        return ""
    desc = model.model_fields[name].description or ""
    return f"（{desc.split('：')[0].split('（')[0]}）" if desc else ""


_PIECE = re.compile(r"[0-9]+(\.[0-9]+)?")


def merge_split_amounts(errors: list[ErrorDetails], data: Any) -> list[ErrorDetails]:
    """{amount: 5,832,000.00}: YAML reads amount 5 and two fields "832" and "000.00". The pieces' errors become one
    (type split_amount, at the amount) naming the whole figure and how to write it; other errors unchanged."""
    groups: dict[tuple, list[ErrorDetails]] = {}
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden" and loc and _PIECE.fullmatch(str(loc[-1])):
            groups.setdefault(loc[:-1], []).append(err)
    merged: dict[int, ErrorDetails | None] = {}
    for parent, pieces in groups.items():
        mapping: Any = data
        for part in parent:
            try:
                mapping = mapping[part]
            except (KeyError, IndexError, TypeError):
                mapping = None
                break
        if not isinstance(mapping, dict):
            continue
        keys = list(mapping)
        first = keys.index(str(pieces[0]["loc"][-1])) if str(pieces[0]["loc"][-1]) in keys else 0
        field, value = (keys[first - 1], mapping[keys[first - 1]]) if first > 0 else (None, None)
        if field is None or isinstance(value, bool) or not _PIECE.fullmatch(str(value)):
            continue
        shown = ",".join([str(value)] + [str(e["loc"][-1]) for e in pieces])
        ctx = {"field": field, "figure": shown, "plain": shown.replace(",", ""), "piece": str(pieces[0]["loc"][-1])}
        merged[id(pieces[0])] = {**pieces[0], "type": "split_amount", "loc": (*parent, field),
                                 "ctx": ctx}
        merged.update({id(e): None for e in pieces[1:]})
    out = []
    for err in errors:
        if id(err) not in merged:
            out.append(err)
        elif (replaced := merged[id(err)]) is not None:
            out.append(replaced)
    return out


def merge_misnamed(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """{level3: 养护面积} where the field is `name`: pydantic says both "unknown field level3" and "name missing".
    When an object has exactly one of each, they become one error (type misnamed, at the written key) saying what
    to write instead; other errors unchanged."""
    by_parent: dict[tuple, list[ErrorDetails]] = {}
    for err in errors:
        if err["type"] in ("missing", "extra_forbidden") and err["loc"]:
            by_parent.setdefault(tuple(err["loc"][:-1]), []).append(err)
    merged: dict[int, ErrorDetails | None] = {}
    for pieces in by_parent.values():
        missing = [e for e in pieces if e["type"] == "missing"]
        extra = [e for e in pieces if e["type"] == "extra_forbidden"]
        if len(missing) == 1 and len(extra) == 1:
            merged[id(extra[0])] = {**extra[0], "type": "misnamed",
                                    "ctx": {"field": missing[0]["loc"][-1]}}
            merged[id(missing[0])] = None
    out = []
    for err in errors:
        if id(err) not in merged:
            out.append(err)
        elif (replaced := merged[id(err)]) is not None:
            out.append(replaced)
    return out


def finding_from_pydantic(err: ErrorDetails, smap: SourceMap, root: type[BaseModel]) -> Finding:
    loc = tuple(err["loc"])
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    owner = _model_at(root, loc) if loc else root
    name = loc[-1] if loc else ""
    label = f"{name}{_describe(owner, name)}" if isinstance(name, str) else f"第 {name + 1} 项" if isinstance(name, int) else ""
    shown = value if isinstance(value, str) else ""
    fix = ""
    if kind == "split_amount":  # merge_split_amounts
        message = (f"{ctx['field']}「{ctx['figure']}」中的千位分隔逗号在大括号 {{…}} 里把金额分成了几段，"
                   f"逗号后的“{ctx['piece']}”等被当成了字段名")
        fix = f"金额不加逗号，写成 {name}: {ctx['plain']}"
        line, col = smap.position(loc)
    elif kind == "misnamed":  # merge_misnamed
        field = ctx["field"]
        message = f"未知字段 {name}，而这里缺少 {field}{_describe(owner, field)}"
        fix = f"是否应为 {field}？把 {name}: 改为 {field}:"
        line, col = smap.position(loc, key=True)
    elif kind == "extra_forbidden":
        known = list(owner.model_fields) if owner else []
        close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)
        message = f"未知字段 {name}"
        fix = f"是否应为 {close[0]}？" if close else ("可用字段：" + "、".join(known) if known else "")
        if re.fullmatch(r"[0-9]+(\.[0-9]+)?", str(name)):  # {amount: 1,200.00}: the comma split the figure
            message = f"“{name}”被当成了字段名：大括号 {{…}} 中的逗号把金额分成了两段（如 1,200.00）"
            fix = "金额不加千位分隔逗号，写成 1200.00"
        line, col = smap.position(loc, key=True)
    else:
        line, col = smap.position(loc)
        if kind == "missing":
            message = f"缺少必填字段 {label}"
            fix = f"补上 {name}: …"
        elif kind in ("decimal_parsing", "decimal_type") and ctx.get("plain"):  # numbers.number_text: 1e1, 1_000
            plain = ctx["plain"]
            two = f"{Decimal(plain):.2f}"
            how = "不能用科学计数法" if ctx.get("exponent") else "只能用半角数字书写（不加空格、下划线）"
            message = f"{label} 应为金额数字，{how}，实际为「{shown}」"
            fix = f"写成 {plain}" + (f" 或 {two}" if two != plain and len(two) > len(plain) else "")
        elif kind in ("decimal_parsing", "decimal_type"):
            message = f"{label} 应为金额数字，实际为「{shown}」"
            fix = "只写数字，如 12.50；不要带“万元”或逗号"
        elif kind == "decimal_max_places":
            message = f"{label} 最多两位小数，实际为 {shown}"
            fix = "按万元填写时保留两位小数（四舍五入）；要按元精确填写，在部门文件顶层加 amount_unit: 元"
        elif kind in ("greater_than_equal", "greater_than"):
            message = f"{label} 不能为负数或小于 {ctx.get('ge', ctx.get('gt'))}，实际为 {shown}"
        elif kind in ("less_than_equal", "less_than"):
            message = f"{label} 不能超过 {ctx.get('le', ctx.get('lt'))}，实际为 {shown}"
        elif kind == "decimal_max_digits":
            message = f"{label} 数字位数过多：{shown}"
        elif kind == "string_pattern_mismatch":
            if name == "[key]" and len(loc) >= 3:  # a code written as a key: last_year.functions, uses …
                label, name = f"{loc[-3]} 中的科目", "function"
            digits = {"function": "7 位（项级）", "economic": "5 位（款级）"}.get(str(name), "规定位数")
            example = {"function": "2013101", "economic": "30101"}.get(str(name), "201001")
            message = f"{label} 编码格式不对：「{shown}」，应为 {digits}数字"
            fix = f"编码只写数字，如 {example}；不要写科目名称"
        elif kind == "enum":
            enum = _enum_at(owner, name)
            allowed = "、".join(e.value for e in enum) if enum else ctx.get("expected", "")
            message = f"{label} 的值「{shown}」不在可选范围内"
            close = difflib.get_close_matches(shown, [e.value for e in enum], n=1, cutoff=0.3) if enum else []
            fix = (f"是否应为 {close[0]}？" if close else "") + f"可选：{allowed}"
        elif kind in ("int_parsing", "int_type", "int_from_float"):
            message = f"{label} 应为整数，实际为「{shown}」"
        elif kind in ("bool_parsing", "bool_type"):
            message = f"{label} 应为 true 或 false，实际为「{shown}」"
        elif kind == "string_type" and value is None:
            message = f"{label} 不能为空"
            fix = f"在 {name}: 后面填写内容"
        elif kind in ("string_type",):
            message = f"{label} 应为文字，实际是{'列表' if isinstance(value, list) else '一组字段' if isinstance(value, dict) else '数字'}"
        elif kind == "string_too_short":
            message = f"{label} 不能为空"
        elif kind == "string_too_long":
            message = (f"{label} 过长：{len(shown)} 个字符，名称、标题一类最多 {ctx.get('max_length')} 个字符"
                       f"（开头为「{shown[:20]}…」）")
            fix = "只写正式名称或简称；详细内容写在用途、说明等文字字段中"
        elif kind in ("list_type",):
            message = f"{label} 应为列表（每项以“- ”开头）"
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            message = f"{label} 应为一组“字段: 值”" + (f"，实际为「{shown}」" if shown else "")
        elif kind in ("too_short", "too_long"):
            message = f"{label} 的项数不对：应为 {ctx.get('min_length', ctx.get('max_length'))} 项"
            if name == "plan":
                fix = "资金支出计划写 4 个累计百分比：[3月底, 6月底, 10月底, 12月底]"
        elif kind == "value_error":
            message = str(ctx.get("error", err.get("msg")))
            label = ""
        else:
            message = f"{label} 不正确：{err.get('msg')}"
    return Finding(Severity.error, message, smap.file, line, col, path_text(loc), fix, f"schema-{kind}")
