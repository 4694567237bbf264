"""The files a teacher downloads, for the pages and the API: the attestation de formation as
a PDF (reportlab, with its verification code and a QR code pointing to the public
verification page) and the Open Badge (JSON, or signed as a VC-JWT)."""

from __future__ import annotations

import json
from io import BytesIO
from xml.sax.saxutils import escape

from flask import Response
from flask_babel import format_date, gettext
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from accelerator.certification import badges
from accelerator.certification.models import Certificate
from accelerator.certification.operations import full_name
from accelerator.core.urls import public_url

BLUE_FRANCE = colors.HexColor("#000091")
QR_SIZE = 38 * mm


def _qr(url: str, size: float = QR_SIZE) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _paragraph(canvas, text: str, style: ParagraphStyle, x: float, top: float, width: float):
    """Draw ``text`` (already escaped) from ``top`` down; returns the next free height."""
    paragraph = Paragraph(text, style)
    _, height = paragraph.wrap(width, 200 * mm)
    paragraph.drawOn(canvas, x, top - height)
    return top - height


def render_certificate(certificate: Certificate, verification_url: str) -> bytes:
    """The PDF of ``certificate``; ``verification_url`` is printed and encoded in the QR."""
    from reportlab.pdfgen.canvas import Canvas

    enrollment = certificate.enrollment
    session, teacher = enrollment.session, enrollment.teacher
    buffer = BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setTitle(gettext("Attestation de formation") + f" {certificate.code}")
    canvas.setAuthor("Réseau Canopé")
    canvas.setSubject(session.title)

    margin = 20 * mm
    canvas.setStrokeColor(BLUE_FRANCE)
    canvas.setLineWidth(2)
    canvas.rect(margin / 2, margin / 2, width - margin, height - margin)
    canvas.setFillColor(BLUE_FRANCE)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(margin, height - margin - 4 * mm, "RÉPUBLIQUE FRANÇAISE")
    canvas.drawRightString(width - margin, height - margin - 4 * mm, "Réseau Canopé")
    canvas.setFont("Helvetica", 9)
    canvas.setFillColor(colors.black)
    canvas.drawRightString(
        width - margin, height - margin - 9 * mm, gettext("Accélérateur pédagogique")
    )

    title = ParagraphStyle(
        "title",
        fontName="Helvetica-Bold",
        fontSize=26,
        leading=32,
        textColor=BLUE_FRANCE,
        alignment=1,
    )
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=13, leading=19, alignment=1)
    small = ParagraphStyle("small", fontName="Helvetica", fontSize=9, leading=12)
    text_width = width - 2 * margin
    top = height - 45 * mm
    top = _paragraph(
        canvas, escape(gettext("Attestation de formation")), title, margin, top, text_width
    )
    solutions = ", ".join(solution.name for solution in session.solutions)
    start, end = session.starts_at.date(), session.ends_at.date()
    dates = (
        gettext("on %(day)s", day=format_date(start, "long"))
        if start == end
        else gettext(
            "from %(start)s to %(end)s",
            start=format_date(start, "long"),
            end=format_date(end, "long"),
        )
    )
    hours = f"{session.duration_hours:g}"
    lines = [
        gettext("Réseau Canopé certifies that"),
        f"<b>{escape(full_name(teacher))}</b>",
        gettext("attended and completed the training session"),
        f"<b>« {escape(session.title)} »</b>",
        escape(gettext("%(dates)s, lasting %(hours)s hours,", dates=dates, hours=hours)),
        escape(gettext("on the use of: %(solutions)s.", solutions=solutions)),
    ]
    top -= 8 * mm
    for line in lines:
        top = _paragraph(canvas, line, body, margin, top, text_width) - 2 * mm

    issued = format_date(certificate.issued_at.date(), "long")
    footer = [
        escape(gettext("Issued on %(day)s.", day=issued)),
        escape(gettext("Verification code: %(code)s", code=certificate.code)),
        escape(gettext("Check this attestation at %(url)s", url=verification_url)),
    ]
    bottom = margin + QR_SIZE
    for line in footer:
        bottom = _paragraph(canvas, line, small, margin, bottom, text_width - QR_SIZE - 10 * mm)
    renderPDF.draw(_qr(verification_url), canvas, width - margin - QR_SIZE, margin)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def pdf_response(certificate: Certificate) -> Response:
    url = public_url("certification.verify_page", code=certificate.code)
    response = Response(render_certificate(certificate, url), mimetype="application/pdf")
    return _attachment(response, f"attestation-{certificate.code}.pdf")


def badge_json_response(certificate: Certificate) -> Response:
    body = json.dumps(badges.credential(certificate), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/vc+ld+json")
    return _attachment(response, f"badge-{certificate.code}.json")


def badge_jwt_response(certificate: Certificate) -> Response:
    response = Response(badges.signed_credential(certificate), mimetype="application/vc+jwt")
    return _attachment(response, f"badge-{certificate.code}.jwt")
