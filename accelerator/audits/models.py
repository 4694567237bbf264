"""Solutions and their audits: self-assessment, evidence, assignments, scores, decisions.

History is append-only (``AuditEvent``): every transition, score change and decision is a
row. Work status (``Audit.status``), the experts' levels (``Score``), settled levels
(``Consolidation``) and the committee's decision (``Decision``) are separate records.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.accounts.models import Organization, Role, User
from accelerator.audits.states import (
    APPROVED_STATES,
    ASSIGNABLE_STATES,
    CONSOLIDATION_STATES,
    OPEN_STATES,
    SELF_ASSESSMENT_STATES,
    AuditAction,
    AuditStatus,
)
from accelerator.core.db import UTCDateTime, enum_column, utcnow
from accelerator.core.enums import TitledEnum
from accelerator.criteria.models import FrameworkVersion
from accelerator.extensions import db

#: roles that read every solution and audit
STAFF = (Role.manager, Role.admin)
#: history rows that carry an expert's levels (blind until one's own first pass is finished)
LEVEL_ACTIONS = (AuditAction.score, AuditAction.scoring_complete)
#: history rows that are not transitions and yet the company reads: news of its approval
#: it has to act on (the monitoring of its site found an eliminatory point regressed)
COMPANY_NOTICES = (AuditAction.site_check_regression,)


class Pricing(TitledEnum):
    free = "free", _l("Free")
    freemium = "freemium", _l("Freemium")
    paid = "paid", _l("Paid")


class Answer(TitledEnum):
    yes = "yes", _l("Yes")
    partial = "partial", _l("Partly")
    no = "no", _l("No")
    not_applicable = "not_applicable", _l("Not applicable")


#: the declarations that decide which criteria apply and what the label says: frozen on the
#: audit at submission, changed after approval only through a substantial change
DECLARATION_FIELDS = (
    "processes_personal_data",
    "gar_compatible",
    "uses_ai",
    "hosting_country",
    "hosting_provider",
    "pricing",
    "product_version",
)
#: what the catalogue shows of a solution; after approval an edit goes live once accepted
PUBLIC_TEXT_FIELDS = ("name", "summary", "description", "website", "logo_name")


def attributes_of(declarations: dict) -> dict[str, object]:
    """Criteria attributes (``applies_if``) from declarations (``Solution.declarations``)."""
    return {
        "processes_personal_data": bool(declarations.get("processes_personal_data")),
        "gar_compatible": bool(declarations.get("gar_compatible")),
        "hosting_country": declarations.get("hosting_country"),
        "paid": declarations.get("pricing", "free") != Pricing.free.value,
        "uses_ai": bool(declarations.get("uses_ai")),
    }


class Solution(db.Model):
    """An EdTech product described by its company."""

    __tablename__ = "solution"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    #: unique, stable, used in public URLs
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(500))
    #: discipline codes (core.reference.DISCIPLINES)
    subjects: Mapped[list] = mapped_column(JSON, default=list)
    #: level codes (core.reference.LEVELS)
    levels: Mapped[list] = mapped_column(JSON, default=list)
    processes_personal_data: Mapped[bool] = mapped_column(default=True)
    #: ISO 3166-1 alpha-2 country where the data is hosted
    hosting_country: Mapped[str] = mapped_column(String(2), default="FR")
    gar_compatible: Mapped[bool] = mapped_column(default=False)
    pricing: Mapped[Pricing] = mapped_column(
        enum_column(Pricing, "pricing", 20), default=Pricing.free
    )
    #: the solution declares artificial intelligence (the AI domain of the framework applies)
    uses_ai: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: who hosts the data (the provider's name)
    hosting_provider: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: the product's version, as the company names it
    product_version: Mapped[str] = mapped_column(String(50), default="", server_default="")
    #: the public texts (PUBLIC_TEXT_FIELDS) a manager accepted: what the catalogue shows of
    #: an approved solution while a later edit awaits review; None before the first approval
    approved_texts: Mapped[dict | None] = mapped_column(JSON)
    #: since when an edit of the public texts after approval awaits a manager
    texts_pending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: stored logo file name under UPLOAD_DIR (optional)
    logo_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()
    audits: Mapped[list[Audit]] = relationship(back_populates="solution", order_by="Audit.id")

    def attributes(self) -> dict[str, object]:
        """The attributes criteria may depend on (``Criterion.applies_if``), as declared now;
        an audit scores the copy frozen at its submission (``Audit.attributes``)."""
        return attributes_of(self.declarations())

    def declarations(self) -> dict[str, object]:
        """The decisive declarations (``DECLARATION_FIELDS``) as plain JSON values."""
        return {
            "processes_personal_data": bool(self.processes_personal_data),
            "gar_compatible": bool(self.gar_compatible),
            "uses_ai": bool(self.uses_ai),
            "hosting_country": self.hosting_country,
            "hosting_provider": self.hosting_provider or "",
            "pricing": Pricing(self.pricing).value,
            "version": self.product_version or "",
        }

    def public_texts(self) -> dict[str, object]:
        """The public texts as the company wrote them last."""
        return {field: getattr(self, field) for field in PUBLIC_TEXT_FIELDS}

    def published_texts(self) -> dict[str, object]:
        """What the public sees: the texts a manager accepted, else (never approved) the
        company's own."""
        return dict(self.approved_texts) if self.approved_texts else self.public_texts()

    @classmethod
    def visible_to(cls, user) -> Select:
        """Solutions ``user`` may read: its company's; those of audits assigned to an expert;
        all for managers and admins."""
        statement = select(cls)
        if user is None or not user.is_authenticated:
            return statement.where(false())
        if user.role in (Role.manager, Role.admin):
            return statement
        if user.role == Role.company:
            return statement.where(cls.organization_id == user.organization_id)
        if user.role == Role.expert:
            assigned = (
                select(Audit.solution_id)
                .join(Assignment, Assignment.audit_id == Audit.id)
                .where(Assignment.expert_id == user.id)
            )
            return statement.where(cls.id.in_(assigned))
        return statement.where(false())


class Audit(db.Model):
    __tablename__ = "audit"
    __table_args__ = (
        # One open audit per solution at a time, enforced by the database.
        Index(
            "uq_audit_open_per_solution",
            "solution_id",
            unique=True,
            sqlite_where=db.text(
                "status IN (" + ", ".join(f"'{s.value}'" for s in OPEN_STATES) + ")"
            ),
            postgresql_where=db.text(
                "status IN (" + ", ".join(f"'{s.value}'" for s in OPEN_STATES) + ")"
            ),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="RESTRICT"), index=True
    )
    #: the framework version the audit is assessed and scored on
    framework_version_id: Mapped[int] = mapped_column(
        ForeignKey("framework_version.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[AuditStatus] = mapped_column(
        enum_column(AuditStatus, "audit_status"), default=AuditStatus.draft, index=True
    )
    #: the approval state to go back to when a suspension is lifted
    status_before_suspension: Mapped[AuditStatus | None] = mapped_column(
        enum_column(AuditStatus, "audit_status")
    )
    #: indexed: the public catalogue's state reads its maximum on every uncached search
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: last day of validity of an approval
    valid_until: Mapped[date | None] = mapped_column(Date)
    #: public code that proves an approval (/verify/<code>)
    verification_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    #: appeals lodged (at most one)
    appeal_count: Mapped[int] = mapped_column(default=0)
    #: the audit this one renews
    renewed_from_id: Mapped[int | None] = mapped_column(ForeignKey("audit.id", ondelete="SET NULL"))
    #: when the expiry reminder was sent
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the solution's decisive declarations frozen at submission (``Solution.declarations``):
    #: scoring, the report and the catalogue read this copy; None before submission
    declarations: Mapped[dict | None] = mapped_column(JSON)
    #: a partial re-audit after a substantial change: the domains audited again (None: a
    #: full audit) and, for the criteria outside them, the approval's final levels carried over
    reaudit_domains: Mapped[list | None] = mapped_column(JSON)
    carried_levels: Mapped[dict | None] = mapped_column(JSON)
    #: optimistic lock: a concurrent change to the same audit fails instead of overwriting
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    solution: Mapped[Solution] = relationship(back_populates="audits")
    framework_version: Mapped[FrameworkVersion] = relationship()
    answers: Mapped[list[SelfAssessment]] = relationship(
        back_populates="audit", cascade="all, delete-orphan"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="audit", order_by="Evidence.id", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="audit", order_by="Assignment.id", cascade="all, delete-orphan"
    )
    scores: Mapped[list[Score]] = relationship(back_populates="audit", cascade="all, delete-orphan")
    consolidations: Mapped[list[Consolidation]] = relationship(
        back_populates="audit", cascade="all, delete-orphan"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="audit", order_by="Decision.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[AuditEvent]] = relationship(
        back_populates="audit", order_by="AuditEvent.id", cascade="all, delete-orphan"
    )

    @property
    def organization_id(self) -> int:
        return self.solution.organization_id

    def effective_status(self, today: date | None = None) -> AuditStatus:
        """The status as people read it: an approval past its validity is expired."""
        if (
            self.status in APPROVED_STATES
            and self.valid_until is not None
            and (today or date.today()) > self.valid_until
        ):
            return AuditStatus.expired
        return self.status

    def applicable_criteria(self, domain=None) -> list:
        """The criteria of the audit's version (or of one domain) that apply to its solution."""
        return self.framework_version.applicable_criteria(self.attributes(), domain)

    @property
    def is_partial_reaudit(self) -> bool:
        return self.reaudit_domains is not None

    def carried_level(self, criterion_code: str) -> int | None:
        """The approval's level a partial re-audit keeps for this criterion (None: the
        criterion is reviewed again)."""
        if not self.is_partial_reaudit or criterion_code in self.codes_to_review():
            return None
        return (self.carried_levels or {}).get(criterion_code)

    def codes_to_review(self) -> list[str]:
        """Applicable criteria the company answers and the experts score, in framework
        order: all of them in a full audit; in a partial re-audit those of the re-audited
        domains, and any applicable criterion the approval has no level for (a domain that
        now applies, say AI after AI use is declared, is never left unscored)."""
        applicable = self.applicable_criteria()
        if not self.is_partial_reaudit:
            return [criterion.code for criterion in applicable]
        domains = set(self.reaudit_domains or [])
        carried = self.carried_levels or {}
        return [
            criterion.code
            for criterion in applicable
            if criterion.domain.code in domains or criterion.code not in carried
        ]

    @property
    def latest_decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    def frozen_declarations(self) -> dict[str, object]:
        """The declarations the audit judges: the copy frozen at submission, or (a draft)
        what the solution declares now."""
        return dict(self.declarations) if self.declarations else self.solution.declarations()

    def attributes(self) -> dict[str, object]:
        """Criteria attributes from the frozen declarations (see ``attributes_of``)."""
        return attributes_of(self.frozen_declarations())

    def expert_ids(self) -> set[int]:
        return {assignment.expert_id for assignment in self.assignments}

    def is_assigned(self, user) -> bool:
        return user.role == Role.expert and user.id in self.expert_ids()

    @classmethod
    def visible_to(cls, user) -> Select:
        """Audits ``user`` may read: its company's, those assigned to an expert, all for
        managers and admins. Every list and lookup goes through here."""
        statement = select(cls)
        if user is None or not user.is_authenticated:
            return statement.where(false())
        if user.role in (Role.manager, Role.admin):
            return statement
        if user.role == Role.company:
            own = select(Solution.id).where(Solution.organization_id == user.organization_id)
            return statement.where(cls.solution_id.in_(own))
        if user.role == Role.expert:
            assigned = select(Assignment.audit_id).where(Assignment.expert_id == user.id)
            return statement.where(cls.id.in_(assigned))
        return statement.where(false())

    # Who may read and do what on this audit. Pages, API handlers, downloads, the PDF report
    # and templates all ask these, so no entry point can disagree; the operations check the
    # same predicates before writing.

    def can_read(self, user) -> bool:
        """The audit itself (the rule of ``visible_to``, for an audit already loaded)."""
        if user is None or not user.is_authenticated:
            return False
        if user.role in STAFF:
            return True
        if user.role == Role.company:
            return self.is_own(user)
        if user.role == Role.expert:
            return self.is_assigned(user)
        return False

    def is_own(self, user) -> bool:
        """``user`` is a member of the solution's company."""
        return (
            user.role == Role.company
            and user.organization_id is not None
            and self.solution.organization_id == user.organization_id
        )

    def assignment_of(self, user) -> Assignment | None:
        if user is None or user.role != Role.expert:
            return None
        return next((a for a in self.assignments if a.expert_id == user.id), None)

    def has_finished_first_pass(self, user) -> bool:
        """An assigned expert who declared their blind first pass finished."""
        assignment = self.assignment_of(user)
        return assignment is not None and assignment.completed_at is not None

    def can_read_results(self, user) -> bool:
        """Final levels, divergences and the scoring engine's figures. Managers and admins
        always; an assigned expert once their own first pass is finished (the result reveals
        the other experts' levels: blind scoring); the company once the committee decided."""
        if not self.can_read(user):
            return False
        if user.role in STAFF:
            return True
        if user.role == Role.expert:
            return self.has_finished_first_pass(user)
        return self.latest_decision is not None

    def can_download_report(self, user) -> bool:
        """The PDF report holds the final levels and every expert's justification: whoever
        may read the results, and nobody else."""
        return self.can_read_results(user)

    def can_see_scores_of(self, user, expert_id: int) -> bool:
        """One expert's individual levels and justifications. Managers and admins: all. An
        assigned expert: their own, and the others' once their own first pass is finished.
        The company: none, ever (it reads final levels and the report once decided)."""
        if not self.can_read(user) or user.role == Role.company:
            return False
        if user.role in STAFF or expert_id == user.id:
            return True
        return self.has_finished_first_pass(user)

    def scores_visible_to(self, user) -> list[Score]:
        return [s for s in self.scores if self.can_see_scores_of(user, s.expert_id)]

    def events_visible_to(self, user) -> list[AuditEvent]:
        """The history ``user`` may read, oldest first (the rule of ``history_of``)."""
        return list(db.session.scalars(self.history_of(user).order_by(AuditEvent.id)))

    def history_of(self, user) -> Select:
        """The history rows ``user`` may read, as a query (pages paginate it): the company
        reads the transitions and the notices about its approval (``COMPANY_NOTICES``);
        an assigned expert reads the other experts' levels
        (their changes, their finished pass) and the settlements only once the results are
        open to them; managers and admins read everything."""
        statement = select(AuditEvent).where(AuditEvent.audit_id == self.id)
        if not self.can_read(user):
            return statement.where(false())
        if user.role == Role.company:
            return statement.where(
                or_(
                    AuditEvent.from_status.is_not(None),
                    AuditEvent.to_status.is_not(None),
                    AuditEvent.action.in_(COMPANY_NOTICES),
                )
            )
        if self.can_read_results(user):
            return statement
        return statement.where(
            AuditEvent.action != AuditAction.consolidation,
            or_(AuditEvent.action.not_in(LEVEL_ACTIONS), AuditEvent.actor_id == user.id),
        )

    def can_edit_self_assessment(self, user) -> bool:
        """The company answers and adds evidence in draft or when information is asked."""
        return self.is_own(user) and self.status in SELF_ASSESSMENT_STATES

    def can_remove_evidence(self, user) -> bool:
        """The company removes files in draft only: once submitted, they are what the
        experts review (frozen, even when information is asked)."""
        return self.is_own(user) and self.status == AuditStatus.draft

    def can_score(self, user) -> bool:
        return self.status == AuditStatus.in_review and self.is_assigned(user)

    def can_assign(self, user) -> bool:
        return user.role == Role.manager and self.status in ASSIGNABLE_STATES

    def can_consolidate(self, user) -> bool:
        return user.role == Role.manager and self.status in CONSOLIDATION_STATES

    def can_renew(self, user) -> bool:
        """The company renews an approval, in force or expired."""
        return self.is_own(user) and self.status in APPROVED_STATES


self_assessment_evidence = Table(
    "self_assessment_evidence",
    db.metadata,
    Column(
        "self_assessment_id", ForeignKey("self_assessment.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("evidence_id", ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True),
)


class SelfAssessment(db.Model):
    """The company's answer on one criterion."""

    __tablename__ = "self_assessment"
    __table_args__ = (UniqueConstraint("audit_id", "criterion_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"))
    criterion_code: Mapped[str] = mapped_column(String(20))
    answer: Mapped[Answer] = mapped_column(enum_column(Answer, "answer", 20))
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    audit: Mapped[Audit] = relationship(back_populates="answers")
    evidence: Mapped[list[Evidence]] = relationship(secondary=self_assessment_evidence)


class Evidence(db.Model):
    """A file attached to an audit. Content-addressed on disk (by SHA-256), so the same file
    is stored once; the row keeps the name the company gave it."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("audit_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    #: the original file name, cleaned
    filename: Mapped[str] = mapped_column(String(255))
    #: MIME type detected from the content
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    audit: Mapped[Audit] = relationship(back_populates="evidence")


class ConflictOfInterest(db.Model):
    """An expert's declaration that they cannot audit an organization's solutions."""

    __tablename__ = "conflict_of_interest"
    __table_args__ = (UniqueConstraint("expert_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    expert: Mapped[User] = relationship()
    organization: Mapped[Organization] = relationship()

    @classmethod
    def visible_to(cls, user) -> Select:
        """Declarations ``user`` may read: an expert their own, managers and admins all."""
        statement = select(cls)
        if user is None or not user.is_authenticated:
            return statement.where(false())
        if user.role in STAFF:
            return statement
        if user.role == Role.expert:
            return statement.where(cls.expert_id == user.id)
        return statement.where(false())


class Assignment(db.Model):
    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("audit_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when the expert declared their scoring finished (opens the other experts' levels)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    audit: Mapped[Audit] = relationship(back_populates="assignments")
    expert: Mapped[User] = relationship(foreign_keys=[expert_id])


class Score(db.Model):
    """One expert's level on one criterion, with its justification."""

    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("audit_id", "expert_id", "criterion_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    criterion_code: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column()
    justification: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    audit: Mapped[Audit] = relationship(back_populates="scores")
    expert: Mapped[User] = relationship()


class Consolidation(db.Model):
    """A manager's settled level where experts diverged."""

    __tablename__ = "consolidation"
    __table_args__ = (UniqueConstraint("audit_id", "criterion_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    criterion_code: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column()
    justification: Mapped[str] = mapped_column(Text)
    settled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    settled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    audit: Mapped[Audit] = relationship(back_populates="consolidations")


class Decision(db.Model):
    """A committee decision; an appeal leads to a second one (``round`` 2)."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[AuditStatus] = mapped_column(enum_column(AuditStatus, "audit_status"))
    motivation: Mapped[str] = mapped_column(Text)
    valid_until: Mapped[date | None] = mapped_column(Date)
    #: the scoring engine's figures when the decision was taken
    overall_score: Mapped[float] = mapped_column()
    domain_scores: Mapped[dict] = mapped_column(JSON, default=dict)
    recommendation: Mapped[str] = mapped_column(String(30))
    round: Mapped[int] = mapped_column(default=1)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the day the committee sat (decisions recorded before it was asked: None)
    committee_date: Mapped[date | None] = mapped_column(Date)
    #: the names of the committee's members present, in the order given
    committee_members: Mapped[list | None] = mapped_column(JSON)

    audit: Mapped[Audit] = relationship(back_populates="decisions")
    conditions: Mapped[list[Condition]] = relationship(
        back_populates="decision", order_by="Condition.id", cascade="all, delete-orphan"
    )
    decided_by: Mapped[User | None] = relationship()


class ConditionStatus(TitledEnum):
    open = "open", _l("To fulfil")
    evidence_submitted = "evidence_submitted", _l("Evidence submitted, awaiting review")
    met = "met", _l("Met")
    not_met = "not_met", _l("Not met")


class Condition(db.Model):
    """A condition attached to an approval, with its due date."""

    __tablename__ = "decision_condition"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decision.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[ConditionStatus] = mapped_column(
        enum_column(ConditionStatus, "condition_status", 20),
        default=ConditionStatus.open,
        server_default="open",
    )
    #: the company's evidence of fulfilment: a note and optionally one of the audit's files
    evidence_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id", ondelete="SET NULL"))
    evidence_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the manager's judgement
    judged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: the follow-up of an overdue condition: one reminder, then one proposal to suspend
    reminded_on: Mapped[date | None] = mapped_column(Date)
    suspension_proposed_on: Mapped[date | None] = mapped_column(Date)

    decision: Mapped[Decision] = relationship(back_populates="conditions")
    evidence: Mapped[Evidence | None] = relationship()

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or date.today()
        return (
            self.status != ConditionStatus.met
            and self.due_date is not None
            and self.due_date < today
        )


class AuditEvent(db.Model):
    """Append-only history: transitions, score changes, settlements, decisions, messages."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    #: what happened: a transition (submit, admit, ...) or a step of the review (score, ...)
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction, "audit_action", 40))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")
    #: details (criterion code, level, ...)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    audit: Mapped[Audit] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    @property
    def is_transition(self) -> bool:
        return self.from_status is not None or self.to_status is not None


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _history_is_append_only(mapper, connection, target: AuditEvent) -> None:
    """History rows are written once: an update or a delete through the ORM is a bug."""
    raise HistoryIsAppendOnly(f"audit event {target.id} cannot be changed or deleted")


class HistoryIsAppendOnly(RuntimeError):
    pass


class ChangeOutcome(TitledEnum):
    no_impact = "no_impact", _l("No impact")
    partial_reaudit = "partial_reaudit", _l("Partial re-audit")
    suspension = "suspension", _l("Suspension")


class SubstantialChange(db.Model):
    """A change the company declares after approval (``changement substantiel``); the
    approved content stays public until a manager decides."""

    __tablename__ = "substantial_change"
    __table_args__ = (
        # One change under review per solution at a time.
        Index(
            "uq_substantial_change_open",
            "solution_id",
            unique=True,
            sqlite_where=db.text("outcome IS NULL"),
            postgresql_where=db.text("outcome IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), index=True
    )
    #: the approval the change concerns
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    #: what changes, in the company's words
    description: Mapped[str] = mapped_column(Text)
    #: the decisive declarations as they will be (``Solution.declarations``)
    declarations: Mapped[dict] = mapped_column(JSON, default=dict)
    declared_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the manager's decision; None while under review
    outcome: Mapped[ChangeOutcome | None] = mapped_column(
        enum_column(ChangeOutcome, "change_outcome", 20)
    )
    #: domains to audit again (partial re-audit)
    domains: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the renewal audit opened for a partial re-audit
    reaudit_id: Mapped[int | None] = mapped_column(ForeignKey("audit.id", ondelete="SET NULL"))

    solution: Mapped[Solution] = relationship()
    audit: Mapped[Audit] = relationship(foreign_keys=[audit_id])
    reaudit: Mapped[Audit | None] = relationship(foreign_keys=[reaudit_id])
    declared_by: Mapped[User | None] = relationship(foreign_keys=[declared_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
