"""Every rule of training sessions, enrolments and attendance: pages, the API, the CLI and
the imports call these functions only.

Each operation takes the acting user, the objects concerned and values already validated by
a form or a schema; it checks the actor's right (403 for a role that may never act, 404 for
an object they may not see) and the state (409), writes, queues the emails, and leaves the
commit to the end of the request. Sub-areas: ``places`` (capacity, row lock, waitlist),
``sessions``, ``enrolments``, ``attendance``, ``paths`` (training paths); none imports one above it.
"""

from accelerator.training.operations.attendance import apply_attendance, record_attendance
from accelerator.training.operations.enrolments import (
    already_enrolled_message,
    cancel_enrollment,
    enroll_teacher,
    enrollment_of,
    find_enrollment,
    is_academic_email,
    is_valid_email,
    normalize_email,
    record_prior_use,
    roster,
    teacher_for_email,
    waitlist_rank,
)
from accelerator.training.operations.paths import (
    MAX_MODULES,
    MIN_MODULES,
    create_path,
    delete_path,
    get_path,
    path_progress,
    paths_visible_to,
    publish_path,
    published_paths,
    update_path,
)
from accelerator.training.operations.places import lock_session, promote_waitlisted
from accelerator.training.operations.sessions import (
    PARIS,
    SessionFilters,
    SessionPeriod,
    cancel_session,
    catalogue_solutions,
    create_session,
    get_session,
    reference_for,
    sessions_to_come,
    update_session,
)

__all__ = [
    "MAX_MODULES",
    "MIN_MODULES",
    "create_path",
    "delete_path",
    "get_path",
    "path_progress",
    "paths_visible_to",
    "publish_path",
    "published_paths",
    "update_path",
    "PARIS",
    "SessionFilters",
    "SessionPeriod",
    "already_enrolled_message",
    "apply_attendance",
    "cancel_enrollment",
    "cancel_session",
    "catalogue_solutions",
    "create_session",
    "enroll_teacher",
    "enrollment_of",
    "find_enrollment",
    "get_session",
    "is_academic_email",
    "is_valid_email",
    "lock_session",
    "normalize_email",
    "record_prior_use",
    "promote_waitlisted",
    "record_attendance",
    "reference_for",
    "roster",
    "sessions_to_come",
    "teacher_for_email",
    "update_session",
    "waitlist_rank",
]
