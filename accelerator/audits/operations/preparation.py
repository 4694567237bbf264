"""The company's side before review: starting or renewing an audit, self-assessment,
evidence files."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accelerator.accounts.models import Role, User
from accelerator.audits import storage
from accelerator.audits.models import Answer, Audit, Evidence, SelfAssessment, Solution
from accelerator.audits.operations.common import (
    carried_over_conflict,
    insert_guarded,
    lock_audit,
    record_event,
    require_role,
    require_visible,
    stale_conflict,
)
from accelerator.audits.results import final_levels
from accelerator.audits.states import (
    APPROVED_STATES,
    OPEN_STATES,
    SELF_ASSESSMENT_STATES,
    AuditAction,
    AuditStatus,
)
from accelerator.core.errors import Conflict, Invalid, NotFound
from accelerator.criteria.models import FrameworkVersion
from accelerator.extensions import db


def _require_own_solution(actor: User, solution: Solution) -> None:
    require_role(actor, Role.company)
    if solution.organization_id != actor.organization_id:
        raise NotFound(gettext("Nothing here, or not visible to you."))


def _version_in_force() -> FrameworkVersion:
    version = FrameworkVersion.in_force()
    if version is None:
        raise Conflict(
            gettext("No version of the cadre de confiance is in force: audits cannot start yet.")
        )
    return version


def _open_audit_conflict() -> Conflict:
    return Conflict(
        gettext("This solution already has an audit in progress: finish or withdraw it first.")
    )


def _insert_audit(solution: Solution, version: FrameworkVersion, **fields) -> Audit:
    """Insert a new audit; the partial unique index settles two simultaneous starts.

    Built from ids: a relationship would cascade it into the session before the guarded
    insert.
    """
    audit = Audit(solution_id=solution.id, framework_version_id=version.id, **fields)
    if not insert_guarded(audit):
        raise _open_audit_conflict()
    db.session.expire(solution, ["audits"])  # the list loaded before misses it
    return audit


def start_audit(actor: User, solution: Solution) -> Audit:
    """A draft audit of the company's solution, on the framework version in force."""
    _require_own_solution(actor, solution)
    version = _version_in_force()
    if db.session.scalar(
        select(Audit.id).where(Audit.solution_id == solution.id, Audit.status.in_(OPEN_STATES))
    ):
        raise _open_audit_conflict()
    audit = _insert_audit(solution, version)
    record_event(audit, actor, AuditAction.create, to_status=audit.status)
    return audit


def renew_audit(actor: User, audit: Audit) -> Audit:
    """A new draft audit renewing an approval (in force or expired), on the version in force.

    The new self-assessment is prefilled with the last one's answers whose criterion code
    exists in the new version, and their evidence is attached again (the files are
    content-addressed, so nothing is copied on disk).
    """
    _require_own_solution(actor, audit.solution)
    if audit.status not in APPROVED_STATES:
        raise Conflict(gettext("Only an approval, in force or expired, can be renewed."))
    return _renewal(actor, audit)


def open_reaudit(audit: Audit, domains: list[str], actor: User | None = None) -> Audit:
    """The audit a manager opens for a partial re-audit of ``domains`` after a substantial
    change to the approval ``audit``.

    It is judged on the approval's framework version, so that the levels it carries over
    mean what they meant: every applicable criterion outside ``domains`` keeps the
    approval's final level (``Audit.carried_levels``), and only the rest is answered again,
    scored by the experts and decided by the committee. The company's answers are
    prefilled as in a renewal; the approval stays in force until the committee decides.
    """
    domains = list(domains)
    kept = {
        code: level
        for code, level in final_levels(audit).items()
        if audit.framework_version.criterion(code).domain.code not in domains
    }
    return _renewal(
        actor,
        audit,
        version=audit.framework_version,
        reaudit_domains=domains,
        carried_levels=kept,
    )


def _renewal(
    actor: User | None,
    audit: Audit,
    version: FrameworkVersion | None = None,
    **partial,
) -> Audit:
    version = version or _version_in_force()
    solution = audit.solution
    if db.session.scalar(
        select(Audit.id).where(Audit.solution_id == solution.id, Audit.status.in_(OPEN_STATES))
    ):
        raise _open_audit_conflict()
    new = _insert_audit(solution, version, renewed_from_id=audit.id, **partial)
    codes = {criterion.code for criterion in version.criteria()}
    copies: dict[int, Evidence] = {}

    def copy_of(evidence: Evidence) -> Evidence:
        if evidence.id not in copies:
            copies[evidence.id] = Evidence(
                audit=new,
                filename=evidence.filename,
                content_type=evidence.content_type,
                size=evidence.size,
                sha256=evidence.sha256,
                uploaded_by_id=evidence.uploaded_by_id,
            )
        return copies[evidence.id]

    carried = []
    for answer in audit.answers:
        if answer.criterion_code not in codes:
            continue
        db.session.add(
            SelfAssessment(
                audit=new,
                criterion_code=answer.criterion_code,
                answer=answer.answer,
                comment=answer.comment,
                evidence=[copy_of(evidence) for evidence in answer.evidence],
            )
        )
        carried.append(answer.criterion_code)
    record_event(
        new,
        actor,
        AuditAction.renew,
        to_status=new.status,
        renewed_from=audit.id,
        prefilled=carried,
        **({"reaudit_domains": partial["reaudit_domains"]} if partial else {}),
    )
    db.session.flush()
    return new


def answer_criterion(
    actor: User,
    audit: Audit,
    criterion_code: str,
    answer: Answer | str,
    comment: str = "",
    evidence_ids: list[int] | None = None,
) -> SelfAssessment:
    """Record (or change) the company's answer on one criterion, with its evidence.

    Answers in draft are the company's drafts (the page saves them as it goes): the
    submission is the history's row. Once submitted, an answer that changes (information
    requested) is a row with its old and new values.
    """
    require_role(actor, Role.company)
    require_visible(actor, audit)
    audit = lock_audit(audit)
    if audit.framework_version.criterion(criterion_code) is None:
        raise NotFound(gettext("This criterion is not part of the audit's framework version."))
    if audit.status not in SELF_ASSESSMENT_STATES:
        raise Conflict(
            gettext("The self-assessment can only change in draft or when information is asked.")
        )
    if audit.is_partial_reaudit and criterion_code not in audit.codes_to_review():
        raise carried_over_conflict(audit)
    evidence_ids = list(dict.fromkeys(evidence_ids or []))
    evidence = list(
        db.session.scalars(
            select(Evidence).where(Evidence.audit_id == audit.id, Evidence.id.in_(evidence_ids))
        )
    )
    unknown = sorted(set(evidence_ids) - {e.id for e in evidence})
    if unknown:
        message = gettext("These files are not evidence of this audit: %(ids)s.", ids=unknown)
        raise Invalid(message, {"evidence_ids": [message]})
    row = db.session.scalar(
        select(SelfAssessment).where(
            SelfAssessment.audit_id == audit.id, SelfAssessment.criterion_code == criterion_code
        )
    )
    previous = None if row is None else str(row.answer)
    if row is None:
        row = SelfAssessment(audit=audit, criterion_code=criterion_code, answer=answer)
        db.session.add(row)
    row.answer = answer
    row.comment = comment or ""
    row.evidence = sorted(evidence, key=lambda e: evidence_ids.index(e.id))
    if audit.status != AuditStatus.draft and previous != str(answer):
        record_event(
            audit,
            actor,
            AuditAction.self_assessment,
            criterion=criterion_code,
            answer=str(answer),
            previous_answer=previous,
            evidence_ids=evidence_ids,
        )
    db.session.flush()
    return row


def add_evidence(
    actor: User, audit: Audit, stream: BinaryIO, filename: str | None
) -> tuple[Evidence, bool]:
    """Store an evidence file for the audit; returns (evidence, created).

    The file is checked by its content (``storage``); the same bytes sent twice to one audit
    give back the first evidence (``created`` is False) and are stored once on disk.
    Refusals raise ``storage.UploadRefused`` (413, 415 or 422) and store nothing.
    """
    require_role(actor, Role.company)
    require_visible(actor, audit)
    audit = lock_audit(audit)
    if audit.status not in SELF_ASSESSMENT_STATES:
        raise Conflict(gettext("Evidence can only be added in draft or when information is asked."))
    received = storage.receive(stream)
    existing = db.session.scalar(
        select(Evidence).where(Evidence.audit_id == audit.id, Evidence.sha256 == received.sha256)
    )
    if existing is not None:
        storage.discard(received)
        return existing, False
    evidence = Evidence(
        audit_id=audit.id,
        filename=storage.clean_filename(filename, received.content_type),
        content_type=received.content_type,
        size=received.size,
        sha256=received.sha256,
        uploaded_by_id=actor.id,
    )
    if not insert_guarded(evidence):
        # The same file sent twice at once: the other request stored it.
        storage.discard(received)
        existing = db.session.scalar(
            select(Evidence).where(
                Evidence.audit_id == audit.id, Evidence.sha256 == received.sha256
            )
        )
        if existing is None:
            raise stale_conflict()
        return existing, False
    storage.commit_file(received)
    db.session.expire(audit, ["evidence"])
    record_event(
        audit, actor, AuditAction.evidence, evidence_id=evidence.id, filename=evidence.filename
    )
    return evidence, True


EVIDENCE_FROZEN = _l(
    "The audit is submitted: its evidence is frozen for the review and can no longer be "
    "removed. Withdraw the audit to change it, or answer the experts' questions with new files."
)


def remove_evidence(actor: User, audit: Audit, evidence_id: int) -> Evidence:
    """The company removes one of its draft audit's files.

    Only while the audit is in draft: once submitted, the evidence is what the experts
    review (409). The answers that cited it no longer do; a history row keeps its name. The
    bytes stay in the content-addressed store, which other audits may share.
    """
    require_role(actor, Role.company)
    require_visible(actor, audit)
    evidence = db.session.scalar(
        select(Evidence).where(Evidence.audit_id == audit.id, Evidence.id == evidence_id)
    )
    if evidence is None:
        raise NotFound(gettext("Nothing here, or not visible to you."))
    audit = lock_audit(audit)
    if not audit.can_remove_evidence(actor):
        raise Conflict(str(EVIDENCE_FROZEN))
    filename = evidence.filename
    db.session.delete(evidence)
    db.session.flush()
    db.session.expire(audit, ["evidence", "answers"])
    record_event(
        audit, actor, AuditAction.evidence_removed, evidence_id=evidence_id, filename=filename
    )
    return evidence


def evidence_file(actor: User, audit: Audit, evidence_id: int) -> tuple[Evidence, Path]:
    """(evidence, path on disk) for a download by someone who may read the audit."""
    require_visible(actor, audit)
    evidence = db.session.scalar(
        select(Evidence).where(Evidence.audit_id == audit.id, Evidence.id == evidence_id)
    )
    if evidence is None:
        raise NotFound(gettext("Nothing here, or not visible to you."))
    path = storage.path_for(evidence.sha256)
    if not path.exists():
        raise NotFound(gettext("This file is no longer available."))
    return evidence, path
