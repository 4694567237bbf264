"""The cadre de confiance as a printable PDF, for companies preparing an audit."""

from __future__ import annotations

from flask_babel import gettext
from reportlab.platypus import KeepTogether, Spacer

from accelerator.core.formatting import day, number
from accelerator.core.pdf import Cover, build_pdf, content_width, styles, table, text
from accelerator.criteria.models import FrameworkVersion
from accelerator.criteria.rules import ATTRIBUTES


def _number(value: float) -> str:
    """A weight or threshold in the reader's language ("1,5" in French)."""
    return number(value, 2, exact=False)


def framework_pdf(version: FrameworkVersion) -> bytes:
    """A cover, the contents, then every domain and criterion with its guidance, evidence
    expected and level descriptors (the same content as the page ``criteria.framework_version``,
    its accessible equivalent)."""
    sheet = styles()
    width = content_width()
    story = [
        text(gettext("How to read this document"), sheet["Heading1"]),
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
    number_line = gettext("Version %(version)s", version=version.version)
    cover_lines = [f"{number_line} · {version.status.label}"]
    if version.published_at:
        published = gettext("published on %(date)s", date=day(version.published_at))
        cover_lines.append(published[:1].upper() + published[1:])
    cover_lines.append(
        gettext(
            "%(domains)s domains, %(criteria)s criteria",
            domains=len(version.domains),
            criteria=sum(len(domain.criteria) for domain in version.domains),
        )
    )
    return build_pdf(
        story,
        title=version.label,
        subject=gettext("Cadre de confiance, version %(version)s", version=version.version),
        footer=gettext("Cadre de confiance, version %(version)s", version=version.version),
        cover=Cover(version.label, cover_lines),
        contents=True,
    )
