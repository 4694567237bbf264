"""A solution's public addresses, and the dated results of each check of them.

``SiteCheck`` (one run) and its ``SiteFinding`` rows are written once, together, when the
run ends: evidence the experts read as it was on that day, never updated nor deleted.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accelerator.audits.models import Audit, Solution
from accelerator.checks.findings import CheckKind, Outcome, message
from accelerator.core.db import UTCDateTime, enum_column, utcnow
from accelerator.core.enums import TitledEnum
from accelerator.extensions import db

#: the address fields, in the order of the form
ADDRESS_FIELDS = (
    "landing_url",
    "login_url",
    "privacy_url",
    "legal_notice_url",
    "accessibility_url",
)


class SiteAddresses(db.Model):
    """The public URLs a company gives for its solution (one row per solution)."""

    __tablename__ = "solution_site"

    solution_id: Mapped[int] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), primary_key=True
    )
    #: the page pupils and teachers arrive on
    landing_url: Mapped[str | None] = mapped_column(String(500))
    login_url: Mapped[str | None] = mapped_column(String(500))
    privacy_url: Mapped[str | None] = mapped_column(String(500))
    legal_notice_url: Mapped[str | None] = mapped_column(String(500))
    accessibility_url: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    solution: Mapped[Solution] = relationship()

    def as_dict(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in ADDRESS_FIELDS}

    @property
    def any_given(self) -> bool:
        return any(self.as_dict().values())


class Trigger(TitledEnum):
    requested = "requested", _l("Requested")
    monitoring = "monitoring", _l("Monitoring")


class SiteCheck(db.Model):
    """One run of the checks on a solution's addresses, dated."""

    __tablename__ = "site_check"
    __table_args__ = (Index("ix_site_check_solution_at", "solution_id", "checked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id", ondelete="CASCADE"))
    #: the audit the run is evidence for (the open one, else the approval in force)
    audit_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit.id", ondelete="SET NULL"), index=True
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    trigger: Mapped[Trigger] = mapped_column(enum_column(Trigger, "site_check_trigger", 20))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the addresses as they were checked
    addresses: Mapped[dict] = mapped_column(JSON, default=dict)
    #: outcome code → number of findings
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    #: eliminatory kinds that passed on the previous run and fail on this one
    regressions: Mapped[list] = mapped_column(JSON, default=list)

    solution: Mapped[Solution] = relationship()
    audit: Mapped[Audit | None] = relationship()
    findings: Mapped[list[SiteFinding]] = relationship(
        back_populates="check", order_by="SiteFinding.id", cascade="all"
    )

    def failing_eliminatory(self) -> set[str]:
        return {
            f.kind.value
            for f in self.findings
            if f.kind.eliminatory and f.outcome == Outcome.failed
        }

    def regressions_labels(self) -> list[str]:
        return [str(CheckKind(code).label) for code in self.regressions or []]

    def findings_for(self, criterion_code: str) -> list[SiteFinding]:
        return [f for f in self.findings if criterion_code in f.kind.criteria]

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "solution_id": self.solution_id,
            "audit_id": self.audit_id,
            "trigger": self.trigger.value,
            "checked_at": self.checked_at.isoformat(),
            "addresses": self.addresses,
            "summary": self.summary,
            "regressions": self.regressions,
            "findings": [finding.as_dict() for finding in self.findings],
        }


class SiteFinding(db.Model):
    """One outcome of one kind of check on one page."""

    __tablename__ = "site_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(
        ForeignKey("site_check.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[CheckKind] = mapped_column(enum_column(CheckKind, "site_check_kind", 40))
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "site_check_outcome", 10))
    url: Mapped[str] = mapped_column(String(500), default="")
    #: the sentence's code (``findings.MESSAGES``)
    reason: Mapped[str] = mapped_column(String(40))
    facts: Mapped[dict] = mapped_column(JSON, default=dict)

    check: Mapped[SiteCheck] = relationship(back_populates="findings")

    @property
    def message(self) -> str:
        return message(self.reason, self.facts or {})

    def as_dict(self) -> dict:
        return {
            "kind": self.kind.value,
            "title": str(self.kind.label),
            "criteria": list(self.kind.criteria),
            "eliminatory": self.kind.eliminatory,
            "outcome": self.outcome.value,
            "url": self.url,
            "reason": self.reason,
            "message": self.message,
            "facts": self.facts,
        }


class EvidenceIsImmutable(RuntimeError):
    pass


@event.listens_for(SiteCheck, "before_update")
@event.listens_for(SiteCheck, "before_delete")
@event.listens_for(SiteFinding, "before_update")
@event.listens_for(SiteFinding, "before_delete")
def _evidence_is_immutable(mapper, connection, target) -> None:
    """A run is dated evidence: written once, never changed (through the ORM)."""
    raise EvidenceIsImmutable(f"{target.__tablename__} {target.id} cannot be changed or deleted")
