"""Disclosure → PDF through WeasyPrint, from the same HTML templates as the preview plus print.css.

WeasyPrint needs some 11 s of CPU for the 73 pages of 巨鹿 (layout of thousands of table cells). Two ways to
the same pages:

- **Several processes** (:mod:`.pdf_split`, :mod:`.pdf_merge`), the usual way: the body is cut where it starts
  new pages anyway and laid out on every core, in forked processes; a skeleton rendered by WeasyPrint adds the
  cover, the 目录, the footers, bookmarks, links and metadata, and the body pages are drawn under it. The same
  pages as one process — text, positions, page numbers, outline, links — in less time; the file is larger
  (each process embeds its own subsets of the fonts), and its bytes depend on the number of cores.
- **One process** (:func:`render_single`): for ``--pdf-variant`` (PDF/A and PDF/UA structures must come from
  WeasyPrint itself), for custom HTML templates (``--templates`` with an ``html/`` folder: its CSS may do what
  the split can't follow), on one core, where ``fork`` is missing (Windows, macOS), for small documents, and
  whenever the parallel way declines or fails.

Both read budgetgen's HTML with libxml2 rather than WeasyPrint's pure-Python parser and give WeasyPrint a
user-agent stylesheet without the rules the templates never use (:mod:`.pdf_tree`), reuse the layout of table
cells that repeat (:mod:`.pdf_cells`), and keep Python's cyclic garbage collector out of WeasyPrint's way.
``budgetgen render`` starts the work in an engine forked before the data is read (:mod:`.pdf_engine`), so that
WeasyPrint's import overlaps the loading and checking. ``BUDGETGEN_PDF_PROCESSES`` caps the number of processes
(1: always one process).

Both ways fetch images, stylesheets and attachments only from the templates (:func:`.pdf_tree.url_fetcher`);
a template that asks for anything else gets no PDF and a message naming the URL and the template file.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..document import Disclosure
from ..errors import UsageError
from ..templating import TemplateError
from . import Options, atomic
from .html import render_html

log = logging.getLogger("budgetgen.pdf")
BASE_URL = "."


def variants() -> list[str]:
    """WeasyPrint's own variant names, passed through for archives (PDF/A) and accessibility (PDF/UA)."""
    from weasyprint.pdf import VARIANTS

    return [name for name in VARIANTS if name != "debug"]


class NoChineseFont(UsageError):
    pass


def require_cjk_font() -> None:
    """Refuse to print boxes: without any Chinese font every character of the disclosure would be missing."""
    if shutil.which("fc-list") is None:
        return  # no fontconfig tool to ask (e.g. Windows); WeasyPrint uses the system's fonts
    result = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30)
    if not result.stdout.strip():
        raise NoChineseFont("本机没有中文字体，生成的 PDF 会全是空白方框。请先安装中文字体，"
                            "例如 Debian/Ubuntu：sudo apt-get install fonts-noto-cjk")


def pdf_bytes(doc: Disclosure, templates: Path | None = None, variant: str | None = None) -> bytes:
    """The PDF; TemplateError (and no PDF) if the templates make WeasyPrint fetch anything but their own files
    or data: URLs (pdf_tree.url_fetcher). An error rather than a warning: the PDF would lack what the template
    asked for, and a template that reads other files may be hostile — in a county's batch a warning goes
    unseen, a department without its PDF does not."""
    from . import pdf_engine
    from .pdf_tree import RefusedURL, user_templates

    try:
        with pdf_engine.taken() as engine, user_templates(templates):  # engine: started by `render`, or None
            require_cjk_font()
            html = render_html(doc, templates, media="print")
            if templates is not None and (templates / "html").is_dir():
                return render_single(html, variant, fast_parse=False)  # custom HTML/CSS: WeasyPrint's way, all
            data = engine.render(html, variant) if engine is not None else None
            return data if data is not None else render_pdf(html, variant)[0]
    except RefusedURL as refused:
        raise TemplateError(refusal_message(refused.url, templates)) from None


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


def render_pdf(html: str, variant: str | None = None, processes: int | None = None) -> tuple[bytes, int]:
    """The PDF of print HTML from budgetgen's own templates, and how many processes laid it out."""
    from . import pdf_split

    if processes is None:
        processes = pdf_split.usable_processes()
        limit = os.environ.get("BUDGETGEN_PDF_PROCESSES", "").strip()
        if limit.isdigit() and int(limit) > 0:
            processes = min(processes, int(limit))
    if variant is None and processes > 1:
        try:
            result = pdf_split.render(html, BASE_URL, processes)
        except Exception:  # noqa: BLE001 — a part failed: the one-process way still gives the PDF
            log.debug("parallel PDF failed; rendering in one process", exc_info=True)
            result = None
        if result is not None:
            return result
    return render_single(html, variant), 1


def render_single(html: str, variant: str | None = None, fast_parse: bool = True) -> bytes:
    """The whole document laid out and drawn by WeasyPrint in this process; fast_parse: read the HTML with
    libxml2 (budgetgen's own templates), not with WeasyPrint's parser (pdf_tree.parse)."""
    from .pdf_cells import cell_layouts
    from .pdf_tree import base_url, check_fetches, gc_paused, html_from_tree, parse

    # PDF/A and PDF/UA (variant): WeasyPrint's own layout of every cell, for the structure tree it tags
    with gc_paused(), cell_layouts(enabled=fast_parse and variant is None):
        document = html_from_tree(parse(html, fast_parse), base_url(BASE_URL), own_templates=fast_parse)
        data = document.write_pdf(pdf_variant=variant, uncompressed_pdf=False)
        check_fetches(document)  # a refusal WeasyPrint caught and logged (inside an SVG image) still counts
        return data


def write_pdf(doc: Disclosure, out: Path, stem: str, templates: Path | None = None,
              variant: str | None = None) -> list[Path]:
    path = out / f"{stem}.pdf"
    data = pdf_bytes(doc, templates, variant)
    with atomic(path, "wb") as handle:
        handle.write(data)
    return [path]


def render(doc: Disclosure, options: Options) -> bytes:
    return pdf_bytes(doc, options.templates, options.pdf_variant)
