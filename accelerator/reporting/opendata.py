"""Open data of the committee's decisions (public; published on data.gouv.fr).

One row per committee decision, in force or past (appeals give a second row for the same
audit). Columns, their types and descriptions are ``SCHEMA`` (a Table Schema, the format
data.gouv.fr validates CSV files against, https://specs.frictionlessdata.io/table-schema/):
the JSON and the CSV carry the same columns; in the CSV the domain scores are one column per
domain code (``score_<CODE>``), empty when the framework version has no such domain.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from accelerator.extensions import db
from accelerator.reporting.sources import APPROVED_STATES, Audit, Decision, Solution

LICENSE = "etalab-2.0"

FIELDS: tuple[dict, ...] = (
    {"name": "decision_id", "type": "integer", "description": "Identifiant de la décision"},
    {"name": "solution", "type": "string", "description": "Nom de la solution évaluée"},
    {"name": "solution_slug", "type": "string", "description": "Identifiant de la solution"},
    {"name": "company", "type": "string", "description": "Raison sociale de l'entreprise"},
    {"name": "company_siren", "type": "string", "description": "SIREN de l'entreprise"},
    {"name": "company_country", "type": "string", "description": "Pays (ISO 3166-1 alpha-2)"},
    {
        "name": "outcome",
        "type": "string",
        "description": "Décision : approved, approved_with_conditions ou rejected",
        "constraints": {"enum": ["approved", "approved_with_conditions", "rejected"]},
    },
    {"name": "round", "type": "integer", "description": "1, ou 2 après un recours"},
    {"name": "decided_at", "type": "date", "description": "Date de la décision"},
    {"name": "valid_until", "type": "date", "description": "Fin de validité de l'agrément"},
    {
        "name": "in_force",
        "type": "boolean",
        "description": "Agrément en vigueur aujourd'hui (ni suspendu, ni expiré, ni remplacé)",
    },
    {"name": "framework_version", "type": "string", "description": "Version du cadre"},
    {"name": "overall_score", "type": "number", "description": "Score global (0 à 100)"},
    {
        "name": "domain_scores",
        "type": "object",
        "description": "Score par domaine (code → 0 à 100) ; en CSV, colonnes score_<CODE>",
    },
)

SCHEMA = {
    "name": "decisions-accelerateur-pedagogique",
    "title": "Décisions du comité de l'Accélérateur pédagogique",
    "description": "Décisions du comité sur les solutions EdTech évaluées selon le cadre de "
    "confiance (Réseau Canopé).",
    "license": LICENSE,
    "fields": list(FIELDS),
    "primaryKey": "decision_id",
    "missingValues": [""],
}


def decision_rows(today: date | None = None) -> list[dict]:
    """Every decision, oldest first, as plain values (dates ISO)."""
    today = today or date.today()
    decisions = db.session.scalars(
        select(Decision)
        .options(
            joinedload(Decision.audit).joinedload(Audit.solution).joinedload(Solution.organization),
            joinedload(Decision.audit).joinedload(Audit.framework_version),
        )
        .order_by(Decision.decided_at, Decision.id)
    ).unique()
    rows = []
    for decision in decisions:
        audit = decision.audit
        organization = audit.solution.organization
        latest = audit.decisions[-1].id == decision.id if audit.decisions else True
        in_force = (
            latest
            and decision.outcome in APPROVED_STATES
            and audit.status in APPROVED_STATES
            and audit.valid_until is not None
            and audit.valid_until >= today
        )
        rows.append(
            {
                "decision_id": decision.id,
                "solution": audit.solution.name,
                "solution_slug": audit.solution.slug,
                "company": organization.name,
                "company_siren": organization.siren or "",
                "company_country": organization.country,
                "outcome": decision.outcome.value,
                "round": decision.round,
                "decided_at": decision.decided_at.date().isoformat(),
                "valid_until": decision.valid_until.isoformat() if decision.valid_until else None,
                "in_force": in_force,
                "framework_version": audit.framework_version.version,
                "overall_score": round(decision.overall_score, 1),
                "domain_scores": {
                    code: round(float(score), 1)
                    for code, score in sorted((decision.domain_scores or {}).items())
                },
            }
        )
    return rows


def csv_schema(rows: list[dict]) -> dict:
    """The Table Schema of the CSV: the JSON's fields, ``domain_scores`` spread into one
    number column per domain code present."""
    codes = sorted({code for row in rows for code in row["domain_scores"]})
    fields = [f for f in FIELDS if f["name"] != "domain_scores"] + [
        {
            "name": f"score_{code}",
            "type": "number",
            "description": f"Score du domaine {code} du cadre (0 à 100)",
        }
        for code in codes
    ]
    return {**SCHEMA, "fields": fields}


def csv_table(rows: list[dict]) -> tuple[list[str], list[list]]:
    """Header and rows of the CSV: ``domain_scores`` spread into ``score_<CODE>`` columns."""
    codes = sorted({code for row in rows for code in row["domain_scores"]})
    names = [f["name"] for f in FIELDS if f["name"] != "domain_scores"]
    header = names + [f"score_{code}" for code in codes]
    table = []
    for row in rows:
        values = []
        for name in names:
            value = row[name]
            values.append("true" if value is True else "false" if value is False else value)
        values += [row["domain_scores"].get(code) for code in codes]
        table.append(values)
    return header, table
