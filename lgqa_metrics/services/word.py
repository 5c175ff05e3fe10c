"""Writing a Word document the way Vietnamese administrative documents are set (Nghị định 30/2020/NĐ-CP, Phụ lục I):
Times New Roman, A4, margins top and bottom 20 mm, left 30 mm, right 15 mm; real Word headings, tables, numbered
captions (SEQ fields, so Word renumbers them) and page numbers (a PAGE field), with python-docx."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Final
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.parts.image import ImagePart
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

FONT: Final = "Times New Roman"
BODY_PT: Final = 13
#: Nghị định 30: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm; A4.
MARGINS_MM: Final = {"top": 20, "bottom": 20, "left": 30, "right": 15}
A4_MM: Final = (210, 297)
#: Characters XML cannot hold (a control character pasted into a cell of a return): left out of the document.
_UNWRITABLE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _remembered_sha1(part: ImagePart) -> str:
    """The SHA-1 of an image part's bytes, computed once (the bytes never change once the part exists)."""
    known = part.__dict__.get("_lgqa_sha1")
    if known is None:
        known = part.__dict__["_lgqa_sha1"] = hashlib.sha1(part.blob).hexdigest()
    return str(known)


# python-docx looks for an identical image among all the document's images before adding one, hashing every one of
# them each time: a report with 300 wheels hashed 40,000 images (20 s). Each part's hash is now computed once.
ImagePart.sha1 = property(_remembered_sha1)  # type: ignore[method-assign, assignment]


def _font(style_or_run: object, size: float | None = None, bold: bool | None = None) -> None:
    """Times New Roman for every script (Vietnamese is Latin, but Word reads the East Asian slot for some runs)."""
    font = style_or_run.font  # type: ignore[attr-defined]
    font.name = FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    element = style_or_run.element if hasattr(style_or_run, "element") else style_or_run._element  # type: ignore[attr-defined]
    properties = element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.append(fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):  # a theme font would win
        fonts.attrib.pop(qn(theme), None)


def new_document() -> DocumentObject:
    """An empty A4 document in the house style: body 13 pt, headings in black Times New Roman, page numbers."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
    for side, mm in MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(mm))
    _font(doc.styles["Normal"], BODY_PT)
    doc.styles["Normal"].paragraph_format.space_after = Pt(6)
    for name, size in (("Title", 14), ("Heading 1", 13), ("Heading 2", 13), ("Heading 3", 13), ("Caption", 12)):
        style = doc.styles[name]
        _font(style, size, bold=name != "Caption")
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = name == "Caption"
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field(footer, "PAGE", "1")
    return doc


def field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, SEQ …) in ``paragraph``, showing ``shown`` until Word updates it."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def text(doc: DocumentObject, content: str, *, bold: bool = False, italic: bool = False, size: float | None = None,
         align: str = "justify", style: str | None = None) -> Paragraph:
    """A paragraph of ``content``."""
    paragraph = doc.add_paragraph(style=style)
    paragraph.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                           "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    run = paragraph.add_run(content)
    run.bold, run.italic = bold, italic
    if size is not None:
        run.font.size = Pt(size)
    return paragraph


def caption(doc: DocumentObject, label: str, number: int, content: str) -> Paragraph:
    """A numbered caption ("Hình 2. …") in Word's Caption style, its number a SEQ field of ``label``."""
    paragraph = doc.add_paragraph(style="Caption")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(f"{label} ")
    field(paragraph, f"SEQ {label} \\* ARABIC", str(number))
    paragraph.add_run(f". {content}")
    return paragraph


def _repeat_header(row: object) -> None:
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def table(doc: DocumentObject, header: Sequence[str], rows: Sequence[Sequence[object]], *, size: float = 11,
          widths_cm: Sequence[float] | None = None, fills: Sequence[Sequence[str | None]] | None = None,
          numeric: Sequence[bool] | None = None) -> Table:
    """A bordered table whose header row repeats on every page; ``fills`` colours cells (RRGGBB or None), numbers
    are right-aligned where ``numeric`` says. The body rows are written as XML in one go: python-docx's
    ``add_row`` walks the whole table each time, which makes a province's annex take minutes."""
    grid = doc.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header(grid.rows[0])
    for cell, title in zip(grid.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(title))
        run.bold, run.font.size = True, Pt(size)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if widths_cm is not None:
        fixed_widths(grid, widths_cm)
    twips = [round(w * 567) for w in widths_cm] if widths_cm is not None else [None] * len(header)
    half_points = round(size * 2)
    body = []
    for r, values in enumerate(rows):
        cells = []
        for c, value in enumerate(values):
            width = f'<w:tcW w:w="{twips[c]}" w:type="dxa"/>' if twips[c] else ""
            fill = fills[r][c] if fills is not None else None
            shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{str(fill).lstrip("#")}"/>' if fill else ""
            align = '<w:jc w:val="right"/>' if numeric is not None and numeric[c] else ""
            content = escape(_UNWRITABLE.sub("", "" if value is None else str(value)))
            cells.append(f'<w:tc><w:tcPr>{width}{shade}</w:tcPr><w:p><w:pPr><w:spacing w:after="0"/>{align}</w:pPr>'
                         f'<w:r><w:rPr><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>'
                         f'<w:t xml:space="preserve">{content}</w:t></w:r></w:p></w:tc>')
        body.append(f"<w:tr>{''.join(cells)}</w:tr>")
    if body:
        wrapper = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(body)}</w:tbl>")
        for row in list(wrapper):
            grid._tbl.append(row)
    return grid  # type: ignore[no-any-return]


def fixed_widths(grid: Table, widths_cm: Sequence[float]) -> None:
    """Columns of exactly these widths, in Word and in LibreOffice (a fixed layout, the grid and every cell)."""
    grid.autofit = False
    for column, width in zip(grid.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in grid.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def page_break(doc: DocumentObject) -> None:
    """Start a new page."""
    doc.add_page_break()  # type: ignore[no-untyped-call]


def picture(doc: DocumentObject, png: bytes, width_cm: float) -> None:
    """A chart image, centred, ``width_cm`` wide."""
    import io

    paragraph = doc.add_paragraph()  # not doc.paragraphs[-1]: that lists every paragraph of the document each time
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))


def new_section(doc: DocumentObject, *, landscape: bool) -> None:
    """Start a new section on a new page, landscape (for a wide chart or table: the binding margin at the top) or
    portrait again."""
    from docx.enum.section import WD_SECTION

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (A4_MM[1], A4_MM[0]) if landscape else A4_MM
    section.page_width, section.page_height = Mm(width), Mm(height)
    if landscape:
        section.left_margin, section.right_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    else:
        for side, mm in MARGINS_MM.items():
            setattr(section, f"{side}_margin", Mm(mm))


def text_width_cm(doc: DocumentObject) -> float:
    """The width between the margins of the last section, in cm."""
    section = doc.sections[-1]
    lengths = [int(v or 0) for v in (section.page_width, section.left_margin, section.right_margin)]
    return (lengths[0] - lengths[1] - lengths[2]) / 360_000  # EMU per cm
