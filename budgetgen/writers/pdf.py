"""Disclosure → PDF through WeasyPrint, from the same HTML templates as the preview plus print.css."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..document import Disclosure
from ..errors import UsageError
from . import atomic
from .html import render_html



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
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    require_cjk_font()
    html = render_html(doc, templates, media="print")
    return HTML(string=html, base_url=".").write_pdf(pdf_variant=variant, uncompressed_pdf=False)


def write_pdf(doc: Disclosure, out: Path, stem: str, templates: Path | None = None,
              variant: str | None = None) -> list[Path]:
    path = out / f"{stem}.pdf"
    data = pdf_bytes(doc, templates, variant)
    with atomic(path, "wb") as handle:
        handle.write(data)
    return [path]
