"""Print HTML → the element tree WeasyPrint lays out, and that tree → a weasyprint.HTML.

WeasyPrint parses HTML with tinyhtml5, in pure Python: about a second for a disclosure. libxml2 (lxml, which
python-docx already needs) reads budgetgen's own templates into the same tree some 50 times faster. A tree
parsed here can also be cut and pieced together (pdf_split) before WeasyPrint sees it.

Every weasyprint.HTML made here fetches through url_fetcher(): budgetgen's templates, the --templates folder
and data: URLs, nothing else — a template from others must not put a file of this computer into the PDF, nor
reach the network.
"""

from __future__ import annotations

import gc
import mimetypes
import re
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

SVG = "http://www.w3.org/2000/svg"
PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # as compose.notes has it
_user_templates: ContextVar[Path | None] = ContextVar("budgetgen_user_templates", default=None)
_fetcher_class = None


class RefusedURL(BaseException):
    """A resource WeasyPrint was asked to fetch from outside the templates: the PDF must not be made.
    BaseException, as WeasyPrint's FatalURLFetchingError: its fetch points let nothing less through."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


@contextmanager
def user_templates(folder: Path | None):
    """While in the block, URL fetchers also allow the files of this --templates folder."""
    token = _user_templates.set(folder)
    try:
        yield
    finally:
        _user_templates.reset(token)


def base_url(default: str) -> str:
    """Where a custom template's relative URLs point: its html folder (default for budgetgen's own)."""
    folder = _user_templates.get()
    if folder is not None and (folder / "html").is_dir():
        return (folder / "html").resolve().as_uri() + "/"
    return default


def url_fetcher():
    """A WeasyPrint URL fetcher that reads only budgetgen's templates folder, the --templates folder (see
    user_templates) and data: URLs. Anything else — another file, http(s), ftp — raises RefusedURL (WeasyPrint
    stops) and is kept in `.refused` (a fetch inside an SVG image is caught by WeasyPrint: check_fetches)."""
    global _fetcher_class
    if _fetcher_class is None:
        from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

        class Refused(RefusedURL, FatalURLFetchingError):
            pass

        class TemplateFetcher(URLFetcher):
            def __init__(self, roots: list[Path]):
                super().__init__(timeout=5, allowed_protocols=("data",), allow_redirects=False)
                self.roots = [root.resolve() for root in roots]
                self.refused: list[str] = []

            def fetch(self, url, headers=None):
                scheme = url.split(":", 1)[0].lower()
                if scheme == "data":
                    return super().fetch(url, headers)
                if scheme == "file":
                    parts = urlsplit(url)
                    path = Path(url2pathname(parts.path)).resolve()  # symbolic links followed, then judged
                    if parts.netloc in ("", "localhost") and path.is_file() and \
                            any(path.is_relative_to(root) for root in self.roots):
                        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
                self.refused.append(url)
                raise Refused(url)

        _fetcher_class = TemplateFetcher
    folder = _user_templates.get()
    return _fetcher_class([PACKAGE_TEMPLATES] + ([folder] if folder is not None else []))


def check_fetches(document) -> None:
    """RefusedURL if the fetcher of `document` (a weasyprint HTML or Document) refused anything."""
    refused = getattr(getattr(document, "url_fetcher", None), "refused", None)
    if refused:
        raise RefusedURL(refused[0])


def parse(text: str, fast: bool = True) -> ET.Element:
    """The HTML tree as WeasyPrint's own parser builds it: elements without namespace, comments dropped.

    fast: read with libxml2. Its HTML parser knows less of HTML5's repairs than tinyhtml5 (it adds no <tbody>
    to a bare table row, for one), which budgetgen's templates never need; custom templates are read with
    ``fast=False``, exactly as WeasyPrint would.
    """
    if fast:
        try:
            import lxml.html
        except ImportError:  # pragma: no cover — python-docx depends on lxml
            fast = False
    if not fast:
        return _tinyhtml5(text)
    root = _from_lxml(lxml.html.document_fromstring(text))
    root.text = None  # tinyhtml5 keeps no text directly in <html>
    if not _foreign_content_from_tinyhtml5(root, text):
        return _tinyhtml5(text)
    return root


def _tinyhtml5(text: str) -> ET.Element:
    import tinyhtml5

    return tinyhtml5.parse(text, namespace_html_elements=False)


def _foreign_content_from_tinyhtml5(root: ET.Element, text: str) -> bool:
    """Put each inline <svg> (a chart) as tinyhtml5 reads it in place of libxml2's: in the SVG namespace,
    with its camel-case names (viewBox), which WeasyPrint needs to draw it. False if the sources can't be
    matched up, or there is <math>."""
    svgs = [el for el in root.iter("svg")]
    sources = _outermost(text, "svg")
    if "<math" in text or len(svgs) != len(sources):
        return False
    parents = {child: parent for parent in root.iter() for child in parent if child.tag == "svg"}
    for el, source in zip(svgs, sources):
        parsed = _tinyhtml5(f"<!DOCTYPE html><body>{source}").find(f"body/{{{SVG}}}svg")
        parent = parents.get(el)
        if parsed is None or parent is None:
            return False
        parsed.tail = el.tail
        parent[list(parent).index(el)] = parsed
    return True


def _outermost(text: str, tag: str) -> list[str]:
    """The source of each outermost <tag>…</tag> element in text."""
    found, depth, start = [], 0, 0
    for match in re.finditer(rf"<(/?){tag}\b[^>]*?(/?)>", text, flags=re.IGNORECASE):
        closing, empty = match.group(1), match.group(2)
        if closing:
            depth -= 1
            if depth == 0:
                found.append(text[start:match.end()])
        elif not empty:
            if depth == 0:
                start = match.start()
            depth += 1
        elif depth == 0:
            found.append(match.group(0))
    return found


def _from_lxml(el) -> ET.Element:
    out = ET.Element(el.tag, dict(el.attrib))
    out.text, out.tail = el.text, el.tail
    for child in el:
        if isinstance(child.tag, str):
            out.append(_from_lxml(child))
        elif child.tail:  # a comment or processing instruction: keep the text after it
            if len(out):
                out[-1].tail = (out[-1].tail or "") + child.tail
            else:
                out.text = (out.text or "") + child.tail
    return out


def html_from_tree(root: ET.Element, base_url: str, own_templates: bool = True):
    """A weasyprint.HTML for a parsed tree: an empty document made the public way (base URL, URL fetcher —
    url_fetcher(), never WeasyPrint's own —, media type), then given `root` — what HTML.__init__ does once
    tinyhtml5 has parsed. Should a WeasyPrint keep its tree elsewhere, the tree is written out and parsed again
    instead.

    own_templates: the tree comes from budgetgen's templates, which need less of the user-agent stylesheet
    (:func:`lean_ua_stylesheet`)."""
    import cssselect2
    from weasyprint import HTML

    fetcher = url_fetcher()
    html = HTML(string="<html></html>", base_url=base_url, url_fetcher=fetcher)
    if not (isinstance(getattr(html, "etree_element", None), ET.Element)
            and isinstance(getattr(html, "wrapper_element", None), cssselect2.ElementWrapper)):
        html = HTML(string=ET.tostring(root, encoding="unicode", method="html"), base_url=base_url,
                    url_fetcher=fetcher)
    else:
        html.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        html.etree_element = html.wrapper_element.etree_element
    lean = lean_ua_stylesheet() if own_templates else None
    if lean is not None and callable(getattr(html, "_ua_stylesheets", None)):
        html._ua_stylesheets = lambda forms=False: [lean]  # budgetgen's templates have no forms
    return html


# Rules of WeasyPrint's user-agent stylesheet that match every element through a pseudo-element: each makes
# WeasyPrint compute a style for that pseudo-element of every element (six per table cell, tens of thousands
# in a disclosure), though budgetgen's templates have no footnotes, no notes and no list item but <li>.
_UNIVERSAL_PSEUDO = re.compile(r"^::(footnote|note)-[a-z-]+\s*\{[^}]*\}[ \t]*\n?", re.MULTILINE)
_UNIVERSAL_MARKER = re.compile(r"^::marker(?=\s*\{)", re.MULTILINE)
_lean_ua = None


def lean_ua_stylesheet():
    """WeasyPrint's own user-agent stylesheet less the rules budgetgen's templates never use: ``::marker``
    only for ``li``, no footnote or note rules. Same pages, a sixth of the styles to compute. None if this
    WeasyPrint keeps its stylesheet elsewhere (then its own is used)."""
    global _lean_ua
    if _lean_ua is None:
        try:
            from weasyprint import CSS
            from weasyprint.css.counters import CounterStyle
            from weasyprint.html import UA
        except ImportError:
            _lean_ua = False
        else:
            text = _UNIVERSAL_MARKER.sub("li::marker", _UNIVERSAL_PSEUDO.sub("", UA))
            _lean_ua = CSS(string=text, counter_style=CounterStyle())  # its @counter-style rules are known already
    return _lean_ua or None


@contextmanager
def gc_paused():
    """WeasyPrint builds hundreds of thousands of objects that live until the PDF is written; the cyclic
    collector would walk them again and again for nothing (some 5–10 % of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
