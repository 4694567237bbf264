"""Jobs users follow: who sees them (API and page), what a 202 carries, and the same file
sent twice while its import waits running once."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from accelerator.accounts.models import Role
from accelerator.core.jobs import Job, JobState, run_job_now
from accelerator.extensions import db
from tests.factories import make_user
from tests.training.factories import make_session

HEADER = "email;nom;prenom;academie;uai;situation;session;present;termine"


def import_file(reference: str) -> bytes:
    return f"{HEADER}\na.b@ac-paris.fr;B;A;paris;;;{reference};oui;oui\n".encode()


def send(api, user, content: bytes):
    return api.post(
        "/training/imports",
        user=user,
        data={"file": (io.BytesIO(content), "presences.csv")},
        content_type="multipart/form-data",
    )


@pytest.fixture
def owner():
    return make_user(Role.trainer)


@pytest.fixture
def job_id(api, owner):
    session = make_session(starts_in=timedelta(days=-2))
    response = send(api, owner, import_file(session.reference))
    assert response.status_code == 202
    return response.json["job"]["id"]


def test_a_202_answer_carries_the_job_and_its_url(api, owner):
    session = make_session(starts_in=timedelta(days=-2))
    response = send(api, owner, import_file(session.reference))
    assert response.status_code == 202
    job = response.json["job"]
    assert set(job) == {"id", "url", "state"}
    assert job["url"] == f"/api/v1/jobs/{job['id']}" == response.headers["Location"]
    body = api.get(f"/jobs/{job['id']}", user=owner).json
    assert set(body) == {
        "id",
        "kind",
        "state",
        "progress",
        "result",
        "error",
        "created_at",
        "finished_at",
    }
    assert body["kind"] == "attendance_import" and body["state"] == "done"
    assert body["progress"] == {"done": 2, "total": 2}
    assert body["result"] == {"imported": 1, "unchanged": 0, "errors": []}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        (Role.manager, 200),
        (Role.trainer, 404),  # another trainer
        (Role.admin, 404),
        (Role.teacher, 404),
        (Role.company, 404),
        (None, 401),
    ],
)
def test_only_the_owner_and_managers_see_a_job(api, owner, job_id, who, status):
    user = owner if who == "owner" else (make_user(who) if who else None)
    assert api.get(f"/jobs/{job_id}", user=user).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), (Role.manager, 200), (Role.trainer, 404), (Role.teacher, 404)],
)
def test_the_job_page_and_its_json_follow_the_same_rule(
    client, login_as, owner, job_id, who, status
):
    login_as(owner if who == "owner" else make_user(who))
    page = client.get(f"/taches/{job_id}")
    assert page.status_code == status
    assert client.get(f"/taches/{job_id}.json").status_code == status
    if status == 200:
        html = page.get_data(as_text=True)
        assert "<script>" not in html and "js/job.js" in html


def test_unknown_jobs_answer_404(api, owner):
    assert api.get("/jobs/999999", user=owner).status_code == 404


@pytest.fixture
def queued_only(app):
    """Tasks go to the (in-memory) broker and wait there: no worker runs them."""
    conf = app.extensions["celery"].conf
    conf.task_always_eager = False
    yield
    conf.task_always_eager = True


def test_a_file_sent_twice_while_its_import_waits_runs_once(api, owner, queued_only):
    session = make_session(starts_in=timedelta(days=-2))
    content = import_file(session.reference)
    first = send(api, owner, content).json["job"]
    second = send(api, owner, content).json["job"]
    assert first["id"] == second["id"] and first["state"] == "queued"
    # Another trainer's same file is their own job.
    assert send(api, make_user(Role.trainer), content).json["job"]["id"] != first["id"]

    # Its page shows the bar while it waits.
    job = db.session.get(Job, first["id"])
    assert job.state == JobState.queued
    run_job_now(first["id"])
    db.session.expire_all()
    assert db.session.get(Job, first["id"]).result["imported"] == 1
    # Once finished, the same file is a new job (which changes nothing).
    again = send(api, owner, content).json["job"]
    assert again["id"] != first["id"]
    run_job_now(again["id"])
    db.session.expire_all()
    assert db.session.get(Job, again["id"]).result == {
        "imported": 0,
        "unchanged": 1,
        "errors": [],
    }


def test_the_page_shows_the_progress_bar_of_a_waiting_job(
    client, login_as, api, owner, queued_only
):
    session = make_session(starts_in=timedelta(days=-2))
    job_id = send(api, owner, import_file(session.reference)).json["job"]["id"]
    login_as(owner)
    html = client.get(f"/taches/{job_id}").get_data(as_text=True)
    assert 'class="app-progress"' in html and f'data-job-url="/taches/{job_id}.json"' in html
    assert client.get(f"/taches/{job_id}.json").json["state"] == "queued"
