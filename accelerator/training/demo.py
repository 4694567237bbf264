"""Demo training data: sessions on the catalogue's solutions, teachers, and enrolments in
every state (registered, waitlisted, cancelled; present, completed), run by the demo trainer.

Made through the operations (and, for the past session, an attendance import), so the demo
follows the same rules as the service. Idempotent: a session whose title exists is skipped.
"""

from __future__ import annotations

import io
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from accelerator.accounts.models import TeacherProfile, User
from accelerator.audits.models import Solution
from accelerator.audits.queries import solution_ids_in_force
from accelerator.core.db import utcnow
from accelerator.core.demo import seeder
from accelerator.extensions import db
from accelerator.training import operations
from accelerator.training.imports import import_attendance
from accelerator.training.models import Enrollment, SessionFormat, TrainingPath, TrainingSession

TRAINER_EMAIL = "trainer@demo.canope.fr"
TEACHER_EMAIL = "teacher@demo.ac-paris.fr"

#: (first name, last name, académie, UAI, career stage)
DEMO_TEACHERS = [
    ("Inès", "Benali", "paris", "0750655E", "titulaire"),
    ("Hugo", "Lefèvre", "creteil", "0930001W", "stagiaire"),
    ("Léa", "Moreau", "versailles", "0780001C", "neotitulaire"),
    ("Nathan", "Girard", "paris", "0750001U", "titulaire"),
    ("Chloé", "Faure", "creteil", "0940001R", "contractuel"),
    ("Lucas", "Mercier", "versailles", "0910001G", "titulaire"),
    ("Manon", "Blanc", "paris", "0750002V", "neotitulaire"),
    ("Théo", "Garnier", "lyon", "0690001B", "titulaire"),
]


def _email(first: str, last: str, academy: str) -> str:
    plain = (
        f"{first}.{last}".lower()
        .replace("è", "e")
        .replace("é", "e")
        .replace("ï", "i")
        .replace("ô", "o")
    )
    return f"{plain}@ac-{academy}.fr"


def _teachers() -> list[TeacherProfile]:
    teachers = []
    for first, last, academy, uai, stage in DEMO_TEACHERS:
        teacher = operations.teacher_for_email(
            _email(first, last, academy),
            first_name=first,
            last_name=last,
            academy=academy,
            uai=uai,
            career_stage=stage,
        )
        teachers.append(teacher)
    return teachers


def _session(trainer: User, solutions: list[Solution], title: str, **fields) -> TrainingSession:
    starts_at = fields.pop("starts_at")
    hours = fields.pop("hours", 3)
    held = fields.pop("held", False)
    return operations.create_session(
        trainer,
        {
            "title": title,
            "solution_ids": [solution.id for solution in solutions],
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=hours),
            "duration_hours": hours,
            **fields,
        },
        held=held,
    )


@seeder(order=50)
def seed_training() -> list[str]:
    trainer = db.session.scalar(select(User).where(User.email == TRAINER_EMAIL))
    solutions = list(
        db.session.scalars(
            select(Solution).where(Solution.id.in_(solution_ids_in_force())).order_by(Solution.id)
        ).all()
    )
    if trainer is None or not solutions:
        return ["Training: no solution in the catalogue yet, so no demo session."]
    if db.session.scalar(select(TrainingSession.id).where(TrainingSession.created_by == trainer)):
        return ["Training: demo sessions already there."]
    # Mails (waitlist moves, cancellations) are rendered in the reader's language, which
    # needs a request context; in development they go to the log.
    with current_app.test_request_context():
        return _seed(trainer, solutions)


def _seed(trainer: User, solutions: list[Solution]) -> list[str]:
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    demo_teacher = db.session.scalar(
        select(TeacherProfile).where(TeacherProfile.email == TEACHER_EMAIL)
    )
    teachers = _teachers()
    first, *others = solutions

    full = _session(
        trainer,
        [first],
        f"Prendre en main {first.name} en classe",
        format=SessionFormat.in_person,
        starts_at=now + timedelta(days=12, hours=2),
        capacity=3,
        academy="paris",
        location="Atelier Canopé 75 — Paris, 4 rue de la Dauphine",
        in_paf=True,
    )
    crowd = ([demo_teacher] if demo_teacher else []) + teachers[:5]
    for teacher in crowd:
        operations.enroll_teacher(trainer, full, teacher)
    last = db.session.scalar(
        select(Enrollment).where(
            Enrollment.session_id == full.id,
            Enrollment.teacher_id == crowd[-1].id,
        )
    )
    operations.cancel_enrollment(trainer, last)

    remote = _session(
        trainer,
        solutions[:2],
        "Différencier avec le numérique : classe virtuelle",
        format=SessionFormat.remote,
        starts_at=now + timedelta(days=25, hours=5),
        capacity=30,
        academy="creteil",
        location="https://magistere.education.fr/ac-creteil/",
    )
    for teacher in teachers[2:6]:
        operations.enroll_teacher(trainer, remote, teacher)

    past = _session(
        trainer,
        [others[0] if others else first],
        "Atelier de pratique (session passée)",
        format=SessionFormat.hybrid,
        starts_at=now - timedelta(days=14),
        held=True,
        capacity=20,
        academy="versailles",
        location="Lycée Hoche, Versailles",
        in_paf=True,
    )
    rows = ["email;nom;prenom;academie;uai;situation;session;present;termine"]
    attendance = [("oui", "oui"), ("oui", "oui"), ("oui", "non"), ("non", "non")]
    for index, teacher in enumerate(([demo_teacher] if demo_teacher else []) + teachers[:5]):
        present, completed = attendance[index % len(attendance)]
        rows.append(
            f"{teacher.email};{teacher.last_name or ''};{teacher.first_name or ''};"
            f"{teacher.academy or ''};{teacher.uai or ''};{teacher.career_stage or ''};"
            f"{past.reference};{present};{completed}"
        )
    report = import_attendance(trainer, io.BytesIO("\n".join(rows).encode("cp1252")))

    cancelled = _session(
        trainer,
        [first],
        f"{first.name} : usages avancés (annulée)",
        format=SessionFormat.in_person,
        starts_at=now + timedelta(days=40),
        capacity=15,
        academy="lyon",
        location="Atelier Canopé 69 — Lyon",
    )
    operations.enroll_teacher(trainer, cancelled, teachers[7])
    operations.cancel_session(trainer, cancelled)

    return [
        "Training sessions (run by trainer@demo.canope.fr):",
        f"  {full.reference}  full session, 3 places, waitlist and a cancelled enrolment",
        f"  {remote.reference}  remote session with places left",
        f"  {past.reference}  past session, attendance imported ({report.imported} lines)",
        f"  {cancelled.reference}  cancelled session",
    ]


MANAGER_EMAIL = "manager@demo.canope.fr"
DEMO_PATH_TITLE = "Le numérique au service des apprentissages"


@seeder(order=55)
def seed_training_path() -> list[str]:
    """One published training path on the first two solutions of the catalogue: the demo
    teacher completed the past session on the second one, so "Mes parcours" shows 1 of 2."""
    manager = db.session.scalar(select(User).where(User.email == MANAGER_EMAIL))
    solutions = list(
        db.session.scalars(
            select(Solution).where(Solution.id.in_(solution_ids_in_force())).order_by(Solution.id)
        ).all()
    )
    if manager is None or len(solutions) < operations.MIN_MODULES:
        return ["Training paths: fewer than two solutions in the catalogue, so no demo path."]
    if db.session.scalar(select(TrainingPath.id).where(TrainingPath.title == DEMO_PATH_TITLE)):
        return ["Training paths: the demo path is already there."]
    first, second = solutions[:2]
    path = operations.create_path(
        manager,
        {
            "title": DEMO_PATH_TITLE,
            "description": (
                "Deux modules pour intégrer des solutions EdTech labellisées à sa pratique : "
                "une prise en main, puis un atelier de pratique. Chaque module se suit en "
                "présentiel ou à distance, dans l'académie de son choix."
            ),
            "modules": [
                {"solution_id": first.id, "title": f"Prendre en main {first.name}"},
                {"solution_id": second.id, "title": f"Pratiquer avec {second.name}"},
            ],
        },
    )
    operations.publish_path(manager, path)
    return [f"Training path: « {DEMO_PATH_TITLE} » published ({len(path.modules)} modules)."]
