"""Demo accounts: one per role, with their passwords printed by ``flask seed-demo``."""

from __future__ import annotations

from sqlalchemy import select

from accelerator.accounts.models import (
    Organization,
    OrganizationRole,
    Role,
    TeacherProfile,
    User,
)
from accelerator.accounts.operations import hash_password
from accelerator.core.db import utcnow
from accelerator.core.demo import seeder
from accelerator.extensions import db

DEMO_PASSWORD = "demo-canope-2026"  # noqa: S105  the README's demo password (seed-demo only)

DEMO_ACCOUNTS = [
    ("admin@demo.canope.fr", "Alice Administratrice", Role.admin),
    ("manager@demo.canope.fr", "Marc Pilote", Role.manager),
    ("expert1@demo.canope.fr", "Émilie Experte", Role.expert),
    ("expert2@demo.canope.fr", "Étienne Expert", Role.expert),
    ("trainer@demo.canope.fr", "Théo Formateur", Role.trainer),
    ("company@demo.edtech.fr", "Clara Éditrice", Role.company),
    ("teacher@demo.ac-paris.fr", "Tania Enseignante", Role.teacher),
]


def demo_organization() -> Organization:
    org = db.session.scalar(select(Organization).where(Organization.siren == "732829320"))
    if org is None:
        org = Organization(name="Apprendre Ensemble SAS", siren="732829320", country="FR")
        db.session.add(org)
    return org


@seeder(order=10)
def seed_accounts() -> list[str]:
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    for email, name, role in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                full_name=name,
                role=role,
                password_hash=hash_password(DEMO_PASSWORD),
                email_verified_at=utcnow(),  # demo addresses receive no mail
            )
            db.session.add(user)
            if role == Role.company:
                user.organization = demo_organization()
                user.organization_role = OrganizationRole.owner
            if role == Role.teacher:
                db.session.add(
                    TeacherProfile(
                        email=email,
                        user=user,
                        first_name="Tania",
                        last_name="Enseignante",
                        academy="paris",
                        uai="0750655E",
                        discipline="mathematiques",
                        career_stage="neotitulaire",
                    )
                )
        lines.append(f"  {role.value:<8} {email}")
    return lines
