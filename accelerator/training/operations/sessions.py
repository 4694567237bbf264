"""Operations on training sessions: create, edit, cancel, and the public list of sessions
(to come by default, past ones or all of them on demand).

Each operation takes validated values (from a form or a schema), checks who acts and the
session's state, writes, and leaves the commit to the end of the request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from accelerator.accounts.models import User
from accelerator.audits.models import Solution
from accelerator.audits.queries import solution_ids_in_force
from accelerator.core.db import utcnow
from accelerator.core.enums import TitledEnum
from accelerator.core.errors import Conflict, Forbidden, Invalid, NotFound
from accelerator.core.mail import queue_mail
from accelerator.extensions import db
from accelerator.training.models import (
    Enrollment,
    EnrollmentStatus,
    SessionFormat,
    SessionStatus,
    TrainingSession,
    runs_sessions,
)
from accelerator.training.operations.places import lock_session, promote_waitlisted

#: Dates typed without a time zone are French local times.
PARIS = ZoneInfo("Europe/Paris")

#: Fields a trainer or manager sets on a session (create and edit).
SESSION_FIELDS = (
    "title",
    "format",
    "starts_at",
    "ends_at",
    "duration_hours",
    "capacity",
    "academy",
    "location",
    "in_paf",
)


class SessionPeriod(TitledEnum):
    """Which sessions the list shows, by their start: not started yet, started, or all."""

    upcoming = "upcoming", _l("Sessions to come")
    past = "past", _l("Past sessions")
    all = "all", _l("All sessions")


@dataclass(frozen=True)
class SessionFilters:
    """What a reader may narrow the list of sessions by (all optional; sessions to come by
    default)."""

    when: SessionPeriod = SessionPeriod.upcoming
    solution_id: int | None = None
    academy: str | None = None
    format: SessionFormat | None = None
    date_from: date | None = None
    date_to: date | None = None


def reference_for(session: TrainingSession) -> str:
    """The public reference that platform exports carry, e.g. ``CANOPE-2026-0042``."""
    return f"CANOPE-{session.starts_at.astimezone(PARIS).year}-{session.id:04d}"


def get_session(user, session_id: int) -> TrainingSession:
    """The session, if ``user`` may see it (404 otherwise, never saying whether it exists)."""
    session = db.session.scalar(
        TrainingSession.visible_to(user).where(TrainingSession.id == session_id)
    )
    if session is None:
        raise NotFound(gettext("This training session does not exist."))
    return session


def _check_manager(actor: User | None, session: TrainingSession | None = None) -> None:
    allowed = session.can_manage(actor) if session is not None else runs_sessions(actor)
    if not allowed:
        raise Forbidden(gettext("Only trainers and managers run training sessions."))


def _catalogue_solutions(solution_ids: list[int]) -> list[Solution]:
    """The solutions named, all of which must be in the catalogue (approval in force today)."""
    wanted = list(dict.fromkeys(solution_ids))
    if not wanted:
        message = gettext("Choose at least one solution of the catalogue.")
        raise Invalid(message, {"solution_ids": [message]})
    in_force = set(db.session.scalars(solution_ids_in_force()).all())
    missing = [str(i) for i in wanted if i not in in_force]
    if missing:
        message = gettext(
            "These solutions are not in the catalogue (no approval in force): %(ids)s.",
            ids=", ".join(missing),
        )
        raise Invalid(message, {"solution_ids": [message]})
    return list(db.session.scalars(select(Solution).where(Solution.id.in_(wanted))).all())


def _check_dates(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        message = gettext("The session must end after it starts.")
        raise Invalid(message, {"ends_at": [message]})


def _to_the_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _check_start_to_come(starts_at: datetime, now: datetime | None = None) -> None:
    """A session is scheduled (or moved) to start later than now, never in the past. Forms
    send minutes: a start in the current minute is still to come."""
    if _to_the_minute(starts_at) < _to_the_minute(now or utcnow()):
        message = gettext("A session cannot start in the past: choose a date and time to come.")
        raise Invalid(message, {"starts_at": [message]})


def moves_start(session: TrainingSession, starts_at: datetime) -> bool:
    """Whether ``starts_at`` moves the session's start (to the minute, as forms send it)."""
    return _to_the_minute(starts_at) != _to_the_minute(session.starts_at)


def create_session(actor: User | None, data: dict, held: bool = False) -> TrainingSession:
    """A scheduled session on catalogue solutions, starting later than now; its reference is
    derived from its id. ``held`` records a session that already took place (the demo
    data's past session); pages and the API never pass it."""
    _check_manager(actor)
    solutions = _catalogue_solutions(data["solution_ids"])
    _check_dates(data["starts_at"], data["ends_at"])
    if not held:
        _check_start_to_come(data["starts_at"])
    session = TrainingSession(
        # A unique placeholder until the id is known (the column is NOT NULL and unique).
        reference=f"PENDING-{secrets.token_hex(8)}",
        registered_count=0,
        status=SessionStatus.scheduled,
        created_by=actor,
        solutions=solutions,
        **{field: data[field] for field in SESSION_FIELDS if field in data},
    )
    session.location = session.location or ""
    session.in_paf = bool(session.in_paf)
    db.session.add(session)
    db.session.flush()
    session.reference = reference_for(session)
    db.session.flush()
    return session


def update_session(actor: User | None, session: TrainingSession, data: dict) -> TrainingSession:
    """Change some fields of a scheduled session.

    The capacity may not go below the places already taken; when it grows, the first
    teachers of the waitlist move up (and are told by email). A new start may not be in the
    past (a session that started keeps its start when other fields change).
    """
    _check_manager(actor, session)
    # Locked first, so that a cancellation or enrolments committed meanwhile are seen.
    locked = lock_session(session.id)
    if locked.is_cancelled:
        raise Conflict(gettext("A cancelled session can no longer be changed."))
    if "solution_ids" in data:
        session.solutions = _catalogue_solutions(data["solution_ids"])
    _check_dates(data.get("starts_at", session.starts_at), data.get("ends_at", session.ends_at))
    if "starts_at" in data and moves_start(session, data["starts_at"]):
        _check_start_to_come(data["starts_at"])
    capacity = data.get("capacity", session.capacity)
    if capacity < locked.registered_count:
        message = gettext(
            "%(count)s teachers already have a place: the capacity cannot be lower.",
            count=locked.registered_count,
        )
        raise Invalid(message, {"capacity": [message]})
    before = _dates_and_place(session)
    for field in SESSION_FIELDS:
        if field in data:
            setattr(session, field, data[field])
    db.session.flush()
    if session.capacity > session.registered_count:
        promote_waitlisted(session)
    _tell_of_changes(session, before)
    return session


def _dates_and_place(session: TrainingSession) -> dict:
    """What enrolled teachers are told of when it changes: the dates (to the minute, as the
    pages show them) and the place."""
    return {
        "starts_at": _to_the_minute(session.starts_at),
        "ends_at": _to_the_minute(session.ends_at),
        "location": session.location or "",
    }


def _tell_of_changes(session: TrainingSession, before: dict) -> None:
    """Email every teacher still enrolled (with a place or waiting) the old and new dates or
    place, when they changed; nothing when they did not."""
    after = _dates_and_place(session)
    dates_changed = (before["starts_at"], before["ends_at"]) != (
        after["starts_at"],
        after["ends_at"],
    )
    place_changed = before["location"] != after["location"]
    if not (dates_changed or place_changed):
        return
    enrolled = db.session.scalars(
        select(Enrollment).where(
            Enrollment.session_id == session.id,
            Enrollment.status != EnrollmentStatus.cancelled,
        )
    ).all()
    for enrollment in enrolled:
        queue_mail(
            enrollment.teacher.email,
            gettext("Training session changed: %(title)s", title=session.title),
            "training_session_changed",
            session=session,
            enrollment=enrollment,
            before=before,
            after=after,
            dates_changed=dates_changed,
            place_changed=place_changed,
        )


def cancel_session(actor: User | None, session: TrainingSession) -> TrainingSession:
    """Cancel a scheduled session and tell every enrolled teacher (registered or waiting)."""
    _check_manager(actor, session)
    if session.is_cancelled:
        raise Conflict(gettext("This session is already cancelled."))
    session.status = SessionStatus.cancelled
    enrolled = db.session.scalars(
        select(Enrollment).where(
            Enrollment.session_id == session.id,
            Enrollment.status != EnrollmentStatus.cancelled,
        )
    ).all()
    for enrollment in enrolled:
        queue_mail(
            enrollment.teacher.email,
            gettext("Training session cancelled: %(title)s", title=session.title),
            "training_session_cancelled",
            session=session,
            teacher=enrollment.teacher,
        )
    db.session.flush()
    return session


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=PARIS)


def sessions_to_come(user, filters: SessionFilters, now: datetime | None = None) -> Select:
    """Scheduled sessions of ``filters.when``: not yet started, soonest first (the default);
    started, latest first; or all of them in date order. ``date_from`` and ``date_to``
    narrow each of them to the sessions starting on those days."""
    now = now or utcnow()
    statement = TrainingSession.visible_to(user).where(
        TrainingSession.status == SessionStatus.scheduled
    )
    if filters.when == SessionPeriod.upcoming:
        statement = statement.where(TrainingSession.starts_at >= now)
    elif filters.when == SessionPeriod.past:
        statement = statement.where(TrainingSession.starts_at < now)
    if filters.date_from:
        statement = statement.where(TrainingSession.starts_at >= day_start(filters.date_from))
    if filters.date_to:
        # Up to the end of that day: before the start of the next one.
        statement = statement.where(
            TrainingSession.starts_at < day_start(filters.date_to + timedelta(days=1))
        )
    if filters.academy:
        statement = statement.where(TrainingSession.academy == filters.academy)
    if filters.format:
        statement = statement.where(TrainingSession.format == filters.format)
    if filters.solution_id:
        statement = statement.where(
            TrainingSession.solutions.any(Solution.id == filters.solution_id)
        )
    if filters.when == SessionPeriod.past:
        return statement.order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc())
    return statement.order_by(TrainingSession.starts_at, TrainingSession.id)


def catalogue_solutions() -> list[Solution]:
    """Catalogue solutions, to offer as a filter and when creating a session."""
    return list(
        db.session.scalars(
            select(Solution).where(Solution.id.in_(solution_ids_in_force())).order_by(Solution.name)
        ).all()
    )
