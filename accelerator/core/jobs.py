"""Background work: the Celery app built from the Flask config, and the Job rows users follow.

The Celery app follows the Flask documentation's pattern ("Background Tasks with Celery"):
every task runs inside an application context, with its own database session. The broker is
``CELERY_BROKER_URL`` (Redis or RabbitMQ in production; kombu's SQLAlchemy transport on the
instance's SQLite file by default, so ``make run`` needs no other service).

A job is a row (who started it, kind, state, progress, result, error, timestamps). An
operation queues it with ``enqueue_job`` in the request's transaction; the task is sent only
once that transaction commits (nothing is sent for a rolled-back one). The worker runs the
job's handler (``@job_handler(kind)``) and records the result in the same transaction as the
handler's last writes, so a job marked done is a job whose work is committed.

Tasks are acknowledged late and rejected when their worker is lost: a worker killed in the
middle leaves its transaction rolled back, the job still "running"; the message comes back
(or beat re-sends jobs without news, ``redispatch_stale_jobs``) and the next worker runs it
again, up to ``MAX_ATTEMPTS`` times, then marks it failed with its reason.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from celery import Celery, Task, shared_task
from celery.schedules import crontab
from flask import Flask, current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import JSON, ForeignKey, Integer, Select, String, Text, event, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.core.db import UTCDateTime, enum_column, utcnow
from accelerator.core.enums import TitledEnum
from accelerator.core.errors import DomainError
from accelerator.extensions import db

log = logging.getLogger(__name__)

#: A job interrupted this many times (its worker died each time) is marked failed.
MAX_ATTEMPTS = 3
RUN_JOB = "accelerator.run_job"
#: the role (accounts.models.Role, a string enum) that follows every job; core names it by
#: its code, as it imports no domain above it
MANAGER = "manager"


class JobState(TitledEnum):
    queued = "queued", _l("Queued")
    running = "running", _l("Running")
    done = "done", _l("Done")
    failed = "failed", _l("Failed")


FINISHED = (JobState.done, JobState.failed)


class Job(db.Model):
    """A piece of background work that a user follows on its page."""

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what the job does, e.g. attendance_import (the handler's name)
    kind: Mapped[str] = mapped_column(String(50))
    #: who started it (None for scheduled jobs)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[JobState] = mapped_column(
        enum_column(JobState, "job_state", 10), default=JobState.queued, index=True
    )
    #: progress: units done out of ``total`` (None while unknown)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    #: the handler's arguments (JSON)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(JSON)
    #: why the job failed, in the reader's words
    error: Mapped[str | None] = mapped_column(Text)
    #: how many times a worker started it
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: set while queued or running: the same work submitted twice finds this job
    dedupe_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: host:pid of the process running it (a dead one on this host lets another take over)
    runner: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: last news from the worker (progress); beat re-sends jobs without news
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner = relationship("User")

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def percent(self) -> int:
        if self.state == JobState.done:
            return 100
        if not self.total:
            return 0
        return min(100, round(100 * self.done / self.total))

    def can_read(self, user) -> bool:
        """The job's owner and managers follow a job; to anyone else it does not exist."""
        if user is None or not user.is_authenticated:
            return False
        return user.id == self.owner_id or user.role == MANAGER

    @classmethod
    def visible_to(cls, user) -> Select:
        statement = select(cls)
        if user is None or not user.is_authenticated:
            return statement.where(cls.id.is_(None))
        if user.role == MANAGER:
            return statement
        return statement.where(cls.owner_id == user.id)

    def as_dict(self) -> dict:
        """The job as ``GET /api/v1/jobs/{id}`` describes it (API.md, "Background jobs")."""
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state.value,
            "progress": {"done": self.done, "total": self.total},
            "result": self.result,
            "error": self.error,
            "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


def visible_job(user, job_id: int) -> Job:
    """The job if ``user`` may follow it; NotFound otherwise (others' jobs do not exist)."""
    from accelerator.core.errors import NotFound

    job = db.session.get(Job, job_id)
    if job is None or not job.can_read(user):
        raise NotFound(gettext("This job does not exist."))
    return job


# --- the Celery app ---------------------------------------------------------------------


def celery_config(app: Flask) -> dict:
    """Celery settings from the Flask config; ``CELERY`` (a dict) overrides them."""
    config = app.config
    broker = config["CELERY_BROKER_URL"]
    settings = {
        "broker_url": broker,
        "broker_connection_retry_on_startup": True,
        # The job rows are the results.
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": config.get("CELERY_TASK_DEFAULT_QUEUE", "celery"),
        "task_always_eager": config.get("CELERY_TASK_ALWAYS_EAGER", False),
        "task_eager_propagates": True,
        "worker_hijack_root_logger": False,
        "timezone": config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Paris"),
        "beat_schedule_filename": os.path.join(app.instance_path, "celerybeat-schedule"),
    }
    if broker.startswith(("redis", "rediss")):
        # Redis gives an unacknowledged task back after this long: longer than any job.
        settings["broker_transport_options"] = {"visibility_timeout": 4 * 3600}
    settings.update(config.get("CELERY", {}))
    return settings


def beat_schedule() -> dict:
    """The daily duties and the safety net, run by ``celery -A wsgi:celery beat``."""
    return {
        "redispatch-stale-jobs": {"task": "accelerator.redispatch_stale_jobs", "schedule": 60.0},
    } | SCHEDULE


#: Scheduled tasks of the domains (their tasks.py add entries with ``schedule_task``).
SCHEDULE: dict[str, dict] = {}


def schedule_task(name: str, task: str, schedule: float | crontab) -> None:
    """Run ``task`` on ``schedule`` (seconds or a crontab) from beat."""
    SCHEDULE[name] = {"task": task, "schedule": schedule}


def celery_init_app(app: Flask) -> Celery:
    """The Flask documentation's pattern: tasks run in an app context of ``app``."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_config(app))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


# --- queueing: rows first, messages after the commit --------------------------------------

_PENDING = "jobs_to_dispatch"


def enqueue_job(
    owner, kind: str, params: dict, dedupe_key: str | None = None, send: bool = True
) -> Job:
    """Queue a job in the current transaction; its task is sent once it commits (unless
    ``send`` is false: the caller runs it itself with ``run_job_now``).

    With ``dedupe_key``, the same work already queued or running is that job (a file
    submitted twice does not run twice)."""
    if dedupe_key is not None:
        existing = db.session.scalar(select(Job).where(Job.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    job = Job(
        kind=kind,
        owner_id=owner.id if owner is not None else None,
        params=params,
        dedupe_key=dedupe_key,
        state=JobState.queued,
    )
    db.session.add(job)
    db.session.flush()
    if send:
        db.session.info.setdefault(_PENDING, []).append(job.id)
    return job


@event.listens_for(FlaskSession, "after_commit")
def _dispatch_committed_jobs(session) -> None:
    for job_id in session.info.pop(_PENDING, []):
        try:
            dispatch(job_id)
        except Exception:  # the broker is away: the row is kept, beat sends it again
            if current_app.config.get("CELERY_TASK_ALWAYS_EAGER"):
                raise
            log.exception("Job %s could not be sent to the broker; beat will retry", job_id)


@event.listens_for(FlaskSession, "after_rollback")
def _forget_rolled_back_jobs(session) -> None:
    session.info.pop(_PENDING, None)


def dispatch(job_id: int) -> None:
    """Send the job's task to the broker (or run it at once when tasks are eager)."""
    celery_app: Celery = current_app.extensions["celery"]
    celery_app.tasks[RUN_JOB].apply_async(args=[job_id])


# --- running -----------------------------------------------------------------------------

#: kind → handler(job) returning the job's result; registered with ``job_handler``.
HANDLERS: dict[str, Callable[[Job], dict]] = {}
#: kind → the title of its page
TITLES: dict[str, str] = {}


def job_handler(kind: str, title: str) -> Callable:
    """Register the function that does a kind of job.

    The handler may commit intermediate, idempotent steps (and ``report_progress``); its
    last writes are committed together with the job's result."""

    def register(function: Callable[[Job], dict]) -> Callable[[Job], dict]:
        HANDLERS[kind] = function
        TITLES[kind] = title
        return function

    return register


def report_progress(job: Job, done: int, total: int | None = None, commit: bool = False) -> None:
    """Record progress in the current transaction (the handler's next commit shows it), or
    commit it at once (``commit``): a task's staged batches and its progress bar move
    together, and what is staged is idempotent, so a killed worker leaves nothing half-done."""
    job.done = done
    if total is not None:
        job.total = total
    job.updated_at = utcnow()
    if commit:
        db.session.commit()


def _runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _runner_alive(runner: str | None) -> bool:
    """Whether the process named ``runner`` still runs (known only for this host)."""
    if not runner:
        return False
    host, _, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's: only its silence (JOB_STALE_MINUTES) tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lock_job(job_id: int) -> Job | None:
    statement = select(Job).where(Job.id == job_id)
    if db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    return db.session.scalar(statement)


def start_job(job_id: int) -> Job | None:
    """Mark the job running for this process and commit; None when there is nothing to do
    (finished, unknown, or running elsewhere with recent news)."""
    job = _lock_job(job_id)
    if job is None or job.finished:
        db.session.rollback()
        return None
    now = utcnow()
    stale = now - timedelta(minutes=current_app.config["JOB_STALE_MINUTES"])
    elsewhere = job.state == JobState.running and job.runner != _runner()
    if elsewhere and _runner_alive(job.runner) and job.updated_at > stale:
        db.session.rollback()
        return None  # another worker is on it
    if job.attempts >= MAX_ATTEMPTS:
        _finish(
            job,
            JobState.failed,
            error=gettext(
                "The job was interrupted %(count)s times (its worker stopped); it was not "
                "completed and nothing of it was kept.",
                count=job.attempts,
            ),
        )
        db.session.commit()
        return None
    job.state = JobState.running
    job.attempts += 1
    job.runner = _runner()
    job.started_at = job.started_at or now
    job.updated_at = now
    db.session.commit()
    return job


def _finish(job: Job, state: JobState, result: dict | None = None, error: str | None = None):
    now = utcnow()
    job.state = state
    job.result = result
    job.error = error
    job.finished_at = now
    job.updated_at = now
    job.dedupe_key = None  # finished: the same work may be asked for again
    job.runner = None


def run_job_now(job_id: int) -> Job | None:
    """Run a job in this process (the worker's task, and the CLI's foreground mode)."""
    job = start_job(job_id)
    if job is None:
        return db.session.get(Job, job_id)
    handler = HANDLERS[job.kind]
    locale = (job.params or {}).get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        try:
            result = handler(job)
        except OperationalError:
            db.session.rollback()
            raise  # the database went away: the task retries later
        except DomainError as error:
            db.session.rollback()
            job = db.session.get(Job, job_id)
            _finish(job, JobState.failed, error=error.message)
        except Exception:
            db.session.rollback()
            log.exception("Job %s (%s) failed", job_id, job.kind)
            job = db.session.get(Job, job_id)
            _finish(
                job,
                JobState.failed,
                error=gettext("An unexpected error occurred; it has been logged."),
            )
        else:
            _finish(job, JobState.done, result=result)
    db.session.commit()
    return job


@shared_task(
    name=RUN_JOB,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
)
def run_job(self: Task, job_id: int) -> None:
    """Run job ``job_id`` (idempotent: a finished job is left alone)."""
    try:
        run_job_now(job_id)
    except OperationalError as error:
        # Backoff: 10 s, 20 s, 40 s...; the job stays running until a try succeeds.
        raise self.retry(exc=error, countdown=10 * 2**self.request.retries) from error


@shared_task(name="accelerator.redispatch_stale_jobs", acks_late=True)
def redispatch_stale_jobs(minutes: float | None = None) -> int:
    """Send again the jobs queued or running without news for ``minutes`` (their message
    was lost with a broker or a worker); returns how many were sent."""
    if minutes is None:
        minutes = current_app.config["JOB_STALE_MINUTES"]
    before = utcnow() - timedelta(minutes=minutes)
    ids = db.session.scalars(
        select(Job.id).where(
            or_(Job.state == JobState.queued, Job.state == JobState.running),
            Job.updated_at <= before,
        )
    ).all()
    db.session.rollback()
    for job_id in ids:
        dispatch(job_id)
    return len(ids)


def job_url(job: Job, api: bool = False) -> str:
    from flask import url_for

    if api:
        return url_for("api.get_job", job_id=job.id)
    return url_for("core.job_page", job_id=job.id)


def job_summary(job: Job) -> dict[str, Any]:
    """What a 202 answer says of the job it queued."""
    return {"id": job.id, "url": job_url(job, api=True), "state": job.state.value}


# --- /healthz ----------------------------------------------------------------------------


def broker_reachable() -> bool:
    """Whether the task queue's broker answers (jobs wait in their rows while it does not,
    and beat sends them again once it is back)."""
    from accelerator.core.health import PROBE_TIMEOUT

    celery_app: Celery = current_app.extensions["celery"]
    try:
        with celery_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=PROBE_TIMEOUT)
    except Exception as error:  # any transport error means unreachable; never fail the probe
        current_app.logger.warning("Health check: broker unreachable (%s)", error)
        return False
    return True


def _has_broker(app: Flask) -> bool:
    return not app.config.get("CELERY_TASK_ALWAYS_EAGER") and not app.config[
        "CELERY_BROKER_URL"
    ].startswith("memory")


def _register_health_check() -> None:
    from accelerator.core.health import register_check

    register_check("broker", broker_reachable, enabled=_has_broker)


_register_health_check()
