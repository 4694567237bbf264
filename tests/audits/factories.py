"""Factories for frameworks, solutions and audits in any state, shared by the test suites
of audits, catalogue, training and reporting."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from accelerator.accounts.models import (
    Organization,
    OrganizationVerification,
    Role,
    VerificationMethod,
)
from accelerator.audits.models import Assignment, Audit, Decision, Pricing, Solution
from accelerator.audits.states import AuditStatus
from accelerator.core.db import utcnow
from accelerator.criteria.models import (
    Criterion,
    Domain,
    Framework,
    FrameworkVersion,
    Level,
    VersionStatus,
)
from accelerator.extensions import db
from tests.factories import OrganizationFactory, UserFactory, make_user

LEVEL_LABELS = ("Non satisfait", "Partiellement satisfait", "Satisfait", "Exemplaire")


def make_framework_version(
    domains: dict | None = None,
    status: VersionStatus = VersionStatus.published,
    version: str = "2026.1",
    thresholds: dict | None = None,
    floors: dict | None = None,
) -> FrameworkVersion:
    """A small framework version. ``domains`` maps a domain code to a list of criterion
    dicts (code, weight, eliminatory, min_level, applies_if, public); a default has two domains.
    ``floors`` maps domain codes to their floor (minimum domain score)."""
    domains = domains or {
        "RGPD": [
            {
                "code": "RGPD-01",
                "eliminatory": True,
                "min_level": 2,
                "applies_if": "processes_personal_data",
            },
            {"code": "RGPD-02", "applies_if": "processes_personal_data"},
        ],
        "PEDA": [{"code": "PEDA-01", "weight": 2}, {"code": "PEDA-02"}],
    }
    framework = db.session.scalar(db.select(Framework).where(Framework.code == "cadre-test"))
    if framework is None:
        framework = Framework(code="cadre-test", name="Cadre de test")
        db.session.add(framework)
    fv = FrameworkVersion(
        framework=framework,
        version=version,
        label=f"Cadre de test {version}",
        status=VersionStatus.draft,  # content is written on a draft, then the status is set
        thresholds=thresholds or {"approve": 75, "approve_with_conditions": 55},
    )
    db.session.add(fv)
    db.session.flush()
    for position, (code, criteria) in enumerate(domains.items()):
        domain = Domain(
            version=fv,
            code=code,
            name=f"Domaine {code}",
            weight=1.0,
            position=position,
            floor=(floors or {}).get(code),
        )
        for index, spec in enumerate(criteria):
            criterion = Criterion(
                domain=domain,
                version_id=fv.id,
                code=spec["code"],
                title=f"Critère {spec['code']}",
                guidance=f"Ce que demande {spec['code']}.",
                evidence_expected="Un document.",
                weight=spec.get("weight", 1.0),
                eliminatory=spec.get("eliminatory", False),
                min_level=spec.get("min_level", 0),
                applies_if=spec.get("applies_if"),
                public=spec.get("public", False),
                position=index,
            )
            criterion.levels = [
                Level(value=value, label=label, descriptor=f"{label} pour {spec['code']}.")
                for value, label in enumerate(LEVEL_LABELS)
            ]
            domain.criteria.append(criterion)
        db.session.add(domain)
    db.session.flush()
    if status != VersionStatus.draft:
        fv.status = status
        fv.published_at = utcnow()
        db.session.flush()
    return fv


def make_solution(organization: Organization | None = None, **fields) -> Solution:
    organization = organization or OrganizationFactory()
    name = fields.pop("name", f"Solution {secrets.token_hex(3)}")
    solution = Solution(
        organization=organization,
        name=name,
        slug=fields.pop("slug", name.lower().replace(" ", "-")),
        summary=fields.pop("summary", f"Résumé de {name}"),
        description=fields.pop("description", f"Description de {name}."),
        subjects=fields.pop("subjects", ["mathematiques"]),
        levels=fields.pop("levels", ["cycle3"]),
        pricing=fields.pop("pricing", Pricing.free),
        **fields,
    )
    db.session.add(solution)
    db.session.flush()
    return solution


def make_audit(
    solution: Solution | None = None,
    status: AuditStatus = AuditStatus.draft,
    version: FrameworkVersion | None = None,
    experts: int = 0,
) -> Audit:
    solution = solution or make_solution()
    version = version or FrameworkVersion.in_force() or make_framework_version()
    audit = Audit(solution=solution, framework_version=version, status=status)
    db.session.add(audit)
    db.session.flush()
    for _ in range(experts):
        db.session.add(Assignment(audit=audit, expert=make_user(Role.expert)))
    db.session.flush()
    return audit


def verify_organization_row(organization: Organization, by=None) -> None:
    """The organization's verification by a manager (``by``, else a new one), as a row, once."""
    if organization.verification is None:
        db.session.add(
            OrganizationVerification(
                organization=organization,
                method=VerificationMethod.sirene,
                comment="Extrait SIRENE consulté.",
                # A factory, not make_user: no commit in the middle of a test's setup.
                verified_by=by or UserFactory(role=Role.manager),
            )
        )
        db.session.flush()


def make_approved_audit(
    solution: Solution | None = None,
    outcome: AuditStatus = AuditStatus.approved,
    valid_until: date | None = None,
    decided_on: date | None = None,
    overall: float = 82.0,
    domain_scores: dict | None = None,
) -> Audit:
    """An audit with a committee decision (approval by default) and its verification code;
    its organization is verified, as it must be for an audit to have been admitted."""
    audit = make_audit(solution, status=outcome)
    verify_organization_row(audit.solution.organization)
    decided_at = (
        utcnow()
        if decided_on is None
        else utcnow().replace(year=decided_on.year, month=decided_on.month, day=decided_on.day)
    )
    valid_until = valid_until or (decided_at.date() + timedelta(days=730))
    decision = Decision(
        audit=audit,
        outcome=outcome,
        motivation="Motivation du comité.",
        valid_until=valid_until if outcome != AuditStatus.rejected else None,
        overall_score=overall,
        domain_scores=domain_scores or {"RGPD": 90.0, "PEDA": 75.0},
        recommendation="approve",
        decided_at=decided_at,
    )
    db.session.add(decision)
    audit.decided_at = decided_at
    if outcome != AuditStatus.rejected:
        audit.valid_until = valid_until
        audit.verification_code = secrets.token_hex(8)
    db.session.flush()
    return audit
