"""Time the audit report PDF against a plain reportlab document of the same content.

Sets up (SQLite in memory, from the migrations) the shipped cadre de confiance, a company, a
manager and two experts, and one audit driven through the operations to an approval (every
applicable criterion scored by both experts with a justification, a decision with its
verification code). Then, in the same run, each figure the median of ``--repeat`` builds
after one warm-up:

- ``report``: ``accelerator.audits.report.build_report(audit)`` — reading the audit from the
  database (result, scores, decision), formatting it, laying it out with the brand, the
  profile bars, the QR code and the signatory, as the download does when no kept PDF exists;
- ``baseline``: reportlab's plain ``SimpleDocTemplate`` (no page decoration, bookmarks, bars,
  QR code or signatory) building the same paragraphs and tables with the same embedded font
  (Marianne, the same paragraph styles): the same title and headings, the same facts,
  declarations, profile and criteria tables (each cell a ``Paragraph`` of the same text,
  escaped, the same column widths, a grid, repeated header rows), from texts prepared
  beforehand (so the baseline does no database or formatting work at all).

The ratio report / baseline is what the report costs beyond the least any PDF of that
content must cost in reportlab.

    .venv/bin/python bench/report_pdf.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_ENV", "testing")


def setup(app):
    from flask_migrate import upgrade

    from accelerator.accounts.models import Role
    from accelerator.audits.demo import drive_audit
    from accelerator.audits.operations import start_audit
    from accelerator.audits.states import AuditStatus
    from accelerator.criteria.operations import load_default
    from accelerator.extensions import db
    from tests.audits.factories import make_solution
    from tests.factories import make_user

    upgrade(directory=str(ROOT / "migrations"))
    load_default()
    company, manager = make_user(Role.company), make_user(Role.manager)
    experts = [make_user(Role.expert), make_user(Role.expert)]
    db.session.commit()
    solution = make_solution(
        company.organization, processes_personal_data=True, name="Solution de mesure"
    )
    audit = start_audit(company, solution)
    drive_audit(audit, AuditStatus.approved, company, manager, experts, 3)
    db.session.commit()
    return audit.id


def baseline(content) -> bytes:
    """The same paragraphs and tables, plain: SimpleDocTemplate, no decoration."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

    from accelerator.core import pdf

    sheet = pdf.styles()
    width = pdf.content_width()
    grid = [("GRID", (0, 0), (-1, -1), 0.4, pdf.GREY_LINE), ("VALIGN", (0, 0), (-1, -1), "TOP")]

    def paragraph(value, style):
        return Paragraph(escape(str(value)).replace("\n", "<br/>"), sheet[style])

    def plain_table(rows, widths, sheet, header=True):
        cells = [
            [paragraph(cell, "CellHeader" if header and i == 0 else "Cell") for cell in row]
            for i, row in enumerate(rows)
        ]
        return Table(cells, colWidths=widths, repeatRows=1 if header else 0, style=grid)

    story = [
        paragraph(content.title, "Title"),
        paragraph(content.solution, "Heading1"),
        plain_table(content.facts, [45 * mm, width - 45 * mm], sheet, header=False),
        Spacer(1, 4 * mm),
        paragraph("Déclarations", "Heading2"),
        plain_table(content.declarations, [60 * mm, width - 60 * mm], sheet, header=False),
        paragraph(content.decision or "", "Heading3"),
        paragraph(content.motivation, "Body"),
        paragraph(content.overall, "Heading2"),
        paragraph(content.recommendation, "Body"),
        plain_table(
            [["Domaine", "Score sur 100", "Profil"]]
            + [[part.name, part.score_text, ""] for part in content.domains],
            [60 * mm, 28 * mm, width - 88 * mm],
            sheet,
        ),
        PageBreak(),
        paragraph("Critères", "Heading1"),
    ]
    for part in content.domains:
        rows = [["Critère", "Niveau", "Justifications"]] + [
            [line.label, line.level, "\n".join(line.justifications)] for line in part.criteria
        ]
        story += [
            paragraph(part.name, "Heading2"),
            plain_table(rows, [55 * mm, 16 * mm, width - 71 * mm], sheet),
        ]
    story.append(paragraph(content.verification_url or "", "Body"))
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=pdf.MARGIN, rightMargin=pdf.MARGIN).build(
        story
    )
    return buffer.getvalue()


def median_ms(function, repeat: int) -> float:
    function()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    from sqlalchemy.pool import StaticPool

    from accelerator import create_app
    from accelerator.audits.models import Audit
    from accelerator.audits.report import build_report, report_content
    from accelerator.extensions import db

    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SQLALCHEMY_ENGINE_OPTIONS={"poolclass": StaticPool},
        UPLOAD_DIR=tempfile.mkdtemp(prefix="bench-report-"),
    )
    with app.app_context():
        audit_id = setup(app)
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        audit = db.session.get(Audit, audit_id)
        content = report_content(audit)
        scored = sum(line.applies for part in content.domains for line in part.criteria)

        def report():
            db.session.expire_all()  # read from the database each time, as a download does
            return build_report(db.session.get(Audit, audit_id))

        report_ms = median_ms(report, args.repeat)
        baseline_ms = median_ms(lambda: baseline(content), args.repeat)
        size = len(report())
    print(f"audit report, {scored} scored criteria, {size / 1024:.0f} KiB")
    print(f"  report   (database, formatting, brand, layout): {report_ms:7.1f} ms")
    print(f"  baseline (plain SimpleDocTemplate, same texts):  {baseline_ms:7.1f} ms")
    print(f"  ratio report / baseline: {report_ms / baseline_ms:.2f}")


if __name__ == "__main__":
    main()
