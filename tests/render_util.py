"""Shared helpers for tests: where the samples are, reading tables back, the text of a PDF, LibreOffice's PDF."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SAMPLE_NAMES = ["julu-2023", "wei-2021"]
# The published originals the samples are compared with (tests ask for one with the require_seed fixture)
SEEDS = Path(os.environ.get("BUDGETGEN_SEEDS") or ROOT.parent / "shared" / "seeds")


def table(doc: dict, ident: str) -> dict:
    return next(t for t in doc["tables"] if t["id"] == ident)


def row(tab: dict, label: str, column: int = 2) -> list[str]:
    """The first body row whose cell `column` equals label."""
    return next(r for r in tab["rows"] if r[column] == label)


def pdftotext(path: Path, first: int | None = None, last: int | None = None, layout: bool = True) -> str:
    args = ["pdftotext"] + (["-layout"] if layout else []) + (["-f", str(first), "-l", str(last)] if first else [])
    args += [str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def pdf_pages(path: Path, layout: bool = True) -> list[str]:
    """Each page's text exactly as `pdftotext -f n -l n` gives it (ending in a form feed), from one pdftotext run:
    pdftotext ends every page with a form feed."""
    return [page + "\f" for page in pdftotext(path, layout=layout).split("\f")[:-1]]


class PdfText:
    """A PDF's text, pdftotext run once with -layout and once without; called as pdftotext is (without the path):
    text(first, last, layout) is what `pdftotext [-layout] -f first -l last` gives."""

    def __init__(self, path: Path):
        self.pages = {layout: pdf_pages(path, layout) for layout in (True, False)}

    def __call__(self, first: int | None = None, last: int | None = None, layout: bool = True) -> str:
        pages = self.pages[layout]
        return "".join(pages[first - 1:last] if first else pages)


def libreoffice_pdf(sources: list[Path], out: Path, layout: bool = False, timeout: int = 600) -> dict[str, str]:
    """The sources converted to PDF by LibreOffice in one run (a private profile under `out`, PDFs in `out`); the
    text of each PDF (pdftotext, with -layout or not) by the source's stem. Skips when LibreOffice or pdftotext is
    missing, or when LibreOffice lacks the part that loads the source (Calc for XLSX); fails with LibreOffice's
    output when it makes no PDF."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed: apt-get install poppler-utils")
    result = subprocess.run([soffice, f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless",
                             "--convert-to", "pdf", "--outdir", str(out), *map(str, sources)],
                            capture_output=True, text=True, timeout=timeout)
    output = result.stdout + result.stderr
    texts = {}
    for source in sources:
        pdf = out / f"{source.stem}.pdf"
        if not pdf.exists():
            if "could not be loaded" in output:
                pytest.skip(f"LibreOffice cannot load {source.name}: a part is not installed "
                            "(libreoffice-calc-nogui for XLSX, libreoffice-writer-nogui for DOCX)")
            pytest.fail(output)
        texts[source.stem] = pdftotext(pdf, layout=layout)
    return texts
