"""Print HTML → PDF on several cores: the body is cut where it starts new pages anyway, the parts are laid out in
forked processes, and a skeleton document carries everything that spans them.

WeasyPrint lays a document out on one core. A disclosure's body falls into runs of elements that each start a
page (parts, sections, the nine tables, landscape tables), which can be laid out independently:

1. A *probe*: the document with every body element emptied to zero height shows, through WeasyPrint's own
   cascade, which of main's children start a new page. Only there is the body cut, so each part's pages come
   out as they would in one run; nothing of print.css is repeated here. The runs are shared out among the
   processes by an estimate of their cost (table cells, text).
2. Each process lays out its runs of main's children — the other elements stay in the tree, hidden, so
   sibling selectors match as before — without page-margin boxes, reports each page's size, page name,
   anchors, bookmarks and links, and has WeasyPrint draw the pages (pdf_merge.collect).
3. The first process also renders the *skeleton*: the cover and 目录 as they are, then one empty page per body
   page with the same page name (so the same size, margins and footer), holding an empty element for each
   anchor the 目录 links to — so ``target-counter()`` gives the 目录 its page numbers. The body pages'
   anchors, bookmarks and links are handed to WeasyPrint before it writes the skeleton, which therefore
   carries the outline, the named destinations, the 目录 links, the footers and the metadata as a single run
   would; pdf_merge.graft draws each body page under its skeleton page, and the PDF goes to the parent.

What this cannot reproduce exactly (page selectors such as ``:first`` or ``:left``, running headers, links
inside the body, a blank page from a left/right break, any mismatch found on the way) makes :func:`render`
return None; the caller then renders in one process. It is written for budgetgen's own templates, and
test_pdf checks its pages against one process's, pixel for pixel.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import sys
import threading
import time
import traceback
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from .pdf_cells import cell_layouts
from .pdf_merge import Collected, Part, collect, graft
from .pdf_tree import check_fetches, gc_paused, html_from_tree, parse

log = logging.getLogger("budgetgen.pdf")

MARGIN_BOXES = ("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner", "right-top",
                "right-middle", "right-bottom", "bottom-right-corner", "bottom-right", "bottom-center",
                "bottom-left", "bottom-left-corner", "left-bottom", "left-middle", "left-top")
NO_MARGIN_BOXES = "@page {" + "".join(f" @{box} {{ content: none !important; }}" for box in MARGIN_BOXES) + " }\n"
# Stand-in elements get a class, not a style attribute: WeasyPrint parses each style attribute on its own.
ZERO, HIDDEN, PAGE, BREAK = "budgetgen-zero", "budgetgen-hidden", "budgetgen-page", "budgetgen-break"
MARK = "budgetgen-part-"  # id given to a part's first element when it has none
STUB_CSS = (f".{ZERO} {{ height: 0 !important; min-height: 0 !important; max-height: 0 !important; "
            f"margin: 0 !important; padding: 0 !important; border: 0 !important; }}\n"
            f".{HIDDEN} {{ display: none !important; }}\n"
            f".{BREAK} {{ break-before: page !important; }}\n")
# CSS whose result depends on where a page stands in the whole document or on content elsewhere.
UNSUPPORTED = re.compile(r"@page\s*[^{;]*:(first|left|right|recto|verso|blank|nth)|string-set|running\(|"
                         r"element\(|counter\(\s*pages\s*\)|counter-(reset|increment|set)\s*:[^;}]*\bpage\b",
                         re.IGNORECASE)
# The skeleton's layout and drawing in the units of _Structure.cost: the 目录 with its leaders, a footer per
# page, the fonts. The first process renders it besides its share of the body, which is that much smaller.
# Timed on 巨鹿 with 800, 1200 and 1600 (three runs each): 1200 left the two processes finishing together.
SKELETON_COST = 1200
REPEATED_CELL = 0.45  # a cell like one laid out before in the same process: copied, drawn
MIN_COST = 1500  # below this (a few pages), forking and the skeleton cost more than they save


@dataclass
class PageInfo:
    """What the skeleton needs from one body page; positions in CSS pixels from the page's top-left."""

    width: float
    height: float
    name: str
    anchors: dict = field(default_factory=dict)  # name -> (x, y, width, height)
    bookmarks: list = field(default_factory=list)  # (level, label, (x, y), state)
    links: list = field(default_factory=list)  # (type, target, (x1, y1, x2, y2))


@dataclass
class _Failure:
    text: str


class _LinkBox:
    """Stands in for the box of a link laid out in another process (WeasyPrint hangs its annotation on it)."""


def render(html_text: str, base_url: str, processes: int) -> tuple[bytes, int] | None:
    """The PDF of `html_text` (budgetgen's own templates) laid out by up to `processes` processes, and how many
    it used; None where that can't be exact (the caller then renders in one process)."""
    clock = _Clock()
    with gc_paused():
        root = parse(html_text)
        css = "\n".join(style.text or "" for style in root.iter("style"))
        if UNSUPPORTED.search(css) or root.find("head/base") is not None:
            return None
        doc = _Structure.of(root)
        if doc is None or doc.cost(0, len(doc.children)) < MIN_COST:
            return None
        clock.lap("parse")
        chunks = doc.chunks(base_url)
        clock.lap("probe")
    if not chunks or len(chunks) < 2:
        return None
    groups = _partition(doc, chunks, processes)
    if len(groups) < 2:
        return None
    for ranges in groups:
        log.debug("part: %s, cost %.0f", " ".join(f"{a}–{b}" for a, b in ranges),
                  sum(doc.cost(a, b) for a, b in ranges))

    # Every part is laid out in a forked process, the first of them also renders the skeleton and writes the
    # file: what WeasyPrint leaves behind (a million objects in cycles) dies with those processes, instead of
    # keeping this one's garbage collector busy for half a second afterwards.
    context = multiprocessing.get_context("fork")
    links = [context.Pipe(duplex=False) for _ in groups[1:]]  # (receive, send): part n → the first process
    result, to_parent = context.Pipe(duplex=False)
    ends = [result, to_parent, *(end for pair in links for end in pair)]
    workers = [context.Process(target=_first_part, daemon=True,
                               args=(doc, groups, base_url, [receive for receive, _ in links], to_parent, ends))]
    workers += [context.Process(target=_other_part, args=(doc, ranges, base_url, send, ends), daemon=True)
                for ranges, (_, send) in zip(groups[1:], links)]
    try:
        for worker in workers:
            worker.start()
        _keep_only([result], ends)  # each end open in one process only: a dead writer then reads as EOF
        data = _receive(result)
        clock.lap("parts and skeleton")
        return (data, len(groups)) if data is not None else None
    finally:
        result.close()
        for worker in workers:
            worker.join(timeout=5)  # done by now, unless something failed
            if worker.is_alive():
                worker.kill()
                worker.join()


def _first_part(doc: _Structure, groups, base_url: str, others: list, to_parent, ends: list) -> None:
    """In a forked process: lay out the first group, collect the others' page infos, render the skeleton,
    graft all parts' pages under it and send the PDF (or None, or a failure) to the parent."""
    _keep_only([*others, to_parent], ends)
    clock = _Clock()
    try:
        own, own_pages = _lay_out(doc, groups[0], base_url)
        clock.lap(f"layout, {len(own.pages)} pages")
        parts = [_draw(own)]
        clock.lap("draw")
        ranged = [(rng, 0, pages) for rng, pages in own_pages]
        for n, receive in enumerate(others, start=1):
            ranged.extend((rng, n, pages) for rng, pages in _receive(receive))
        clock.lap("wait for the other parts' layout")
        ranged.sort(key=lambda item: item[0])
        order, pages, used = [], [], [0] * len(groups)
        for _, source, infos in ranged:  # each body page: which part, which of its pages
            for info in infos:
                order.append((source, used[source]))
                used[source] += 1
                pages.append(info)
        skeleton = _layout(doc.skeleton(pages), base_url)
        first_body = len(skeleton.pages) - len(pages)
        if first_body < 1 or not _inject(skeleton.pages[first_body:], pages):
            log.debug("skeleton does not match the body pages; rendering in one process")
            to_parent.send(None)
            return
        clock.lap(f"skeleton layout, {first_body} front pages")

        def finish(_, pdf):
            clock.lap("skeleton drawn")
            parts.extend(_receive(receive) for receive in others)
            clock.lap("wait for the other parts' pages")
            graft(pdf, first_body, parts, order)

        data = skeleton.write_pdf(finisher=finish)
        check_fetches(skeleton)
        to_parent.send(data)
        clock.lap("write")
    except BaseException:  # noqa: BLE001 — reported to the parent, which falls back to one process
        _report(to_parent, traceback.format_exc())
    finally:
        to_parent.close()


def _other_part(doc: _Structure, ranges: list[tuple[int, int]], base_url: str, send, ends: list) -> None:
    """In a forked process: lay out one group, send its page infos, then its drawn pages, to the first."""
    _keep_only([send], ends)
    clock = _Clock()
    try:
        document, pages = _lay_out(doc, ranges, base_url)
        send.send(pages)
        clock.lap(f"layout, {len(document.pages)} pages")
        send.send(_draw(document))
        clock.lap("draw")
    except BaseException:  # noqa: BLE001 — the first process reports it, and the parent falls back
        _report(send, traceback.format_exc())
    finally:
        send.close()


def _draw(document) -> Part:
    """The document's pages drawn by WeasyPrint and collected before it writes a file of them."""
    for page in document.pages:  # the skeleton carries anchors, bookmarks and links
        page.anchors, page.bookmarks, page.links = {}, [], []

    def finish(_, pdf):
        raise Collected(collect(pdf))

    try:
        document.write_pdf(finisher=finish)
    except Collected as done:
        check_fetches(document)
        return done.part
    raise RuntimeError("WeasyPrint wrote the PDF without calling the finisher")


def _lay_out(doc: _Structure, ranges: list[tuple[int, int]], base_url: str):
    """The laid-out document of some ranges of main's children, and each range's page infos."""
    root, marks = doc.part(ranges)
    document = _layout(root, base_url)
    infos = [_page_info(page) for page in document.pages]
    starts = [next((n for n, info in enumerate(infos) if mark in info.anchors), None) for mark in marks]
    if starts[0] != 0 or any(a is None or b is None or b <= a for a, b in zip(starts, starts[1:])):
        raise RuntimeError(f"parts do not start pages where the probe said: {starts}")
    for info in infos:
        for name in [name for name in info.anchors if name.startswith(MARK)]:
            del info.anchors[name]
    ends = starts[1:] + [len(infos)]
    return document, [(rng, infos[a:b]) for rng, a, b in zip(ranges, starts, ends)]


def _report(connection, text: str) -> None:
    try:
        connection.send(_Failure(text))
    except OSError:
        pass  # the reader is gone too: it has failed already, and the parent falls back


def _keep_only(own: list, ends: list) -> None:
    """Close the inherited pipe ends this process does not use."""
    for end in ends:
        if not any(end is mine for mine in own):
            end.close()


def _receive(connection):
    message = connection.recv()  # EOFError if the process died
    if isinstance(message, _Failure):
        raise RuntimeError(f"PDF part failed in its process:\n{message.text}")
    return message


def _layout(root: ET.Element, base_url: str):
    """The laid-out document; RefusedURL if it asked for a resource outside the templates (pdf_tree.url_fetcher:
    the probe raises it in this process, a part reports it and the caller renders in one process, which raises
    it)."""
    with cell_layouts():
        document = html_from_tree(root, base_url).render()
    check_fetches(document)
    return document


def _page_info(page) -> PageInfo:
    links = [(kind, target, tuple(rect)) for kind, target, rect, _ in page.links if kind in ("internal", "external")]
    return PageInfo(page.width, page.height, page._page_box.page_type.name, dict(page.anchors),
                    list(page.bookmarks), links)


def _inject(pages, infos: list[PageInfo]) -> bool:
    """Give the skeleton's body pages the anchors, bookmarks and links of the body pages they stand for."""
    for page, info in zip(pages, infos, strict=True):
        if (abs(page.width - info.width) > 0.01 or abs(page.height - info.height) > 0.01
                or page._page_box.page_type.name != info.name or not set(page.anchors) <= set(info.anchors)
                or page.bookmarks or page.links):
            return False
        page.anchors = dict(info.anchors)
        page.bookmarks = list(info.bookmarks)
        page.links = [(kind, target, rect, _LinkBox()) for kind, target, rect in info.links]
    return True


def _partition(doc: _Structure, chunks: list[tuple[int, int]], groups: int) -> list[list[tuple[int, int]]]:
    """The chunks shared out among `groups` processes: costliest first, each to the process it leaves least
    loaded — counting what the chunk costs *there*: a cell that process lays out anyway costs less (pdf_cells
    reuses its layout), so a unit's tables tend to join the department's twins. The first process also renders
    the skeleton (SKELETON_COST). Each group's chunks in document order, neighbours joined into one range."""
    loads = [SKELETON_COST] + [0.0] * (groups - 1)
    seen: list[set] = [set() for _ in range(groups)]
    shares: list[list[tuple[int, int]]] = [[] for _ in range(groups)]
    for chunk in sorted(chunks, key=lambda c: (-doc.cost(*c), c)):
        costs = [doc.cost(*chunk, seen=seen[g]) for g in range(groups)]
        n = min(range(groups), key=lambda g: (loads[g] + costs[g], g))
        loads[n] += costs[n]
        seen[n] |= doc.cells(*chunk)
        shares[n].append(chunk)
    result = []
    for share in shares:
        ranges: list[tuple[int, int]] = []
        for first, last in sorted(share):
            if ranges and ranges[-1][1] == first:
                ranges[-1] = (ranges[-1][0], last)
            else:
                ranges.append((first, last))
        if ranges:
            result.append(ranges)
    return result


class _Structure:
    """The parsed print HTML: the front matter (body's children before <main>) and main's children."""

    def __init__(self, root: ET.Element, body: ET.Element, main: ET.Element):
        self.root, self.body, self.main = root, body, main
        self.children = list(main)
        self._cost_cache: dict[int, tuple] = {}  # id of a child of main -> what cost() needs of it

    @classmethod
    def of(cls, root: ET.Element) -> _Structure | None:
        body = root.find("body")
        main = body.find("main") if body is not None else None
        if main is None or len(main) < 2 or list(body)[-1] is not main:
            return None
        texts = [main.text] + [child.tail for child in main] + [child.tail for child in body]
        if any(text and text.strip() for text in texts):
            return None  # loose text between blocks would need its anonymous boxes in some part
        if any(a.get("href", "").startswith("#") for a in main.iter("a")):
            return None  # a target-counter() in the body would count pages of its own part only
        return cls(root, body, main)

    def cost(self, first: int, last: int, seen: frozenset | set = frozenset()) -> float:
        """A rough layout and drawing cost of main's children first..last-1, in units of a table cell laid
        out. A cell whose kind of table, class and text are in `seen` — or earlier in the range — costs
        REPEATED_CELL only (its layout is reused)."""
        total, cells = 0.0, set(seen)
        for child in self.children[first:last]:
            base, keys = self._costs(child)
            for key, text in keys:
                total += REPEATED_CELL if key in cells else 1.0 + text
                cells.add(key)
            total += base
        return total

    def cells(self, first: int, last: int) -> set:
        """The cells of main's children first..last-1, as `cost` tells them apart."""
        return {key for child in self.children[first:last] for key, _ in self._costs(child)[1]}

    def _costs(self, child: ET.Element) -> tuple[float, list[tuple[tuple, float]]]:
        """What `cost` needs of one child, read once: the cost of all but its cells, and each cell's key and
        text cost."""
        found = self._cost_cache.get(id(child))
        if found is None:
            kind, base, keys = child.get("class", ""), 0.0, []
            for el in child.iter():
                if el.tag in ("td", "th"):
                    keys.append(((kind, el.get("class"), "".join(el.itertext())), len(el.text or "") / 40))
                else:
                    base += 0.3 + len(el.text or "") / 40
            found = self._cost_cache[id(child)] = (base, keys)
        return found

    def chunks(self, base_url: str) -> list[tuple[int, int]] | None:
        """Ranges of main's children that each start a page; None if the body shares a page with the front
        matter or a break leaves a blank page."""
        ids = {}
        probe_body = _shallow(self.body)
        for n, child in enumerate(self.body):
            if child is self.main:
                probe_main = _shallow(self.main)
                probe_main.extend(_probe(grandchild, ids, i) for i, grandchild in enumerate(self.children))
                probe_body.append(probe_main)
            else:
                probe_body.append(_probe(child, ids, -1 - n))
        document = _layout(self._with_body(probe_body, NO_MARGIN_BOXES), base_url)
        page_of = {}
        for number, page in enumerate(document.pages):
            for name in page.anchors:
                if name in ids:
                    page_of.setdefault(ids[name], number)
        front = [number for key, number in page_of.items() if key < 0]
        body = sorted((key, number) for key, number in page_of.items() if key >= 0)
        if not body or (front and max(front) >= body[0][1]):
            return None
        starts, previous = [0], body[0][1]
        for i, number in body[1:]:
            if number != previous:
                if number != previous + 1:
                    return None
                starts.append(i)
                previous = number
        return list(zip(starts, starts[1:] + [len(self.children)]))

    def part(self, ranges: list[tuple[int, int]]) -> tuple[ET.Element, list[str]]:
        """The document with only the given ranges of main's children shown, each starting a page, and no
        page-margin boxes; and for each range the id of its first element."""
        shown, marks = {}, []
        for n, (first, last) in enumerate(ranges):
            shown.update(dict.fromkeys(range(first, last), n))
        body = _shallow(self.body)
        for child in self.body:
            if child is self.main:
                main = _shallow(self.main)
                for i, grandchild in enumerate(self.children):
                    n = shown.get(i)
                    if n is None:
                        main.append(_stub(grandchild, HIDDEN))
                    elif i == ranges[n][0]:  # a range's first element: a page break and an id to find it by
                        start = _shallow(grandchild)
                        start.extend(list(grandchild))
                        if n:
                            start.set("class", f"{start.get('class', '')} {BREAK}".strip())
                        marks.append(_mark(start, i))
                        main.append(start)
                    else:
                        main.append(grandchild)
                body.append(main)
            else:
                body.append(_stub(child, HIDDEN))
        return self._with_body(body, NO_MARGIN_BOXES), marks

    def skeleton(self, pages: list[PageInfo]) -> ET.Element:
        """The front matter as it is, then an empty page per body page with that page's name, holding an
        element for each of its anchors that the front matter links to."""
        body = _shallow(self.body)
        linked = set()
        for child in self.body:
            if child is not self.main:
                body.append(child)
                linked.update(a.get("href", "")[1:] for a in child.iter("a") if a.get("href", "").startswith("#"))
        main = _shallow(self.main)
        names = {name: n for n, name in enumerate(dict.fromkeys(info.name for info in pages))}
        css = "".join(f".{PAGE}-{n} {{ page: {name or 'auto'} !important; break-before: page !important; "
                      f"position: static !important; float: none !important; }}\n" for name, n in names.items())
        for info in pages:
            page = ET.SubElement(main, "div", {"class": f"{ZERO} {PAGE}-{names[info.name]}"})
            for name in info.anchors:
                if name in linked:  # on the first page it is on (a table over two pages has it on both)
                    ET.SubElement(page, "div", {"class": ZERO, "id": name})
                    linked.discard(name)
        body.append(main)
        return self._with_body(body, css)

    def _with_body(self, body: ET.Element, extra_css: str = "") -> ET.Element:
        """The document with `body` for its body and the stand-ins' rules (and `extra_css`) in its head."""
        root = _shallow(self.root)
        for child in self.root:
            if child.tag == "body":
                root.append(body)
            elif child.tag == "head":
                head = _shallow(child)
                head.extend(list(child))
                ET.SubElement(head, "style").text = STUB_CSS + extra_css
                root.append(head)
            else:
                root.append(child)
        return root


def _mark(el: ET.Element, index: int) -> str:
    """An id that finds el's first page: its own, or that of its first child when nothing precedes it (a
    table's title); else one given to it — the last resort, as WeasyPrint then computes el's styles, and those
    of everything inside it, for it alone."""
    if el.get("id"):
        return el.get("id")
    if len(el) and el[0].get("id") and not (el.text or "").strip():
        return el[0].get("id")
    el.set("id", f"{MARK}{index}")
    return el.get("id")


def _shallow(el: ET.Element) -> ET.Element:
    copy = ET.Element(el.tag, dict(el.attrib))
    copy.text, copy.tail = el.text, el.tail
    return copy


def _stub(el: ET.Element, kind: str) -> ET.Element:
    """An empty element with el's tag and attributes (so selectors match as before), of class `kind`."""
    stub = ET.Element(el.tag, dict(el.attrib))
    stub.set("class", f"{stub.get('class', '')} {kind}".strip())
    stub.tail = el.tail
    return stub


def _probe(el: ET.Element, ids: dict, key: int) -> ET.Element:
    stub = _stub(el, ZERO)
    if not stub.get("id"):
        stub.set("id", f"budgetgen-probe{key}")
    ids[stub.get("id")] = key
    return stub


MAX_PROCESSES = 4  # each holds a few hundred MB; a disclosure has few long runs to share out


def usable_processes() -> int:
    """Cores this process may use, at most MAX_PROCESSES; 1 where forking is missing or unsafe (Windows,
    macOS, other threads running)."""
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.active_count() > 1:
        return 1  # a lock held by another thread would stay locked in the forked process
    return min(len(os.sched_getaffinity(0)), MAX_PROCESSES)


class _Clock:
    """Wall and CPU time per step, logged at DEBUG level (budgetgen.pdf)."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self, step: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        log.debug("[%d] %s: %.2f s (CPU %.2f s)", os.getpid(), step, wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
