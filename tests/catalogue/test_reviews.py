"""Verified teacher reviews through the API: who may review, one review per teacher, the
company's one answer, reports and moderation, the kept figures of the catalogue entry, and
the catalogue's sort and filter by the teachers' rating."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from accelerator.accounts.models import Role
from accelerator.catalogue.models import CatalogueEntry
from accelerator.catalogue.operations import refresh_catalogue_entry
from accelerator.catalogue.reviews import operations
from accelerator.core.mail import OutgoingMail
from accelerator.extensions import db
from accelerator.training.models import EnrollmentStatus
from tests.catalogue.reviews_helpers import company_member, listed, trained_teacher
from tests.certification.factories import enroll, make_session, teacher_user
from tests.factories import make_user


def _post_review(api, solution, user, rating=4, comment="Très utile en classe."):
    return api.post(
        f"/catalogue/{solution.slug}/reviews", user, json={"rating": rating, "comment": comment}
    )


def _entry(solution) -> CatalogueEntry:
    db.session.expire_all()
    return db.session.scalar(
        select(CatalogueEntry).where(CatalogueEntry.solution_id == solution.id)
    )


def _listed_rating(api, solution) -> dict:
    [item] = [
        item
        for item in api.get("/catalogue?per_page=100").get_json()["items"]
        if item["slug"] == solution.slug
    ]
    return item["teacher_rating"]


# --- Who may review ----------------------------------------------------------------------------


def _teacher_who(case: str, solution):
    """A teacher in the situation ``case`` describes (see the table below)."""
    if case == "completed":
        return trained_teacher(solution)
    if case == "unverified":
        return trained_teacher(solution, email_verified_at=None)
    user, profile = teacher_user()
    if case == "attended, not completed":
        enroll(profile, make_session([solution]), attended=True, completed=False)
    elif case == "registered, no attendance":
        enroll(profile, make_session([solution]), attended=False, completed=False)
    elif case == "completed another solution":
        enroll(profile, make_session([listed("Autre Solution")]))
    elif case == "cancelled enrolment":
        enroll(
            profile,
            make_session([solution]),
            attended=False,
            completed=False,
            status=EnrollmentStatus.cancelled,
        )
    db.session.commit()
    return user


#: who may review a solution: a verified teacher who completed a session on it, no one else
ELIGIBILITY = [
    ("completed", 201),
    ("unverified", 403),
    ("attended, not completed", 403),
    ("registered, no attendance", 403),
    ("completed another solution", 403),
    ("cancelled enrolment", 403),
    ("never enrolled", 403),
]


@pytest.mark.parametrize(("case", "status"), ELIGIBILITY, ids=[c for c, _ in ELIGIBILITY])
def test_only_a_verified_teacher_who_completed_a_session_reviews(api, case, status):
    solution = listed()
    response = _post_review(api, solution, _teacher_who(case, solution))
    assert response.status_code == status, response.get_json()
    expected = 1 if status == 201 else 0
    assert api.get(f"/catalogue/{solution.slug}/reviews").get_json()["total"] == expected
    if status == 403:
        assert response.content_type == "application/problem+json"


def test_other_roles_may_not_review(api):
    solution = listed()
    for role in (Role.company, Role.trainer, Role.manager):
        assert _post_review(api, solution, make_user(role)).status_code == 403


def test_a_solution_outside_the_catalogue_has_no_reviews(api):
    assert api.get("/catalogue/inconnue/reviews").status_code == 404
    teacher = trained_teacher(listed())
    assert _post_review(api, type("S", (), {"slug": "inconnue"}), teacher).status_code == 404


# --- One review per teacher, edited by its author ----------------------------------------------


def test_a_teacher_reviews_once_and_edits_the_review(api):
    solution = listed()
    teacher = trained_teacher(solution)
    first = _post_review(api, solution, teacher, rating=2)
    assert first.status_code == 201
    review = first.get_json()
    assert review["author"].startswith("Camille M")  # first name and initial only
    assert "@" not in review["author"]

    again = _post_review(api, solution, teacher, rating=5)
    assert again.status_code == 409
    assert _listed_rating(api, solution) == {"count": 1, "average": 2.0}

    edited = api.patch(f"/reviews/{review['id']}", teacher, json={"rating": 5, "comment": "Mieux."})
    assert edited.status_code == 200
    assert edited.get_json()["comment"] == "Mieux."
    assert edited.get_json()["edited_at"] is not None
    assert _listed_rating(api, solution) == {"count": 1, "average": 5.0}


def test_another_teachers_review_answers_404(api):
    solution = listed()
    author, other = trained_teacher(solution), trained_teacher(solution)
    review_id = _post_review(api, solution, author, rating=3).get_json()["id"]
    response = api.patch(f"/reviews/{review_id}", other, json={"rating": 1})
    assert response.status_code == 404
    assert api.get(f"/catalogue/{solution.slug}/reviews").get_json()["items"][0]["rating"] == 3


BAD_BODIES = [
    {"rating": 0},
    {"rating": 6},
    {"rating": "5"},
    {"rating": True},
    {"rating": 4.5},
    {},
    {"rating": 4, "comment": "x" * 2001},
    {"rating": 4, "extra": 1},
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_reviews_are_refused_and_change_nothing(api, outbox, body):
    solution = listed()
    teacher = trained_teacher(solution)
    response = api.post(f"/catalogue/{solution.slug}/reviews", teacher, json=body)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert api.get(f"/catalogue/{solution.slug}/reviews").get_json()["total"] == 0
    assert outbox == []


def test_a_comment_of_2000_characters_is_accepted(api):
    solution = listed()
    response = _post_review(api, solution, trained_teacher(solution), comment="é" * 2000)
    assert response.status_code == 201


# --- Mail -------------------------------------------------------------------------------------


def test_the_company_is_told_of_a_new_review_after_the_commit(api, outbox):
    solution = listed()
    colleague = company_member(solution)
    teacher = trained_teacher(solution)
    assert _post_review(api, solution, teacher, rating=5).status_code == 201
    told = {message["To"] for message in outbox}
    members = {user.email for user in solution.organization.members}
    assert colleague.email in told and told == members
    assert any("5/5" in message.get_content() for message in outbox)
    # A refused review (already written) tells nobody.
    outbox.clear()
    assert _post_review(api, solution, teacher).status_code == 409
    assert outbox == []
    assert db.session.scalar(select(db.func.count(OutgoingMail.id))) == len(members)


# --- The company's one answer --------------------------------------------------------------------


def test_the_company_answers_each_review_once(api, outbox):
    solution = listed()
    member = company_member(solution)
    teacher = trained_teacher(solution)
    review_id = _post_review(api, solution, teacher).get_json()["id"]
    outbox.clear()

    first = api.post(f"/reviews/{review_id}/answer", member, json={"answer": "Merci !"})
    assert first.status_code == 201
    assert first.get_json()["answer"]["text"] == "Merci !"
    assert [message["To"] for message in outbox] == [teacher.email]

    second = api.post(f"/reviews/{review_id}/answer", member, json={"answer": "Autre."})
    assert second.status_code == 409
    [shown] = api.get(f"/catalogue/{solution.slug}/reviews").get_json()["items"]
    assert shown["answer"]["text"] == "Merci !"


def test_another_company_cannot_answer(api):
    solution = listed()
    review_id = _post_review(api, solution, trained_teacher(solution)).get_json()["id"]
    stranger = make_user(Role.company)
    response = api.post(f"/reviews/{review_id}/answer", stranger, json={"answer": "Hop."})
    assert response.status_code == 404
    [shown] = api.get(f"/catalogue/{solution.slug}/reviews").get_json()["items"]
    assert shown["answer"] is None


def test_an_empty_answer_is_refused(api):
    solution = listed()
    review_id = _post_review(api, solution, trained_teacher(solution)).get_json()["id"]
    member = company_member(solution)
    response = api.post(f"/reviews/{review_id}/answer", member, json={"answer": "   "})
    assert response.status_code == 422
    ok = api.post(f"/reviews/{review_id}/answer", member, json={"answer": "Merci."})
    assert ok.status_code == 201  # the refused one did not use up the answer


# --- Reports and moderation -----------------------------------------------------------------------


def _reviews(api, solution, ratings) -> list[int]:
    ids = []
    for rating in ratings:
        response = _post_review(api, solution, trained_teacher(solution), rating=rating)
        ids.append(response.get_json()["id"])
    return ids


def test_a_hidden_review_leaves_the_page_and_the_average(api, outbox):
    solution = listed()
    manager, reader = make_user(Role.manager), make_user(Role.company)
    keep_a, keep_b, rude = _reviews(api, solution, [5, 4, 1])
    assert _listed_rating(api, solution) == {"count": 3, "average": round(10 / 3, 2)}

    report = api.post(f"/reviews/{rude}/reports", reader, json={"reason": "Propos injurieux."})
    assert report.status_code == 201
    [queued] = api.get("/reviews/reported", manager).get_json()["items"]
    assert queued["id"] == rude
    assert queued["pending_reports"][0]["reason"] == "Propos injurieux."
    outbox.clear()

    hidden = api.post(
        f"/reviews/{rude}/moderation", manager, json={"action": "hide", "reason": "Injurieux."}
    )
    assert hidden.status_code == 200
    body = hidden.get_json()
    assert body["status"] == "hidden"
    [history] = body["moderations"]
    assert history["action"] == "hide" and history["reason"] == "Injurieux."
    assert history["by"] == manager.full_name and history["at"]

    assert _listed_rating(api, solution) == {"count": 2, "average": 4.5}
    shown = api.get(f"/catalogue/{solution.slug}/reviews").get_json()
    assert [item["id"] for item in shown["items"]] == [keep_b, keep_a]
    assert api.get("/reviews/reported", manager).get_json()["items"] == []
    # its author is told why; nobody else
    [message] = outbox
    assert "Injurieux." in message.get_content()
    # a hidden review is reported, answered and moderated no more
    assert (
        api.post(f"/reviews/{rude}/reports", reader, json={"reason": "Encore."}).status_code == 404
    )
    owner = company_member(solution)
    answer = api.post(f"/reviews/{rude}/answer", owner, json={"answer": "Non."})
    assert answer.status_code == 404
    again = api.post(f"/reviews/{rude}/moderation", manager, json={"action": "keep"})
    assert again.status_code == 409


def test_keeping_a_review_settles_its_reports_and_is_recorded(api):
    solution = listed()
    manager = make_user(Role.manager)
    [review_id] = _reviews(api, solution, [2])
    for reporter in (make_user(Role.company), make_user(Role.teacher)):
        response = api.post(f"/reviews/{review_id}/reports", reporter, json={"reason": "Faux."})
        assert response.status_code == 201
    kept = api.post(f"/reviews/{review_id}/moderation", manager, json={"action": "keep"})
    assert kept.status_code == 200
    assert kept.get_json()["status"] == "published"
    assert [m["action"] for m in kept.get_json()["moderations"]] == ["keep"]
    assert api.get("/reviews/reported", manager).get_json()["items"] == []
    assert _listed_rating(api, solution) == {"count": 1, "average": 2.0}
    # a new report puts it back in the queue; the history keeps both actions
    later = make_user(Role.expert)
    assert (
        api.post(f"/reviews/{review_id}/reports", later, json={"reason": "Non."}).status_code == 201
    )
    assert len(api.get("/reviews/reported", manager).get_json()["items"]) == 1
    hidden = api.post(
        f"/reviews/{review_id}/moderation", manager, json={"action": "hide", "reason": "Faux."}
    )
    assert [m["action"] for m in hidden.get_json()["moderations"]] == ["keep", "hide"]


def test_hiding_needs_a_reason(api):
    solution = listed()
    [review_id] = _reviews(api, solution, [3])
    manager = make_user(Role.manager)
    response = api.post(f"/reviews/{review_id}/moderation", manager, json={"action": "hide"})
    assert response.status_code == 422
    assert (
        api.post(
            f"/reviews/{review_id}/moderation", manager, json={"action": "erase", "reason": "x"}
        ).status_code
        == 422
    )
    assert _listed_rating(api, solution) == {"count": 1, "average": 3.0}


def test_a_report_is_made_once_per_person_and_never_on_ones_own_review(api):
    solution = listed()
    author = trained_teacher(solution)
    review_id = _post_review(api, solution, author).get_json()["id"]
    reader = make_user(Role.trainer)
    assert (
        api.post(f"/reviews/{review_id}/reports", reader, json={"reason": "A"}).status_code == 201
    )
    assert (
        api.post(f"/reviews/{review_id}/reports", reader, json={"reason": "B"}).status_code == 409
    )
    assert (
        api.post(f"/reviews/{review_id}/reports", author, json={"reason": "C"}).status_code == 409
    )
    assert api.post(f"/reviews/{review_id}/reports", reader, json={"reason": ""}).status_code in (
        409,
        422,
    )
    assert api.post(f"/reviews/{review_id}/reports", json={"reason": "D"}).status_code == 401


def test_a_hidden_review_cannot_be_edited_by_its_author(api):
    solution = listed()
    author = trained_teacher(solution)
    review_id = _post_review(api, solution, author, rating=1).get_json()["id"]
    api.post(
        f"/reviews/{review_id}/moderation",
        make_user(Role.manager),
        json={"action": "hide", "reason": "Hors sujet."},
    )
    response = api.patch(f"/reviews/{review_id}", author, json={"rating": 5})
    assert response.status_code == 409
    assert _listed_rating(api, solution) == {"count": 0, "average": None}


# --- Restoring a hidden review ---------------------------------------------------------------


def _hide(api, manager, review_id, reason="Hors sujet."):
    response = api.post(
        f"/reviews/{review_id}/moderation", manager, json={"action": "hide", "reason": reason}
    )
    assert response.status_code == 200, response.get_json()


def test_a_manager_restores_a_hidden_review(api, outbox):
    solution = listed()
    manager, other_manager = make_user(Role.manager), make_user(Role.manager)
    shown, wronged = _reviews(api, solution, [2, 5])
    author = db.session.get(operations.Review, wronged).teacher.user
    _hide(api, manager, wronged, reason="Signalé à tort ?")
    assert _listed_rating(api, solution) == {"count": 1, "average": 2.0}
    hidden = api.get("/reviews/hidden", manager).get_json()["items"]
    assert [item["id"] for item in hidden] == [wronged]
    outbox.clear()

    restored = api.post(
        f"/reviews/{wronged}/restoration", other_manager, json={"reason": "Avis légitime."}
    )
    assert restored.status_code == 200, restored.get_json()
    body = restored.get_json()
    assert body["status"] == "published"
    assert [(m["action"], m["reason"], m["by"]) for m in body["moderations"]] == [
        ("hide", "Signalé à tort ?", manager.full_name),
        ("restore", "Avis légitime.", other_manager.full_name),
    ]
    # back on the page and in the figures; no longer among the hidden ones
    assert _listed_rating(api, solution) == {"count": 2, "average": 3.5}
    page = api.get(f"/catalogue/{solution.slug}/reviews").get_json()
    assert sorted(item["id"] for item in page["items"]) == sorted([shown, wronged])
    assert api.get("/reviews/hidden", manager).get_json()["items"] == []
    # its author is told, with the reason, and may edit it again
    [message] = outbox
    assert message["To"] == author.email
    assert "Avis légitime." in message.get_content()
    edited = api.patch(f"/reviews/{wronged}", author, json={"rating": 4, "comment": "Précisé."})
    assert edited.status_code == 200
    assert _listed_rating(api, solution) == {"count": 2, "average": 3.0}


def test_restoring_a_shown_review_answers_409_and_changes_nothing(api, outbox):
    solution = listed()
    manager = make_user(Role.manager)
    [review_id] = _reviews(api, solution, [3])
    _hide(api, manager, review_id)
    first = api.post(f"/reviews/{review_id}/restoration", manager, json={"reason": "Légitime."})
    assert first.status_code == 200
    outbox.clear()
    again = api.post(f"/reviews/{review_id}/restoration", manager, json={"reason": "Encore."})
    assert again.status_code == 409
    assert again.content_type == "application/problem+json"
    assert outbox == []
    history = db.session.scalars(
        select(operations.ReviewModeration.action).where(
            operations.ReviewModeration.review_id == review_id
        )
    ).all()
    assert [action.value for action in history] == ["hide", "restore"]
    # a shown review is never restored: the moderation endpoint does not take it either
    assert (
        api.post(
            f"/reviews/{review_id}/moderation", manager, json={"action": "restore", "reason": "x"}
        ).status_code
        == 422
    )
    assert _listed_rating(api, solution) == {"count": 1, "average": 3.0}


@pytest.mark.parametrize(
    "body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 1001}, {"reason": 3}]
)
def test_restoring_needs_a_reason(api, outbox, body):
    solution = listed()
    manager = make_user(Role.manager)
    [review_id] = _reviews(api, solution, [1])
    _hide(api, manager, review_id)
    outbox.clear()
    response = api.post(f"/reviews/{review_id}/restoration", manager, json=body)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "reason" in response.get_json()["errors"]
    assert _listed_rating(api, solution) == {"count": 0, "average": None}
    assert [item["id"] for item in api.get("/reviews/hidden", manager).json["items"]] == [review_id]
    assert outbox == []


def test_only_managers_restore(api):
    solution = listed()
    author = trained_teacher(solution)
    review_id = _post_review(api, solution, author, rating=1).get_json()["id"]
    _hide(api, make_user(Role.manager), review_id)
    owner = company_member(solution)
    for user in (author, owner, make_user(Role.admin)):
        response = api.post(f"/reviews/{review_id}/restoration", user, json={"reason": "Moi."})
        assert response.status_code == 403
    assert api.post("/reviews/999999/restoration", make_user(Role.manager), json={
        "reason": "Absent."
    }).status_code == 404  # fmt: skip
    assert _listed_rating(api, solution) == {"count": 0, "average": None}


# --- The kept figures ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_figures_equal_a_recount(app, seed):
    """Reviews written, edited, hidden and restored in any order: the entry's count and
    average are those of the ratings shown, computed here from what each step did."""
    rng = random.Random(seed)
    solution = listed()
    manager = make_user(Role.manager)
    entry = _entry(solution)
    shown: dict[int, int] = {}  # review id → rating, as the steps leave them
    teachers = [trained_teacher(solution) for _ in range(6)]
    for teacher in teachers:
        review = operations.write_review(teacher, entry, rng.randint(1, 5), "Avis.")
        shown[review.id] = review.rating
        db.session.commit()
    hidden: dict[int, int] = {}  # review id → rating, hidden by a step
    restored = 0
    for step in range(16):
        draw = rng.random()
        if hidden and (draw < 0.25 or not shown or step >= 12):  # the last steps restore
            review_id = rng.choice(sorted(hidden))
            operations.restore_review(manager, review_id, "Légitime.")
            shown[review_id] = hidden.pop(review_id)
            restored += 1
        elif draw < 0.65:
            review_id = rng.choice(sorted(shown))
            rating = rng.randint(1, 5)
            review = db.session.get(operations.Review, review_id)
            operations.edit_review(review.teacher.user, review, rating, "Modifié.")
            shown[review_id] = rating
        else:
            review_id = rng.choice(sorted(shown))
            operations.moderate_review(manager, review_id, "hide", "Hors sujet.")
            hidden[review_id] = shown.pop(review_id)
        db.session.commit()
        entry = _entry(solution)
        assert entry.review_count == len(shown)
        expected = sum(shown.values()) / len(shown) if shown else 0.0
        assert entry.review_rating == pytest.approx(expected)
    assert restored  # the walk restored reviews, and each was counted again
    # a new entry (the approval lapsed, then came back) counts the same reviews again
    kept = (entry.review_count, entry.review_rating)
    audit, valid_until = entry.audit, entry.audit.valid_until
    audit.valid_until = date.today() - timedelta(days=1)
    refresh_catalogue_entry(solution.id)
    db.session.commit()
    assert _entry(solution) is None
    audit.valid_until = valid_until
    refresh_catalogue_entry(solution.id)
    db.session.commit()
    assert (_entry(solution).review_count, _entry(solution).review_rating) == pytest.approx(kept)


# --- Sort and filter by the teachers' rating ------------------------------------------------


@pytest.fixture
def rated(api):
    """Three solutions: rated 4.5 (two reviews), 3 (one review, and one hidden 5), none."""
    manager = make_user(Role.manager)
    best, middle, unrated = listed("Alpha Lecture"), listed("Beta Calcul"), listed("Gamma Vide")
    _reviews(api, best, [5, 4])
    _, hidden = _reviews(api, middle, [3, 5])
    api.post(
        f"/reviews/{hidden}/moderation", manager, json={"action": "hide", "reason": "Doublon."}
    )
    return best, middle, unrated


def _slugs(api, query: str) -> list[str]:
    response = api.get(f"/catalogue?{query}")
    assert response.status_code == 200, response.get_json()
    return [item["slug"] for item in response.get_json()["items"]]


def test_the_catalogue_sorts_by_teachers_rating(api, rated):
    best, middle, unrated = rated
    assert _slugs(api, "sort=rating") == [best.slug, middle.slug, unrated.slug]


MIN_RATINGS = [("1", 2), ("3", 2), ("3.5", 1), ("4.5", 1), ("5", 0)]


@pytest.mark.parametrize(("minimum", "count"), MIN_RATINGS)
def test_the_catalogue_filters_by_minimum_teachers_rating(api, rated, minimum, count):
    best, middle, _ = rated
    assert _slugs(api, f"min_rating={minimum}&sort=rating") == [best.slug, middle.slug][:count]


@pytest.mark.parametrize("minimum", ["0", "6", "abc", "nan"])
def test_a_wrong_minimum_rating_answers_422(api, minimum):
    response = api.get(f"/catalogue?min_rating={minimum}")
    assert response.status_code == 422
    assert "min_rating" in response.get_json()["errors"]


def test_the_catalogue_page_sorts_and_filters_by_rating(client, rated):
    best, middle, unrated = rated
    html = client.get("/catalogue?sort=rating").get_data(as_text=True)
    positions = [html.index(solution.name) for solution in (best, middle, unrated)]
    assert positions == sorted(positions)
    filtered = client.get("/catalogue?min_rating=4").get_data(as_text=True)
    assert best.name in filtered and middle.name not in filtered
    assert client.get("/catalogue?min_rating=9").status_code == 422


def test_the_demo_reviews_come_from_trained_teachers_once(api):
    from accelerator.catalogue.demo import seed_reviews

    solution = listed()
    trained_teacher(solution)
    untrained, _ = teacher_user()
    db.session.commit()
    for _ in range(2):  # idempotent
        seed_reviews()
        db.session.commit()
    assert api.get(f"/catalogue/{solution.slug}/reviews").get_json()["total"] == 1
    assert _listed_rating(api, solution)["count"] == 1
