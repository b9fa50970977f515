"""A composed Disclosure → the same with what every writer prints besides figures decided once: which table rows
are bold and how far in their names sit, the banner line over each table, the cover and the 目录's title."""

from __future__ import annotations

from ..document import Banner, Cover, Disclosure, Emphasis

EMPHASIS: dict[int, Emphasis] = {0: "row", 1: "text"}  # 合计 rows bold throughout, a 类's name bold
INDENT = {2: 1, 3: 2}  # 款 one step in, 项 two
TOC_TITLE = "目　录"
DRAFT_NOTICE = "草稿：由 budgetgen new-year 生成，尚未核对，不得公开"  # a draft's cover says so, in every format


def present(doc: Disclosure) -> Disclosure:
    """Set the document's presentation fields (in place) and return it."""
    doc.cover = Cover(name=doc.department_name, title=f"{doc.year}年{doc.kind}", subtitle=f"（{doc.kind}信息公开）",
                      notice=DRAFT_NOTICE if doc.draft else "")
    doc.toc_title = TOC_TITLE
    for table in doc.tables():
        for row in table.rows:
            row.emphasis = EMPHASIS.get(row.level, "")
            row.indent = INDENT.get(row.level, 0)
        if table.banner is not None:
            banner_line(table.banner)
    return doc


def banner_line(b: Banner) -> None:
    """代码 名称 (left) · 预算年度：2023, or a note such as 截止时间 (centre) · 单位：万元 (right); a banner whose line
    is already set (by a profile's banner patterns) is kept."""
    if b.left or b.centre or b.right:
        return
    b.left = f"{b.code} {b.name}"
    b.centre = (f"预算年度：{b.year}" if b.year else "") + (b.extra or "")
    b.right = b.unit_label or ""
