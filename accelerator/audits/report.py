"""The audit report: cover facts, declarations, decision and motivation, the domain profile,
the overall score, every criterion with its level and the experts' justifications,
conditions, a verification code with its QR code, and the signatory.

``report_content(audit)`` gathers it once as plain texts (numbers in the reader's language:
"81,3" in French); the PDF (``build_report``) and its accessible HTML equivalent (the page
``audits.report_page``, template ``audits/report.html``) both lay out that same content,
so they cannot say different things.

Experts are named "Expert A", "Expert B"... in the report: it goes to the company, and the
review stays impersonal."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Response, current_app
from flask_babel import get_locale, gettext
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer
from sqlalchemy import func, select

from accelerator.audits.models import Audit, AuditEvent, Pricing, Score
from accelerator.audits.results import compute_result
from accelerator.core import pdf
from accelerator.core.errors import Forbidden
from accelerator.core.formatting import day, number
from accelerator.core.pdf import kept_pdf
from accelerator.core.reference import country_name
from accelerator.core.urls import public_url
from accelerator.extensions import db


def verification_url(code: str) -> str:
    return public_url("catalogue.verify", code=code)


@dataclass(frozen=True)
class CriterionLine:
    code: str
    title: str
    eliminatory: bool
    applies: bool
    #: "2 / 3", "—" (not scored) or "n/a"
    level: str
    justifications: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.code} — {self.title}{' *' if self.eliminatory else ''}"


@dataclass(frozen=True)
class DomainPart:
    code: str
    name: str
    #: 0..100, or None when nothing of the domain was scored
    score: float | None
    score_text: str
    criteria: tuple[CriterionLine, ...]


@dataclass(frozen=True)
class ReportContent:
    title: str
    solution: str
    facts: list[tuple[str, str]]
    declarations: list[tuple[str, str]]
    #: "Approved on 3 March 2027 (committee round 1)." or None before the decision
    decision: str | None
    motivation: str
    valid_until: str | None
    overall: str
    recommendation: str
    eliminatory_failures: str | None
    domains: list[DomainPart]
    conditions: list[tuple[str, str]]
    verification_code: str | None
    verification_url: str | None
    footer: str
    signatory: tuple[str, str] = field(default=("", ""))
    #: the day the report is signed: the committee's decision (None before it)
    signed_on: object = None
    #: "Committee of 3 March 2027 · Members present: ..." or None
    committee: str | None = None

    @property
    def signed_line(self) -> str:
        """ "Fait à <place>, le <date>", as the PDF's signatory block writes it."""
        return pdf.signed_line(current_app.config.get("PDF_SIGNATORY_PLACE", ""), self.signed_on)


def report_content(audit: Audit) -> ReportContent:
    """What the report says, in the reader's language."""
    result = compute_result(audit)
    version = audit.framework_version
    solution = audit.solution
    decision = audit.latest_decision
    status = audit.effective_status()
    experts = {a.expert_id: f"Expert {chr(65 + i)}" for i, a in enumerate(audit.assignments)}

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
    not_applicable, does_not_apply = gettext("n/a"), gettext("Does not apply to this solution.")
    domains = []
    for domain in version.domains:
        lines = []
        for criterion in domain.criteria:
            if criterion.code not in applicable:
                lines.append(
                    CriterionLine(
                        criterion.code,
                        criterion.title,
                        criterion.eliminatory,
                        False,
                        not_applicable,
                        (does_not_apply,),
                    )
                )
                continue
            level = result.final_levels.get(criterion.code)
            lines.append(
                CriterionLine(
                    criterion.code,
                    criterion.title,
                    criterion.eliminatory,
                    True,
                    "—" if level is None else f"{level} / 3",
                    tuple(justifications.get(criterion.code, ())) or ("—",),
                )
            )
        # Before any level the engine's figures (0/100) say nothing: not scored yet.
        value = result.engine.domains.get(domain.code) if result.scored else None
        domains.append(
            DomainPart(
                domain.code,
                domain.name,
                value,
                "—" if value is None else f"{number(value)} / 100",
                tuple(lines),
            )
        )

    code = audit.verification_code
    return ReportContent(
        title=gettext("Audit report"),
        solution=solution.name,
        facts=[
            (gettext("Company"), solution.organization.name),
            (gettext("Country"), country_name(solution.organization.country)),
            (gettext("Framework"), f"{version.label} ({version.version})"),
            (gettext("Audit"), f"n° {audit.id}"),
            (gettext("State"), str(status.label)),
            (gettext("Submitted on"), day(audit.submitted_at) if audit.submitted_at else "—"),
            (gettext("Experts"), str(len(audit.assignments))),
        ],
        declarations=declaration_rows(audit),
        decision=None
        if decision is None
        else gettext(
            "%(outcome)s on %(date)s (committee round %(round)s).",
            outcome=decision.outcome.label,
            date=day(decision.decided_at),
            round=decision.round,
        ),
        motivation=decision.motivation if decision is not None else "",
        valid_until=gettext("Valid until %(date)s.", date=day(decision.valid_until))
        if decision is not None and decision.valid_until
        else None,
        overall=gettext("Overall score: %(score)s / 100", score=number(result.engine.overall))
        if result.scored
        else gettext("Overall score: not scored yet"),
        recommendation=gettext(
            "Recommendation of the scoring engine: %(value)s",
            value=recommendation_label(result.engine.recommendation),
        )
        if result.scored
        else gettext(
            "No expert has recorded a level yet: the score and the recommendation "
            "appear with the first levels."
        ),
        eliminatory_failures=gettext(
            "Eliminatory criteria not met: %(codes)s",
            codes=", ".join(result.engine.eliminatory_failures),
        )
        if result.scored and result.engine.eliminatory_failures
        else None,
        domains=domains,
        conditions=[
            (c.text, day(c.due_date) if c.due_date else "—")
            for c in (decision.conditions if decision else ())
        ],
        verification_code=code,
        verification_url=verification_url(code) if code else None,
        footer=gettext("Audit n° %(id)s", id=audit.id),
        signatory=pdf.signatory(),
        signed_on=decision.decided_at if decision is not None else None,
        committee=committee_line(decision),
    )


def committee_line(decision) -> str | None:
    """The committee's day and members present, as the report and the page say them."""
    if decision is None:
        return None
    parts = []
    if decision.committee_date:
        parts.append(gettext("Committee of %(date)s", date=day(decision.committee_date)))
    if decision.committee_members:
        parts.append(
            gettext("Members present: %(names)s", names=", ".join(decision.committee_members))
        )
    return " · ".join(parts) or None


# --- The PDF --------------------------------------------------------------------------------


class ProfileBar(Flowable):
    """One domain's score as a bar from 0 to 100 (the figure is written beside it), drawn
    straight on the canvas."""

    def __init__(self, value: float | None, width: float, height: float = 9):
        super().__init__()
        self.value, self.width, self.height = value, width, height

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFillColor(pdf.GREY_BACKGROUND)
        canvas.rect(0, 1, self.width, self.height - 2, stroke=0, fill=1)
        if self.value:
            canvas.setFillColor(pdf.BLUE_FRANCE)
            canvas.rect(0, 1, self.width * min(self.value, 100) / 100, self.height - 2, 0, 1)


def build_report(audit: Audit) -> bytes:
    return render_report(report_content(audit))


def render_report(content: ReportContent) -> bytes:
    """The PDF of ``content``."""
    sheet = pdf.styles()
    width = pdf.content_width()
    story = [
        pdf.text(content.title, sheet["Title"]),
        pdf.text(content.solution, sheet["Heading1"]),
        pdf.table(content.facts, [45 * mm, width - 45 * mm], sheet, header=False),
        Spacer(1, 4 * mm),
        pdf.text(gettext("Declarations at submission"), sheet["Heading2"]),
        pdf.table(content.declarations, [60 * mm, width - 60 * mm], sheet, header=False),
        Spacer(1, 6 * mm),
        pdf.text(gettext("Decision"), sheet["Heading2"]),
    ]
    if content.decision is None:
        story.append(pdf.text(gettext("The committee has not decided yet."), sheet["Body"]))
    else:
        story.append(pdf.text(content.decision, sheet["Heading3"]))
        if content.committee:
            story.append(pdf.text(content.committee, sheet["Body"]))
        story.append(pdf.text(content.motivation, sheet["Body"]))
        if content.valid_until:
            story.append(pdf.text(content.valid_until, sheet["Body"]))
    story += [
        Spacer(1, 4 * mm),
        pdf.text(content.overall, sheet["Heading2"]),
        pdf.text(content.recommendation, sheet["Body"]),
    ]
    if content.eliminatory_failures:
        story.append(pdf.text(content.eliminatory_failures, sheet["Body"]))
    bar_width = width - 88 * mm - 2 * pdf.CELL_PADDING
    story += [
        pdf.text(gettext("Domain profile"), sheet["Heading2"]),
        pdf.table(
            [[gettext("Domain"), gettext("Score out of 100"), gettext("Profile")]]
            + [
                [part.name, part.score_text, ProfileBar(part.score, bar_width)]
                for part in content.domains
            ],
            [60 * mm, 28 * mm, width - 88 * mm],
            sheet,
        ),
    ]
    if content.conditions:
        story += [
            pdf.text(gettext("Conditions"), sheet["Heading2"]),
            pdf.table(
                [[gettext("Condition"), gettext("Due date")], *content.conditions],
                [width - 40 * mm, 40 * mm],
                sheet,
            ),
        ]
    story += [PageBreak(), pdf.text(gettext("Criteria"), sheet["Heading1"])]
    header = [gettext("Criterion"), gettext("Level"), gettext("Justifications")]
    for part in content.domains:
        rows = [header] + [
            [line.label, line.level, "\n".join(line.justifications)] for line in part.criteria
        ]
        story += [
            pdf.text(part.name, sheet["Heading2"]),
            pdf.table(rows, [55 * mm, 16 * mm, width - 71 * mm], sheet),
        ]
    story.append(pdf.text(gettext("* eliminatory criterion"), sheet["Small"]))

    closing = []
    if content.verification_code:
        closing += [
            Spacer(1, 8 * mm),
            pdf.text(gettext("Verify this approval"), sheet["Heading2"]),
            pdf.table(
                [
                    [
                        pdf.qr_code(content.verification_url),
                        pdf.text(
                            gettext(
                                "Verification code: %(code)s\n%(url)s",
                                code=content.verification_code,
                                url=content.verification_url,
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
    place = current_app.config.get("PDF_SIGNATORY_PLACE", "")
    closing.append(pdf.signatory_block(sheet, place, content.signed_on))
    story.append(KeepTogether(closing))  # the signatory never stands alone on a page
    return pdf.build_pdf(
        story,
        title=f"{content.title} — {content.solution}",
        subject=content.footer,
        footer=content.footer,
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
