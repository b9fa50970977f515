"""Shortcuts through WeasyPrint's private names that give budgetgen's own print HTML the same PDF pages in less
time — the only module that touches anything WeasyPrint does not document.

- **Cell layouts reused**: a disclosure repeats itself (the header rows of every performance table,
  产出指标/数量指标/≥95% in most of them, the same tables again for the unit). WeasyPrint lays out each table
  cell anew; while :func:`applied` is active, the layout of a table cell that holds plain text only is kept,
  keyed by everything it depends on (the cell's and its text's computed styles, the text, the cell's width,
  padding and borders), and a later cell with the same key gets a copy moved to its place — when the copy fits
  above the page's bottom just as the original did; otherwise WeasyPrint lays it out itself. This replaces
  ``weasyprint.layout.block.block_container_layout`` for the duration of the render.
- **A lean user-agent stylesheet**: WeasyPrint's own less the rules budgetgen's templates never use
  (``::marker`` only for ``li``, no footnote or note rules), each of which makes WeasyPrint compute a style for
  a pseudo-element of every element. It is handed over through the private ``HTML._ua_stylesheets``.

Both are used only where they were checked — the WeasyPrint releases in :data:`VERIFIED`, with the private
functions' signatures as expected — for budgetgen's own templates (custom HTML templates may do what they were
not checked with) and not for the tagged PDF/A and PDF/UA variants (WeasyPrint builds their structure tree
from the boxes). Anywhere else WeasyPrint does all the work itself. The pages are WeasyPrint's own, byte for
byte (test_pdf checks both samples); test_pdf also fails, on a verified release, if a shortcut is not taken.
"""

from __future__ import annotations

import inspect
import re
from contextlib import contextmanager

# WeasyPrint releases whose output with these shortcuts was compared with its own, byte for byte.
VERIFIED = ("70.0",)
BLOCK_CONTAINER_LAYOUT = ["context", "box", "bottom_space", "skip_stack", "page_is_empty", "absolute_boxes",
                          "fixed_boxes", "adjoining_margins", "first_letter_style", "first_line_style",
                          "discard", "max_lines"]
UA_STYLESHEETS = ["self", "forms"]
SIDES = ("top", "right", "bottom", "left")

# How often each shortcut was taken over the life of the process (tests, debugging).
STATS = {"renders": 0, "cells reused": 0, "cells laid out": 0, "lean ua": 0}
_active: dict | None = None  # the cell cache of the render in progress (style ids are only valid during it)


def available() -> bool:
    """True on a verified WeasyPrint whose private names are where, and as, they were checked."""
    try:
        import weasyprint
        from weasyprint import HTML
        from weasyprint.html import UA  # noqa: F401 — the user-agent stylesheet's source, made lean below
        from weasyprint.layout import block
    except ImportError:
        return False
    if weasyprint.__version__ not in VERIFIED:
        return False
    layout = getattr(block, "block_container_layout", None)
    stylesheets = getattr(HTML, "_ua_stylesheets", None)
    return (callable(layout) and list(inspect.signature(layout).parameters) == BLOCK_CONTAINER_LAYOUT
            and callable(stylesheets) and list(inspect.signature(stylesheets).parameters) == UA_STYLESHEETS)


@contextmanager
def applied(enabled: bool = True, variant: str | None = None):
    """The shortcuts, for WeasyPrint renders of budgetgen's own templates inside the block (enabled: the HTML
    comes from them; variant: the PDF variant asked for — the tagged ones get WeasyPrint's own layout)."""
    global _active
    if not enabled or variant is not None or _active is not None or not available():
        yield
        return
    from weasyprint import HTML
    from weasyprint.layout import block

    original_layout, original_ua = block.block_container_layout, HTML._ua_stylesheets
    lean = lean_ua_stylesheet()

    def ua_stylesheets(self, forms=False):
        STATS["lean ua"] += 1
        return [lean]  # budgetgen's templates have no forms

    block.block_container_layout = _cached(original_layout)
    HTML._ua_stylesheets = ua_stylesheets
    _active = {}
    STATS["renders"] += 1
    try:
        yield
    finally:
        block.block_container_layout = original_layout
        HTML._ua_stylesheets = original_ua
        _active = None


# --- the lean user-agent stylesheet ---------------------------------------------------------------------------

# Rules of WeasyPrint's user-agent stylesheet that match every element through a pseudo-element: each makes
# WeasyPrint compute a style for that pseudo-element of every element (six per table cell, tens of thousands
# in a disclosure), though budgetgen's templates have no footnotes, no notes and no list item but <li>.
_UNIVERSAL_PSEUDO = re.compile(r"^::(footnote|note)-[a-z-]+\s*\{[^}]*\}[ \t]*\n?", re.MULTILINE)
_UNIVERSAL_MARKER = re.compile(r"^::marker(?=\s*\{)", re.MULTILINE)
_lean_ua = None


def lean_ua_stylesheet():
    """WeasyPrint's own user-agent stylesheet less the rules budgetgen's templates never use: ``::marker`` only
    for ``li``, no footnote or note rules. Same pages, a sixth of the styles to compute."""
    global _lean_ua
    if _lean_ua is None:
        from weasyprint import CSS
        from weasyprint.css.counters import CounterStyle
        from weasyprint.html import UA

        text = _UNIVERSAL_MARKER.sub("li::marker", _UNIVERSAL_PSEUDO.sub("", UA))
        _lean_ua = CSS(string=text, counter_style=CounterStyle())  # its @counter-style rules are known already
    return _lean_ua


# --- table cells laid out once ----------------------------------------------------------------------------------

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
            STATS["cells reused"] += 1
            return kept.copy_to(box)
        STATS["cells laid out"] += 1
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
