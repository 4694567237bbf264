"""What reporting reads from the domains below it, gathered in one module so that a move in
those domains (training split into training and certification) changes one import here.

``qualifying_pairs`` is the 100,000 counter's rule (French company, approved on the day);
what "French company" means is decided there (``french_company`` switch), not here.
"""

from __future__ import annotations

from accelerator.accounts.models import Organization, TeacherProfile, User
from accelerator.audits.models import Assignment, Audit, AuditEvent, Decision, Score, Solution
from accelerator.audits.queries import approvals_in_force
from accelerator.audits.states import APPROVED_STATES, AuditStatus
from accelerator.certification.models import Feedback, FollowUpAnswer, PathCertificate
from accelerator.certification.progress import qualifying_pairs
from accelerator.core.db import day_of
from accelerator.training.models import (
    Enrollment,
    EnrollmentStatus,
    SessionStatus,
    TrainingSession,
    session_solution,
)

#: Career stages the contract calls "entry into the profession".
NEW_TEACHER_STAGES = ("stagiaire", "neotitulaire")

__all__ = [
    "APPROVED_STATES",
    "NEW_TEACHER_STAGES",
    "Assignment",
    "Audit",
    "AuditEvent",
    "AuditStatus",
    "Decision",
    "Enrollment",
    "EnrollmentStatus",
    "Feedback",
    "FollowUpAnswer",
    "Organization",
    "PathCertificate",
    "Score",
    "SessionStatus",
    "Solution",
    "TeacherProfile",
    "TrainingSession",
    "User",
    "approvals_in_force",
    "day_of",
    "qualifying_pairs",
    "session_solution",
]
