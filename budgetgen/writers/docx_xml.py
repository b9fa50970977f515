"""WordprocessingML fragments the DOCX writer needs and python-docx lacks: spans, repeating rows, fields, sections.

The writer (docx.py) talks in document terms; every raw-XML detail lives here: table rows marked to repeat
(`w:tblHeader`) and never to split (`w:cantSplit`), merged cells (`w:gridSpan`, `w:vMerge`), complex fields
(TOC, PAGEREF, PAGE), bookmarks, section properties (A4, orientation, footer), East Asian font entries, settings
(`w:updateFields`). The zip with fixed dates is writers.fixed_zip, shared with the XLSX writer.

Body fragments are built as strings: the disclosure has tens of thousands of cells, and string building is
several times faster than creating an lxml element per node.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from lxml import etree

from . import xml_safe

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def w(tag: str) -> str:
    """Clark name of a w: element or attribute: w('tblHeader') -> '{…/main}tblHeader'."""
    return f"{{{W_NS}}}{tag}"


# --- text and runs --------------------------------------------------------------------------------------

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
# Characters Word may draw with either the Latin or the East Asian font (curly quotes, dashes, ellipsis, ≥ …);
# a run holding one says w:hint="eastAsia", as Word itself does for text typed in Chinese.
_AMBIGUOUS = re.compile("[\u00a7\u00a8\u00b0\u00b1\u00b7\u00d7\u00f7\u2010-\u2bff]")
TARGET = "Word 文档"


def esc(text: str) -> str:
    """Text for an XML attribute or element; a character XML forbids is refused (ForbiddenCharacter), never
    dropped silently nor written into a file Word cannot open."""
    return xml_safe(text, TARGET).translate(_ESCAPES)


def run(text: str, char_style: str | None = None, *, bold: bool = False) -> str:
    """A run of text in an optional character style; line breaks in the text become w:br. `bold` only where a
    character style cannot do (a 目录 entry: LibreOffice gives a link's text its own character style)."""
    if not text:
        return ""
    props = []
    if char_style:
        props.append(f'<w:rStyle w:val="{char_style}"/>')
    if _AMBIGUOUS.search(text):
        props.append('<w:rFonts w:hint="eastAsia"/>')
    if bold:
        props.append("<w:b/>")
    rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
    parts = text.split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{esc(p)}</w:t>' if p else "" for p in parts)
    return f"<w:r>{rpr}{body}</w:r>"


def tab_run() -> str:
    return "<w:r><w:tab/></w:r>"


def paragraph(content: str, style: str, *, align: str | None = None, keep_next: bool = False,
              page_break_before: bool = False, section: str = "") -> str:
    """A paragraph in a named style. The few paragraph-level switches are layout decisions of the writer
    (where a page starts, which rows stay together), never character formatting; `section` is a w:sectPr
    that ends a section with this paragraph."""
    # schema order inside w:pPr: pStyle, keepNext, pageBreakBefore, …, jc, …, sectPr
    ppr = (f'<w:pStyle w:val="{style}"/>' + ("<w:keepNext/>" if keep_next else "")
           + ("<w:pageBreakBefore/>" if page_break_before else "")
           + (f'<w:jc w:val="{align}"/>' if align else "") + section)
    return f"<w:p><w:pPr>{ppr}</w:pPr>{content}</w:p>"


def with_page_break(p: str) -> str:
    """A paragraph made by paragraph() that now starts a page (w:pageBreakBefore, in schema order)."""
    if "<w:pageBreakBefore/>" in p:
        return p
    at = p.index("<w:keepNext/>") + len("<w:keepNext/>") if "<w:keepNext/>" in p.split("</w:pPr>", 1)[0] \
        else p.index("/>", p.index("<w:pStyle")) + 2
    return p[:at] + "<w:pageBreakBefore/>" + p[at:]


def bookmark(ident: int, name: str, content: str) -> str:
    return f'<w:bookmarkStart w:id="{ident}" w:name="{esc(name)}"/>{content}<w:bookmarkEnd w:id="{ident}"/>'


def hyperlink(anchor: str, content: str) -> str:
    """A link to a bookmark in the same document (the 目录 entries)."""
    return f'<w:hyperlink w:anchor="{esc(anchor)}" w:history="1">{content}</w:hyperlink>'


_BOOKMARK_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def bookmark_name(ident: str) -> str:
    """A valid bookmark name for a block id: hidden (leading _), letters/digits/_ only, at most 40 characters."""
    name = "_Toc_" + _BOOKMARK_UNSAFE.sub("_", ident)
    if len(name) > 40:
        name = name[:31] + hashlib.sha1(ident.encode()).hexdigest()[:9]
    return name


# --- fields ---------------------------------------------------------------------------------------------

def field_begin(instruction: str) -> str:
    """Runs that open a complex field and its cached result; close it with field_end()."""
    return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {esc(instruction)} </w:instrText></w:r>'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>')


def field_end() -> str:
    return '<w:r><w:fldChar w:fldCharType="end"/></w:r>'


def field(instruction: str, result: str = "") -> str:
    """A complex field (PAGE, PAGEREF …) with `result` (runs) as what shows before it is updated."""
    return field_begin(instruction) + result + field_end()


# --- tables ---------------------------------------------------------------------------------------------

def table(widths: list[int], rows: Iterable[str], style: str) -> str:
    """A fixed-layout table of the given column widths (twips), centred by its style."""
    grid = "".join(f'<w:gridCol w:w="{x}"/>' for x in widths)
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="{style}"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
            f'<w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
            f'<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
            f'w:noHBand="1" w:noVBand="1"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>")


def table_row(cells: Iterable[str], repeat: bool = False, height: int = 0) -> str:
    """A row that never splits across pages; `repeat` marks it as a header row that comes back on every page
    (Word honours w:tblHeader only on an unbroken run of rows at the top of the table); `height` is an at-least
    height in twips (the writer's pagination counts on it)."""
    trpr = "<w:cantSplit/>" + (f'<w:trHeight w:val="{height}" w:hRule="atLeast"/>' if height else "")
    trpr += "<w:tblHeader/>" if repeat else ""
    return f"<w:tr><w:trPr>{trpr}</w:trPr>{''.join(cells)}</w:tr>"


_NO_BORDERS = {side: f"<w:{side} w:val=\"nil\"/>" for side in ("top", "left", "bottom", "right")}


def table_cell(content: str, width: int, span: int = 1, merge: str | None = None,
               no_borders: tuple[str, ...] = ()) -> str:
    """A cell `span` grid columns wide; `merge` is 'restart' for the top of a vertically merged cell and
    'continue' for the cells it covers (which must repeat its span). `content` is one or more paragraphs."""
    tcpr = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
    if span > 1:
        tcpr.append(f'<w:gridSpan w:val="{span}"/>')
    if merge == "restart":
        tcpr.append('<w:vMerge w:val="restart"/>')
    elif merge == "continue":
        tcpr.append("<w:vMerge/>")
    if no_borders:
        tcpr.append("<w:tcBorders>" + "".join(_NO_BORDERS[s] for s in ("top", "left", "bottom", "right")
                                              if s in no_borders) + "</w:tcBorders>")
    tcpr.append('<w:vAlign w:val="center"/>')
    return f"<w:tc><w:tcPr>{''.join(tcpr)}</w:tcPr>{content}</w:tc>"


# --- sections and page geometry -------------------------------------------------------------------------

A4 = (11906, 16838)  # twips, portrait


def section(margins: dict[str, int], footer_rid: str, landscape: bool = False, title_page: bool = False) -> str:
    """Section properties: A4 (width and height swapped for landscape), margins, the page-number footer.

    Each section starts on a new page; `title_page` keeps the footer off the first page (the cover)."""
    width, height = A4
    orient = ""
    if landscape:
        width, height = height, width
        orient = ' w:orient="landscape"'
    m = margins
    return (f'<w:sectPr><w:footerReference w:type="default" r:id="{footer_rid}"/>'
            f'<w:type w:val="nextPage"/><w:pgSz w:w="{width}" w:h="{height}"{orient}/>'
            f'<w:pgMar w:top="{m["top"]}" w:right="{m["right"]}" w:bottom="{m["bottom"]}" w:left="{m["left"]}" '
            f'w:header="{m["header"]}" w:footer="{m["footer"]}" w:gutter="0"/>'
            f'<w:pgNumType w:fmt="decimal"/><w:cols w:space="425"/>'
            f'{"<w:titlePg/>" if title_page else ""}<w:docGrid w:linePitch="312"/></w:sectPr>')


def margins_of(sect_pr) -> dict[str, int] | None:
    """The page margins of a w:sectPr element (from a reference document), or None."""
    if sect_pr is None:
        return None
    mar = sect_pr.find(w("pgMar"))
    if mar is None:
        return None
    try:
        return {k: abs(int(mar.get(w(k)))) for k in ("top", "right", "bottom", "left", "header", "footer")}
    except (TypeError, ValueError):
        return None


def document(body: str) -> bytes:
    """word/document.xml around a body made of the fragments above."""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>{body}</w:body></w:document>').encode()


def footer(content: str) -> bytes:
    """word/footerN.xml holding the given paragraphs."""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:ftr xmlns:w="{W_NS}" xmlns:r="{R_NS}">{content}</w:ftr>').encode()


# --- package parts: styles, fonts, settings -------------------------------------------------------------

def _style_name(style) -> str:
    n = style.find(w("name"))
    return (n.get(w("val")) if n is not None else style.get(w("styleId"))).lower()


def style_ids(styles) -> dict[str, str]:
    """{style name (lower case): styleId} of a styles part."""
    return {_style_name(s): s.get(w("styleId")) for s in styles.iterchildren(w("style"))}


def merge_styles(styles, ours) -> dict[str, str]:
    """Add the styles a reference document lacks; return {style name (lower case): styleId}.

    Styles are matched by name, not id (Word in Chinese saves built-in styles under localized ids, e.g. "1" for
    heading 1). The reference's styles win; ours are added only where missing, with their basedOn/next/link
    pointed at the reference's ids."""
    existing = {_style_name(s): s for s in styles.iterchildren(w("style"))}
    ids = {s.get(w("styleId")) for s in existing.values()}
    our_names = {s.get(w("styleId")): _style_name(s) for s in ours.iterchildren(w("style"))}
    added = []
    for style in ours.iterchildren(w("style")):
        name = _style_name(style)
        if name in existing:
            continue
        new = _copy(style)
        sid = new.get(w("styleId"))
        while sid in ids:
            sid += "X"
        new.set(w("styleId"), sid)
        new.attrib.pop(w("default"), None)
        ids.add(sid)
        styles.append(new)
        existing[name] = new
        added.append(new)
    final = {name: s.get(w("styleId")) for name, s in existing.items()}
    for style in added:
        for tag in ("basedOn", "next", "link"):
            ref = style.find(w(tag))
            if ref is not None:
                target = final.get(our_names.get(ref.get(w("val")), ""))
                if target:
                    ref.set(w("val"), target)
                else:
                    style.remove(ref)
    return final


def _copy(element):
    return etree.fromstring(etree.tostring(element))


def ensure_fonts(font_table, fonts: Iterable[tuple[str, str, str, str]]) -> None:
    """Font table entries (name, Chinese alternative name, family, panose) for the East Asian fonts, with the
    GB2312 character set, so Word and WPS resolve 宋体/仿宋/黑体 under either name."""
    have = {f.get(w("name")) for f in font_table.iterchildren(w("font"))}
    for name, alt, family, panose in fonts:
        if name in have:
            continue
        font = etree.SubElement(font_table, w("font"), {w("name"): name})
        if alt:
            etree.SubElement(font, w("altName"), {w("val"): alt})
        etree.SubElement(font, w("panose1"), {w("val"): panose})
        etree.SubElement(font, w("charset"), {w("val"): "86"})
        etree.SubElement(font, w("family"), {w("val"): family})
        etree.SubElement(font, w("pitch"), {w("val"): "variable"})


# w:settings children in schema order (CT_Settings), for inserting in the right place
_SETTINGS_ORDER = [
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
    "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges", "bordersDoNotSurroundHeader",
    "bordersDoNotSurroundFooter", "gutterAtTop", "hideSpellingErrors", "hideGrammaticalErrors",
    "activeWritingStyle", "proofState", "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView", "trackRevisions", "doNotTrackMoves",
    "doNotTrackFormatting", "documentProtection", "autoFormatOverride", "styleLockTheme", "styleLockQFSet",
    "defaultTabStop", "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps",
    "showEnvelope", "summaryLength", "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders",
    "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets", "drawingGridHorizontalSpacing",
    "drawingGridVerticalSpacing", "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin", "drawingGridVerticalOrigin",
    "doNotShadeFormData", "noPunctuationKerning", "characterSpacingControl", "printTwoOnOne",
    "strictFirstAndLastChars", "noLineBreaksAfter", "noLineBreaksBefore", "savePreviewPicture",
    "doNotValidateAgainstSchema", "saveInvalidXml", "ignoreMixedContent", "alwaysShowPlaceholderText",
    "doNotDemarcateInvalidXml", "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
    "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr", "compat",
    "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
    "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
    "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
]


def set_setting(settings, tag: str, attrs: dict[str, str]) -> None:
    """Set (or add, in schema order) one w:settings child, e.g. updateFields or themeFontLang."""
    el = settings.find(w(tag))
    if el is None:
        el = etree.Element(w(tag))
        rank = _SETTINGS_ORDER.index(tag)
        later = [c for c in settings if c.tag.startswith(f"{{{W_NS}}}")
                 and etree.QName(c).localname in _SETTINGS_ORDER
                 and _SETTINGS_ORDER.index(etree.QName(c).localname) > rank]
        if later:
            later[0].addprevious(el)
        else:
            settings.append(el)
    el.attrib.clear()
    for k, v in attrs.items():
        el.set(w(k), v)


def drop_setting(settings, tag: str) -> None:
    el = settings.find(w(tag))
    if el is not None:
        settings.remove(el)


WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
PIC_NS = "http://schemas.openxmlformats.org/drawingml/2006/picture"
EMU_PER_PX = 9525  # at 96 dpi


def picture(rid: str, ident: int, name: str, description: str, width_px: int, height_px: int,
            max_width_emu: int) -> str:
    """An inline picture run (a chart's PNG), scaled down to fit the text width."""
    cx, cy = width_px * EMU_PER_PX, height_px * EMU_PER_PX
    if cx > max_width_emu:
        cx, cy = max_width_emu, cy * max_width_emu // cx
    return (f'<w:r><w:drawing><wp:inline xmlns:wp="{WP_NS}" distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{ident}" name="{esc(name)}" descr="{esc(description)}"/>'
            f'<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="{A_NS}" noChangeAspect="1"/></wp:cNvGraphicFramePr>'
            f'<a:graphic xmlns:a="{A_NS}"><a:graphicData uri="{PIC_NS}"><pic:pic xmlns:pic="{PIC_NS}">'
            f'<pic:nvPicPr><pic:cNvPr id="{ident}" name="{esc(name)}"/><pic:cNvPicPr/></pic:nvPicPr>'
            f'<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>'
            f'</wp:inline></w:drawing></w:r>')
