"""How long the DOCX writer takes on the 巨鹿 sample, against the HTML writer of the same Disclosure.

    python -m benchmarks.docx_bench [--repeat 5] [--sample samples/julu-2023]

Both writers lay out the same in-memory Disclosure (load, check and build are done once, before timing), so
the ratio compares layout work alone. The target (issue 3): the DOCX in under 1 second, median of 5. A third
line times python-docx's cell-access path (`table.cell(r, c)`, quadratic in the table size) once, on the
largest table alone, to show why the writer builds rows itself.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ._measure import ROOT, median_time

TARGET_SECONDS = 1.0
NAIVE = "python-docx cell(r, c), one table"


def python_docx_cells(table) -> None:
    """The naive python-docx path for one table: add_table, then fill each cell through table.cell(r, c)."""
    import docx

    from budgetgen.document import expand
    from budgetgen.writers.html import cell_text

    document = docx.Document()
    width = len(table.columns)
    grid = expand([r.cells for r in table.rows], width)
    t = document.add_table(rows=len(grid), cols=width)
    for r, line in enumerate(grid):
        for c, cell in enumerate(line):
            t.cell(r, c).text = cell_text(cell) if cell is not None else ""


def run(sample: Path, repeat: int, naive: bool = True) -> dict[str, float]:
    """Median seconds of the DOCX and the HTML writer and the number of tables; with naive, also the seconds of
    python-docx's cell path on the largest table (slow: several seconds)."""
    from budgetgen.pipeline import prepare
    from budgetgen.writers.docx import render_docx
    from budgetgen.writers.html import render_html

    doc, _ = prepare(sample)
    render_docx(doc)  # warm-up: imports, template parsing
    render_html(doc)
    result = {
        "docx": median_time(lambda: render_docx(doc), repeat),
        "html": median_time(lambda: render_html(doc), repeat),
        "tables": len(doc.tables()),
    }
    if naive:
        largest = max(doc.tables(), key=lambda t: len(t.rows) * len(t.columns))
        result[NAIVE] = median_time(lambda: python_docx_cells(largest), 1)  # seconds each
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sample", type=Path, default=ROOT / "samples" / "julu-2023")
    args = parser.parse_args(argv)
    result = run(args.sample, args.repeat)
    docx_s, html_s = result["docx"], result["html"]
    print(f"{args.sample.name}: {result['tables']} tables, median of {args.repeat}")
    print(f"  docx writer                        {docx_s * 1000:8.1f} ms")
    print(f"  html writer (baseline)             {html_s * 1000:8.1f} ms   docx/html = {docx_s / html_s:.2f}")
    naive = result[NAIVE]
    print(f"  python-docx cell(r, c), one table  {naive * 1000:8.1f} ms   (run once; the whole document has "
          f"{result['tables']} tables)")
    verdict = "ok" if docx_s < TARGET_SECONDS else "TOO SLOW"
    print(f"  target: docx < {TARGET_SECONDS:.0f} s — {verdict}")
    return 0 if docx_s < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
