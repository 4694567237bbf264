"""What the public learns of an approval beyond its scores, for purchasers and data
protection officers: the level reached on each criterion the framework marks public
(``Criterion.public``), the declarations frozen when the audit was submitted (hosting,
personal data, AI use, GAR), the approval's conditions and their state, and the date of the
last automated check of the solution.

``transparency_of(entry)`` builds it once, as plain JSON values; the solution's page
renders that dict and ``GET /api/v1/catalogue/{slug}/transparency`` answers it, so the page
and the JSON cannot say different things. ``transparency_records()`` builds the same record
for every live entry (the open data) from a fixed number of queries, whatever the size of
the catalogue. Labels are in the reader's language, except
the framework's own texts (titles, level labels), which are the framework's.
"""

from __future__ import annotations

from datetime import datetime

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from accelerator.audits.models import Audit, ConditionStatus, Decision, Pricing
from accelerator.audits.results import final_levels
from accelerator.catalogue.models import CatalogueEntry
from accelerator.catalogue.queries import decision_of, entries_in_force
from accelerator.catalogue.schemas import TransparencyOut
from accelerator.checks.models import SiteCheck
from accelerator.checks.operations import latest_check
from accelerator.core.reference import country_name
from accelerator.core.schemas import iso
from accelerator.core.urls import public_url
from accelerator.criteria.models import Criterion, Domain, FrameworkVersion
from accelerator.extensions import db

#: the declarations shown, in this order (``Solution.declarations``' keys)
DECLARATIONS = (
    "hosting_country",
    "hosting_provider",
    "processes_personal_data",
    "uses_ai",
    "gar_compatible",
    "pricing",
    "version",
)


def last_automated_check(solution_id: int) -> datetime | None:
    """When the solution's public site was last checked by the automated checks (a run
    requested by the company or the monitoring of approved solutions); None: never."""
    check = latest_check(solution_id)
    return check.checked_at if check is not None else None


def _declarations(frozen: dict | None) -> dict | None:
    if not frozen:
        return None
    return {key: frozen.get(key) for key in DECLARATIONS}


def _criteria(audit) -> list[dict]:
    """The public criteria of the audit's framework version, in its order, with the final
    level reached (None where the criterion does not apply to the solution)."""
    levels = final_levels(audit)
    attributes = audit.attributes()
    rows = []
    for domain in audit.framework_version.domains:
        for criterion in domain.criteria:
            if not criterion.public:
                continue
            applicable = criterion.applies_to(attributes)
            level = levels.get(criterion.code) if applicable else None
            labels = {lv.value: lv.label for lv in criterion.levels}
            rows.append(
                {
                    "code": criterion.code,
                    "title": criterion.title,
                    "domain": domain.code,
                    "applicable": applicable,
                    "level": level,
                    "level_label": labels.get(level) if level is not None else None,
                    "max_level": max(labels, default=3),
                }
            )
    return rows


def _conditions(decision) -> list[dict]:
    if decision is None:
        return []
    return [
        {
            "text": condition.text,
            "due_date": iso(condition.due_date),
            "status": ConditionStatus(condition.status).value,
            "status_label": str(ConditionStatus(condition.status).label),
            "fulfilled_at": iso(condition.fulfilled_at, seconds_utc=True),
            "overdue": condition.is_overdue(),
        }
        for condition in decision.conditions
    ]


def transparency_of(entry: CatalogueEntry) -> dict:
    """The transparency record of a catalogue entry (see the module's docstring)."""
    return _record(entry, decision_of(entry), last_automated_check(entry.solution_id))


def transparency_records() -> list[dict]:
    """The record of every live entry, by slug. What one record reads entry by entry (the
    audit's solution, framework, assignments, scores, settlements, latest decision and its
    conditions, the last check) is read here for all entries at once, so the open data
    costs a fixed number of queries however many solutions the catalogue holds."""
    entries = entries_in_force(
        options=(
            selectinload(CatalogueEntry.audit).options(
                selectinload(Audit.solution),
                selectinload(Audit.framework_version)
                .selectinload(FrameworkVersion.domains)
                .selectinload(Domain.criteria)
                .selectinload(Criterion.levels),
                selectinload(Audit.assignments),
                selectinload(Audit.scores),
                selectinload(Audit.consolidations),
                selectinload(Audit.decisions).selectinload(Decision.conditions),
            ),
        )
    )
    checked = dict(
        db.session.execute(
            select(SiteCheck.solution_id, func.max(SiteCheck.checked_at)).group_by(
                SiteCheck.solution_id
            )
        ).all()
    )
    return [
        _record(
            entry,
            # the latest decision, as decision_of answers it
            max(entry.audit.decisions, key=lambda decision: decision.id, default=None),
            checked.get(entry.solution_id),
        )
        for entry in entries
    ]


def _record(entry: CatalogueEntry, decision: Decision | None, checked: datetime | None) -> dict:
    audit = entry.audit
    return {
        "solution": {
            "slug": entry.slug,
            "name": entry.name,
            "organization": entry.organization_name,
            "url": public_url("catalogue.solution", slug=entry.slug),
        },
        "approval": {
            "outcome": entry.outcome,
            "decided_at": iso(entry.decided_at, seconds_utc=True),
            "valid_until": iso(entry.valid_until),
            "verification_code": entry.verification_code,
            "verification_url": public_url("catalogue.verify", code=entry.verification_code),
            "credential_url": public_url(
                "catalogue.approval_credential_json", code=entry.verification_code
            ),
        },
        "framework_version": audit.framework_version.version,
        "overall_score": entry.overall_score,
        "domains": [
            {"code": d["code"], "name": d["name"], "score": d["score"]} for d in entry.domains
        ],
        "criteria": _criteria(audit),
        "declarations": _declarations(audit.declarations),
        "conditions": _conditions(decision),
        "last_automated_check": iso(checked, seconds_utc=True),
    }


def json_schema() -> dict:
    """The JSON Schema (2020-12) of a transparency record, from the API's schema."""
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)  # nested inline
    APISpec("transparency", "1", "3.1.0", plugins=[plugin])
    schema = plugin.converter.schema2jsonschema(TransparencyOut)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Transparence d'un agrément (cadre de confiance)",
        **schema,
    }


def declaration_rows(declarations: dict | None) -> list[tuple[str, str]]:
    """(label, value) of each frozen declaration, as the page shows them."""
    if declarations is None:
        return []
    yes_no = {True: gettext("Yes"), False: gettext("No")}
    pricing = {p.value: str(p.label) for p in Pricing}
    country = declarations.get("hosting_country")
    return [
        (
            gettext("Hosting country"),
            f"{country_name(country)} ({country})" if country else gettext("Not declared"),
        ),
        (
            gettext("Hosting provider"),
            declarations.get("hosting_provider") or gettext("Not declared"),
        ),
        (
            gettext("Processes personal data"),
            yes_no[bool(declarations.get("processes_personal_data"))],
        ),
        (gettext("Uses artificial intelligence"), yes_no[bool(declarations.get("uses_ai"))]),
        (gettext("GAR compatible"), yes_no[bool(declarations.get("gar_compatible"))]),
        (
            gettext("Pricing"),
            pricing.get(declarations.get("pricing"), declarations.get("pricing") or ""),
        ),
        (gettext("Version audited"), declarations.get("version") or gettext("Not declared")),
    ]
