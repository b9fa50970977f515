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


# --- DOCX tables read back (python-docx's XML) ---------------------------------------------------------------

def docx_cell_text(tc) -> str:
    return "\n".join("".join(t.text or "" if t.tag == _qn("w:t") else "\n" for t in p.iter(_qn("w:t"), _qn("w:br")))
                     for p in tc.iter(_qn("w:p")))


def table_grid(tbl) -> list[list[str]]:
    """A w:tbl as a full grid of texts, merges resolved the way the JSON writes them: a vertically merged cell's
    text repeats down its rows, a horizontally spanned cell leaves blanks after it."""
    width = len(tbl.find(_qn("w:tblGrid")).findall(_qn("w:gridCol")))
    grid: list[list[str]] = []
    for tr in tbl.iterchildren(_qn("w:tr")):
        line: list[str] = []
        for tc in tr.iterchildren(_qn("w:tc")):
            tcpr = tc.find(_qn("w:tcPr"))
            span_el = tcpr.find(_qn("w:gridSpan")) if tcpr is not None else None
            span = int(span_el.get(_qn("w:val"))) if span_el is not None else 1
            vmerge = tcpr.find(_qn("w:vMerge")) if tcpr is not None else None
            if vmerge is not None and vmerge.get(_qn("w:val")) != "restart":
                text = grid[-1][len(line)]  # continues the cell above
            else:
                text = docx_cell_text(tc)
            line.append(text)
            line.extend([""] * (span - 1))
        assert len(line) == width, f"row of {len(line)} cells in a grid of {width}"
        grid.append(line)
    return grid


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def edited_profile(folder: Path, name: str, edit) -> Path:
    """A copy of the built-in profile `name` in `folder` (budgetgen profile NAME --out), its profile.yaml passed
    through `edit` (text → text): how a bureau switches on a commented alternative."""
    from budgetgen import profiles

    profiles.copy(name, folder)
    source = profiles.BUILTIN / name / "profile.yaml"
    (folder / "profile.yaml").write_text(edit(source.read_text(encoding="utf-8")), encoding="utf-8")
    return folder
