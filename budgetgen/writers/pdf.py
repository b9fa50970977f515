"""Disclosure → PDF through WeasyPrint's public API, in one process: the same HTML templates as the preview plus
print.css, given to ``weasyprint.HTML(string=…, base_url=…, url_fetcher=…).write_pdf(…)``.

WeasyPrint fetches images, stylesheets and attachments only through :class:`url_fetcher` — budgetgen's
templates, the ``--templates`` folder and data: URLs, nothing else: a template from others must not put a file
of this computer into the PDF, nor reach the network. A template that asks for anything else gets no PDF and a
message naming the URL and the template file (:func:`refusal_message`).

Shortcuts through WeasyPrint's private names, which make the same pages in less time, live in
:mod:`.pdf_speedups` and are used only for budgetgen's own templates, on the WeasyPrint versions they were
checked with; everywhere else WeasyPrint does all the work itself. Python's cyclic garbage collector is kept
out of WeasyPrint's way during the render (:func:`gc_paused`).
"""

from __future__ import annotations

import gc
import mimetypes
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from ..document import Disclosure
from ..errors import UsageError
from ..templating import PACKAGE_TEMPLATES, TemplateError
from . import Options
from .html import render_html

BASE_URL = "."  # budgetgen's own templates inline their CSS and images: nothing relative to resolve


def variants() -> list[str]:
    """WeasyPrint's own variant names, passed through for archives (PDF/A) and accessibility (PDF/UA)."""
    from weasyprint.pdf import VARIANTS

    return [name for name in VARIANTS if name != "debug"]


class NoChineseFont(UsageError):
    exit_code = 1  # the data and the command are fine; the machine lacks a font


def preflight(options: Options) -> None:
    """What a PDF needs before anything is rendered: a variant WeasyPrint knows, a Chinese font."""
    if options.pdf_variant is not None and options.pdf_variant not in variants():
        raise UsageError(f"未知的 PDF 变体 {options.pdf_variant}；可选：{'、'.join(variants())}")
    require_cjk_font()  # before anything is written: no half set of outputs


def require_cjk_font() -> None:
    """Refuse to print boxes: without any Chinese font every character of the disclosure would be missing."""
    if shutil.which("fc-list") is None:
        return  # no fontconfig tool to ask (e.g. Windows); WeasyPrint uses the system's fonts
    result = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30)
    if not result.stdout.strip():
        raise NoChineseFont("本机没有中文字体，生成的 PDF 会全是空白方框。请先安装中文字体，"
                            "例如 Debian/Ubuntu：sudo apt-get install fonts-noto-cjk")


def render(doc: Disclosure, options: Options) -> bytes:
    """The writer contract: the PDF's bytes; options.templates and options.pdf_variant as `render` takes them."""
    return pdf_bytes(doc, options.templates, options.pdf_variant)


def pdf_bytes(doc: Disclosure, templates: Path | None = None, variant: str | None = None) -> bytes:
    """The PDF; TemplateError (and no PDF) if the templates make WeasyPrint fetch anything but their own files
    or data: URLs. An error rather than a warning: the PDF would lack what the template asked for, and a
    template that reads other files may be hostile — in a county's batch a warning goes unseen, a department
    without its PDF does not."""
    require_cjk_font()
    html = render_html(doc, templates, media="print")
    try:
        return html_to_pdf(html, templates, variant)
    except RefusedURL as refused:
        raise TemplateError(refusal_message(refused.url, templates)) from None


def html_to_pdf(html: str, templates: Path | None = None, variant: str | None = None) -> bytes:
    """The PDF of print HTML. Custom HTML templates (a ``html/`` folder in `templates`) resolve their relative
    URLs against that folder and are read by WeasyPrint alone; budgetgen's own take the shortcuts of
    :mod:`.pdf_speedups` where those are verified."""
    from weasyprint import HTML

    from . import pdf_speedups

    custom_html = templates / "html" if templates is not None and (templates / "html").is_dir() else None
    custom = custom_html is not None
    base_url = custom_html.resolve().as_uri() + "/" if custom_html is not None else BASE_URL
    fetcher = url_fetcher(templates)
    with gc_paused(), pdf_speedups.applied(enabled=not custom, variant=variant):
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        data = document.write_pdf(pdf_variant=variant)
    fetcher.check()  # a refusal WeasyPrint caught and logged (inside an SVG image) still counts
    return data


@contextmanager
def gc_paused():
    """WeasyPrint builds hundreds of thousands of objects that live until the PDF is written; Python's cyclic
    collector would walk them again and again for nothing (a fifth of the CPU time for 巨鹿). Plain Python,
    no WeasyPrint internals: on for every render."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- what WeasyPrint may fetch ----------------------------------------------------------------------------------

class RefusedURL(BaseException):
    """A resource WeasyPrint was asked to fetch from outside the templates: the PDF must not be made.
    BaseException, as WeasyPrint's FatalURLFetchingError: its fetch points let nothing less through."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


_fetcher_class = None


def url_fetcher(templates: Path | None = None):
    """A WeasyPrint URL fetcher (the documented ``weasyprint.urls.URLFetcher``) that reads only budgetgen's
    templates folder, the `templates` folder and data: URLs. Anything else — another file, http(s), ftp —
    raises RefusedURL (WeasyPrint stops) and is kept in ``.refused``: a fetch inside an SVG image is caught by
    WeasyPrint, so the caller asks ``.check()`` after the PDF is made."""
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

            def check(self) -> None:
                """RefusedURL if anything was refused, even where WeasyPrint caught the refusal."""
                if self.refused:
                    raise RefusedURL(self.refused[0])

        _fetcher_class = TemplateFetcher
    return _fetcher_class([PACKAGE_TEMPLATES] + ([templates] if templates is not None else []))


def refusal_message(url: str, templates: Path | None) -> str:
    """The clerk's message for a refused fetch, naming the template files that hold the URL (or its file's
    name) where they can be found."""
    shown = url if len(url) <= 120 else url[:120] + "…"
    files = _referencing(url, templates) if templates is not None else []
    where = f"（见模板文件 {'、'.join(files)}）" if files else ""
    return (f"模板要读取 {shown}{where}，已拒绝：自定义模板只能使用模板目录中的文件和 data: 内嵌资源，"
            "不能读取本机其他文件，也不能访问网络。请删除这处引用，或把所需文件复制到模板目录中")


def _referencing(url: str, templates: Path) -> list[str]:
    parts = urlsplit(url)
    needles = [url, unquote(url), parts.path, unquote(parts.path), unquote(parts.path).rsplit("/", 1)[-1]]
    texts = {}
    for top, _, files in os.walk(templates / "html"):  # only HTML and CSS make WeasyPrint fetch
        for path in sorted(Path(top, name) for name in files):
            if path.is_file() and not path.is_symlink() and path.stat().st_size < 2_000_000:
                texts[path.relative_to(templates).as_posix()] = path.read_text(encoding="utf-8", errors="replace")
    for needle in needles:
        if needle.strip("/"):
            found = [name for name, text in texts.items() if needle in text]
            if found:
                return found
    return []
