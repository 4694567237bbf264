"""The cadre de confiance as a printable PDF, for companies preparing an audit."""

from __future__ import annotations

from flask_babel import gettext
from reportlab.platypus import KeepTogether, Spacer

from accelerator.core.pdf import build_pdf, content_width, styles, table, text
from accelerator.criteria.models import FrameworkVersion
from accelerator.criteria.rules import ATTRIBUTES


def _number(value: float) -> str:
    return f"{value:g}"


def framework_pdf(version: FrameworkVersion) -> bytes:
    """Every domain and criterion with its guidance, evidence expected and level descriptors."""
    sheet = styles()
    width = content_width()
    story = [
        text(version.label, sheet["Title"]),
        text(
            gettext(
                "Version %(version)s, %(status)s. Approval threshold: %(approve)s/100; "
                "approval with conditions: %(conditions)s/100. An eliminatory criterion below "
                "its minimum level prevents approval.",
                version=version.version,
                status=str(version.status.label).lower(),
                approve=_number(version.thresholds.get("approve", 75)),
                conditions=_number(version.thresholds.get("approve_with_conditions", 55)),
            ),
            sheet["Body"],
        ),
    ]
    for domain in version.domains:
        story += [
            text(f"{domain.code} — {domain.name}", sheet["Heading1"]),
            text(
                gettext("Weight of the domain: %(weight)s", weight=_number(domain.weight)),
                sheet["Small"],
            ),
            text(domain.description, sheet["Body"]),
        ]
        for criterion in domain.criteria:
            facts = [gettext("Weight: %(weight)s", weight=_number(criterion.weight))]
            if criterion.eliminatory:
                facts.append(
                    gettext("Eliminatory: minimum level %(level)s", level=criterion.min_level)
                )
            if criterion.applies_if:
                facts.append(
                    gettext(
                        "Applies only if: %(condition)s",
                        condition=str(ATTRIBUTES.get(criterion.applies_if, criterion.applies_if)),
                    )
                )
            rows = [[gettext("Level"), gettext("Label"), gettext("What it looks like")]] + [
                [str(level.value), level.label, level.descriptor] for level in criterion.levels
            ]
            story += [
                KeepTogether(
                    [
                        text(f"{criterion.code} — {criterion.title}", sheet["Heading2"]),
                        text(" · ".join(facts), sheet["Small"]),
                    ]
                ),
                text(gettext("What is asked"), sheet["Heading3"]),
                text(criterion.guidance, sheet["Body"]),
                text(gettext("Evidence expected"), sheet["Heading3"]),
                text(criterion.evidence_expected, sheet["Body"]),
                Spacer(1, 4),
                table(rows, [width * 0.08, width * 0.22, width * 0.70], sheet),
                Spacer(1, 6),
            ]
    return build_pdf(
        story,
        title=version.label,
        footer=gettext("Cadre de confiance, version %(version)s", version=version.version),
    )
