"""The audit report (PDF): cover, decision and motivation, domain profile chart, overall
score, every criterion with its level and the experts' justifications, conditions, and a
verification code with its QR code.

Experts are named "Expert A", "Expert B"... in the report: it goes to the company, and the
review stays impersonal."""

from __future__ import annotations

from flask import Response
from flask_babel import format_date, get_locale, gettext
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer
from sqlalchemy import func, select

from accelerator.audits.models import Audit, AuditEvent, Pricing, Score
from accelerator.audits.results import compute_result
from accelerator.core import pdf
from accelerator.core.errors import Forbidden
from accelerator.core.pdf import kept_pdf
from accelerator.core.reference import country_name
from accelerator.core.urls import public_url
from accelerator.extensions import db


def verification_url(code: str) -> str:
    return public_url("catalogue.verify", code=code)


def domain_chart(domains: list[tuple[str, float | None]], width: float) -> Drawing:
    """Horizontal bars, one per domain, 0 to 100."""
    height = 16 * mm + 9 * mm * len(domains)
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x = 45 * mm
    chart.y = 8 * mm
    chart.width = width - 60 * mm
    chart.height = height - 14 * mm
    chart.data = [[value or 0 for _, value in reversed(domains)]]
    chart.categoryAxis.categoryNames = [name[:38] for name, _ in reversed(domains)]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 20
    chart.valueAxis.labels.fontName = "Helvetica"
    chart.valueAxis.labels.fontSize = 7.5
    chart.bars[0].fillColor = pdf.BLUE_FRANCE
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%.0f"
    chart.barLabels.fontName = "Helvetica-Bold"
    chart.barLabels.fontSize = 7.5
    chart.barLabels.nudge = 8
    drawing.add(chart)
    drawing.add(
        String(45 * mm, 1 * mm, gettext("Score out of 100"), fontName="Helvetica", fontSize=7)
    )
    return drawing


def qr_code(url: str, size: float = 30 * mm) -> Drawing:
    widget = QrCodeWidget(url)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def build_report(audit: Audit) -> bytes:
    sheet = pdf.styles()
    width = pdf.content_width()
    result = compute_result(audit)
    version = audit.framework_version
    solution = audit.solution
    decision = audit.latest_decision
    status = audit.effective_status()
    experts = {a.expert_id: f"Expert {chr(65 + i)}" for i, a in enumerate(audit.assignments)}

    story = [
        pdf.text(gettext("Audit report"), sheet["Title"]),
        pdf.text(solution.name, sheet["Heading1"]),
        pdf.table(
            [
                [gettext("Company"), solution.organization.name],
                [gettext("Country"), country_name(solution.organization.country)],
                [gettext("Framework"), f"{version.label} ({version.version})"],
                [gettext("Audit"), f"n° {audit.id}"],
                [gettext("State"), str(status.label)],
                [
                    gettext("Submitted on"),
                    format_date(audit.submitted_at, "long") if audit.submitted_at else "—",
                ],
                [gettext("Experts"), str(len(audit.assignments))],
            ],
            [45 * mm, width - 45 * mm],
            sheet,
            header=False,
        ),
        Spacer(1, 4 * mm),
        pdf.text(gettext("Declarations at submission"), sheet["Heading2"]),
        pdf.table(declaration_rows(audit), [60 * mm, width - 60 * mm], sheet, header=False),
        Spacer(1, 6 * mm),
        pdf.text(gettext("Decision"), sheet["Heading2"]),
    ]
    if decision is None:
        story.append(pdf.text(gettext("The committee has not decided yet."), sheet["Body"]))
    else:
        story += [
            pdf.text(
                gettext(
                    "%(outcome)s on %(date)s (committee round %(round)s).",
                    outcome=decision.outcome.label,
                    date=format_date(decision.decided_at, "long"),
                    round=decision.round,
                ),
                sheet["Heading3"],
            ),
            pdf.text(decision.motivation, sheet["Body"]),
        ]
        if decision.valid_until:
            story.append(
                pdf.text(
                    gettext(
                        "Valid until %(date)s.", date=format_date(decision.valid_until, "long")
                    ),
                    sheet["Body"],
                )
            )
    story += [
        Spacer(1, 4 * mm),
        pdf.text(
            gettext("Overall score: %(score)s / 100", score=f"{result.engine.overall:.1f}"),
            sheet["Heading2"],
        ),
        pdf.text(
            gettext(
                "Recommendation of the scoring engine: %(value)s",
                value=recommendation_label(result.engine.recommendation),
            ),
            sheet["Body"],
        ),
    ]
    if result.engine.eliminatory_failures:
        story.append(
            pdf.text(
                gettext(
                    "Eliminatory criteria not met: %(codes)s",
                    codes=", ".join(result.engine.eliminatory_failures),
                ),
                sheet["Body"],
            )
        )
    domain_names = {d.code: d.name for d in version.domains}
    profile = [(domain_names[code], value) for code, value in result.engine.domains.items()]
    story += [
        pdf.text(gettext("Domain profile"), sheet["Heading2"]),
        domain_chart(profile, width),
        pdf.table(
            [[gettext("Domain"), gettext("Score")]]
            + [[name, "—" if value is None else f"{value:.0f} / 100"] for name, value in profile],
            [width - 35 * mm, 35 * mm],
            sheet,
        ),
    ]
    if decision and decision.conditions:
        story.append(pdf.text(gettext("Conditions"), sheet["Heading2"]))
        story.append(
            pdf.table(
                [[gettext("Condition"), gettext("Due date")]]
                + [
                    [c.text, format_date(c.due_date, "long") if c.due_date else "—"]
                    for c in decision.conditions
                ],
                [width - 40 * mm, 40 * mm],
                sheet,
            )
        )

    story += [PageBreak(), pdf.text(gettext("Criteria"), sheet["Heading1"])]
    applicable = {criterion.code for criterion in audit.applicable_criteria()}
    justifications: dict[str, list[str]] = {}
    for score in sorted(audit.scores, key=lambda s: experts.get(s.expert_id, "")):
        if score.expert_id in experts:
            justifications.setdefault(score.criterion_code, []).append(
                f"{experts[score.expert_id]} ({score.level}) : {score.justification}"
            )
    for consolidation in audit.consolidations:
        justifications.setdefault(consolidation.criterion_code, []).append(
            gettext(
                "Settled (%(level)s): %(text)s",
                level=consolidation.level,
                text=consolidation.justification,
            )
        )
    for domain in version.domains:
        rows = [[gettext("Criterion"), gettext("Level"), gettext("Justifications")]]
        for criterion in domain.criteria:
            if criterion.code not in applicable:
                rows.append(
                    [
                        f"{criterion.code} — {criterion.title}",
                        gettext("n/a"),
                        gettext("Does not apply to this solution."),
                    ]
                )
                continue
            level = result.final_levels.get(criterion.code)
            mark = " *" if criterion.eliminatory else ""
            rows.append(
                [
                    f"{criterion.code} — {criterion.title}{mark}",
                    "—" if level is None else f"{level} / 3",
                    "\n".join(justifications.get(criterion.code, [])) or "—",
                ]
            )
        story += [
            pdf.text(domain.name, sheet["Heading2"]),
            pdf.table(rows, [55 * mm, 16 * mm, width - 71 * mm], sheet),
        ]
    story.append(pdf.text(gettext("* eliminatory criterion"), sheet["Small"]))

    if audit.verification_code:
        url = verification_url(audit.verification_code)
        story += [
            Spacer(1, 8 * mm),
            pdf.text(gettext("Verify this approval"), sheet["Heading2"]),
            pdf.table(
                [
                    [
                        qr_code(url),
                        pdf.text(
                            gettext(
                                "Verification code: %(code)s\n%(url)s",
                                code=audit.verification_code,
                                url=url,
                            ),
                            sheet["Body"],
                        ),
                    ]
                ],
                [35 * mm, width - 35 * mm],
                sheet,
                header=False,
            ),
        ]
    return pdf.build_pdf(
        story,
        title=f"{gettext('Audit report')} — {solution.name}",
        footer=gettext("Audit n° %(id)s", id=audit.id),
    )


def report_state(audit: Audit) -> dict:
    """What the report shows, named: the audit's version (bumped by every change of the
    audit row), its status, decision and history, the scores' last change, the language."""
    scores = db.session.execute(
        select(func.count(Score.id), func.max(Score.updated_at)).where(Score.audit_id == audit.id)
    ).one()
    events = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.audit_id == audit.id)
    )
    decision = audit.latest_decision
    return {
        "audit": [audit.id, audit.created_at],  # ids restart with a database reset
        "version": audit.lock_version,
        "status_changed": audit.status_changed_at,
        "status": audit.effective_status().value,
        "decision": decision.id if decision is not None else None,
        "scores": [scores[0], scores[1]],
        "events": events,
        "assignments": len(audit.assignments),
        "locale": str(get_locale()),
    }


def kept_report(audit: Audit) -> bytes:
    """The report, built once per state of the audit and kept in storage."""
    return kept_pdf("audit-report", report_state(audit), lambda: build_report(audit))


def report_response(audit: Audit, reader) -> Response:
    """The report as an inline PDF for ``reader``, never cached by shared caches; 403 when
    ``Audit.can_download_report`` refuses it (a blind expert, the company before the
    decision). Pages and the API both answer through here."""
    if not audit.can_download_report(reader):
        raise Forbidden(
            gettext(
                "The report is available to the company once the committee has decided, "
                "and to an expert once their own scoring is finished."
            )
        )
    return Response(
        kept_report(audit),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="rapport-audit-{audit.id}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


def recommendation_label(code: str) -> str:
    return {
        "approve": gettext("approve"),
        "approve_with_conditions": gettext("approve with conditions"),
        "reject": gettext("reject"),
    }.get(code, code)


def declaration_rows(audit: Audit) -> list[list[str]]:
    """The declarations the audit judged (frozen at submission), as the report prints them."""
    frozen = audit.frozen_declarations()
    yes, no = gettext("yes"), gettext("no")
    return [
        [gettext("Processes personal data"), yes if frozen["processes_personal_data"] else no],
        [gettext("Accessible through the GAR"), yes if frozen["gar_compatible"] else no],
        [gettext("Uses artificial intelligence"), yes if frozen["uses_ai"] else no],
        [gettext("Hosting country"), country_name(frozen["hosting_country"])],
        [gettext("Hosting provider"), frozen.get("hosting_provider") or "—"],
        [gettext("Pricing"), str(Pricing(frozen["pricing"]).label)],
        [gettext("Version"), frozen.get("version") or "—"],
    ]
