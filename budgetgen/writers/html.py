"""Disclosure → one self-contained HTML file (CSS inlined, linked 目录), readable offline in any browser."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup, escape

from .. import __version__
from ..document import Cell, Chart, Disclosure, Heading, Paragraph, Table
from ..fmt import cell_text  # lived here once; still importable from here
from ..templating import PACKAGE_TEMPLATES, environment, render as render_template
from . import Options, charts


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
    assert env.loader is not None  # environment() always gives one
    css = "\n".join(env.loader.get_source(env, name)[0] for name in css_names)
    return render_template(env, "disclosure.html.j2", doc=doc, css=css, version=__version__, media=media)  # time-limited


def render(doc: Disclosure, options: Options) -> bytes:
    return render_html(doc, options.templates).encode("utf-8")


__all__ = ["render", "render_html", "cell_text", "PACKAGE_TEMPLATES"]
