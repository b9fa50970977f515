"""Writing the department folder: a new one from scratch, or an existing one updated in place.

Re-import rewrites only the lines import owns, as `new-year` does (text edits at the YAML nodes' positions, no
YAML round trip): a unit's `basic:`, a project's figure keys (code, unit, function, economic, amount/amounts,
source, carryover, classified when a sheet has 是否涉密), its goals/indicators/purpose only when a sheet gives them,
department.last_year when a sheet gives last year's figures, and of each unit a sheet names: nature/rank/funding,
procurement, the assets keys the sheet has and last_year (the other keys of assets and last_year are kept). Every other line — duties, goals, reasons, comments, quoting — stays as the clerk
wrote it. Units and projects the sheets no longer have are removed (their files too, when nothing else is in
them); new ones get files of their own.

The folder is built in a hidden staging copy beside it, checked with `budgetgen validate`'s checks, and moved into
place only when there is no error: on any error nothing is written.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import Finding, Severity
from ..yaml_edit import Unreadable, line_start, read, splice, value_end
from .build import (LAST_YEAR_OWNED, DepartmentOut, ProjectOut, asset_fields, basic_lines, department_file,
                    fact_blocks, file_stem, project_figures, project_file, project_texts, scalar, unit_file)


class ImportFailed(Exception):
    """The folder cannot be updated (a file import cannot edit); the message says why and what to do."""


@dataclass
class Item:
    path: Path  # relative to the folder
    node: yaml.MappingNode
    top: str  # units / projects


@dataclass
class Existing:
    """What an existing folder holds, by the nodes import edits."""

    texts: dict[Path, str] = field(default_factory=dict)
    roots: dict[Path, yaml.MappingNode] = field(default_factory=dict)
    units: dict[str, Item] = field(default_factory=dict)  # code → its mapping
    unit_names: dict[str, str] = field(default_factory=dict)
    projects: list[tuple[str, str, str, Item]] = field(default_factory=list)  # (unit, code, name, item)
    department: Item | None = None
    year: int | None = None
    unit_word: str = "万元"
    level: str = "县级"


def _scalar(node) -> str:
    return node.value if isinstance(node, yaml.ScalarNode) else ""


def _keys(node: yaml.MappingNode) -> dict[str, yaml.Node]:
    return {_scalar(k): v for k, v in node.value}


def scan(folder: Path) -> Existing:
    from ..model.loader import yaml_files

    found = Existing()
    if not folder.is_dir():
        return found
    pending: list[tuple[Path, yaml.MappingNode]] = []
    for path in yaml_files(folder):
        rel = path.relative_to(folder)
        try:
            text, _, root = read(path)
        except Unreadable as exc:
            raise ImportFailed(f"{exc}；请先改正（budgetgen validate {folder}）再导入") from None
        if not isinstance(root, yaml.MappingNode):
            continue
        found.texts[rel], found.roots[rel] = text, root
        keys = _keys(root)
        if "budget_year" in keys:
            found.year = int(_scalar(keys["budget_year"]) or 0) or None
        if "amount_unit" in keys:
            found.unit_word = _scalar(keys["amount_unit"]) or "万元"
        if "level" in keys:
            found.level = _scalar(keys["level"]) or "县级"
        department = keys.get("department")
        if isinstance(department, yaml.MappingNode):
            found.department = Item(rel, department, "department")
        for node in _items(keys.get("units")):
            k = _keys(node)
            code = _scalar(k.get("code"))
            found.units[code] = Item(rel, node, "units")
            found.unit_names[code] = _scalar(k.get("name"))
        for node in _items(keys.get("projects")):
            pending.append((rel, node))
    first = next(iter(found.units), "")
    for rel, node in pending:
        k = _keys(node)
        found.projects.append((_scalar(k.get("unit")) or first, _scalar(k.get("code")), _scalar(k.get("name")),
                               Item(rel, node, "projects")))
    return found


def _items(node) -> list[yaml.MappingNode]:
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [n for n in node.value if isinstance(n, yaml.MappingNode)]


Change = tuple[int, int, str]


def set_keys(text: str, node: yaml.MappingNode, drop: set[str], lines: list[str], where: Path) -> list[Change]:
    """Drop the keys `drop` of a block mapping (with their values' lines) and put `lines` where the first of them
    stood (after the last key when none is there), at the mapping's indentation."""
    if node.flow_style or not node.value:
        raise ImportFailed(f"{where} 中有一项写成了 {{…}} 的一行形式，import 无法改写；请改为每个字段一行后重试")
    indent = node.value[0][0].start_mark.column
    newline = "\r\n" if "\r\n" in text else "\n"
    body = "".join(" " * indent + line + newline for line in lines)
    changes: list[Change] = []
    for i, (k, v) in enumerate(node.value):
        if _scalar(k) not in drop:
            continue
        start = k.start_mark.index if i == 0 else line_start(text, k.start_mark.index)
        replacement = ""
        if not changes:
            replacement = body[indent:] if i == 0 else body
        changes.append((start, value_end(text, k, v), replacement))
    if not changes and lines:
        k, v = node.value[-1]
        at = value_end(text, k, v)
        if at > 0 and text[at - 1] not in "\r\n":
            body = newline + body
        changes.append((at, at, body))
    return changes


FOLLOWS = {"rank": ("nature",), "funding": ("rank", "nature")}  # where a unit's new key goes: after one of these


def replace_keys(text: str, node: yaml.MappingNode, blocks: dict[str, list[str]], where: Path) -> list[Change]:
    """Each key of `blocks` replaced in place by its lines (removed when they are none); a key not there goes
    after the key FOLLOWS names, else with the others after the last key, at the mapping's indentation."""
    if node.flow_style or not node.value:
        raise ImportFailed(f"{where} 中有一项写成了 {{…}} 的一行形式，import 无法改写；请改为每个字段一行后重试")
    indent = node.value[0][0].start_mark.column
    newline = "\r\n" if "\r\n" in text else "\n"

    def body(lines: list[str]) -> str:
        return "".join(" " * indent + line + newline for line in lines)

    changes: list[Change] = []
    done: set[str] = set()
    for i, (k, v) in enumerate(node.value):
        key = _scalar(k)
        if key not in blocks or key in done:
            continue
        done.add(key)
        start = k.start_mark.index if i == 0 else line_start(text, k.start_mark.index)
        new = body(blocks[key])
        changes.append((start, value_end(text, k, v), new[indent:] if i == 0 else new))
    present = {_scalar(k): (k, v) for k, v in node.value}
    inserts: dict[int, list[str]] = {}
    for key, lines in blocks.items():
        if key in done or not lines:
            continue
        anchor = next((a for a in FOLLOWS.get(key, ()) if a in present), None)
        k, v = present[anchor] if anchor else node.value[-1]
        inserts.setdefault(value_end(text, k, v), []).extend(lines)
        if anchor:
            present[key] = (k, v)  # funding after a rank put after nature
    for at, lines in inserts.items():
        new = body(lines)
        if at > 0 and text[at - 1] not in "\r\n":
            new = newline + new
        changes.append((at, at, new))
    return changes


def kept_lines(text: str, node: yaml.MappingNode, key: str, owned: set[str]) -> list[str]:
    """The lines of the keys of the existing block `key` (e.g. assets) that import does not own, to write again
    under the new block (relative to it: two spaces), comments on them kept."""
    block = _keys(node).get(key)
    if not isinstance(block, yaml.MappingNode):
        return []
    out = []
    for k, v in block.value:
        if _scalar(k) in owned:
            continue
        if block.flow_style:
            out.append(f"  {_scalar(k)}: {text[v.start_mark.index:v.end_mark.index]}")
            continue
        column = k.start_mark.column
        for line in text[line_start(text, k.start_mark.index):value_end(text, k, v)].splitlines():
            out.append("  " + line[column:] if line[:column].strip() == "" else "  " + line.strip())
    return out


def remove_item(text: str, node: yaml.MappingNode) -> Change:
    k, v = node.value[-1]
    return (line_start(text, node.start_mark.index), value_end(text, k, v), "")


@dataclass
class Plan:
    """The folder's new content: files to write (relative path → text) and files to remove, with what it did."""

    write: dict[Path, str] = field(default_factory=dict)
    remove: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plan(dept: DepartmentOut, existing: Existing, last_year: list[str], level: str, sources: str) -> Plan:
    out = Plan()
    several = len(dept.units) > 1 or len(existing.units) > 1
    if existing.department is None:
        word = "元" if dept.per == 1 else "万元"
        out.write[Path("department.yaml")] = department_file(dept, level, word, sources, last_year)
        out.notes.append("新建 department.yaml：部门职责、整体绩效目标等标有“待填写”的文字请补写")
    changes: dict[Path, list[Change]] = {}

    def edit(item_path: Path, new: list[Change]) -> None:
        changes.setdefault(item_path, []).extend(new)

    if existing.department is not None and last_year:
        d = existing.department
        kept = kept_lines(existing.texts[d.path], d.node, "last_year", set(LAST_YEAR_OWNED))  # appropriation …
        edit(d.path, set_keys(existing.texts[d.path], d.node, {"last_year"}, last_year + kept, d.path))
        out.notes.append("更新上年数（department.last_year）")
    removed_items: dict[Path, int] = {}

    def unit_blocks(code: str, item: Item) -> dict[str, list[str]]:
        """The unit's keys its facts give: assets and last_year keep the existing block's other keys."""
        facts = dept.facts.get(code)
        if facts is None:
            return {}
        blocks = fact_blocks(facts, dept.per, dept.year)
        text = existing.texts[item.path]
        if facts.assets is not None:
            blocks["assets"] += kept_lines(text, item.node, "assets", asset_fields(facts.assets, dept.per)[0])
        if "last_year" in blocks:
            blocks["last_year"] += kept_lines(text, item.node, "last_year", set(LAST_YEAR_OWNED))
        named = {"nature": "单位性质", "rank": "规格", "funding": "经费保障形式", "procurement": "政府采购",
                 "assets": "资产", "last_year": "上年数"}
        out.notes.append(f"更新单位 {code} 的" + "、".join(named[k] for k in blocks))
        return blocks

    if dept.has_lines:
        for code, unit in dept.units.items():
            item = existing.units.get(code)
            if item is None:
                out.write[Path("units") / f"{code}.yaml"] = unit_file(unit, dept.per, dept.facts.get(code), dept.year)
                out.notes.append(f"新增单位 {code} {unit.name}（units/{code}.yaml）" + (
                    "" if code in dept.facts and dept.facts[code].info else "：请核对单位性质、规格"))
                continue
            blocks = {"basic": basic_lines(unit, dept.per)}
            if existing.unit_names.get(code) != unit.name:
                blocks["name"] = [f"name: {scalar(unit.name)}"]
            blocks.update(unit_blocks(code, item))
            edit(item.path, replace_keys(existing.texts[item.path], item.node, blocks, item.path))
        for code, item in existing.units.items():
            if code not in dept.units:
                edit(item.path, [remove_item(existing.texts[item.path], item.node)])
                removed_items[item.path] = removed_items.get(item.path, 0) + 1
                out.notes.append(f"单位 {code} {existing.unit_names[code]} 不在导入表中，已从 {item.path} 删除")
        matched: set[int] = set()
        numbers = [int(m.group(1)) for _, _, _, it in existing.projects
                   if (m := re.match(r"([0-9]+)-", it.path.name))]
        next_number = max(numbers, default=0) + 1
        for p in dept.projects:
            index = _match(p, existing, matched)
            if index is None:
                name = f"{next_number:02d}-{file_stem(p.name)}.yaml"
                next_number += 1
                out.write[Path("projects") / name] = project_file(p, dept.per, several)
                out.notes.append(f"新增项目 {p.name}（projects/{name}）" + ("" if p.goals else "：绩效目标待填写"))
                continue
            matched.add(index)
            item = existing.projects[index][3]
            drop = {"unit", "function", "economic", "amount", "amounts", "source", "sub_source", "carryover"}
            if p.code:
                drop.add("code")
            if p.classified is not None:
                drop.add("classified")
            for key, given in (("goals", p.goals), ("purpose", p.purpose), ("indicators", p.indicators)):
                if given is not None:
                    drop.add(key)
            lines = project_figures(p, dept.per, several) + project_texts(p, new=False)
            edit(item.path, set_keys(existing.texts[item.path], item.node, drop, lines, item.path))
        for index, (_, _, name, item) in enumerate(existing.projects):
            if index not in matched:
                edit(item.path, [remove_item(existing.texts[item.path], item.node)])
                removed_items[item.path] = removed_items.get(item.path, 0) + 1
                out.notes.append(f"项目 {name} 不在导入表中，已从 {item.path} 删除")
    else:  # no lines: the facts of the folder's units
        for code in dept.facts:
            item = existing.units[code]
            if blocks := unit_blocks(code, item):
                edit(item.path, replace_keys(existing.texts[item.path], item.node, blocks, item.path))
    for rel, edits in changes.items():
        root = existing.roots[rel]
        keys = _keys(root)
        only_items = set(keys) <= {"units", "projects"} and removed_items.get(rel, 0) == sum(
            len(_items(keys.get(k))) for k in ("units", "projects"))
        if only_items:
            out.remove.append(rel)
        else:
            out.write[rel] = splice(existing.texts[rel], edits)
    return out


def _match(p: ProjectOut, existing: Existing, matched: set[int]) -> int | None:
    """The existing project this one updates: same unit and code, else same unit and name."""
    for by_code in (True, False):
        for i, (unit, code, name, _) in enumerate(existing.projects):
            if i in matched or unit != p.unit:
                continue
            if by_code and p.code and code == p.code:
                return i
            if not by_code and name == p.name and (not p.code or not code):
                return i
    return None


def commit(folder: Path, result: Plan) -> list[Finding]:
    """Build the new folder in a staging copy, check it as validate does, and move it into place when there is no
    error. Returns every finding of the check (errors: nothing was written)."""
    from ..pipeline import examine
    from ..errors import describe_os_error
    from ..writers import STAGING_PREFIX, CommitError, OutputSet

    folder = folder.resolve() if folder.exists() else folder.absolute()
    with OutputSet(folder.parent) as staged:
        built = staged.folder / folder.name
        if folder.is_dir():
            shutil.copytree(folder, built, symlinks=True, ignore=shutil.ignore_patterns(f"{STAGING_PREFIX}*"))
        else:
            built.mkdir()
        inside = built.resolve()
        for rel in [*result.remove, *result.write]:
            parent = (built / rel).parent
            if parent.exists() and not parent.resolve().is_relative_to(inside):  # never through a link (as new-year)
                raise ImportFailed(f"{folder / rel} 位于链接的目录中，import 不会改写它；请先复制为普通目录")
        for rel in result.remove:
            (built / rel).unlink()
        for rel, text in result.write.items():
            path = built / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink():
                path.unlink()
            path.write_text(text, encoding="utf-8", newline="")
        examined = examine(built)
        findings = [_unstaged(f, built, folder) for f in examined.findings]
        if any(f.severity is Severity.error for f in findings):
            return findings
        try:  # the old folder set aside and the new one moved in as one set: a killed run is completed, not lost
            staged.commit([built])
        except CommitError as exc:
            raise ImportFailed(f"移入 {folder} 时出错：{describe_os_error(exc.cause)}；{folder} 保持原样") from None
    return findings


def _unstaged(f: Finding, built: Path, folder: Path) -> Finding:
    """A finding about a staged file, naming the file in the department folder."""
    from dataclasses import replace

    from ..model.loader import display_name

    for staged, final in ((display_name(built), display_name(folder)), (str(built), str(folder))):
        if f.file.startswith(staged):
            return replace(f, file=final + f.file[len(staged):])
    return f
