"""Every rule of solutions and audits: pages and the API call these functions only.

Each operation takes the acting user, the objects concerned and values already validated by
a form or a schema; it checks the actor's right (403 for a role that may never act, 404 for
an object they may not see) and the state (409), writes, records the history and queues the
emails, and leaves the commit to the end of the request. Errors are ``core.errors`` domain
errors (and ``storage.UploadRefused`` for files).
"""

from accelerator.audits.operations.changes import (
    accept_public_texts,
    current_approval,
    decide_change,
    declare_change,
    open_change,
    refuse_public_texts,
)
from accelerator.audits.operations.common import lock_audit, record_event
from accelerator.audits.operations.conditions import (
    follow_up_conditions,
    judge_condition,
    submit_condition_evidence,
)
from accelerator.audits.operations.preparation import (
    add_evidence,
    answer_criterion,
    evidence_file,
    remove_evidence,
    renew_audit,
    start_audit,
)
from accelerator.audits.operations.review import (
    assign_expert,
    complete_scoring,
    consolidate_criterion,
    declare_conflict,
    expert_workload,
    has_conflict,
    missing_scores,
    record_score,
)
from accelerator.audits.operations.solutions import (
    create_solution,
    set_solution_logo,
    slugify,
    update_solution,
)
from accelerator.audits.operations.workflow import (
    add_months,
    apply_transition,
    available_actions,
    decide_audit,
    expiry_reminders_due,
    reinstate_approval,
    role_may,
    send_expiry_reminders,
    suspend_approval,
)

__all__ = [
    "follow_up_conditions",
    "judge_condition",
    "submit_condition_evidence",
    "accept_public_texts",
    "current_approval",
    "decide_change",
    "declare_change",
    "open_change",
    "refuse_public_texts",
    "add_evidence",
    "remove_evidence",
    "add_months",
    "answer_criterion",
    "apply_transition",
    "assign_expert",
    "available_actions",
    "complete_scoring",
    "consolidate_criterion",
    "create_solution",
    "decide_audit",
    "declare_conflict",
    "evidence_file",
    "expert_workload",
    "expiry_reminders_due",
    "has_conflict",
    "lock_audit",
    "missing_scores",
    "record_event",
    "record_score",
    "reinstate_approval",
    "renew_audit",
    "role_may",
    "send_expiry_reminders",
    "set_solution_logo",
    "slugify",
    "start_audit",
    "suspend_approval",
    "update_solution",
]
