"""The questionnaires emailed to the teachers after a session they attended.

- **Satisfaction** (the contract's 80 % indicator): once a session (not cancelled) has ended,
  every teacher whose attendance is recorded (present, or completed) gets one email with a
  link to a page asking for a rating from 1 to 5 and a comment. The answer is the session's
  ``Feedback``, the same one "Mes formations" and ``POST /training/sessions/{id}/feedback``
  record (a teacher who already rated is not asked again; answering twice is refused).

- **Follow-up** (the contract's reinvestment indicator): ``follow_up_weeks()`` weeks after
  the session (a setting managers edit with its history on the indicators' settings page;
  reporting provides it with ``use_follow_up_delay``, ``DEFAULT_FOLLOW_UP_WEEKS`` until then),
  the same teachers get one email asking "have you used <solution> in class since the
  training?" (yes or no, a ``FollowUpAnswer``), to compare with the answer they gave at
  enrolment ("do you already use this solution in class?", ``Enrollment.already_uses_in_class``).

The duties (``send_satisfaction_questionnaires``, ``send_follow_up_questionnaires``, run by
Celery beat: ``tasks.py``) are idempotent: each email is recorded as a
``QuestionnaireMailing`` row, unique per (enrolment, kind), inserted with ``INSERT ... ON
CONFLICT DO NOTHING`` in the transaction that queues the mail (``core.mail.queue_mail``, the
outbox). A second run, or two runs at once, find the row and send nothing more; a
rolled-back run leaves neither rows nor mail. Questionnaires due more than ``WINDOW`` ago
are not mailed (attendance recorded a month late, or a deployment on a database full of old
sessions, sends no stale questionnaire).

The link carries a signed token (``itsdangerous``, salted per kind, ``TOKEN_MAX_AGE``) naming
the enrolment, so a teacher answers without signing in (an imported teacher may have no
account yet); a forged or expired token, or a token opened while signed in as somebody else,
answers 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, gettext
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import exists, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from accelerator.accounts.models import TeacherProfile
from accelerator.certification.models import (
    Feedback,
    FollowUpAnswer,
    QuestionnaireKind,
    QuestionnaireMailing,
)
from accelerator.core.db import among, utcnow
from accelerator.core.mail import queue_mail
from accelerator.core.urls import public_url
from accelerator.extensions import db
from accelerator.training.models import (
    Enrollment,
    EnrollmentStatus,
    SessionStatus,
    TrainingSession,
)

#: Questionnaires due longer ago than this are not mailed any more.
WINDOW = timedelta(days=30)
#: Weeks between a session's end and its follow-up questionnaire, before a manager sets it.
DEFAULT_FOLLOW_UP_WEEKS = 6
_follow_up_weeks: list = [lambda: DEFAULT_FOLLOW_UP_WEEKS]


def use_follow_up_delay(provider) -> None:
    """Read the follow-up delay (in weeks) from ``provider()`` (reporting's setting)."""
    _follow_up_weeks[0] = provider


def follow_up_weeks() -> int:
    return int(_follow_up_weeks[0]())


#: How long a questionnaire's link stays valid.
TOKEN_MAX_AGE = int(timedelta(days=180).total_seconds())
#: Rows inserted per statement by the duty.
CHUNK = 500
_SALT = "questionnaire-"


# --- Links ---------------------------------------------------------------------------------


def _serializer(kind: QuestionnaireKind) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT + kind.value)


def token_for(enrollment: Enrollment, kind: QuestionnaireKind) -> str:
    """The signed token of the questionnaire ``kind`` of an enrolment (enrolment and teacher
    ids: a token cannot be moved to another enrolment)."""
    return _serializer(kind).dumps({"e": enrollment.id, "t": enrollment.teacher_id})


def questionnaire_url(enrollment: Enrollment, kind: QuestionnaireKind) -> str:
    return public_url(
        "certification.questionnaire", kind=kind.value, token=token_for(enrollment, kind)
    )


def enrollment_for_token(token: str, kind: QuestionnaireKind, user=None) -> Enrollment | None:
    """The enrolment a questionnaire's link names; None for a bad signature, an expired link,
    an enrolment gone, or a reader signed in as another person than its teacher."""
    try:
        data = _serializer(kind).loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not all(
        isinstance(data.get(key), int) and not isinstance(data.get(key), bool) for key in "et"
    ):
        return None
    enrollment = db.session.scalar(
        select(Enrollment)
        .where(Enrollment.id == data["e"], Enrollment.teacher_id == data["t"])
        .options(
            joinedload(Enrollment.session).selectinload(TrainingSession.solutions),
            joinedload(Enrollment.teacher),
        )
    )
    if enrollment is None or not enrollment.is_active:
        return None
    if user is not None and user.is_authenticated and not enrollment.belongs_to(user):
        return None  # someone else's questionnaire does not exist for this reader
    return enrollment


# --- The duty ------------------------------------------------------------------------------


def attended_enrolments():
    """Enrolments with a place in a session (not cancelled) whose attendance is recorded."""
    return (
        select(Enrollment.id)
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(
            TrainingSession.status != SessionStatus.cancelled,
            Enrollment.status == EnrollmentStatus.registered,
            or_(Enrollment.attended == true(), Enrollment.completed == true()),
        )
    )


def _not_mailed(kind: QuestionnaireKind):
    return ~exists().where(
        QuestionnaireMailing.enrollment_id == Enrollment.id, QuestionnaireMailing.kind == kind
    )


def satisfaction_due(now: datetime):
    """Enrolment ids whose satisfaction questionnaire is due at ``now``: the session ended
    (within ``WINDOW``), the teacher attended, has not rated it and was not mailed."""
    return attended_enrolments().where(
        TrainingSession.ends_at <= now,
        TrainingSession.ends_at > now - WINDOW,
        ~exists().where(Feedback.enrollment_id == Enrollment.id),
        _not_mailed(QuestionnaireKind.satisfaction),
    )


def claim_mailings(enrollment_ids: Iterable[int], kind: QuestionnaireKind) -> list[int]:
    """Record the mailing of ``kind`` for these enrolments; answers the ids this call
    recorded (those another run recorded first are left out: it mails them)."""
    ids = sorted(set(enrollment_ids))
    if not ids:
        return []
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    now = utcnow()
    claimed: list[int] = []
    for start in range(0, len(ids), CHUNK):
        rows = [
            {"enrollment_id": i, "kind": kind, "sent_at": now} for i in ids[start : start + CHUNK]
        ]
        statement = (
            dialect.insert(QuestionnaireMailing)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["enrollment_id", "kind"])
            .returning(QuestionnaireMailing.enrollment_id)
        )
        claimed.extend(db.session.scalars(statement))
    return sorted(claimed)


def _locale(enrollment: Enrollment) -> str:
    user = enrollment.teacher.user
    return (user.locale if user is not None and user.locale else None) or current_app.config[
        "BABEL_DEFAULT_LOCALE"
    ]


def _solutions(session: TrainingSession) -> str:
    return ", ".join(solution.name for solution in session.solutions)


def _mail(enrollment_ids: list[int], kind: QuestionnaireKind, **context) -> None:
    enrollments = db.session.scalars(
        select(Enrollment)
        .where(among(Enrollment.id, enrollment_ids))
        .options(
            joinedload(Enrollment.session).selectinload(TrainingSession.solutions),
            joinedload(Enrollment.teacher).joinedload(TeacherProfile.user),
        )
        .order_by(Enrollment.id)
    ).unique()
    for enrollment in enrollments:
        session = enrollment.session
        with force_locale(_locale(enrollment)):
            subject = SUBJECTS[kind](session)
            queue_mail(
                enrollment.teacher.email,
                subject,
                f"questionnaire_{kind.value}",
                session=session,
                solutions=_solutions(session),
                url=questionnaire_url(enrollment, kind),
                **context,
            )


SUBJECTS = {
    QuestionnaireKind.satisfaction: lambda session: gettext(
        "Your opinion on the training: %(title)s", title=session.title
    ),
    QuestionnaireKind.follow_up: lambda session: gettext(
        "Since the training %(title)s: have you used it in class?", title=session.title
    ),
}


def send_satisfaction_questionnaires(now: datetime | None = None) -> int:
    """Email the satisfaction questionnaire of every enrolment due (see the module); the
    caller commits. Answers how many were sent."""
    now = now or utcnow()
    due = db.session.scalars(satisfaction_due(now)).all()
    claimed = claim_mailings(due, QuestionnaireKind.satisfaction)
    if claimed:
        _mail(claimed, QuestionnaireKind.satisfaction)
    return len(claimed)


def follow_up_due(now: datetime, weeks: int):
    """Enrolment ids whose follow-up questionnaire is due at ``now``: the session ended
    ``weeks`` weeks ago or more (within ``WINDOW`` after that), the teacher attended, has
    not answered it and was not mailed."""
    due_by = now - timedelta(weeks=weeks)
    return attended_enrolments().where(
        TrainingSession.ends_at <= due_by,
        TrainingSession.ends_at > due_by - WINDOW,
        ~exists().where(FollowUpAnswer.enrollment_id == Enrollment.id),
        _not_mailed(QuestionnaireKind.follow_up),
    )


def send_follow_up_questionnaires(now: datetime | None = None, weeks: int | None = None) -> int:
    """Email the follow-up questionnaire of every enrolment due, ``weeks`` (default: the
    setting) after its session; the caller commits. Answers how many were sent."""
    now = now or utcnow()
    weeks = follow_up_weeks() if weeks is None else weeks
    due = db.session.scalars(follow_up_due(now, weeks)).all()
    claimed = claim_mailings(due, QuestionnaireKind.follow_up)
    if claimed:
        _mail(claimed, QuestionnaireKind.follow_up, weeks=weeks)
    return len(claimed)
