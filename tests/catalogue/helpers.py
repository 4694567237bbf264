"""Build approvals in any state and index them, as the audits operations will."""

from __future__ import annotations

from datetime import date, timedelta

from accelerator.audits.models import Audit, Pricing
from accelerator.audits.states import AuditStatus
from accelerator.catalogue.operations import refresh_catalogue_entry
from accelerator.extensions import db
from tests.audits.factories import make_approved_audit, make_audit, make_solution
from tests.factories import OrganizationFactory


def approve(
    name: str,
    *,
    company: str | None = None,
    outcome: AuditStatus = AuditStatus.approved,
    overall: float = 80.0,
    domain_scores: dict | None = None,
    valid_until: date | None = None,
    decided_on: date | None = None,
    refresh: bool = True,
    **solution_fields,
) -> Audit:
    """A solution with an approval (committed), indexed unless ``refresh`` is False."""
    organization = OrganizationFactory(name=company) if company else None
    solution_fields.setdefault("slug", _slug(name))
    solution_fields.setdefault("pricing", Pricing.free)
    solution = make_solution(organization, name=name, **solution_fields)
    audit = make_approved_audit(
        solution,
        outcome=outcome,
        overall=overall,
        domain_scores=domain_scores,
        valid_until=valid_until or date.today() + timedelta(days=365),
        decided_on=decided_on,
    )
    if refresh:
        refresh_catalogue_entry(solution.id)
    db.session.commit()
    return audit


def audit_in(status: AuditStatus, name: str) -> Audit:
    """A solution whose only audit is in ``status`` (no approval)."""
    audit = make_audit(make_solution(name=name, slug=_slug(name)), status=status)
    refresh_catalogue_entry(audit.solution_id)
    db.session.commit()
    return audit


def _slug(name: str) -> str:
    from accelerator.catalogue.search import normalize

    return "-".join(normalize(name).split())
