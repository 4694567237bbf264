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

COMPANY = "company"
MANAGER = "manager"
ASSIGNED_EXPERT = "assigned_expert"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[AuditStatus, ...]
    #: the target; None when the operation computes it (decide, reinstate)
    target: AuditStatus | None
    actors: tuple[str, ...]
    #: name of the guard the operation checks; None when there is none
    guard: str | None = None
    #: the comment is required
    needs_comment: bool = False


S = AuditStatus
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", (S.draft,), S.submitted, (COMPANY,), "self_assessment_complete"),
        Transition(
            "withdraw",
            (S.draft, S.submitted, S.in_review, S.info_requested),
            S.withdrawn,
            (COMPANY,),
        ),
        Transition(
            "declare_inadmissible",
            (S.submitted,),
            S.inadmissible,
            (MANAGER,),
            needs_comment=True,
        ),
        Transition("admit", (S.submitted,), S.in_review, (MANAGER,), "two_experts_assigned"),
        Transition(
            "request_info",
            (S.in_review,),
            S.info_requested,
            (ASSIGNED_EXPERT, MANAGER),
            needs_comment=True,
        ),
        Transition("respond", (S.info_requested,), S.in_review, (COMPANY,), needs_comment=True),
        Transition(
            "send_to_committee", (S.in_review,), S.committee, (MANAGER,), "scoring_complete"
        ),
        Transition("decide", (S.committee,), None, (MANAGER,), "decision_allowed"),
        Transition(
            "suspend",
            (S.approved, S.approved_with_conditions),
            S.suspended,
            (MANAGER,),
            needs_comment=True,
        ),
        Transition("reinstate", (S.suspended,), None, (MANAGER,)),
        # The appeal, which no comparable programme offers: once, within two months.
        Transition(
            "appeal", (S.rejected,), S.appealed, (COMPANY,), "appeal_allowed", needs_comment=True
        ),
        Transition("reopen", (S.appealed,), S.committee, (MANAGER,)),
    )
}

DECISION_OUTCOMES = (S.approved, S.approved_with_conditions, S.rejected)


def actions_from(status: AuditStatus) -> list[str]:
    return [t.action for t in TRANSITIONS.values() if status in t.sources]
