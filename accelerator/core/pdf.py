"""reportlab building blocks shared by every PDF of the service (framework, audit reports,
certificates): A4 pages with a header and a footer, styles, and text escaped for reportlab.

Helvetica (a standard PDF font) covers Latin-1, so French accents need no embedded font.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

#: Bleu France and the greys of the State's design system.
BLUE_FRANCE = colors.HexColor("#000091")
GREY_TEXT = colors.HexColor("#3a3a3a")
GREY_LINE = colors.HexColor("#dddddd")
GREY_BACKGROUND = colors.HexColor("#f6f6f6")

MARGIN = 18 * mm


def styles() -> StyleSheet1:
    """Named paragraph styles: Title, Heading1..3, Body, Small, Cell, CellHeader."""
    sheet = getSampleStyleSheet()
    base = ParagraphStyle(
        "Body", parent=sheet["Normal"], fontName="Helvetica", fontSize=9.5, leading=13
    )
    result = StyleSheet1()
    result.add(base)
    result.add(
        ParagraphStyle(
            "Title",
            parent=base,
            fontName="Helvetica-Bold",
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
                fontName="Helvetica-Bold",
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
    result.add(ParagraphStyle("CellHeader", parent=base, fontName="Helvetica-Bold", fontSize=8.5))
    return result


def text(value: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: reportlab reads markup, so user text is escaped first."""
    return Paragraph(escape(str(value or "")).replace("\n", "<br/>"), style)


def table(
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    sheet: StyleSheet1,
    header: bool = True,
) -> Table:
    """A table of plain-text cells, wrapping inside each column, repeating its header row."""
    cells = [
        [
            cell
            if isinstance(cell, Flowable)
            else text(cell, sheet["CellHeader" if header and i == 0 else "Cell"])
            for cell in row
        ]
        for i, row in enumerate(rows)
    ]
    result = Table(cells, colWidths=list(widths), repeatRows=1 if header else 0)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, GREY_LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), GREY_BACKGROUND))
    result.setStyle(TableStyle(commands))
    return result


def content_width() -> float:
    return A4[0] - 2 * MARGIN


def build_pdf(
    story: Iterable[Flowable],
    title: str,
    header: str = "Réseau Canopé — Accélérateur pédagogique",
    footer: str = "",
    author: str = "Réseau Canopé",
    generated_at: datetime | None = None,
) -> bytes:
    """Lay ``story`` out on A4 pages with a running header and a numbered footer."""
    buffer = BytesIO()
    generated = (generated_at or datetime.now()).strftime("%d/%m/%Y")

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        width, height = A4
        canvas.setStrokeColor(BLUE_FRANCE)
        canvas.setLineWidth(1.2)
        canvas.line(MARGIN, height - 12 * mm, width - MARGIN, height - 12 * mm)
        canvas.setFont("Helvetica-Bold", 8)
        canvas.setFillColor(BLUE_FRANCE)
        canvas.drawString(MARGIN, height - 10 * mm, header)
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(GREY_TEXT)
        canvas.drawRightString(width - MARGIN, height - 10 * mm, title[:90])
        canvas.setStrokeColor(GREY_LINE)
        canvas.line(MARGIN, 12 * mm, width - MARGIN, 12 * mm)
        canvas.drawString(MARGIN, 8 * mm, f"{footer} — {generated}" if footer else generated)
        canvas.drawRightString(width - MARGIN, 8 * mm, str(doc.page))
        canvas.restoreState()

    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=author,
        lang="fr",
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=decorate)])
    doc.build(list(story))
    return buffer.getvalue()


def kept_pdf(kind: str, state: object, build: Callable[[], bytes]) -> bytes:
    """A PDF built once per state and kept in storage, for every worker and machine.

    ``state`` names everything the document shows (ids, versions, timestamps, the language):
    its SHA-256 is the file's name under ``UPLOAD_DIR/pdf/<kind>/``, so a new state is a new
    file and a kept one is never stale. Files are written whole (a temporary file renamed).
    """
    import hashlib
    import json
    import os
    import tempfile

    from flask import current_app

    digest = hashlib.sha256(
        json.dumps(state, sort_keys=True, default=str).encode("utf-8")
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
