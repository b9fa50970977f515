"""Table cells of the same content laid out once (WeasyPrint speed-up for budgetgen's print HTML).

A disclosure repeats itself: the header rows of every performance table, 产出指标/数量指标/政策要求/≥95% in
most of them, the same tables again for the unit (本级). WeasyPrint lays out each table cell anew — a third
of its time. While :func:`cell_layouts` is active, the layout of a table cell that holds plain text only is
kept, keyed by everything the layout depends on (the cell's and its text's computed styles, the text, the
cell's width, padding and borders), and a later cell with the same key gets a copy moved to its place — when
the copy fits above the page's bottom just as the original did; otherwise WeasyPrint lays it out itself.

The pages are the same as WeasyPrint's own, byte for byte (test_pdf checks both samples). This reaches into
WeasyPrint's layout (``weasyprint.layout.block.block_container_layout``), so it is switched on only for the
WeasyPrint versions it was checked with (any other version simply lays out every cell), and not for the tagged
PDF/A and PDF/UA variants, whose structure tree WeasyPrint builds from the boxes.
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager

CHECKED_VERSIONS = ("70.",)  # WeasyPrint releases whose cell layout this was compared with, byte for byte
SIGNATURE = ["context", "box", "bottom_space", "skip_stack", "page_is_empty", "absolute_boxes", "fixed_boxes",
             "adjoining_margins", "first_letter_style", "first_line_style", "discard", "max_lines"]
SIDES = ("top", "right", "bottom", "left")
POSITIONS = ("position_x", "position_y")

_active: dict | None = None  # the cache of the render in progress (style ids are only valid during it)
STATS = {"reused": 0, "laid out": 0}  # cells over the life of the process (tests, debugging)


def supported() -> bool:
    try:
        import weasyprint
        from weasyprint.layout import block
    except ImportError:
        return False
    if not weasyprint.__version__.startswith(CHECKED_VERSIONS):
        return False
    layout = getattr(block, "block_container_layout", None)
    return layout is not None and list(inspect.signature(layout).parameters) == SIGNATURE


@contextmanager
def cell_layouts(enabled: bool = True):
    """Reuse cell layouts during the WeasyPrint render(s) inside this block (a fresh cache each time)."""
    global _active
    if not enabled or _active is not None or not supported():
        yield
        return
    from weasyprint.layout import block

    original = block.block_container_layout
    block.block_container_layout = _cached(original)
    _active = {}
    try:
        yield
    finally:
        block.block_container_layout = original
        _active = None


def _cached(layout):
    from weasyprint.formatting_structure.boxes import LineBox, TableCellBox, TextBox

    def content(cell) -> tuple | None:
        """What a plain-text cell holds, before layout: its text boxes' styles and texts; None otherwise."""
        out = []
        for line in cell.children:
            if type(line) is not LineBox:
                return None
            for text in line.children:
                if type(text) is not TextBox:
                    return None
                out.append((id(text.style), text.text))
        return tuple(out)

    def block_container_layout(context, box, bottom_space, skip_stack, page_is_empty, absolute_boxes,
                               fixed_boxes, adjoining_margins, first_letter_style, first_line_style, discard,
                               max_lines):
        args = (context, box, bottom_space, skip_stack, page_is_empty, absolute_boxes, fixed_boxes,
                adjoining_margins, first_letter_style, first_line_style, discard, max_lines)
        cache = _active
        if (cache is None or type(box) is not TableCellBox or skip_stack is not None or max_lines is not None
                or discard or adjoining_margins or first_letter_style is not None
                or first_line_style is not None):
            return layout(*args)
        text = content(box)
        style = box.style
        # Header cells (th) are not reused: a header repeated on a following page is laid out by another path,
        # whose geometry can differ from a moved copy in a number's type (68 against 68. in the PDF).
        if (text is None or box.element_tag == "th" or style["anchor"] or style["bookmark_level"] != "none"
                or style["string_set"] != "none"):
            return layout(*args)
        key = (id(style), text, box.width, box.height, box.computed_height,
               *(getattr(box, f"border_{side}_width") for side in SIDES),
               *(getattr(box, f"padding_{side}") for side in SIDES))
        limit = context.page_bottom - bottom_space
        kept = cache.get(key)
        if kept is not None and box.position_y + kept.extent <= limit:
            STATS["reused"] += 1
            return kept.copy_to(box)
        STATS["laid out"] += 1
        before = dict(box.__dict__)
        counts = (len(absolute_boxes), len(fixed_boxes))
        result = layout(*args)
        new = result[0]
        if (new is not None and result[1] is None and counts == (len(absolute_boxes), len(fixed_boxes))
                and not result[3]):
            extent = new.position_y + new.margin_height() - before["position_y"]
            if before["position_y"] + extent <= limit:  # not a forced overflow on an empty page
                cache[key] = _Kept(before, box, new, result, extent)
        return result

    return block_container_layout


def _copied(value):
    return value.copy() if isinstance(value, (list, dict, set)) else value


class _Kept:
    """One cell's layout: what WeasyPrint changed on the cell it was given, what the laid-out cell has that the
    given one has not (height, children …), and the rest of the result."""

    def __init__(self, before: dict, box, new, result: tuple, extent: float):
        after = box.__dict__
        self.origin = (before["position_x"], before["position_y"])
        self.changed = {name: _copied(value) for name, value in after.items()
                        if name not in before or not _same(before[name], value)}
        self.made = {name: _copied(value) for name, value in new.__dict__.items()
                     if name != "children" and (name not in after or not _same(after[name], value))}
        self.children = [child.deepcopy() for child in new.children]
        self.rest = result[2:]
        self.extent = extent

    def copy_to(self, box) -> tuple:
        dx, dy = box.position_x - self.origin[0], box.position_y - self.origin[1]
        for name, value in self.changed.items():
            setattr(box, name, self._moved(name, value, dx, dy))
        new = box.copy()
        for name, value in self.made.items():
            setattr(new, name, self._moved(name, value, dx, dy))
        new.children = []
        for child in self.children:
            child = child.deepcopy()
            child.translate(dx, dy)
            new.children.append(child)
        next_page, adjoining, collapsing_through, max_lines = self.rest
        return new, None, _copied(next_page), _copied(adjoining), collapsing_through, max_lines

    @staticmethod
    def _moved(name: str, value, dx: float, dy: float):
        if name == "position_x":
            return value + dx
        if name == "position_y":
            return value + dy
        return _copied(value)


def _same(a, b) -> bool:
    if a is b:
        return True
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # noqa: BLE001 — objects that can't be compared count as changed
        return False
