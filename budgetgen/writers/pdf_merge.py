"""Body pages drawn in other processes → the skeleton's PDF, at the level of pydyf objects, through
WeasyPrint's public ``finisher`` hook: nothing is written out and parsed back.

In each part's process, :func:`collect` takes the drawn pages from WeasyPrint's pydyf.PDF just before it would
be written — each page's content stream and everything its resources reference (fonts, graphics states,
patterns, images) — compresses the streams there (on that process's core) and turns references into
:class:`Ref` placeholders, so the objects can be pickled and numbered anew. In the skeleton's process,
:func:`graft` adds them to the skeleton's pydyf.PDF and draws each body page under its skeleton page as a form
XObject; WeasyPrint then writes the one file. Each part keeps its own font subsets (same fonts, other glyphs).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

import pydyf

BODY = "BudgetgenBody"  # the form's name in each body page's resources
REFERENCE = re.compile(rb"(\d+) 0 R")


class Ref(pydyf.Object):
    """A reference to an object of a part, written as the number that object gets in the final PDF."""

    def __init__(self, number: int):
        super().__init__()
        self.old = number
        self.target: pydyf.Object | None = None

    @property
    def data(self) -> bytes:
        return self.target.reference


@dataclass
class Part:
    """The drawn pages of one part: objects by their number in the part's PDF, and per page its form."""

    objects: dict[int, pydyf.Object] = field(default_factory=dict)
    forms: list[int] = field(default_factory=list)  # per page, the number of its content stream (now a form)


class Collected(Exception):
    """Raised by the finisher once the part is collected: the part's own PDF is never written."""

    def __init__(self, part: Part):
        super().__init__("part collected")
        self.part = part


def collect(pdf: pydyf.PDF) -> Part:
    """The pages of `pdf` as form XObjects with everything they use, ready to pickle."""
    part = Part()
    refs: list[Ref] = []

    def portable(value):
        if isinstance(value, bytes):
            match = REFERENCE.fullmatch(value)
            if match:
                number = int(match.group(1))
                queue.append(number)
                ref = Ref(number)
                refs.append(ref)
                return ref
            return value
        if isinstance(value, pydyf.Stream):
            extra = {key: portable(item) for key, item in value.extra.items()}
            data = b"\n".join(_to_bytes(item) for item in value.stream)
            if value.compress:
                compressor = zlib.compressobj(level=9)  # as pydyf would, but on this process's core
                data = compressor.compress(data) + compressor.flush()
                extra["Filter"] = "/FlateDecode"
            return pydyf.Stream([data], extra, compress=False)
        if isinstance(value, pydyf.Dictionary):
            return pydyf.Dictionary({key: portable(item) for key, item in value.items()})
        if isinstance(value, pydyf.Array):
            return pydyf.Array([portable(item) for item in value])
        if isinstance(value, dict):
            return {key: portable(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [portable(item) for item in value]
        return value  # names, numbers, pydyf.String

    queue: list[int] = []
    pages = [pdf.objects[number] for number in pdf.pages["Kids"][::3]]
    for page in pages:
        contents = _number(page["Contents"])
        form = portable(pdf.objects[contents])
        form.extra.update({"Type": "/XObject", "Subtype": "/Form", "BBox": pydyf.Array(page["MediaBox"]),
                           "Resources": portable(page["Resources"])})
        if "Group" in page:
            form.extra["Group"] = portable(page["Group"])
        part.objects[contents] = form
        part.forms.append(contents)
    while queue:
        number = queue.pop()
        if number not in part.objects:
            part.objects[number] = None  # claimed before portable() queues its references
            part.objects[number] = portable(pdf.objects[number])
    return part


def graft(pdf: pydyf.PDF, first: int, parts: list[Part], order: list[tuple[int, int]]) -> None:
    """Add the parts' objects to `pdf` and draw page order[k] = (part, page) under page first + k."""
    kids = pdf.pages["Kids"][::3]
    if first + len(order) != len(kids):
        raise ValueError(f"{len(kids)} skeleton pages for {first} + {len(order)} pages")
    if sorted(order) != [(n, i) for n, part in enumerate(parts) for i in range(len(part.forms))]:
        raise ValueError("each page of the parts must be used exactly once")
    for part in parts:
        for number in sorted(part.objects):
            pdf.add_object(part.objects[number])
        for obj in part.objects.values():
            _resolve(obj, part.objects)
    for target, (n, i) in zip(kids[first:], order):
        page = pdf.objects[target]
        form = parts[n].objects[parts[n].forms[i]]
        resources = _deref(pdf, page["Resources"])
        resources = pydyf.Dictionary(dict(resources))  # WeasyPrint's pages share one: each gets a copy
        xobjects = pydyf.Dictionary(dict(_deref(pdf, resources.get("XObject", pydyf.Dictionary()))))
        xobjects[BODY] = form.reference
        resources["XObject"] = xobjects
        page["Resources"] = resources
        under = pydyf.Stream([f"q /{BODY} Do Q".encode()])
        pdf.add_object(under)
        own = page["Contents"]
        page["Contents"] = pydyf.Array([under.reference, *(own if isinstance(own, list) else [own])])


def _resolve(value, objects: dict) -> None:
    """Point every Ref inside value at its object."""
    if isinstance(value, Ref):
        value.target = objects[value.old]
    elif isinstance(value, pydyf.Stream):
        _resolve(value.extra, objects)
    elif isinstance(value, dict):
        for item in value.values():
            _resolve(item, objects)
    elif isinstance(value, list):
        for item in value:
            _resolve(item, objects)


def _deref(pdf: pydyf.PDF, value):
    if isinstance(value, bytes) and REFERENCE.fullmatch(value):
        return pdf.objects[_number(value)]
    return value


def _number(reference: bytes) -> int:
    return int(REFERENCE.fullmatch(reference).group(1))


def _to_bytes(item) -> bytes:
    """One content-stream item as pydyf writes it."""
    return pydyf._to_bytes(item)
