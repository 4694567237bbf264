"""reportlab building blocks shared by every PDF of the service (framework, audit reports,
certificates, the ministry report): A4 pages with the State's brand, styles, tables whose
cells wrap, a signatory block, a cover and a table of contents, text escaped for reportlab.

The brand follows the State's design system: the bloc-marque "République française" with the
motto "Liberté, Égalité, Fraternité" (set as text: the Marianne logo itself is not part of
the DSFR package's distributable assets) and the operator, Réseau Canopé. Every face is
Marianne, embedded (``core.fonts``).

Metadata: each PDF carries its title, author, subject and language (``/Lang``). reportlab
cannot write a tagged PDF (no structure tree, PDF/UA), so screen readers get little from
the file itself: every PDF of the service has an HTML page with the same content, linked
beside the PDF ("version accessible (HTML)"), and that page is the accessible equivalent.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from io import BytesIO
from xml.sax.saxutils import escape

from flask import current_app, has_app_context
from flask_babel import get_locale, gettext
from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents, defaultTableStyle

from accelerator.core import fonts
from accelerator.core.formatting import day

#: Bleu France, Rouge Marianne and the greys of the State's design system.
BLUE_FRANCE = colors.HexColor("#000091")
RED_MARIANNE = colors.HexColor("#e1000f")
GREY_TEXT = colors.HexColor("#3a3a3a")
GREY_LINE = colors.HexColor("#dddddd")
GREY_BACKGROUND = colors.HexColor("#f6f6f6")

MARGIN = 18 * mm
#: the first page leaves room for the full bloc-marque above its frame
FIRST_TOP = 42 * mm
OPERATOR = "Réseau Canopé"
SERVICE = "Accélérateur pédagogique"
#: bumped when the look of the PDFs changes, so that kept PDFs are built anew
LAYOUT = 2
#: padding of table cells (left and right), which a cell's words must fit within
CELL_PADDING = 6


FONT = fonts.FONT
FONT_BOLD = fonts.FONT_BOLD


@lru_cache(maxsize=1)
def _sheet() -> StyleSheet1:
    fonts.register()
    base = ParagraphStyle("Body", fontName=FONT, fontSize=9.5, leading=13)
    result = StyleSheet1()
    result.add(base)
    result.add(
        ParagraphStyle(
            "Title",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=20,
            leading=24,
            textColor=BLUE_FRANCE,
            spaceAfter=8,
        )
    )
    for name, size, space in (("Heading1", 15, 10), ("Heading2", 12, 8), ("Heading3", 10.5, 4)):
        result.add(
            ParagraphStyle(
                name,
                parent=base,
                fontName=FONT_BOLD,
                fontSize=size,
                leading=size * 1.25,
                spaceBefore=space,
                spaceAfter=space / 2,
                textColor=BLUE_FRANCE if name != "Heading3" else GREY_TEXT,
                keepWithNext=True,
            )
        )
    result.add(ParagraphStyle("Small", parent=base, fontSize=8, leading=10, textColor=GREY_TEXT))
    result.add(ParagraphStyle("Cell", parent=base, fontSize=8.5, leading=11, alignment=TA_LEFT))
    result.add(
        ParagraphStyle("CellHeader", parent=base, fontName=FONT_BOLD, fontSize=8.5, leading=11)
    )
    result.add(
        ParagraphStyle(
            "CoverTitle",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=28,
            leading=34,
            textColor=BLUE_FRANCE,
            spaceAfter=12,
        )
    )
    result.add(ParagraphStyle("CoverText", parent=base, fontSize=12, leading=17, spaceAfter=6))
    for level, (size, indent) in enumerate(((10.5, 0), (9, 12))):
        result.add(
            ParagraphStyle(
                f"TOC{level}",
                parent=base,
                fontName=FONT_BOLD if level == 0 else FONT,
                fontSize=size,
                leading=size * 1.35,
                leftIndent=indent,
            )
        )
    return result


def styles() -> StyleSheet1:
    """Named paragraph styles: Title, Heading1..3, Body, Small, Cell, CellHeader, CoverTitle,
    CoverText, TOC0, TOC1 (all in Marianne, embedded). Shared: do not modify them."""
    return _sheet()


def text(value: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: reportlab reads markup, so user text is escaped first."""
    return Paragraph(escape(str(value or "")).replace("\n", "<br/>"), style)


def _longest_word(value: str, font: str, size: float) -> float:
    return max((stringWidth(word, font, size) for word in value.split()), default=0)


def fit_widths(widths: Sequence[float], header: Sequence[object], style: ParagraphStyle):
    """Widths where each header's longest word fits its column (no "Nivea/u"): a column too
    narrow takes what it lacks from the widest column."""
    result = list(widths)
    for index, cell in enumerate(header):
        if not isinstance(cell, str):
            continue
        need = _longest_word(cell, style.fontName, style.fontSize) + 2 * CELL_PADDING + 1
        lack = need - result[index]
        if lack > 0:
            widest = max(range(len(result)), key=result.__getitem__)
            if widest != index and result[widest] - lack > need:
                result[widest] -= lack
                result[index] += lack
    return result


_TABLE_COMMANDS = (
    ("FONTNAME", (0, 0), (-1, -1), FONT),  # reportlab's cell default is Helvetica
    ("GRID", (0, 0), (-1, -1), 0.4, GREY_LINE),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
)
_PLAIN = TableStyle(_TABLE_COMMANDS)
_WITH_HEADER = TableStyle((*_TABLE_COMMANDS, ("BACKGROUND", (0, 0), (-1, 0), GREY_BACKGROUND)))


def table(
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    sheet: StyleSheet1,
    header: bool = True,
) -> Table:
    """A table whose every cell is a paragraph wrapping inside its column (or a flowable),
    the header row repeated on each page and wide enough for its words."""
    if header and rows:
        widths = fit_widths(widths, rows[0], sheet["CellHeader"])
    cell_style, header_style = sheet["Cell"], sheet["CellHeader"]
    cells = [
        [
            cell
            if isinstance(cell, Flowable)
            else text(cell, header_style if header and i == 0 else cell_style)
            for cell in row
        ]
        for i, row in enumerate(rows)
    ]
    result = Table(cells, colWidths=list(widths), repeatRows=1 if header else 0)
    result.setStyle(_WITH_HEADER if header else _PLAIN)
    return result


def content_width() -> float:
    return A4[0] - 2 * MARGIN


def signatory() -> tuple[str, str]:
    """(name, role) of who signs the service's documents, from the configuration."""
    config = current_app.config
    language = str(get_locale() or "fr")[:2]
    role = config.get("PDF_SIGNATORY_ROLE_EN") if language == "en" else None
    return config.get("PDF_SIGNATORY_NAME", ""), role or config.get("PDF_SIGNATORY_ROLE", "")


def signed_line(place: str = "", when=None) -> str:
    """ "Fait à <place>, le <date>" (today when ``when`` is None)."""
    dated = day(when or datetime.now())
    if place:
        return gettext("Done at %(place)s, on %(date)s", place=place, date=dated)
    return gettext("Done on %(date)s", date=dated)


def signatory_block(sheet: StyleSheet1, place: str = "", when=None) -> Flowable:
    """ "Fait à <place>, le <date>", the signatory's role and name, right-aligned."""
    name, role = signatory()
    lines = [escape(signed_line(place, when))]
    lines.append(f"<b>{escape(role)}</b>" if role else "")
    lines.append(escape(name))
    style = ParagraphStyle("Signatory", parent=sheet["Body"], alignment=0)
    block = Table(
        [[""], *[[Paragraph(line, style)] for line in lines if line]],
        colWidths=[75 * mm],
        hAlign="RIGHT",
    )
    block.setStyle(
        TableStyle(
            [("FONTNAME", (0, 0), (-1, -1), FONT), ("LINEABOVE", (0, 1), (-1, 1), 0.6, BLUE_FRANCE)]
        )
    )
    return KeepTogether([Spacer(1, 6 * mm), block])


def qr_code(url: str, size: float = 30 * mm) -> Flowable:
    """A QR code of ``url`` drawn straight on the page (reportlab's flowable: one rectangle
    per run of dark modules, far cheaper than the graphics widget's shapes)."""
    return QrCode(url, width=size, height=size, qrLevel="M", qrBorder=2)


# --- The brand --------------------------------------------------------------------------


def draw_brand(canvas, x: float, top: float, scale: float = 1.0, right: float | None = None):
    """The bloc-marque at (``x``, ``top``): "RÉPUBLIQUE / FRANÇAISE" in bold capitals, the
    motto on three lines below, then the operator (Réseau Canopé) after a rule, or aligned
    on ``right`` when given."""
    fonts.register()
    canvas.saveState()
    canvas.setFillColor(colors.black)
    size = 9.5 * scale
    canvas.setFont(FONT_BOLD, size)
    canvas.drawString(x, top - size, "RÉPUBLIQUE")
    canvas.drawString(x, top - 2.05 * size, "FRANÇAISE")
    motto_size = 6.2 * scale
    canvas.setFont("Text-Italic", motto_size)
    y = top - 2.05 * size - 1.6 * motto_size
    for word in ("Liberté", "Égalité", "Fraternité"):
        canvas.drawString(x, y, word)
        y -= 1.15 * motto_size
    block_width = stringWidth("FRANÇAISE", FONT_BOLD, size)
    operator_size = 11 * scale
    canvas.setFont(FONT_BOLD, operator_size)
    canvas.setFillColor(BLUE_FRANCE)
    if right is None:
        rule = x + block_width + 6 * mm * scale
        canvas.setStrokeColor(GREY_LINE)
        canvas.setLineWidth(0.6)
        canvas.line(rule, top, rule, y + motto_size)
        canvas.drawString(rule + 6 * mm * scale, top - operator_size, OPERATOR)
        canvas.setFont(FONT, 8 * scale)
        canvas.setFillColor(GREY_TEXT)
        canvas.drawString(rule + 6 * mm * scale, top - operator_size - 10 * scale, SERVICE)
    else:
        canvas.drawRightString(right, top - operator_size, OPERATOR)
        canvas.setFont(FONT, 8 * scale)
        canvas.setFillColor(GREY_TEXT)
        canvas.drawRightString(right, top - operator_size - 10 * scale, SERVICE)
    canvas.restoreState()
    return y


def _fit(value: str, font: str, size: float, width: float) -> str:
    """``value`` shortened with an ellipsis to fit ``width`` (running headers only)."""
    if stringWidth(value, font, size) <= width:
        return value
    while value and stringWidth(value + "…", font, size) > width:
        value = value[:-1]
    return value.rstrip() + "…"


# --- Documents --------------------------------------------------------------------------


@dataclass
class Cover:
    """A cover page: the bloc-marque, a title, lines below it (plain text)."""

    title: str
    lines: Sequence[str] = ()


class Document(BaseDocTemplate):
    """A4 pages with the brand; headings become PDF bookmarks and, with a table of contents,
    its entries."""

    def __init__(self, buffer, *, toc: TableOfContents | None = None, **kwargs):
        super().__init__(buffer, **kwargs)
        self.toc = toc
        self._heading_count = 0

    def beforeDocument(self) -> None:
        self._heading_count = 0  # each pass of multiBuild names its headings alike

    def afterFlowable(self, flowable) -> None:
        style = getattr(flowable, "style", None)
        name = getattr(style, "name", "")
        if name not in ("Heading1", "Heading2") or not isinstance(flowable, Paragraph):
            return
        level = 0 if name == "Heading1" else 1
        label = flowable.getPlainText()
        self._heading_count += 1
        key = f"h{self._heading_count}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(label, key, level=level, closed=level > 0)
        if self.toc is not None:
            self.notify("TOCEntry", (level, escape(label), self.page, key))


def build_pdf(
    story: Iterable[Flowable],
    title: str,
    header: str = "",
    footer: str = "",
    author: str = OPERATOR,
    subject: str = "",
    generated_at: datetime | None = None,
    cover: Cover | None = None,
    contents: bool = False,
) -> bytes:
    """Lay ``story`` out on A4 pages: the bloc-marque on the first page, a running header and
    a numbered footer on the others; with ``cover``, a cover page first, and with
    ``contents``, a table of contents after it (built in two passes, reportlab's multiBuild).
    """
    fonts.register()
    buffer = BytesIO()
    when = generated_at or datetime.now()
    generated = day(when) if has_app_context() else when.strftime("%d/%m/%Y")
    header = header or f"République française · {OPERATOR} — {SERVICE}"
    width, height = A4

    def footer_line(canvas, doc) -> None:
        canvas.setStrokeColor(GREY_LINE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, 12 * mm, width - MARGIN, 12 * mm)
        canvas.setFont(FONT, 8)
        canvas.setFillColor(GREY_TEXT)
        canvas.drawString(MARGIN, 8 * mm, f"{footer} — {generated}" if footer else generated)
        canvas.drawRightString(width - MARGIN, 8 * mm, gettext("Page %(number)s", number=doc.page))

    def first_page(canvas, doc) -> None:
        canvas.saveState()
        draw_brand(canvas, MARGIN, height - 12 * mm)
        canvas.setStrokeColor(BLUE_FRANCE)
        canvas.setLineWidth(1.2)
        canvas.line(
            MARGIN, height - FIRST_TOP + 6 * mm, width - MARGIN, height - FIRST_TOP + 6 * mm
        )
        footer_line(canvas, doc)
        canvas.restoreState()

    def later_page(canvas, doc) -> None:
        canvas.saveState()
        canvas.setStrokeColor(BLUE_FRANCE)
        canvas.setLineWidth(1.2)
        canvas.line(MARGIN, height - 12 * mm, width - MARGIN, height - 12 * mm)
        canvas.setFont(FONT_BOLD, 8)
        canvas.setFillColor(BLUE_FRANCE)
        canvas.drawString(MARGIN, height - 10 * mm, header)
        canvas.setFont(FONT, 8)
        canvas.setFillColor(GREY_TEXT)
        room = width - 2 * MARGIN - stringWidth(header, FONT_BOLD, 8) - 8 * mm
        canvas.drawRightString(width - MARGIN, height - 10 * mm, _fit(title, FONT, 8, room))
        footer_line(canvas, doc)
        canvas.restoreState()

    toc = None
    if contents:
        sheet = styles()
        toc = TableOfContents(
            levelStyles=[sheet["TOC0"], sheet["TOC1"]],
            dotsMinLevel=0,
            tableStyle=TableStyle(
                [*defaultTableStyle.getCommands(), ("FONTNAME", (0, 0), (-1, -1), FONT)]
            ),
        )
    doc = Document(
        buffer,
        toc=toc,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=author,
        subject=subject or title,
        creator=f"{OPERATOR} — {SERVICE}",
        initialFontName=FONT,  # no standard (unembedded) font in the file at all
        lang=str(get_locale() or "fr").replace("_", "-") if has_app_context() else "fr",
    )
    body = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    first = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        height - FIRST_TOP - doc.bottomMargin,
        id="first",
    )
    doc.addPageTemplates(
        [
            PageTemplate(id="first", frames=[first], onPage=first_page),
            PageTemplate(id="page", frames=[body], onPage=later_page),
        ]
    )
    flowables: list[Flowable] = [NextPageTemplate("page")]
    if cover is not None:
        sheet = styles()
        flowables += [
            Spacer(1, 50 * mm),
            Paragraph(escape(cover.title), sheet["CoverTitle"]),
            *[text(line, sheet["CoverText"]) for line in cover.lines],
            PageBreak(),
        ]
    if toc is not None:
        flowables += [text(gettext("Contents"), styles()["Title"]), toc, PageBreak()]
    flowables += list(story)
    if toc is not None:
        doc.multiBuild(flowables)
    else:
        doc.build(flowables)
    return buffer.getvalue()


def kept_pdf(kind: str, state: object, build: Callable[[], bytes]) -> bytes:
    """A PDF built once per state and kept in storage, for every worker and machine.

    ``state`` names everything the document shows (ids, versions, timestamps, the language):
    its SHA-256 is the file's name under ``UPLOAD_DIR/pdf/<kind>/``, so a new state is a new
    file and a kept one is never stale. The layout's version and the signatory join the state,
    so a new layout or signatory builds anew. Files are written whole (a temporary file
    renamed).
    """
    named = {"state": state, "layout": LAYOUT, "signatory": signatory()}
    digest = hashlib.sha256(
        json.dumps(named, sort_keys=True, default=str).encode("utf-8")
    ).hexdigest()
    folder = os.path.join(current_app.config["UPLOAD_DIR"], "pdf", kind)
    path = os.path.join(folder, f"{digest}.pdf")
    try:
        with open(path, "rb") as kept:
            return kept.read()
    except FileNotFoundError:
        pass
    content = build()
    os.makedirs(folder, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, delete=False) as scratch:
        scratch.write(content)
    os.replace(scratch.name, path)
    return content
