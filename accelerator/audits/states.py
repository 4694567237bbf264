"""The audit's states and the one table of transitions (API.md, "Solutions and audits").

Each row says which action moves an audit from which states to which state, who may do it
(roles; ``assigned_expert`` means an expert assigned to this audit) and the guard that the
operation checks before applying it (named here, implemented in ``operations``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from accelerator.core.enums import TitledEnum


class AuditStatus(TitledEnum):
    draft = "draft", _l("Draft")
    submitted = "submitted", _l("Submitted")
    in_review = "in_review", _l("In review")
    info_requested = "info_requested", _l("Information requested")
    committee = "committee", _l("Before the committee")
    approved = "approved", _l("Approved")
    approved_with_conditions = "approved_with_conditions", _l("Approved with conditions")
    rejected = "rejected", _l("Rejected")
    appealed = "appealed", _l("Appeal lodged")
    inadmissible = "inadmissible", _l("Inadmissible")
    withdrawn = "withdrawn", _l("Withdrawn")
    suspended = "suspended", _l("Suspended")
    #: not stored: an approval past its validity reads as expired
    expired = "expired", _l("Expired")


#: States in which the audit is still being worked on (one such audit per solution).
OPEN_STATES = (
    AuditStatus.draft,
    AuditStatus.submitted,
    AuditStatus.in_review,
    AuditStatus.info_requested,
    AuditStatus.committee,
    AuditStatus.appealed,
)
APPROVED_STATES = (AuditStatus.approved, AuditStatus.approved_with_conditions)
#: States a company may still edit its self-assessment in.
SELF_ASSESSMENT_STATES = (AuditStatus.draft, AuditStatus.info_requested)
#: States in which a manager may assign experts.
ASSIGNABLE_STATES = (AuditStatus.submitted, AuditStatus.in_review, AuditStatus.info_requested)
#: States in which a manager may settle a divergence.
CONSOLIDATION_STATES = (AuditStatus.in_review, AuditStatus.committee)


class AuditAction(TitledEnum):
    """Every fact the history records (``AuditEvent.action``): the transitions of the table
    below and the steps of the review. ``label`` is the history's title; a transition also
    has the label of its button (``button``) and the subject of its email (``subject``, with
    ``%(solution)s``). The stored codes are those the history has always held."""

    button: str | None
    subject: str | None

    def __new__(cls, value: str, label: str, button: str | None = None, subject=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.button = button
        member.subject = subject
        return member

    # steps of the preparation and the review
    create = "create", _l("Audit started")
    renew = "renew", _l("Renewal started")
    self_assessment = "self_assessment", _l("Self-assessment answer")
    evidence = "evidence", _l("Evidence added")
    evidence_removed = "evidence_removed", _l("Evidence removed")
    assignment = "assignment", _l("Expert assigned")
    #: an expert who declared a conflict of interest after being assigned leaves the audit
    unassignment = "unassignment", _l("Expert withdrawn (conflict of interest)")
    score = "score", _l("Level recorded")
    scoring_complete = "scoring_complete", _l("First pass finished")
    consolidation = "consolidation", _l("Divergence settled")
    expiry_reminder = "expiry_reminder", _l("Expiry reminder sent")
    texts_submitted = "texts_submitted", _l("Public texts edited, awaiting review")
    texts_accepted = "texts_accepted", _l("Public texts accepted")
    texts_refused = "texts_refused", _l("Public texts refused")
    change_declared = "change_declared", _l("Substantial change declared")
    change_decided = "change_decided", _l("Substantial change decided")
    condition_evidence = "condition_evidence", _l("Evidence of a condition submitted")
    condition_judged = "condition_judged", _l("Condition judged")
    condition_reminder = "condition_reminder", _l("Overdue condition: reminder sent")
    condition_suspension_proposed = (
        "condition_suspension_proposed",
        _l("Overdue condition: suspension proposed"),
    )
    #: the monitoring of the solution's site (accelerator/checks) found an eliminatory point
    #: that passed before and fails now (TLS gone or invalid, trackers appearing...)
    site_check_regression = (
        "site_check_regression",
        _l("Automated check: regression on an eliminatory point"),
    )
    # transitions
    submit = (
        "submit",
        _l("Submitted"),
        _l("Submit for audit"),
        _l("Audit submitted: %(solution)s"),
    )
    withdraw = (
        "withdraw",
        _l("Withdrawn"),
        _l("Withdraw the audit"),
        _l("Audit withdrawn: %(solution)s"),
    )
    declare_inadmissible = (
        "declare_inadmissible",
        _l("Declared inadmissible"),
        _l("Declare inadmissible"),
        _l("Audit declared inadmissible: %(solution)s"),
    )
    admit = (
        "admit",
        _l("Admitted"),
        _l("Admit the audit"),
        _l("Audit admitted for review: %(solution)s"),
    )
    request_info = (
        "request_info",
        _l("Question to the company"),
        _l("Ask the company a question"),
        _l("Information requested on the audit of %(solution)s"),
    )
    respond = (
        "respond",
        _l("Answer of the company"),
        _l("Send the answer"),
        _l("The company answered on the audit of %(solution)s"),
    )
    send_to_committee = (
        "send_to_committee",
        _l("Sent to the committee"),
        _l("Send to the committee"),
        _l("Audit sent to the committee: %(solution)s"),
    )
    decide = (
        "decide",
        _l("Committee decision"),
        None,  # the committee page has its own form
        _l("Committee decision on %(solution)s"),
    )
    suspend = (
        "suspend",
        _l("Approval suspended"),
        _l("Suspend the approval"),
        _l("Approval suspended: %(solution)s"),
    )
    reinstate = (
        "reinstate",
        _l("Approval reinstated"),
        _l("Reinstate the approval"),
        _l("Approval reinstated: %(solution)s"),
    )
    appeal = (
        "appeal",
        _l("Appeal lodged"),
        _l("Appeal the decision"),
        _l("Appeal lodged on the audit of %(solution)s"),
    )
    reopen = (
        "reopen",
        _l("Reopened for a second decision"),
        _l("Reopen for a second committee decision"),
        _l("Appeal admitted: %(solution)s goes back to the committee"),
    )


#: actions after which the approval in force may have changed (the catalogue listens)
APPROVAL_ACTIONS = (AuditAction.decide, AuditAction.suspend, AuditAction.reinstate)

COMPANY = "company"
MANAGER = "manager"
ASSIGNED_EXPERT = "assigned_expert"


@dataclass(frozen=True)
class Transition:
    action: AuditAction
    sources: tuple[AuditStatus, ...]
    #: the target; None when the operation computes it (decide, reinstate)
    target: AuditStatus | None
    actors: tuple[str, ...]
    #: name of the guard the operation checks; None when there is none
    guard: str | None = None
    #: the comment is required
    needs_comment: bool = False


S = AuditStatus
A = AuditAction
TRANSITIONS: dict[AuditAction, Transition] = {
    t.action: t
    for t in (
        Transition(A.submit, (S.draft,), S.submitted, (COMPANY,), "self_assessment_complete"),
        Transition(
            A.withdraw,
            (S.draft, S.submitted, S.in_review, S.info_requested),
            S.withdrawn,
            (COMPANY,),
        ),
        Transition(
            A.declare_inadmissible,
            (S.submitted,),
            S.inadmissible,
            (MANAGER,),
            needs_comment=True,
        ),
        Transition(
            A.admit, (S.submitted,), S.in_review, (MANAGER,), "organization_verified_two_experts"
        ),
        Transition(
            A.request_info,
            (S.in_review,),
            S.info_requested,
            (ASSIGNED_EXPERT, MANAGER),
            needs_comment=True,
        ),
        Transition(A.respond, (S.info_requested,), S.in_review, (COMPANY,), needs_comment=True),
        Transition(
            A.send_to_committee, (S.in_review,), S.committee, (MANAGER,), "scoring_complete"
        ),
        Transition(A.decide, (S.committee,), None, (MANAGER,), "decision_allowed"),
        Transition(
            A.suspend,
            (S.approved, S.approved_with_conditions),
            S.suspended,
            (MANAGER,),
            needs_comment=True,
        ),
        Transition(A.reinstate, (S.suspended,), None, (MANAGER,)),
        # The appeal, which no comparable programme offers: once, within two months.
        Transition(
            A.appeal, (S.rejected,), S.appealed, (COMPANY,), "appeal_allowed", needs_comment=True
        ),
        Transition(A.reopen, (S.appealed,), S.committee, (MANAGER,)),
    )
}

DECISION_OUTCOMES = (S.approved, S.approved_with_conditions, S.rejected)
