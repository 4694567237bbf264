"""Demo solutions and audits in every state, driven through the operations (so their history
is real), for the demo company and experts of ``accounts.demo``.

Idempotent: a solution whose slug exists is left as it is. Needs a framework version in
force; without one it prints a line and does nothing (run it again after loading criteria).
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select

from accelerator.accounts.models import User
from accelerator.audits import operations
from accelerator.audits.models import Answer, Audit, Pricing, Solution
from accelerator.audits.results import applicable_codes
from accelerator.audits.states import AuditStatus
from accelerator.core.db import utcnow
from accelerator.core.demo import seeder
from accelerator.criteria.models import FrameworkVersion
from accelerator.extensions import db

S = AuditStatus

#: the path of transitions that leads to each state
PATHS: dict[AuditStatus, tuple[str, ...]] = {
    S.draft: (),
    S.submitted: ("answer", "submit"),
    S.withdrawn: ("answer", "submit", "withdraw"),
    S.inadmissible: ("answer", "submit", "declare_inadmissible"),
    S.in_review: ("answer", "submit", "assign", "admit", "score_one"),
    S.info_requested: ("answer", "submit", "assign", "admit", "request_info"),
    S.committee: ("answer", "submit", "assign", "admit", "score", "send_to_committee"),
    S.approved: ("answer", "submit", "assign", "admit", "score", "send_to_committee", "decide"),
    S.approved_with_conditions: (
        *("answer", "submit", "assign", "admit", "score", "send_to_committee", "decide"),
    ),
    S.rejected: ("answer", "submit", "assign", "admit", "score", "send_to_committee", "decide"),
    S.appealed: (
        *("answer", "submit", "assign", "admit", "score", "send_to_committee", "decide"),
        "appeal",
    ),
    S.suspended: (
        *("answer", "submit", "assign", "admit", "score", "send_to_committee", "decide"),
        "suspend",
    ),
}
#: the level both experts give everywhere, by final state (3 approves, 0 rejects)
LEVELS = {S.approved: 3, S.approved_with_conditions: 2, S.rejected: 1, S.appealed: 0}


def verify_for_demo(organization, manager: User) -> None:
    """The demo's and the tests' organizations are verified when their audit is admitted."""
    from accelerator.accounts.models import VerificationMethod
    from accelerator.accounts.organizations import verify_organization

    if not organization.is_verified:
        verify_organization(manager, organization, VerificationMethod.sirene, "Démonstration.")


def drive_audit(
    audit: Audit,
    target: AuditStatus,
    company: User,
    manager: User,
    experts: list[User],
    level: int | None = None,
) -> Audit:
    """Take a draft ``audit`` to ``target`` through the operations (``expired`` is an
    approval taken there; the demo backdates it)."""
    final = S.approved if target == S.expired else target
    level = LEVELS.get(final, 3) if level is None else level
    codes = audit.codes_to_review()
    approving = final in (S.approved, S.approved_with_conditions, S.suspended)
    # An approval needs every eliminatory criterion at its minimum level at least.
    levels = {
        c.code: max(level, c.min_level) if approving else level
        for c in audit.framework_version.criteria()
    }
    for step in PATHS[final]:
        if step == "answer":
            for code in codes:
                operations.answer_criterion(company, audit, code, Answer.yes, "Voir la notice.")
        elif step == "assign":
            for expert in experts:
                operations.assign_expert(manager, audit, expert)
        elif step in ("score", "score_one"):
            for expert in experts if step == "score" else experts[:1]:
                for code in codes:
                    operations.record_score(
                        expert, audit, code, levels[code], "Appréciation fondée sur les pièces."
                    )
                if step == "score":
                    operations.complete_scoring(expert, audit)
        elif step == "admit":
            verify_for_demo(audit.solution.organization, manager)
            operations.apply_transition(manager, audit, "admit", "Commentaire de démonstration.")
        elif step == "decide":
            outcome = {S.suspended: S.approved, S.appealed: S.rejected}.get(final, final)
            operations.decide_audit(
                manager,
                audit,
                outcome,
                "Décision motivée du comité au vu du rapport des experts.",
                conditions=(
                    ["Publier la déclaration d'accessibilité."]
                    if outcome == S.approved_with_conditions
                    else None
                ),
            )
        else:
            actor = {
                "submit": company,
                "withdraw": company,
                "appeal": company,
                "request_info": experts[0],
            }.get(step, manager)
            operations.apply_transition(actor, audit, step, "Commentaire de démonstration.")
    return audit


def _demo_users() -> tuple[User, User, list[User]] | None:
    emails = (
        "company@demo.edtech.fr",
        "manager@demo.canope.fr",
        "expert1@demo.canope.fr",
        "expert2@demo.canope.fr",
    )
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    if len(users) < len(emails):
        return None
    return users[emails[0]], users[emails[1]], [users[emails[2]], users[emails[3]]]


DEMO_STATES = [
    S.draft,
    S.submitted,
    S.in_review,
    S.info_requested,
    S.committee,
    S.approved,
    S.approved_with_conditions,
    S.rejected,
    S.appealed,
    S.withdrawn,
    S.inadmissible,
    S.suspended,
    S.expired,
]
_SUBJECTS = ["mathematiques", "francais", "sciences", "histoire-geographie", "langues-vivantes"]


@seeder(order=30)
def seed_audits() -> list[str]:
    # Outside a request there is no reader's language: the demo speaks French.
    with force_locale("fr"):
        return _seed_audits()


def _seed_audits() -> list[str]:
    version = FrameworkVersion.in_force()
    if version is None:
        return ["Audits: no framework version in force; demo audits skipped."]
    users = _demo_users()
    if users is None:
        return ["Audits: demo accounts missing; demo audits skipped."]
    company, manager, experts = users
    lines = ["Demo audits:"]
    for index, state in enumerate(DEMO_STATES):
        slug = f"demo-{state.value.replace('_', '-')}"
        if db.session.scalar(select(Solution.id).where(Solution.slug == slug)):
            continue
        solution = Solution(
            organization_id=company.organization_id,
            name=f"Démo {state.label}",
            slug=slug,
            summary=f"Une solution de démonstration dont l'audit est « {state.label} ».",
            description="Exercices interactifs, suivi des progrès, tableau de bord enseignant.",
            website="https://demo.edtech.fr",
            subjects=[_SUBJECTS[index % len(_SUBJECTS)]],
            levels=["cycle3", "cycle4"],
            pricing=[Pricing.free, Pricing.freemium, Pricing.paid][index % 3],
            gar_compatible=index % 2 == 0,
        )
        db.session.add(solution)
        db.session.flush()
        audit = operations.start_audit(company, solution)
        if state == S.draft:
            # a self-assessment half done
            for code in applicable_codes(audit)[: max(1, len(applicable_codes(audit)) // 2)]:
                operations.answer_criterion(company, audit, code, Answer.partial, "En cours.")
        else:
            drive_audit(audit, state, company, manager, experts)
        if state == S.expired:
            # an approval decided 25 months ago, past its validity
            past = utcnow() - timedelta(days=760)
            audit.decided_at = past
            audit.latest_decision.decided_at = past
            audit.valid_until = (past + timedelta(days=730)).date()
            audit.latest_decision.valid_until = audit.valid_until
        elif state in (S.approved, S.approved_with_conditions, S.suspended):
            # approved three months ago, so the demo's past training session counts
            earlier = utcnow() - timedelta(days=90)
            audit.decided_at = earlier
            audit.latest_decision.decided_at = earlier
        db.session.flush()
        lines.append(f"  {audit.effective_status().value:<25} {solution.name} (audit {audit.id})")
    return lines
