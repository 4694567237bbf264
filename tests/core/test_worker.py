"""A real worker (``celery -A wsgi:celery worker`` in a subprocess) runs real jobs: an
import queued by the API, a worker killed with ``kill -9`` in the middle of one, and the
RabbitMQ broker when one answers on this machine."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accelerator.accounts.models import Role, TeacherProfile
from accelerator.core.jobs import JobState, redispatch_stale_jobs
from accelerator.extensions import db
from accelerator.training.models import Enrollment, TrainingSession
from tests.conftest import DATABASE_URL, IS_POSTGRESQL, IsolatedClient
from tests.core.worker import Worker, answers, default_broker
from tests.factories import ApiClient, make_user
from tests.training.factories import make_session

HEADER = "email;nom;prenom;academie;uai;situation;session;present;termine"


def attendance_file(reference: str, lines: int) -> bytes:
    rows = [
        f"prof{i}@ac-lille.fr;Nom{i};Prenom{i};lille;;titulaire;{reference};oui;oui"
        for i in range(lines)
    ]
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def make_worker(tmp_path, broker: str | None = None, **settings) -> Worker:
    database_url = DATABASE_URL if IS_POSTGRESQL else f"sqlite:///{tmp_path / 'work.sqlite3'}"
    worker = Worker(tmp_path, database_url, broker or default_broker(tmp_path), **settings)
    worker.app.test_client_class = IsolatedClient
    if not IS_POSTGRESQL:  # the suite's PostgreSQL database is migrated already
        worker.migrate()
    return worker


@pytest.fixture
def worker(tmp_path):
    worker = make_worker(tmp_path, IMPORT_BATCH_LINES=500)
    with worker.app.app_context():
        yield worker
        worker.stop()
        db.session.remove()


def queue_import(worker: Worker, lines: int):
    session = make_session(capacity=lines, starts_in=timedelta(days=-7))
    trainer = make_user(Role.trainer)
    db.session.commit()
    api = ApiClient(worker.app.test_client())
    response = api.post(
        "/training/imports",
        user=trainer,
        data={"file": (io.BytesIO(attendance_file(session.reference, lines)), "p.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.json
    return session.id, response.json["job"]


def counts(session_id: int) -> tuple[int, int, int]:
    db.session.expire_all()
    enrolments = db.session.scalar(select(func.count()).select_from(Enrollment))
    teachers = db.session.scalar(select(func.count()).select_from(TeacherProfile))
    registered = db.session.get(TrainingSession, session_id).registered_count
    db.session.rollback()
    return enrolments, teachers, registered


def test_the_worker_runs_an_import_sent_to_the_api_and_its_progress_moves(worker):
    worker.start()
    session_id, job = queue_import(worker, 10_000)
    assert job["state"] == "queued"
    seen = worker.wait(job["id"], lambda j: j.finished)
    final = worker.job(job["id"])
    assert final.state == JobState.done, final.error
    assert final.result == {"imported": 10_000, "unchanged": 0, "errors": []}
    assert counts(session_id) == (10_000, 10_000, 10_000)
    # The bar moved through the file: states seen in order, lines staged growing.
    partial = {done for state, done in seen if state == "running" and 0 < done < 10_000}
    assert partial, seen
    dones = [done for _, done in seen]
    assert dones == sorted(dones)


def test_a_worker_killed_mid_import_leaves_nothing_and_the_job_runs_again(worker):
    worker.start()
    session_id, job = queue_import(worker, 20_000)
    worker.wait(job["id"], lambda j: j.state == JobState.running and j.done > 0)
    worker.kill()
    # Nothing of the import is in the domain tables; the job still says running.
    assert counts(session_id) == (0, 0, 0)
    assert worker.job(job["id"]).state == JobState.running
    db.session.rollback()

    # The message went with the worker (or waits for Redis' visibility timeout): beat's
    # safety net sends the job again, and a new worker takes over from the dead one.
    worker.start()
    assert redispatch_stale_jobs.run(minutes=0) == 1
    worker.wait(job["id"], lambda j: j.finished)
    final = worker.job(job["id"])
    assert final.state == JobState.done, final.error
    assert final.attempts == 2
    assert final.result["imported"] == 20_000 and final.result["errors"] == []
    assert counts(session_id) == (20_000, 20_000, 20_000)


RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"


@pytest.mark.skipif(not answers(RABBITMQ, 5672), reason="no RabbitMQ on 127.0.0.1:5672")
def test_a_job_runs_through_rabbitmq(tmp_path):
    worker = make_worker(tmp_path, broker=RABBITMQ)
    with worker.app.app_context():
        try:
            worker.start()
            session_id, job = queue_import(worker, 10)
            worker.wait(job["id"], lambda j: j.finished)
            assert worker.job(job["id"]).result["imported"] == 10
            assert counts(session_id) == (10, 10, 10)
        finally:
            worker.stop()
            db.session.remove()


@pytest.mark.parametrize(
    ("broker", "state", "status"),
    [
        (None, "ok", "ok"),  # the embedded broker (or Redis when the suite has one)
        ("redis://127.0.0.1:1/0", "unavailable", "degraded"),  # nothing listens on port 1
    ],
)
def test_healthz_reports_the_broker(tmp_path, broker, state, status):
    worker = make_worker(tmp_path, broker=broker)
    with worker.app.app_context():
        response = worker.app.test_client().get("/healthz")
        db.session.remove()
    assert response.status_code == 200
    assert (response.json["broker"], response.json["status"]) == (state, status)


def test_the_worker_sends_the_mail_a_transaction_committed(worker):
    from accelerator.core.mail import MailStatus, OutgoingMail, queue_mail

    worker.start()
    queue_mail(
        "x@exemple.fr", "Objet", "password_reset", user=None, url="http://x", max_age_minutes=5
    )
    db.session.commit()  # the row is committed, then its task goes to the broker
    mail_id = db.session.scalar(select(OutgoingMail.id))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        db.session.expire_all()
        status = db.session.get(OutgoingMail, mail_id).status
        db.session.rollback()
        if status == MailStatus.sent:
            break
        time.sleep(0.1)
    assert status == MailStatus.sent, worker.log.read_text()[-2000:]
