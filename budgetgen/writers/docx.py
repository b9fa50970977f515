"""Disclosure → one .docx a clerk opens in Word or WPS, edits and publishes: named styles, real headings, a TOC field.

The writer lays the Disclosure out and computes no figure: cell texts come from budgetgen.fmt.cell_text, as in
the HTML. Everything is a named style (budgetgen/templates/docx/styles.xml, or the styles of
a jurisdiction's <templates>/docx/reference.docx), so the document is restyled in one place. Raw WordprocessingML
lives in docx_xml.py; this module decides what goes where:

- cover, 目录 (a TOC field whose cached result already lists every entry with a PAGEREF field showing its page
  number, set in by its depth as in the PDF, a long entry wrapping short of the number, which ends its last
  line), then the blocks in order; part and section headings, and each of the nine tables, start a new page;
- the page numbers are predicted by docx_pages.py (exact line heights, at-least row heights, a page break wherever
  the prediction starts a page with a block), so LibreOffice and WPS, which show the cached result, print the right
  numbers; Word rebuilds the 目录 on opening (w:updateFields, after asking);
- wide tables (Table.landscape) get a landscape section of their own, together with the heading and the few
  lines that introduce them; everything else is portrait A4;
- every table: its banner (code and name · 预算年度 · 单位：万元) and column header rows (栏次 included) repeat on
  each page, rows never split, merged header and 一级/二级 cells are real merges; short in-text tables
  (performance, units, assets, procurement) are kept on one page;
- page numbers in the footer; core properties and zip dates are fixed, so the same input gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .. import __version__
from ..document import Cell, Chart, Disclosure, Heading, PageBreak, Paragraph, Row, Table, TocEntry, expand, runs
from ..fmt import cell_text
from ..templating import PACKAGE_TEMPLATES
from . import Options, core_properties, fixed_zip
from . import docx_pages as pg
from . import docx_xml as x

STYLES_FILE = PACKAGE_TEMPLATES / "docx" / "styles.xml"
REFERENCE = Path("docx") / "reference.docx"

# Style names (as stored in styles.xml, lower case); the writer resolves them to the ids of the document in use.
S_COVER_NAME, S_TITLE, S_SUBTITLE = "封面单位名称", "title", "subtitle"
S_TOC_HEADING, S_TOC = "toc heading", ["toc 1", "toc 2", "toc 3", "toc 4"]
S_HEADINGS, S_MINOR = ["heading 1", "heading 2", "heading 3", "heading 4"], "小标题"
S_FIGURE, S_FIGURE_CAPTION = "图表", "图表标题"
S_PARAGRAPH = {"body": "body text", "lead": "正文（加粗）", "center": "正文（居中）", "note": "注释"}
S_TABLE_TITLE, S_TABLE_CAPTION = "表格标题", "小表标题"
S_TEXT, S_TEXT_INDENT = "表格文字", {1: "表格文字 2", 2: "表格文字 3"}  # by Row.indent
S_CENTER, S_AMOUNT, S_HEAD, S_COLNUMS = "表格居中", "表格金额", "表头", "表头栏次"
S_BANNER, S_TABLE_NOTE, S_SECTION_END = "表格眉栏", "表注", "分节标记"
S_STRONG, S_TABLE, S_FOOTER = "strong", "预算表格", "footer"

# The TOC field: Heading 1–4 and the titles of listed tables (their own style, at level 3: one below the level-2
# heading that lists them, where the cached result sets them too). Word, rebuilding it, sets an entry by its
# heading's level, so a unit's notes there come one step out from the cached result's depth (the PDF's).
TOC_FIELD = f'TOC \\o "1-4" \\h \\z \\t "{S_TABLE_TITLE},3"'

# East Asian fonts named by the styles: (name, Chinese name, family, panose) for the font table.
FONTS = [("SimSun", "宋体", "auto", "02010600030101010101"), ("FangSong", "仿宋", "modern", "02010609060101010101"),
         ("SimHei", "黑体", "modern", "02010609060101010101")]

DEFAULT_MARGINS = {"top": 1440, "bottom": 1440, "left": 1418, "right": 1418, "header": 851, "footer": 992}

# Text width estimate for column minimums: table text is 10pt (200 twips per em); cell margins 2 × 57 twips.
EM, CELL_PADDING = 200, 2 * 57 + 30
NOWRAP = {"amount", "number", "percent", "code", "index"}


def render(doc: Disclosure, options: Options) -> bytes:
    return render_docx(doc, options.templates)


def render_docx(doc: Disclosure, templates: Path | None = None) -> bytes:
    """The .docx file as bytes."""
    package = _Package(templates)
    package.set_properties(doc)
    body = _Body(doc, package.styles, package.margins, package.footer_rid, package.add_image,
                 package.metrics).render()
    return package.zip(body)


# --- the package: styles, settings, fonts, properties, footer -------------------------------------------

class _Package:
    """The document's package: a jurisdiction's reference.docx, or python-docx's empty document with our styles."""

    def __init__(self, templates: Path | None):
        import docx
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.oxml import parse_xml

        reference = templates / REFERENCE if templates is not None else None
        use_reference = reference is not None and reference.is_file()
        self.document = docx.Document(str(reference) if use_reference else None)
        part = self.document.part
        ours = parse_xml(STYLES_FILE.read_bytes())
        styles_part = part._styles_part
        if use_reference:  # the jurisdiction's styles and margins win; ours fill the gaps
            self.styles = x.merge_styles(styles_part.element, ours)
            self.margins = x.margins_of(self.document.element.body.find(x.w("sectPr"))) or DEFAULT_MARGINS
        else:
            styles_part._element = ours
            self.styles = x.style_ids(ours)
            self.margins = DEFAULT_MARGINS
        self.metrics = pg.style_metrics(styles_part.element, self.styles)

        # the old body goes, and with it whatever only the body used (its headers, footers, images, links)
        body = self.document.element.body
        for child in list(body):
            body.remove(child)
        dropped = {RT.HEADER, RT.FOOTER, RT.IMAGE, RT.HYPERLINK, RT.CUSTOM_XML, RT.COMMENTS,
                   "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"}
        for rid, rel in list(part.rels.items()):
            if rel.reltype in dropped:
                del part.rels[rid]
        pkg = part.package
        for rid, rel in list(pkg.rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                del pkg.rels[rid]

        settings = self.document.settings.element
        x.set_setting(settings, "updateFields", {"val": "true"})  # Word refreshes the 目录 and page refs on opening
        x.set_setting(settings, "themeFontLang", {"val": "en-US", "eastAsia": "zh-CN"})
        for tag in ("attachedTemplate", "savePreviewPicture"):
            x.drop_setting(settings, tag)

        self.font_table = part.part_related_by(RT.FONT_TABLE)
        fonts = parse_xml(self.font_table.blob)
        if not use_reference:
            for font in list(fonts):
                fonts.remove(font)
            x.ensure_fonts(fonts, [("Times New Roman", "", "roman", "02020603050405020304"),
                                   ("Arial", "", "swiss", "020B0604020202020204")])
        x.ensure_fonts(fonts, FONTS)
        self.font_table._blob = _xml_bytes(fonts)

        from docx.opc.packuri import PackURI
        from docx.opc.part import Part

        footer_name = pkg.next_partname("/word/footer%d.xml")
        content = x.paragraph(x.run("— ") + x.field("PAGE", x.run("1")) + x.run(" —"), self.styles[S_FOOTER])
        self.footer = Part(PackURI(footer_name), "application/vnd.openxmlformats-officedocument"
                           ".wordprocessingml.footer+xml", x.footer(content), pkg)
        self.footer_rid = part.relate_to(self.footer, RT.FOOTER)
        self.overrides: dict[str, bytes] = {}

    def add_image(self, png: bytes) -> str:
        """A PNG as a part of the package; its relationship id, for the picture that shows it."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import Part

        part = self.document.part
        name = part.package.next_partname("/word/media/image%d.png")
        return part.relate_to(Part(PackURI(name), "image/png", png, part.package), RT.IMAGE)

    def set_properties(self, doc: Disclosure) -> None:
        core = self.document.core_properties
        for name, value in core_properties(doc, f"{doc.year}年{doc.kind}公开").items():
            setattr(core, name, x.xml_safe(value, x.TARGET) if isinstance(value, str) else value)
        core.revision = 1
        self.overrides["/docProps/app.xml"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f"<Application>budgetgen {__version__}</Application><DocSecurity>0</DocSecurity>"
            f"<Company>{x.esc(doc.department_name)}</Company></Properties>").encode()

    def zip(self, body: str) -> bytes:
        part = self.document.part
        self.overrides[str(part.partname)] = x.document(body)
        parts = sorted(part.package.iter_parts(), key=lambda p: str(p.partname))
        members = [("[Content_Types].xml", _content_types(parts)), ("_rels/.rels", part.package.rels.xml)]
        for p in parts:
            name = str(p.partname)
            members.append((name.lstrip("/"), self.overrides.get(name) or p.blob))
            if len(p.rels):
                members.append((p.partname.rels_uri.lstrip("/"), p.rels.xml))
        return fixed_zip(members)


def _content_types(parts) -> bytes:
    defaults = {"rels": "application/vnd.openxmlformats-package.relationships+xml", "xml": "application/xml"}
    overrides = {}
    for p in parts:
        name = str(p.partname)
        ext = name.rsplit(".", 1)[-1].lower()
        if ext == "xml" or ext in defaults and defaults[ext] != p.content_type:
            overrides[name] = p.content_type
        else:
            defaults.setdefault(ext, p.content_type)
    xml = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">']
    xml += [f'<Default Extension="{e}" ContentType="{c}"/>' for e, c in sorted(defaults.items())]
    xml += [f'<Override PartName="{n}" ContentType="{c}"/>' for n, c in sorted(overrides.items())]
    xml.append("</Types>")
    return "".join(xml).encode("utf-8")


def _xml_bytes(element) -> bytes:
    from lxml import etree

    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- the body --------------------------------------------------------------------------------------------

class _Body:
    """The disclosure's blocks as WordprocessingML, section by section."""

    def __init__(self, doc: Disclosure, styles: dict[str, str], margins: dict[str, int], footer_rid: str,
                 add_image: Callable[[bytes], str], metrics: dict[str, pg.Metrics]):
        self.doc = doc
        self.add_image = add_image
        self.pictures = 0
        self.styles = styles
        self.margins = margins
        self.footer_rid = footer_rid
        self.out: list[str] = []
        self.last_is_paragraph = False
        self.sections = 0
        self.bookmarks = 0
        self.portrait_width = x.A4[0] - margins["left"] - margins["right"]
        self.landscape_width = x.A4[1] - margins["left"] - margins["right"]
        # the pagination model: every paragraph and table row the body holds, with its height
        self.metrics = metrics
        self.flow = pg.Flow((x.A4[1] - margins["top"] - margins["bottom"], x.A4[0] - margins["top"] - margins["bottom"]))
        self.toc_items: list[int] = []

    def m(self, style: str) -> pg.Metrics:
        return self.metrics.get(style) or pg.Metrics()

    def s(self, name: str) -> str:
        return self.styles[name]

    # output helpers
    def para(self, content: str, style: str, *, text: str = "", target: str = "", lines: list[int] | None = None,
             **kwargs) -> None:
        """A paragraph of the body; `text` is what it reads (for its line count), `target` the 目录 entry it is."""
        self.out.append(x.paragraph(content, self.s(style), **kwargs))
        self.last_is_paragraph = True
        self.lay(style, text, out=len(self.out) - 1, target=target, lines=lines,
                 forced=kwargs.get("page_break_before", False), keep_next=kwargs.get("keep_next") or None)

    def lay(self, style: str, text: str, *, out: int | None, target: str = "", lines: list[int] | None = None,
            forced: bool = False, keep_next: bool | None = None, reserve: int = 0, bold: bool | None = None) -> int:
        """A paragraph into the pagination model (`reserve`: twips its lines keep free, a page number; `bold`: its
        text is bold whatever its style says); its item's index."""
        m = self.m(style)
        if lines is None:
            width = (self.landscape_width if self.flow.landscape else self.portrait_width) - m.left - m.right
            lines = [m.line_height] * (m.lines(text, width - reserve, width - reserve - m.first, bold) if text else 1)
        self.flow.paragraph(m, lines, out=out, target=target, forced=forced, keep_next=keep_next)
        return len(self.flow.items) - 1

    def bookmarked(self, ident: str, content: str) -> str:
        self.bookmarks += 1
        return x.bookmark(self.bookmarks, x.bookmark_name(ident), content)

    def end_section(self, landscape: bool) -> None:
        """Close the current section: its properties go into its last paragraph (an empty one after a table)."""
        sect = x.section(self.margins, self.footer_rid, landscape, title_page=self.sections == 0)
        self.sections += 1
        if self.last_is_paragraph:
            last = self.out[-1]
            cut = last.index("</w:pPr>")
            self.out[-1] = last[:cut] + sect + last[cut:]
        else:
            self.para("", S_SECTION_END, section=sect)

    def render(self) -> str:
        self.cover()
        toc_at = len(self.out)
        self.contents_layout()
        blocks = self.doc.blocks
        landscape, new_page = _plan(self.doc)
        previous = False
        for i, block in enumerate(blocks):
            if landscape[i] != previous:
                self.end_section(previous)
                previous = landscape[i]
                self.flow.section(previous)
            if isinstance(block, Heading):
                self.heading(block, new_page[i])
            elif isinstance(block, Paragraph):
                self.para(x.run(block.text), S_PARAGRAPH.get(block.style, S_PARAGRAPH["body"]), text=block.text,
                          page_break_before=new_page[i])
            elif isinstance(block, Table):
                self.table(block, new_page[i], self.landscape_width if landscape[i] else self.portrait_width)
            elif isinstance(block, Chart):
                self.chart(block, self.landscape_width if landscape[i] else self.portrait_width)
            elif isinstance(block, PageBreak):
                self.para("", S_SECTION_END, page_break_before=True)
        # the last section's properties are the body's last child
        self.out.append(x.section(self.margins, self.footer_rid, previous, title_page=self.sections == 0))
        # where the pages break, as predicted: enforced where a page starts with a block, and the 目录's numbers
        pages = pg.paginate(self.flow)
        starts = set(pages.starts)
        for k in starts:
            item = self.flow.items[k]
            if item.out is not None and not item.forced and pages.page_of_item[k] > 1:
                self.out[item.out] = x.with_page_break(self.out[item.out])
        page_of = {item.target: pages.page_of_item[k] for k, item in enumerate(self.flow.items) if item.target}
        self.out[toc_at:toc_at] = self.contents(page_of, starts)
        return "".join(self.out)

    def chart(self, chart: Chart, width_twips: int) -> None:
        """A chart as its PNG (Word has no SVG we can count on), centred, with its caption below."""
        from . import charts

        self.pictures += 1
        height, _ = charts.layout(chart)
        rid = self.add_image(charts.png(chart))
        run = x.picture(rid, self.pictures, f"图表{self.pictures}", chart.title, charts.WIDTH, height,
                        width_twips * 635)  # 1 twip = 635 EMU
        shown = height * min(width_twips * 635, charts.WIDTH * x.EMU_PER_PX) // charts.WIDTH // 635  # twips
        self.para(run, S_FIGURE, lines=[shown + FIGURE_LINE_EXTRA])
        self.para(x.run(chart.title), S_FIGURE_CAPTION, text=chart.title)

    def cover(self) -> None:
        cover = self.doc.cover
        self.para(x.run(cover.name), S_COVER_NAME, text=cover.name)
        self.para(x.run(cover.title), S_TITLE, text=cover.title)
        self.para(x.run(cover.subtitle), S_SUBTITLE, text=cover.subtitle)
        if cover.notice:
            self.para(x.run(cover.notice), S_SUBTITLE, text=cover.notice)

    def toc_style(self, entry: TocEntry) -> tuple[str, bool]:
        """A 目录 entry's style, by its depth (how far in: a unit's notes one below the unit's heading, as in the
        PDF), and whether it is bold though that style is not: a section heading set deeper keeps its weight."""
        style = S_TOC[min(max(entry.depth, 1), len(S_TOC)) - 1]
        own = S_TOC[min(max(entry.level, 1), len(S_TOC)) - 1]
        return style, self.m(own).bold and not self.m(style).bold

    def contents_layout(self) -> None:
        """The 目录's paragraphs into the pagination model, before the body they list (their numbers come later and
        change no line). An entry's text wraps at its style's right indent, and its page number goes past that
        indent, to the right tab stop on its last line; a style without that indent keeps TOC_NUMBER free."""
        self.toc_items.append(self.lay(S_TOC_HEADING, self.doc.toc_title, out=None, forced=True))
        for entry in self.doc.toc():
            style, strong = self.toc_style(entry)
            reserve = max(TOC_NUMBER - self.m(style).right, 0)
            self.toc_items.append(self.lay(style, entry.text, out=None, reserve=reserve, bold=strong or None))

    def contents(self, page_of: dict[str, int], starts: set[int]) -> list[str]:
        """目录: a TOC field over the headings and listed tables; its cached result is the list itself, each entry
        linked to its bookmark with a PAGEREF field showing the page the pagination model puts it on, so the list
        reads right before any editor refreshes the field (Word does on opening: w:updateFields)."""
        out = [x.paragraph(x.run(self.doc.toc_title), self.s(S_TOC_HEADING), page_break_before=True)]
        entries = self.doc.toc()
        if not entries:
            return out + [x.paragraph(x.field(TOC_FIELD), self.s(S_TOC[0]))]
        for i, entry in enumerate(entries):
            anchor = x.bookmark_name(entry.target)
            page = page_of.get(entry.target)
            style, strong = self.toc_style(entry)
            link = x.hyperlink(anchor, x.run(entry.text, bold=strong) + x.tab_run()
                               + x.field(f"PAGEREF {anchor} \\h", x.run(str(page) if page else "")))
            content = (x.field_begin(TOC_FIELD) if i == 0 else "") + link
            if i == len(entries) - 1:
                content += x.field_end()
            out.append(x.paragraph(content, self.s(style),
                                   page_break_before=self.toc_items[i + 1] in starts))
        return out

    def heading(self, h: Heading, new_page: bool) -> None:
        level = max(1, h.level)
        style = S_HEADINGS[level - 1] if level <= 4 and (h.toc or level < 4) else S_MINOR
        content = x.run(h.text)
        if h.id:
            content = self.bookmarked(h.id, content)
        self.para(content, style, text=h.text, target=h.id if h.toc else "", page_break_before=new_page)

    # tables
    def table(self, t: Table, new_page: bool, width: int) -> None:
        title = x.run(t.title)
        if t.toc:
            title = self.bookmarked(t.id, title)
        if t.label:  # 公开 01 表, where the profile numbers its tables: above the title, on its page
            self.para(x.run(t.label), S_BANNER, text=t.label, page_break_before=new_page, keep_next=True)
            new_page = False
        self.para(title, S_TABLE_TITLE if t.toc else S_TABLE_CAPTION, text=t.title, target=t.id if t.toc else "",
                  page_break_before=new_page)
        grids = table_grids(t)
        widths = column_widths(t, width, grids)
        # The title, banner, lead and header rows always stay with the first body row; a short in-text table
        # (performance, units, assets …) stays on one page as a whole when it fits on one.
        page = (x.A4[0] if width > self.portrait_width else x.A4[1]) - self.margins["top"] - self.margins["bottom"]
        whole = not t.toc and estimate_height(t, widths, grids) <= 0.9 * page
        rows: list[tuple[str, int, bool, bool]] = []  # xml, height, kept with the next, repeats
        if t.banner is not None:
            rows.append(self.banner_row(t, widths))
        repeat = not t.lead  # tblHeader works only on an unbroken run of rows from the top
        rows += self.grid_rows(t, grids["lead"], widths, "lead", repeat=False, keep=True)
        rows += self.grid_rows(t, grids["head"], widths, "head", repeat=repeat, keep=bool(t.rows))
        rows += self.grid_rows(t, grids["body"], widths, "body", repeat=False, keep=whole)
        self.out.append(x.table(widths, [r[0] for r in rows], self.s(S_TABLE)))
        self.flow.table([(h + ROW_BORDER, k) for _, h, k, _ in rows], sum(h + ROW_BORDER for _, h, _, r in rows if r))
        self.last_is_paragraph = False
        if t.empty_note:
            self.para(x.run(t.empty_note), S_TABLE_NOTE, text=t.empty_note)
        for note in t.notes:
            self.para(x.run(note), S_TABLE_NOTE, text=note)

    def banner_row(self, t: Table, widths: list[int]) -> tuple[str, int, bool, bool]:
        """代码 名称 (left) · 预算年度 (centre) · 单位：万元 (right): one borderless cell across the table, with
        centre and right tab stops, so the three parts sit like the printed banner at any table width."""
        b = t.banner
        assert b is not None  # table() calls this only for a table with a banner
        inner = sum(widths) - 2 * 57
        content = x.run(b.left) + x.tab_run() + x.run(b.centre) + x.tab_run() + x.run(b.right)
        tabs = f'<w:tabs><w:tab w:val="center" w:pos="{inner // 2}"/><w:tab w:val="right" w:pos="{inner}"/></w:tabs>'
        p = x.paragraph(content, self.s(S_BANNER), keep_next=True).replace("</w:pPr>", tabs + "</w:pPr>", 1)
        cell = x.table_cell(p, sum(widths), span=len(widths), no_borders=("top", "left", "right"))
        m = self.m(S_BANNER)
        height = m.line_height + m.before + m.after + CELL_MARGINS
        return x.table_row([cell], repeat=True, height=height), height, True, True

    def grid_rows(self, t: Table, grid: list[list[Cell | None]], widths: list[int], part: str, *,
                  repeat: bool, keep: bool) -> list[tuple[str, int, bool, bool]]:
        """A part's expanded grid (see table_grids) → w:tr with gridSpan and vMerge, each with the height the
        pagination model gives it (its tallest cell, lines counted generously), kept with the next row or not,
        repeating or not."""
        body_rows: list[Row | None] = list(t.rows) if part == "body" else [None] * len(grid)
        out = []
        last = len(grid) - 1
        for r, line in enumerate(grid):
            row = body_rows[r]
            colnums = part == "head" and r == t.colnum_row
            keep_row = keep and not (part == "body" and r == last)
            cells = []
            height = self.m(S_TEXT).line_height
            for c, cell, span in runs(line):
                w = sum(widths[c:c + span])
                if cell is None:
                    cells.append(x.table_cell(x.paragraph("", self.s(S_TEXT), keep_next=keep_row), w))
                elif r > 0 and grid[r - 1][c] is cell:
                    style = self.s(self.cell_style(cell, part, row, colnums))
                    cells.append(x.table_cell(x.paragraph("", style, keep_next=keep_row), w, span, "continue"))
                else:
                    style = self.cell_style(cell, part, row, colnums)
                    strong = row is not None and row.bold(cell)
                    value = cell_text(cell)
                    text = x.run(value, self.s(S_STRONG) if strong else None)
                    merge = "restart" if cell.rowspan > 1 else None
                    cells.append(x.table_cell(x.paragraph(text, self.s(style), keep_next=keep_row), w, span, merge))
                    if cell.rowspan <= 1:
                        m = self.m(style)
                        room = w - 2 * CELL_SIDE - m.left - m.right - WRAP_SAFETY
                        bold = True if strong else None
                        height = max(height, m.line_height * m.lines(value, room, room - m.first, bold)
                                     + m.before + m.after)
            height += CELL_MARGINS
            out.append((x.table_row(cells, repeat=repeat, height=height), height, keep_row, repeat))
        return out

    @staticmethod
    def cell_style(cell: Cell, part: str, row: Row | None, colnums: bool) -> str:
        """The paragraph style of a cell of a part (row: the body row it is in)."""
        if part == "head":
            return S_COLNUMS if colnums else S_HEAD
        if (row is not None and row.header) or (part == "lead" and cell.kind == "label"):
            return S_HEAD
        kind = cell.kind
        if kind == "label" or kind == "index":
            return S_CENTER
        if kind in ("amount", "number", "percent"):
            return S_CENTER if part == "lead" else S_AMOUNT
        if kind == "text" and row is not None:
            return S_TEXT_INDENT.get(row.indent, S_TEXT)
        return S_TEXT


def _plan(doc: Disclosure) -> tuple[list[bool], list[bool]]:
    """Per block: on a landscape page? starts a new page?

    A wide table takes a landscape section, and so do the heading and the few paragraphs that introduce it
    (Disclosure.landscape_intro, the rule the PDF follows too), so the heading is not left alone on a portrait
    page. Parts, sections and the nine tables start a new page, unless they follow a heading (which already did,
    or is kept with them) or open a new section (a section break starts the page)."""
    blocks, intro = doc.blocks, doc.landscape_intro()
    landscape = [(isinstance(b, Table) and b.landscape) or i in intro for i, b in enumerate(blocks)]
    new_page = []
    for i, b in enumerate(blocks):
        want = (isinstance(b, Heading) and b.level <= 2) or (isinstance(b, Table) and b.toc)
        if i > 0 and isinstance(blocks[i - 1], Heading):
            want = False
        if landscape[i] != (landscape[i - 1] if i > 0 else False):
            want = False
        new_page.append(want)
    return landscape, new_page


def text_width(text: str) -> int:
    """Estimated width in twips of a line of table text: CJK and full-width characters one em, others about half."""
    total = 0.0
    for ch in text:
        code = ord(ch)
        if code >= 0x2E80 or 0x2010 <= code <= 0x2BFF:
            total += 1.0
        elif ch.isdigit() or ch == " ":
            total += 0.5
        elif ch in ".,:;|!'":
            total += 0.28
        else:
            total += 0.6
    return int(total * EM)


# The pagination model's allowances (twips): a table cell's top and bottom margins (预算表格: 10 each), its left and
# right ones (57 each); a row's border, which LibreOffice adds to the row's height; what a cell's text is kept short
# of its width when counting its lines (a row may come out taller than it must, never shorter than its at-least
# height); a 目录 entry's room for its page number, three digits of 15pt (our 目录 styles keep it as their right
# indent, the number going past it to the right tab stop; where a style has less, the text is kept short of it);
# the line of a chart's picture beyond the picture.
CELL_MARGINS, CELL_SIDE, ROW_BORDER, WRAP_SAFETY, TOC_NUMBER, FIGURE_LINE_EXTRA = 20, 57, 10, 40, 567, 60

LINE, ROW_EXTRA, TITLE_HEIGHT = 290, 70, 800  # twips: a 10pt line (CJK fonts run ~1.45 em), cell spacing, a title


# A table's parts in order, each as rows of cells with spans (HTML semantics).
PARTS = {"lead": lambda t: t.lead, "head": lambda t: t.header, "body": lambda t: [r.cells for r in t.rows]}


def table_grids(t: Table) -> dict[str, list[list[Cell | None]]]:
    """Each part of the table expanded once to a full grid, for layout and output alike."""
    return {part: expand(rows(t), len(t.columns)) for part, rows in PARTS.items()}


def estimate_height(t: Table, widths: list[int], grids: dict[str, list[list[Cell | None]]] | None = None) -> int:
    """A generous estimate of the table's height with its title (twips), to decide whether it fits on a page."""
    total = TITLE_HEIGHT + (LINE + ROW_EXTRA if t.banner else 0)
    for grid in (grids or table_grids(t)).values():
        for line in grid:
            tallest = 1
            for c, cell, span in runs(line):
                if cell is not None and cell.rowspan <= 1:
                    room = max(sum(widths[c:c + span]) - CELL_PADDING, EM)
                    lines = sum(-(-max(text_width(part), 1) // room) for part in cell_text(cell).split("\n"))
                    tallest = max(tallest, lines)
            total += tallest * LINE + ROW_EXTRA
    return total


def column_widths(t: Table, total: int, grids: dict[str, list[list[Cell | None]]] | None = None) -> list[int]:
    """Column widths (twips) summing to `total`: the columns' relative widths, but never so narrow that an amount,
    a code or a row number wraps, nor a label breaks into one character per line."""
    n = len(t.columns)
    rel = [max(c.width, 0.1) for c in t.columns]
    need = [0] * n
    for grid in (grids or table_grids(t)).values():
        for line in grid:
            for c, cell in enumerate(line):
                if cell is None or cell.colspan > 1:
                    continue
                text = cell_text(cell)
                if not text:
                    continue
                if cell.kind in NOWRAP:
                    width = max(text_width(line) for line in text.split("\n"))
                else:  # a label or text wraps, but not one character to a line
                    width = text_width(text[:2])
                need[c] = max(need[c], width + CELL_PADDING)
    if sum(need) >= total:  # cannot honour every minimum: share out in proportion to them
        widths = [total * m / sum(need) for m in need]
    else:
        fixed: dict[int, float] = {}
        while True:
            free = [c for c in range(n) if c not in fixed]
            room = total - sum(fixed.values())
            weight = sum(rel[c] for c in free)
            shares = {c: room * rel[c] / weight for c in free}
            short = [c for c in free if shares[c] < need[c]]
            if not short:
                break
            for c in short:
                fixed[c] = need[c]
        widths = [fixed.get(c, shares.get(c, 0)) for c in range(n)]
    out = [int(w) for w in widths]
    out[out.index(max(out))] += total - sum(out)
    return out
