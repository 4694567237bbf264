"""Demo: index the approvals the other domains' seeders created, so ``make run`` shows them."""

from __future__ import annotations

from accelerator.catalogue.operations import rebuild_catalogue
from accelerator.core.demo import seeder


@seeder(order=90)
def seed_catalogue() -> list[str]:
    count = rebuild_catalogue()
    return [f"Catalogue: {count} solution(s) with an approval in force indexed."]


#: Reviews given in turn by the demo teachers who completed a session (mostly positive).
DEMO_REVIEWS = [
    (5, "Mes élèves s'en servent en autonomie dès la deuxième séance."),
    (4, "Très utile pour différencier ; l'export des résultats gagnerait à être plus simple."),
    (3, "Intéressant, mais la prise en main demande du temps en cycle 2."),
]


@seeder(order=91)
def seed_reviews() -> list[str]:
    """A review by each demo teacher with an account who completed a session on a solution
    of the catalogue (rows, then the entries' kept figures; no mail for the demo)."""
    from sqlalchemy import select

    from accelerator.accounts.models import TeacherProfile, User
    from accelerator.catalogue.models import CatalogueEntry
    from accelerator.catalogue.reviews.models import Review
    from accelerator.catalogue.reviews.operations import recount
    from accelerator.extensions import db
    from accelerator.training.models import Enrollment, session_solution

    pairs = db.session.execute(
        select(session_solution.c.solution_id, Enrollment.teacher_id)
        .join(Enrollment, Enrollment.session_id == session_solution.c.session_id)
        .join(TeacherProfile, TeacherProfile.id == Enrollment.teacher_id)
        .join(User, User.id == TeacherProfile.user_id)
        .join(CatalogueEntry, CatalogueEntry.solution_id == session_solution.c.solution_id)
        .where(Enrollment.completed.is_(True), User.email_verified_at.is_not(None))
        .distinct()
        .order_by(session_solution.c.solution_id, Enrollment.teacher_id)
    ).all()
    existing = set(db.session.execute(select(Review.solution_id, Review.teacher_id)).tuples())
    added = 0
    for index, (solution_id, teacher_id) in enumerate(pairs):
        if (solution_id, teacher_id) in existing:
            continue
        rating, comment = DEMO_REVIEWS[index % len(DEMO_REVIEWS)]
        db.session.add(
            Review(solution_id=solution_id, teacher_id=teacher_id, rating=rating, comment=comment)
        )
        added += 1
    db.session.flush()
    for solution_id in {solution_id for solution_id, _ in pairs}:
        recount(solution_id)
    return [f"Catalogue: {added} teachers' review(s) added."]
