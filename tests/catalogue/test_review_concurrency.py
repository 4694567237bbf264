"""Reviews under concurrency (PostgreSQL only: SQLite has one writer).

- the same teacher's two reviews in the same second leave one: the second waits for the
  first at the unique (solution, teacher) and answers 409 problem+json, never a 500;
- two teachers reviewing at once: the kept count and average include both (the entry is
  locked before it is recounted);
- two answers of the company at once: one is kept, the other answers 409;
- two managers restoring a hidden review at once: one restore, one row of history, one
  mail; the other answers 409.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select, update

from accelerator.accounts.models import Role
from accelerator.catalogue.models import CatalogueEntry
from accelerator.catalogue.reviews.models import ModerationAction, Review, ReviewModeration
from accelerator.catalogue.reviews.operations import moderate_review
from accelerator.core.db import utcnow
from accelerator.extensions import db
from tests.catalogue.reviews_helpers import company_member, listed, trained_teacher
from tests.concurrency import while_another_transaction
from tests.conftest import IS_POSTGRESQL
from tests.factories import make_user

pytestmark = pytest.mark.skipif(not IS_POSTGRESQL, reason="needs PostgreSQL's concurrency")


def test_two_reviews_by_one_teacher_in_the_same_second_leave_one(app, api):
    solution = listed()
    teacher = trained_teacher(solution)
    headers = api.headers_for(teacher)
    teacher_id = teacher.teacher.id

    def first_review(connection):
        connection.execute(
            insert(Review).values(
                solution_id=solution.id,
                teacher_id=teacher_id,
                rating=2,
                comment="Premier envoi.",
                status="published",
                created_at=utcnow(),
            )
        )

    response = while_another_transaction(
        app,
        first_review,
        lambda: api.post(
            f"/catalogue/{solution.slug}/reviews",
            headers=headers,
            json={"rating": 5, "comment": "Second envoi."},
        ),
    )
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert db.session.scalar(select(func.count(Review.id))) == 1


def test_two_teachers_at_once_are_both_counted(app, api):
    solution = listed()
    first, second = trained_teacher(solution), trained_teacher(solution)
    headers = api.headers_for(second)
    first_id = first.teacher.id

    def first_review_and_its_count(connection):
        connection.execute(
            insert(Review).values(
                solution_id=solution.id,
                teacher_id=first_id,
                rating=1,
                comment="",
                status="published",
                created_at=utcnow(),
            )
        )
        # as ``recount`` does: the entry locked and written with the first review counted
        connection.execute(
            update(CatalogueEntry)
            .where(CatalogueEntry.solution_id == solution.id)
            .values(review_count=1, review_rating=1.0)
        )

    response = while_another_transaction(
        app,
        first_review_and_its_count,
        lambda: api.post(
            f"/catalogue/{solution.slug}/reviews", headers=headers, json={"rating": 5}
        ),
    )
    assert response.status_code == 201
    entry = db.session.scalar(
        select(CatalogueEntry).where(CatalogueEntry.solution_id == solution.id)
    )
    assert (entry.review_count, entry.review_rating) == (2, 3.0)


def test_two_answers_at_once_keep_one(app, api):
    solution = listed()
    teacher = trained_teacher(solution)
    review_id = api.post(
        f"/catalogue/{solution.slug}/reviews", teacher, json={"rating": 4}
    ).get_json()["id"]
    member = company_member(solution)
    headers = api.headers_for(member)
    member_id = member.id

    def first_answer(connection):
        connection.execute(
            update(Review)
            .where(Review.id == review_id)
            .values(answer="Première réponse.", answered_at=utcnow(), answered_by_id=member_id)
        )

    response = while_another_transaction(
        app,
        first_answer,
        lambda: api.post(
            f"/reviews/{review_id}/answer", headers=headers, json={"answer": "Seconde."}
        ),
    )
    assert response.status_code == 409
    assert db.session.get(Review, review_id).answer == "Première réponse."


def test_two_managers_restoring_at_once_restore_once(app, api, outbox):
    solution = listed()
    review_id = api.post(
        f"/catalogue/{solution.slug}/reviews", trained_teacher(solution), json={"rating": 4}
    ).get_json()["id"]
    first, second = make_user(Role.manager), make_user(Role.manager)
    moderate_review(first, review_id, "hide", "Doute.")
    db.session.commit()
    headers = api.headers_for(second)
    first_id = first.id
    outbox.clear()

    def first_restore(connection):
        # as ``restore_review`` does, under the review's lock
        connection.execute(select(Review.id).where(Review.id == review_id).with_for_update()).all()
        connection.execute(update(Review).where(Review.id == review_id).values(status="published"))
        connection.execute(
            insert(ReviewModeration).values(
                review_id=review_id, action="restore", reason="Légitime.", by_id=first_id,
                at=utcnow(),
            )
        )  # fmt: skip

    response = while_another_transaction(
        app,
        first_restore,
        lambda: api.post(
            f"/reviews/{review_id}/restoration", headers=headers, json={"reason": "Aussi."}
        ),
    )
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    actions = db.session.scalars(
        select(ReviewModeration.action).where(ReviewModeration.review_id == review_id)
    ).all()
    assert actions == [ModerationAction.hide, ModerationAction.restore]
    assert outbox == []  # the request that lost mails nobody
