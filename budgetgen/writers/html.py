"""Disclosure → one self-contained HTML file (CSS inlined, linked 目录), readable offline in any browser."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup, escape

from .. import __version__, charts
from ..compose.notes import PACKAGE_TEMPLATES, environment, render
from ..document import Cell, Chart, Disclosure, Heading, Paragraph, Table
from ..fmt import cell_text  # lived here once; still importable from here
from . import atomic


def cell_html(cell: Cell, tag: str) -> Markup:
    """One table cell: its kind as a class (alignment), its spans, its text escaped with line breaks kept."""
    spans = (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "") + \
            (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "")
    strong = " strong" if cell.strong else ""
    text = "<br>".join(escape(part) for part in cell_text(cell).split("\n"))
    return Markup(f'<{tag} class="k-{cell.kind}{strong}"{spans}>{text}</{tag}>')


def render_html(doc: Disclosure, templates: Path | None = None, media: str = "screen") -> str:
    env = environment("html", templates, autoescape=True)
    env.filters["celltext"] = cell_text
    env.filters["cell_html"] = cell_html
    env.tests.update(heading=lambda b: isinstance(b, Heading), paragraph=lambda b: isinstance(b, Paragraph),
                     table=lambda b: isinstance(b, Table), chart=lambda b: isinstance(b, Chart))
    env.filters["svg"] = lambda chart: Markup(charts.svg(chart))  # escapes its own labels
    css_names = ["style.css"] + (["print.css"] if media == "print" else [])
    css = "\n".join(env.loader.get_source(env, name)[0] for name in css_names)
    return render(env, "disclosure.html.j2", doc=doc, css=css, version=__version__, media=media)  # time-limited


def write_html(doc: Disclosure, out: Path, stem: str, templates: Path | None = None) -> list[Path]:
    path = out / f"{stem}.html"
    text = render_html(doc, templates)
    with atomic(path) as handle:
        handle.write(text)
    return [path]


__all__ = ["render_html", "write_html", "cell_text", "PACKAGE_TEMPLATES"]
