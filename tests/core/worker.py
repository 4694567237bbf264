"""A real Celery worker for the tests: ``celery -A wsgi:celery worker`` in a subprocess, on a
database and a broker it shares with an app of the test process.

The broker is Redis when ``TEST_REDIS_URL`` answers, else the embedded one (kombu's
SQLAlchemy transport on a SQLite file); each run uses a queue of its own, so parallel runs
on a shared Redis do not take each other's tasks. The database is the suite's PostgreSQL when
``TEST_DATABASE_URL`` names one, else a SQLite file.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

from flask_migrate import upgrade

from accelerator import create_app
from accelerator.core.jobs import Job
from accelerator.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def answers(url: str | None, default_port: int) -> bool:
    """Whether something listens at the host and port of ``url``."""
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or default_port), 0.5):
            return True
    except OSError:
        return False


def default_broker(tmp_path: Path) -> str:
    redis_url = os.environ.get("TEST_REDIS_URL")
    if answers(redis_url, 6379):
        return redis_url
    return f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"


class Worker:
    """The app of the test process and the worker subprocess(es) sharing its settings."""

    def __init__(self, tmp_path: Path, database_url: str, broker: str, **settings):
        self.queue = f"test-{uuid.uuid4().hex[:12]}"
        self.settings = {
            "TEST_DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            **{name: str(value) for name, value in settings.items()},
        }
        self.app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=database_url,
            SQLALCHEMY_ENGINE_OPTIONS={},
            UPLOAD_DIR=self.settings["UPLOAD_DIR"],
            CELERY_BROKER_URL=broker,
            CELERY_TASK_DEFAULT_QUEUE=self.queue,
            CELERY_TASK_ALWAYS_EAGER=False,
            WTF_CSRF_ENABLED=False,
            **settings,
        )
        self.log = tmp_path / "worker.log"
        self.process: subprocess.Popen | None = None

    def migrate(self) -> None:
        with self.app.app_context():
            upgrade()

    def start(self) -> subprocess.Popen:
        env = {**os.environ, "APP_ENV": "testing", **self.settings}
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "wsgi:celery",
            "worker",
            "--pool",
            "solo",
            "-Q",
            self.queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        return self.process

    def kill(self) -> None:
        """``kill -9``: no clean shutdown, no message given back."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def job(self, job_id: int) -> Job:
        db.session.expire_all()
        return db.session.get(Job, job_id)

    def wait(self, job_id: int, until, timeout: float = 90) -> list[tuple[str, int]]:
        """Poll the job until ``until(job)``; returns the (state, done) pairs seen."""
        seen: list[tuple[str, int]] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.job(job_id)
            seen.append((job.state.value, job.done))
            db.session.rollback()
            if until(job):
                return seen
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"the worker stopped:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.02)
        raise AssertionError(f"job {job_id} seen as {seen[-3:]}:\n{self.log.read_text()[-3000:]}")
