"""Demo certification: attestations and a few ratings on the completed demo enrolments
(the sessions and enrolments themselves come from training's demo seeder, if any)."""

from __future__ import annotations

from sqlalchemy import select

from accelerator.certification.models import Certificate, Feedback
from accelerator.certification.operations import issue_certificate
from accelerator.core.demo import seeder
from accelerator.extensions import db
from accelerator.training.models import Enrollment

#: Ratings given in turn to the completed demo enrolments that have none (mostly satisfied).
DEMO_RATINGS = [
    (5, "Très concret : j'ai pu l'utiliser dès le lendemain en classe."),
    (4, "Bonne prise en main, un peu court sur les usages en autonomie."),
    (5, ""),
    (3, "Utile, mais j'aurais aimé davantage d'exemples pour le cycle 2."),
]


@seeder(order=60)
def seed_certification() -> list[str]:
    completed = db.session.scalars(
        select(Enrollment).where(Enrollment.completed.is_(True)).order_by(Enrollment.id)
    ).all()
    issued = rated = 0
    for index, enrollment in enumerate(completed):
        if (
            db.session.scalar(
                select(Certificate.id).where(Certificate.enrollment_id == enrollment.id)
            )
            is None
        ):
            issue_certificate(enrollment)
            issued += 1
        if (
            db.session.scalar(select(Feedback.id).where(Feedback.enrollment_id == enrollment.id))
            is None
        ):
            rating, comment = DEMO_RATINGS[index % len(DEMO_RATINGS)]
            db.session.add(Feedback(enrollment=enrollment, rating=rating, comment=comment))
            rated += 1
    if not completed:
        return ["Certification: no completed enrolment yet, nothing to certify."]
    return [f"Certification: {issued} attestations issued, {rated} ratings added."]
