"""科目补充.yaml files (the department's folder and its parents) → the codes a department adds to the catalog."""

from __future__ import annotations

import re
from pathlib import Path

from ..catalog import Addition
from ..errors import Finding, Severity
from .loader import CATALOG_FILE, display_name, read_yaml

KINDS = {"function": ("功能分类", (3, 5, 7)), "economic": ("经济分类", (3, 5))}
EXAMPLE = 'function:\n  "2129999": 其他城乡社区支出\neconomic:\n  "30230": 机关事业单位退休人员活动费'


def catalog_files(root: Path) -> list[Path]:
    """科目补充.yaml in the department's folder and every folder above it, nearest first."""
    folder = root.resolve() if root.is_dir() else root.resolve().parent
    return [d / CATALOG_FILE for d in (folder, *folder.parents) if (d / CATALOG_FILE).is_file()]


def read_additions(root: Path) -> tuple[tuple[Addition, ...], list[Finding]]:
    """Every added code, nearest file first; a code added again further up is a warning (the nearer one wins)."""
    findings: list[Finding] = []
    added: dict[tuple[str, str], Addition] = {}
    for path in catalog_files(root):
        shown = display_name(path)
        data, smap, problems = read_yaml(path, shown)
        findings.extend(problems)
        if data is None:
            continue
        if not isinstance(data, dict):
            findings.append(_error(shown, smap.position(()), "", "科目补充文件应写成“function:”“economic:”两段"))
            continue
        for kind, codes in data.items():
            if kind not in KINDS:
                line_col = smap.position((kind,), key=True)
                findings.append(_error(shown, line_col, kind, f"不认识的分段“{kind}”：只能是 function（功能分类）"
                                       "或 economic（部门预算经济分类）"))
                continue
            what, lengths = KINDS[kind]
            if codes is None:
                continue
            if not isinstance(codes, dict):
                findings.append(_error(shown, smap.position((kind,)), kind, f"{kind} 下应逐行写“\"编码\": 名称”"))
                continue
            for code, name in codes.items():
                line, col = smap.position((kind, code), key=True)
                if not re.fullmatch(r"[0-9]+", code) or len(code) not in lengths:
                    findings.append(_error(shown, (line, col), f"{kind}.{code}",
                                           f"{what}科目编码应为 {'、'.join(map(str, lengths))} 位数字，实际为「{code}」"))
                    continue
                if not isinstance(name, str) or not name.strip():
                    findings.append(_error(shown, (line, col), f"{kind}.{code}", f"科目 {code} 缺少名称"))
                    continue
                key = (kind, code)
                if key in added:
                    near = added[key]
                    findings.append(Finding(Severity.warning,
                                            f"科目 {code} 已在 {near.file} 第 {near.line} 行补充为“{near.name}”，"
                                            f"这里的“{name.strip()}”不起作用", shown, line, col, f"{kind}.{code}",
                                            "删除其中一处", "catalog-addition-repeated"))
                    continue
                added[key] = Addition(kind, code, name.strip(), shown, line, col)
    return tuple(added.values()), findings


def _error(file: str, line_col: tuple[int, int], path: str, message: str) -> Finding:
    line, col = line_col
    return Finding(Severity.error, message, file, line, col, path, f"格式示例：\n{EXAMPLE}", "catalog-file")
