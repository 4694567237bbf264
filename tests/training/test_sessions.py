"""Sessions: create, list with filters, read, edit, cancel (API and operations)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from accelerator.accounts.models import Role
from accelerator.audits.states import AuditStatus
from accelerator.core.db import utcnow
from accelerator.extensions import db
from accelerator.training.models import EnrollmentStatus, SessionStatus, TrainingSession
from tests.audits.factories import make_approved_audit, make_solution
from tests.factories import make_user
from tests.training.factories import add_enrollment, make_catalogue_solution, make_session


def session_body(solution_ids, **overrides):
    start = (utcnow() + timedelta(days=20)).replace(microsecond=0)
    body = {
        "title": "Découvrir la solution en classe",
        "solution_ids": solution_ids,
        "format": "hybrid",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "duration_hours": 3,
        "capacity": 12,
        "academy": "creteil",
        "location": "Atelier Canopé 93, Bobigny",
        "in_paf": True,
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize("role", [Role.trainer, Role.manager])
def test_trainers_and_managers_create_sessions_with_a_reference(api, role):
    solution = make_catalogue_solution()
    response = api.post(
        "/training/sessions", user=make_user(role), json=session_body([solution.id])
    )
    assert response.status_code == 201, response.json
    body = response.json
    year = date.fromisoformat(body["starts_at"][:10]).year
    assert body["reference"] == f"CANOPE-{year}-{body['id']:04d}"
    assert body["solution_ids"] == [solution.id]
    assert (body["format"], body["capacity"], body["registered_count"]) == ("hybrid", 12, 0)
    assert body["in_paf"] is True and body["status"] == "scheduled"


@pytest.mark.parametrize("role", [Role.teacher, Role.company, Role.expert, Role.admin])
def test_other_roles_may_not_create_sessions(api, role):
    solution = make_catalogue_solution()
    response = api.post(
        "/training/sessions", user=make_user(role), json=session_body([solution.id])
    )
    assert response.status_code == 403
    assert db.session.query(TrainingSession).count() == 0


def test_anonymous_creation_answers_401(api):
    assert api.post("/training/sessions", json=session_body([1])).status_code == 401


@pytest.mark.parametrize(
    "catalogue",
    ["never_audited", "rejected", "expired", "suspended", "unknown"],
)
def test_every_solution_must_be_in_the_catalogue(api, catalogue):
    good = make_catalogue_solution()
    other = make_solution()
    if catalogue == "rejected":
        make_approved_audit(other, outcome=AuditStatus.rejected)
    elif catalogue == "expired":
        make_approved_audit(other, valid_until=date.today() - timedelta(days=1))
    elif catalogue == "suspended":
        make_approved_audit(other).status = AuditStatus.suspended
    db.session.commit()
    other_id = 999_999 if catalogue == "unknown" else other.id
    response = api.post(
        "/training/sessions", user=make_user(Role.trainer), json=session_body([good.id, other_id])
    )
    assert response.status_code == 422
    assert str(other_id) in response.json["errors"]["solution_ids"][0]
    assert db.session.query(TrainingSession).count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"solution_ids": []}, "solution_ids"),
        ({"format": "webinar"}, "format"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "ten"}, "capacity"),
        ({"academy": "atlantis"}, "academy"),
        ({"duration_hours": -1}, "duration_hours"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"title": "   "}, "title"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_invalid_fields_answer_422(api, overrides, field):
    solution = make_catalogue_solution()
    body = {**session_body([solution.id]), **overrides}
    response = api.post("/training/sessions", user=make_user(Role.trainer), json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_a_session_ends_after_it_starts(api):
    solution = make_catalogue_solution()
    body = session_body([solution.id])
    body["ends_at"] = body["starts_at"]
    response = api.post("/training/sessions", user=make_user(Role.trainer), json=body)
    assert response.status_code == 422 and "ends_at" in response.json["errors"]


def test_dates_without_offset_are_paris_time(api):
    solution = make_catalogue_solution()
    body = session_body(
        [solution.id], starts_at="2030-01-15T09:00:00", ends_at="2030-01-15T12:00:00"
    )
    response = api.post("/training/sessions", user=make_user(Role.trainer), json=body)
    assert response.status_code == 201
    assert response.json["starts_at"].startswith("2030-01-15T08:00:00")  # UTC+1 in winter


def test_list_shows_scheduled_sessions_to_come_with_filters(api):
    maths, french = make_catalogue_solution(), make_catalogue_solution()
    soon = make_session([maths], academy="lyon", starts_in=timedelta(days=3))
    later = make_session(
        [maths, french], academy="paris", starts_in=timedelta(days=40), format="remote"
    )
    make_session([maths], starts_in=timedelta(days=-3))  # past
    make_session([maths], status=SessionStatus.cancelled)

    def ids(query=""):
        response = api.get(f"/training/sessions{query}")
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json["items"]]

    assert ids() == [soon.id, later.id]
    assert ids(f"?solution={french.id}") == [later.id]
    assert ids("?academy=lyon") == [soon.id]
    assert ids("?format=remote") == [later.id]
    in_ten_days = (utcnow() + timedelta(days=10)).date().isoformat()
    assert ids(f"?from={in_ten_days}") == [later.id]
    assert ids(f"?to={in_ten_days}") == [soon.id]
    assert ids("?academy=&format=") == [soon.id, later.id]
    page = api.get("/training/sessions?per_page=1&page=2").json
    assert (page["total"], page["page"], [i["id"] for i in page["items"]]) == (2, 2, [later.id])


@pytest.mark.parametrize(
    "query",
    [
        "?academy=atlantis",
        "?format=webinar",
        "?from=yesterday",
        "?to=2026-13-01",
        "?solution=abc",
        "?from=2030-02-01&to=2030-01-01",
        "?per_page=500",
        "?colour=blue",
    ],
)
def test_invalid_filters_answer_422(api, query):
    assert api.get(f"/training/sessions{query}").status_code == 422


def test_a_cancelled_session_stays_readable_but_leaves_the_list(api):
    session = make_session(status=SessionStatus.cancelled)
    response = api.get(f"/training/sessions/{session.id}")
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    assert api.get("/training/sessions").json["total"] == 0
    assert api.get("/training/sessions/987654").status_code == 404


def test_edit_a_session(api):
    session = make_session(capacity=5)
    other = make_catalogue_solution()
    response = api.patch(
        f"/training/sessions/{session.id}",
        user=make_user(Role.manager),
        json={"title": "Nouveau titre", "solution_ids": [other.id], "location": "Lycée Hoche"},
    )
    assert response.status_code == 200, response.json
    assert response.json["title"] == "Nouveau titre"
    assert response.json["solution_ids"] == [other.id]
    assert response.json["capacity"] == 5


def test_capacity_cannot_go_below_the_places_taken(api):
    session = make_session(capacity=3)
    for _ in range(2):
        add_enrollment(session)
    response = api.patch(
        f"/training/sessions/{session.id}", user=make_user(Role.trainer), json={"capacity": 1}
    )
    assert response.status_code == 422 and "capacity" in response.json["errors"]


def test_raising_the_capacity_moves_the_waitlist_up(api, outbox):
    session = make_session(capacity=1)
    add_enrollment(session)
    first = add_enrollment(session, status=EnrollmentStatus.waitlisted)
    second = add_enrollment(session, status=EnrollmentStatus.waitlisted)
    response = api.patch(
        f"/training/sessions/{session.id}", user=make_user(Role.trainer), json={"capacity": 2}
    )
    assert response.status_code == 200 and response.json["registered_count"] == 2
    db.session.expire_all()
    assert first.status == EnrollmentStatus.registered
    assert second.status == EnrollmentStatus.waitlisted
    assert [m["To"] for m in outbox] == [first.teacher.email]


def test_end_before_stored_start_is_refused_on_edit(api):
    session = make_session()
    response = api.patch(
        f"/training/sessions/{session.id}",
        user=make_user(Role.trainer),
        json={"ends_at": (session.starts_at - timedelta(hours=1)).isoformat()},
    )
    assert response.status_code == 422 and "ends_at" in response.json["errors"]


def test_cancel_a_session_tells_the_enrolled_teachers(api, outbox):
    session = make_session(capacity=1)
    registered = add_enrollment(session)
    waiting = add_enrollment(session, status=EnrollmentStatus.waitlisted)
    add_enrollment(session, status=EnrollmentStatus.cancelled)
    trainer = make_user(Role.trainer)
    response = api.post(f"/training/sessions/{session.id}/cancel", user=trainer)
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    assert sorted(m["To"] for m in outbox) == sorted(
        [registered.teacher.email, waiting.teacher.email]
    )
    assert api.post(f"/training/sessions/{session.id}/cancel", user=trainer).status_code == 409
    edit = api.patch(f"/training/sessions/{session.id}", user=trainer, json={"title": "X"})
    assert edit.status_code == 409


@pytest.mark.parametrize("role", [Role.teacher, Role.company])
def test_only_staff_edit_or_cancel(api, role):
    session = make_session()
    user = make_user(role)
    assert api.patch(f"/training/sessions/{session.id}", user=user, json={}).status_code == 403
    assert api.post(f"/training/sessions/{session.id}/cancel", user=user).status_code == 403
