"""The files a teacher downloads, for the pages and the API: the attestation de formation
and the path certificate as a PDF (reportlab, with the verification code and a QR code
pointing to the public verification page) and the Open Badge (JSON, or signed as a
VC-JWT)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from flask import Response, current_app
from flask_babel import get_locale, gettext
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from accelerator.certification import badges
from accelerator.certification.models import Certificate, PathCertificate
from accelerator.certification.operations import full_name
from accelerator.core import fonts, pdf
from accelerator.core.formatting import day, number
from accelerator.core.urls import public_url
from accelerator.training.models import SessionFormat

QR_SIZE = 34 * mm


@dataclass(frozen=True)
class CertificateContent:
    """What an attestation says, in the reader's language: the PDF and its accessible HTML
    page (``certification/certificate_document.html``) both show exactly this."""

    title: str
    teacher: str
    session_title: str
    #: "on 3 March 2027" / "from ... to ..."
    dates: str
    hours: str
    solutions: str
    reference: str
    place: str
    issued: str
    code: str
    verification_url: str
    revoked: str | None
    signatory: tuple[str, str]
    signed_at: str

    def lines(self) -> list[tuple[str, bool]]:
        """The attestation's sentence, line by line: (text, emphasised)."""
        return [
            (gettext("Réseau Canopé certifies that"), False),
            (self.teacher, True),
            (gettext("attended and completed the training session"), False),
            (f"« {self.session_title} »", True),
            (
                gettext("%(dates)s, lasting %(hours)s hours,", dates=self.dates, hours=self.hours),
                False,
            ),
            (gettext("on the use of: %(solutions)s.", solutions=self.solutions), False),
        ]

    def facts(self) -> list[tuple[str, str]]:
        return [
            (gettext("Session reference"), self.reference),
            (gettext("Place"), self.place),
            (gettext("Issued on"), self.issued),
            (gettext("Verification code"), self.code),
        ]

    def check_line(self) -> str:
        return gettext("Check this attestation at %(url)s", url=self.verification_url)


@dataclass(frozen=True)
class PathCertificateContent:
    """What a path certificate says: the path, and each module with the session that
    satisfied it; drawn by ``render_certificate`` like an attestation."""

    title: str
    teacher: str
    path_title: str
    #: "1. Prendre en main Pix — <session> (<day>)"
    modules: tuple[str, ...]
    issued: str
    code: str
    verification_url: str
    revoked: str | None
    signatory: tuple[str, str]
    signed_at: str

    @property
    def session_title(self) -> str:  # the PDF's subject
        return self.path_title

    def lines(self) -> list[tuple[str, bool]]:
        return [
            (gettext("Réseau Canopé certifies that"), False),
            (self.teacher, True),
            (gettext("completed every module of the training path"), False),
            (f"« {self.path_title} »", True),
            *((module, False) for module in self.modules),
        ]

    def facts(self) -> list[tuple[str, str]]:
        return [
            (gettext("Issued on"), self.issued),
            (gettext("Verification code"), self.code),
        ]

    def check_line(self) -> str:
        return gettext("Check this certificate at %(url)s", url=self.verification_url)


def session_place(session) -> str:
    """Where the session took place: its address, "remote", or both for a hybrid one."""
    if session.format == SessionFormat.remote:
        return gettext("Remote session")
    location = session.location or ""
    if session.format == SessionFormat.hybrid:
        return (
            gettext("%(place)s and remote", place=location)
            if location
            else gettext("Remote session")
        )
    return location or "—"


def _document_fields(certificate: Certificate | PathCertificate, title: str, teacher) -> dict:
    """What both documents say the same way: who, the issue, the code, the signature."""
    return {
        "title": title,
        "teacher": full_name(teacher),
        "issued": day(certificate.issued_at),
        "code": certificate.code,
        "verification_url": public_url("certification.verify_page", code=certificate.code),
        "revoked": day(certificate.revoked_at) if certificate.revoked_at else None,
        "signatory": pdf.signatory(),
        "signed_at": gettext(
            "Done at %(place)s, on %(date)s",
            place=current_app.config.get("PDF_SIGNATORY_PLACE", ""),
            date=day(certificate.issued_at),
        ),
    }


def certificate_content(certificate: Certificate) -> CertificateContent:
    enrollment = certificate.enrollment
    session, teacher = enrollment.session, enrollment.teacher
    start, end = session.starts_at, session.ends_at
    dates = (
        gettext("on %(day)s", day=day(start))
        if day(start) == day(end)
        else gettext("from %(start)s to %(end)s", start=day(start), end=day(end))
    )
    return CertificateContent(
        **_document_fields(certificate, gettext("Certificate of training"), teacher),
        session_title=session.title,
        dates=dates,
        hours=number(session.duration_hours, 2, exact=False),
        solutions=", ".join(solution.name for solution in session.solutions),
        reference=session.reference,
        place=session_place(session),
    )


def path_certificate_content(certificate: PathCertificate) -> PathCertificateContent:
    from accelerator.certification.operations import path_records_of_teacher

    progress = path_records_of_teacher(certificate.teacher_id, certificate.path)
    modules = tuple(
        f"{item.module.position}. {item.module.label} — "
        + (
            gettext("%(title)s (%(day)s)", title=item.session.title, day=day(item.session.ends_at))
            if item.session is not None
            else "—"
        )
        for item in progress.modules
    )
    return PathCertificateContent(
        **_document_fields(certificate, gettext("Path certificate"), certificate.teacher),
        path_title=certificate.path.title,
        modules=modules,
    )


def _paragraph(canvas, text: str, style: ParagraphStyle, x: float, top: float, width: float):
    """Draw ``text`` (already escaped) from ``top`` down; returns the next free height."""
    paragraph = Paragraph(text, style)
    _, height = paragraph.wrap(width, 200 * mm)
    paragraph.drawOn(canvas, x, top - height)
    return top - height


def render_certificate(content: CertificateContent | PathCertificateContent) -> bytes:
    """The attestation as one landscape A4 page: the bloc-marque and the operator, the
    sentence, the session's reference and place, the signatory, the verification code and
    its QR code. Metadata: title, author, subject, language (not tagged: see core.pdf)."""
    from reportlab.pdfgen.canvas import Canvas

    fonts.register()
    buffer = BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(
        buffer,
        pagesize=(width, height),
        initialFontName=pdf.FONT,
        lang=str(get_locale() or "fr").replace("_", "-"),
    )
    canvas.setTitle(f"{content.title} {content.code}")
    canvas.setAuthor(pdf.OPERATOR)
    canvas.setSubject(content.session_title)
    canvas.setCreator(f"{pdf.OPERATOR} — {pdf.SERVICE}")

    margin = 20 * mm
    canvas.setStrokeColor(pdf.BLUE_FRANCE)
    canvas.setLineWidth(2)
    canvas.rect(margin / 2, margin / 2, width - margin, height - margin)
    pdf.draw_brand(canvas, margin, height - margin, scale=1.2, right=width - margin)

    title = ParagraphStyle(
        "title",
        fontName=pdf.FONT_BOLD,
        fontSize=26,
        leading=32,
        textColor=pdf.BLUE_FRANCE,
        alignment=1,
    )
    body = ParagraphStyle("body", fontName=pdf.FONT, fontSize=13, leading=19, alignment=1)
    small = ParagraphStyle("small", fontName=pdf.FONT, fontSize=9, leading=12)
    text_width = width - 2 * margin
    top = _paragraph(canvas, escape(content.title), title, margin, height - 58 * mm, text_width)
    top -= 6 * mm
    for line, strong in content.lines():
        text = f"<b>{escape(line)}</b>" if strong else escape(line)
        top = _paragraph(canvas, text, body, margin, top, text_width) - 1.5 * mm

    # Bottom left: the facts; bottom middle-right: the signatory; bottom right: the QR code.
    facts = [f"<b>{escape(label)}</b> : {escape(value)}" for label, value in content.facts()]
    facts.append(escape(content.check_line()))
    bottom = margin + QR_SIZE + 4 * mm
    for line in facts:
        bottom = _paragraph(canvas, line, small, margin, bottom, 110 * mm)
    name, role = content.signatory
    sign = ParagraphStyle("sign", parent=small, fontSize=10, leading=13)
    x = width - margin - QR_SIZE - 8 * mm - 75 * mm
    y = _paragraph(canvas, escape(content.signed_at), sign, x, margin + QR_SIZE, 75 * mm)
    canvas.setStrokeColor(pdf.BLUE_FRANCE)
    canvas.setLineWidth(0.6)
    canvas.line(x, y - 1.5 * mm, x + 75 * mm, y - 1.5 * mm)
    y -= 3 * mm
    if role:
        y = _paragraph(canvas, f"<b>{escape(role)}</b>", sign, x, y, 75 * mm)
    if name:
        _paragraph(canvas, escape(name), sign, x, y, 75 * mm)
    pdf.qr_code(content.verification_url, QR_SIZE).drawOn(canvas, width - margin - QR_SIZE, margin)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def pdf_response(certificate: Certificate | PathCertificate) -> Response:
    if isinstance(certificate, PathCertificate):
        content, name = path_certificate_content(certificate), "certificat-parcours"
    else:
        content, name = certificate_content(certificate), "attestation"
    response = Response(render_certificate(content), mimetype="application/pdf")
    return _attachment(response, f"{name}-{certificate.code}.pdf")


def credential_json_response(credential: dict, filename: str) -> Response:
    """A credential (unsigned JSON-LD) as a download."""
    body = json.dumps(credential, ensure_ascii=False, indent=2)
    return _attachment(Response(body, mimetype="application/vc+ld+json"), filename)


def credential_jwt_response(token: str, filename: str) -> Response:
    """A signed credential (VC-JWT) as a download."""
    return _attachment(Response(token, mimetype="application/vc+jwt"), filename)


def badge_json_response(certificate: Certificate | PathCertificate) -> Response:
    return credential_json_response(
        badges.credential(certificate), f"badge-{certificate.code}.json"
    )


def badge_jwt_response(certificate: Certificate | PathCertificate) -> Response:
    return credential_jwt_response(
        badges.signed_credential(certificate), f"badge-{certificate.code}.jwt"
    )
