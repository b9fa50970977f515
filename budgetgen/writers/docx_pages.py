"""The DOCX's pagination, predicted: which page every 目录 entry lands on, so the TOC field's cached result carries
real page numbers before any editor updates it (LibreOffice and WPS show the cached result as it is).

The prediction holds because the writer makes the layout predictable and then enforces what was predicted:

- every style the body uses has an exact line height (w:lineRule="exact"), so a paragraph is its line count
  times its line height in any font (SimSun in Word, Noto CJK in LibreOffice);
- every table row gets an at-least height (w:trHeight) that is the height this model gives it, counting lines
  generously, so a row is exactly that tall in every editor as long as its text wraps no more than predicted;
- where the model starts a page with a new block (a heading, a paragraph, a table's title), the writer gives that
  block w:pageBreakBefore, so the page starts there even where an editor would have fitted a line more.

What remains a prediction is where text wraps: the line breaker below follows the East Asian rules Word and
LibreOffice share (CJK characters one em, Latin words unbroken, a fifth of an em between Chinese and a Latin word
or a number, closing punctuation never starting a line, 、。，hanging into the margin), with Times New Roman / Arial advance widths for Latin text (LibreOffice's Liberation
fonts have the same metrics).

The flow is a list of atoms (a line of a paragraph, a table row), each with its height and whether it must stay
with the next one (keepNext, widow and orphan control, unsplit tables); pages are filled greedily as Word and
LibreOffice do, a group of kept atoms moving to the next page when it does not fit (unless it is longer than a page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import docx_xml as x

# Advance widths (1/1000 em) of ASCII 32–126: Times New Roman (= Liberation Serif) regular and bold, Arial
# (= Liberation Sans).
_SERIF = [250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500, 500, 500,
          500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611, 556, 722, 722, 333,
          389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469,
          500, 333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333, 389,
          278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541]
_SERIF_BOLD = [250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278, 500, 500, 500, 500,
               500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500, 930, 722, 667, 722, 722, 667, 611, 778,
               778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667, 333,
               278, 333, 581, 500, 333, 500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500,
               556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444, 394, 220, 394, 520]
_SANS = [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556,
         556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667,
         556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556,
         556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722,
         500, 500, 500, 334, 260, 334, 584]

# Never at the start of a line (closing punctuation); never at the end (opening punctuation); may hang past the margin.
NO_START = set("!%),.:;?]}°·’”‰′″℃、。〉》」』】〕〗〙〛！＂％＇），．：；？］｝～…—")
NO_END = set("([{£¥‘“〈《「『【〔〖〘〚（［｛")
HANG = set("、。，．,.")

# The space Word and LibreOffice put between East Asian text and a Latin word or a number (w:autoSpaceDE and
# w:autoSpaceDN, on by default): a fifth of an em, as LibreOffice draws it (2.8pt at 14pt).
AUTO_SPACE = 0.2

# A line of text where a style's spacing is "auto" (a jurisdiction's reference.docx): Noto CJK's line gap, the
# tallest of the fonts the document may be shown in.
AUTO_LINE = 1.45


def is_wide(ch: str) -> bool:
    """Drawn one em wide: CJK, full-width forms, and the symbols Word draws with the East Asian font (w:hint)."""
    code = ord(ch)
    return code >= 0x2E80 or 0x2010 <= code <= 0x2BFF or ch in "\u00a7\u00a8\u00b0\u00b1\u00b7\u00d7\u00f7"


@dataclass
class Metrics:
    """What the pagination needs of a paragraph style, resolved along basedOn to the document defaults."""

    size: int = 240  # twips per em (w:sz is half points: sz 32 = 16pt = 320 twips)
    bold: bool = False
    sans: bool = False  # Latin font like Arial, not Times New Roman
    before: int = 0
    after: int = 0
    line: int = 0  # exact line height in twips; 0: auto
    line_auto: float = 1.0  # a multiple of the font's line for auto spacing (line / 240)
    left: int = 0
    right: int = 0
    first: int = 0  # first-line indent (negative: hanging)
    keep_next: bool = False
    keep_lines: bool = False

    @property
    def line_height(self) -> int:
        return self.line or int(self.size * AUTO_LINE * self.line_auto)

    def char_width(self, ch: str, bold: bool | None = None) -> float:
        code = ord(ch)
        if 32 <= code < 127:
            table = _SANS if self.sans else (_SERIF_BOLD if (self.bold if bold is None else bold) else _SERIF)
            return table[code - 32] * self.size / 1000
        if is_wide(ch):
            return self.size
        return self.size * 0.6

    def text_width(self, text: str) -> float:
        return sum(self.char_width(ch) for ch in text)

    def lines(self, text: str, width: int, first: int | None = None, bold: bool | None = None) -> int:
        """How many lines `text` takes in a column `width` twips wide (the first line `first` wide), each w:br a new
        line."""
        return sum(count_lines(part, self, width if first is None or i else first, width, bold)
                   for i, part in enumerate(text.split("\n")))


_TOKEN = re.compile(r"[\x21-\x7e]+| +|.", re.S)


def count_lines(text: str, m: Metrics, first: float, width: float, bold: bool | None = None) -> int:
    """Greedy line breaking with the East Asian rules (see the module's docstring)."""
    lines, x, avail = 1, 0.0, first
    prev = ""  # the previous token on this line
    prev_w = 0.0
    for tok in _TOKEN.findall(text):
        w = sum(m.char_width(ch, bold) for ch in tok)
        if x and prev and _spaced(prev[-1], tok[0]):
            w += AUTO_SPACE * m.size  # drawn before this token, unless it starts a line (then dropped below)
        if tok.isspace():
            x += w
            prev, prev_w = tok, w
            continue
        if x + w <= avail + 0.5 or x == 0:
            x += w
            prev, prev_w = tok, w
            continue
        if tok in HANG:  # hangs in the margin, the line ends after it
            x += w
            prev, prev_w = tok, w
            continue
        lines += 1
        avail = width
        # closing punctuation takes the previous character along; opening punctuation never ends a line
        if (tok[0] in NO_START or prev[-1:] in NO_END) and prev and not prev.isspace() and len(prev) == 1 \
                and x > prev_w:
            x = prev_w + w
        else:
            x = w - (AUTO_SPACE * m.size if _spaced(prev[-1:] or " ", tok[0]) else 0)
        while x > avail + 0.5:  # a token longer than a line (a long number, a URL) breaks inside
            lines += 1
            x -= avail
        prev, prev_w = tok, w
    return lines


def _spaced(a: str, b: str) -> bool:
    """Whether the automatic East Asian–Latin space goes between two neighbouring characters."""
    return (is_wide(a) and b.isascii() and b.isalnum()) or (a.isascii() and a.isalnum() and is_wide(b))


def style_metrics(styles, ids: dict[str, str]) -> dict[str, Metrics]:
    """Metrics of every paragraph style of a styles part, by lower-case name (as docx.py names them)."""
    by_id = {s.get(x.w("styleId")): s for s in styles.iterchildren(x.w("style"))}
    defaults = styles.find(f"{x.w('docDefaults')}")

    def chain(style):
        seen = []
        while style is not None and style not in seen:
            seen.append(style)
            based = style.find(x.w("basedOn"))
            style = by_id.get(based.get(x.w("val"))) if based is not None else None
        return list(reversed(seen))

    out = {}
    for name, sid in ids.items():
        style = by_id.get(sid)
        if style is None or style.get(x.w("type")) not in ("paragraph", None):
            continue
        m = Metrics()
        layers = []
        if defaults is not None:
            layers += [defaults.find(f"{x.w('rPrDefault')}/{x.w('rPr')}"), defaults.find(f"{x.w('pPrDefault')}/{x.w('pPr')}")]
        for s in chain(style):
            layers += [s.find(x.w("pPr")), s.find(x.w("rPr"))]
        for layer in layers:
            if layer is not None:
                _apply(m, layer)
        out[name] = m
    return out


def _int(el, attr: str) -> int | None:
    v = el.get(x.w(attr)) if el is not None else None
    try:
        return int(v) if v is not None else None
    except ValueError:
        return None


def _on(el) -> bool:
    return el is not None and el.get(x.w("val"), "true") not in ("0", "false", "off")


def _apply(m: Metrics, layer) -> None:
    sz = _int(layer.find(x.w("sz")), "val")
    if sz:
        m.size = sz * 10
    if layer.find(x.w("b")) is not None:
        m.bold = _on(layer.find(x.w("b")))
    fonts = layer.find(x.w("rFonts"))
    if fonts is not None and fonts.get(x.w("ascii")):
        m.sans = any(k in fonts.get(x.w("ascii")) for k in ("Arial", "Hei", "Sans", "Helvetica"))
    spacing = layer.find(x.w("spacing"))
    if spacing is not None:
        for attr in ("before", "after"):
            v = _int(spacing, attr)
            if v is not None:
                setattr(m, attr, v)
        line = _int(spacing, "line")
        if line is not None:
            rule = spacing.get(x.w("lineRule"), "auto")
            if rule == "auto":
                m.line, m.line_auto = 0, line / 240
            else:  # exact or atLeast: at least that much (atLeast grows only with taller fonts)
                m.line = line if rule == "exact" else max(line, int(m.size * AUTO_LINE))
    ind = layer.find(x.w("ind"))
    if ind is not None:
        for attr, key in (("left", "left"), ("start", "left"), ("right", "right"), ("end", "right")):
            v = _int(ind, attr)
            if v is not None:
                setattr(m, key, v)
        chars = _int(ind, "firstLineChars")
        first = _int(ind, "firstLine")
        hanging = _int(ind, "hanging")
        if chars is not None:
            m.first = chars * m.size // 100
        elif first is not None:
            m.first = first
        if hanging:
            m.first = -hanging
    for tag in ("keepNext", "keepLines"):
        el = layer.find(x.w(tag))
        if el is not None:
            setattr(m, "keep_next" if tag == "keepNext" else "keep_lines", _on(el))


# --- the flow and its pages -----------------------------------------------------------------------------

@dataclass
class Atom:
    height: int
    keep: bool = False  # stays on the page of the next atom
    forced: bool = False  # starts a page (page break before, a new section)
    landscape: bool = False
    item: int = -1  # the paragraph or table it belongs to
    first: bool = False  # the item's first atom
    trailing: int = 0  # part of height that may fall below the page's bottom (a paragraph's space after)
    repeat: int = 0  # table row: height of the header rows that repeat above it on a new page


@dataclass
class Item:
    out: int | None  # the writer's index of the paragraph (None: a table, a paragraph inside one)
    target: str = ""  # the 目录 entry it carries (a bookmark's block id)
    forced: bool = False


@dataclass
class Flow:
    """Atoms in document order, and the items they belong to."""

    page_height: tuple[int, int]  # body height of a portrait and a landscape page (twips)
    atoms: list[Atom] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    landscape: bool = False
    pending_break: bool = False  # a section ended: the next item starts a page

    def _item(self, out: int | None, target: str, forced: bool) -> tuple[int, bool]:
        forced = forced or self.pending_break
        self.pending_break = False
        self.items.append(Item(out, target, forced))
        return len(self.items) - 1, forced

    def paragraph(self, m: Metrics, lines: list[int], *, out: int | None, target: str = "", forced: bool = False,
                  keep_next: bool | None = None) -> None:
        """A paragraph of lines of the given heights, with the style's spacing; widow and orphan control on."""
        keep_next = m.keep_next if keep_next is None else keep_next
        index, forced = self._item(out, target, forced)
        n = len(lines)
        for i, h in enumerate(lines):
            atom = Atom(h, item=index, first=i == 0, forced=forced and i == 0, landscape=self.landscape)
            if i == 0:
                atom.height += m.before
            if i == n - 1:
                atom.height += m.after
                atom.trailing = m.after
                atom.keep = keep_next
            else:  # a break after line i + 1 leaves at least two lines on each side
                atom.keep = m.keep_lines or i + 1 < 2 or n - i - 1 < 2
            self.atoms.append(atom)

    def table(self, rows: list[tuple[int, bool]], repeat: int, *, target: str = "") -> None:
        """Rows (height, kept with the next) of a table whose first `repeat` twips of rows repeat on each page."""
        index, forced = self._item(None, target, False)
        for i, (h, keep) in enumerate(rows):
            self.atoms.append(Atom(h, keep, forced=forced and i == 0, item=index, first=i == 0, repeat=repeat,
                                   landscape=self.landscape))

    def section(self, landscape: bool) -> None:
        """What follows is a new section, on a new page, portrait or landscape."""
        self.landscape = landscape
        self.pending_break = True


@dataclass
class Pages:
    page_of_item: list[int]  # the page each item begins on (1: the cover)
    starts: list[int]  # items whose first atom begins a page (where the writer enforces a page break)
    count: int


def paginate(flow: Flow) -> Pages:
    """Fill pages greedily: a group of atoms kept together moves to the next page when it does not fit, unless
    it is longer than a page; a table row beginning a page has the table's repeating rows above it."""
    atoms = flow.atoms
    page_of_item = [0] * len(flow.items)
    starts: list[int] = []
    page, y, top = 1, 0, True
    cap = flow.page_height[0]

    def new_page(a: Atom) -> None:
        nonlocal page, y, cap, top
        page, y, top = page + 1, 0, True
        cap = flow.page_height[1 if a.landscape else 0]

    def need(a: Atom) -> int:  # what an atom adds on a page, its space after aside
        return a.height - a.trailing + (a.repeat if top and not a.first else 0)

    i, n = 0, len(atoms)
    while i < n:
        a = atoms[i]
        if a.forced and not (top and page == 1 and y == 0 and i == 0):
            new_page(a)
        j = i
        while atoms[j].keep and j + 1 < n and not atoms[j + 1].forced:
            j += 1
        group = sum(atoms[k].height for k in range(i, j + 1)) - atoms[j].trailing
        if not top and y + group > cap:
            fresh = group + (a.repeat if not a.first else 0)
            if fresh <= flow.page_height[1 if a.landscape else 0]:
                new_page(a)
            else:
                j = i  # longer than a page: the kept atoms break where they must
        for k in range(i, j + 1):
            b = atoms[k]
            if not top and y + need(b) > cap:
                new_page(b)
            if top:
                if not b.first:
                    y += b.repeat
                elif b.item >= 0:
                    starts.append(b.item)
                top = False
            if b.first:
                page_of_item[b.item] = page
            y += b.height
        i = j + 1
    return Pages(page_of_item, starts, page)
